"""The checkpoint's pure core: check events, what a scan still needs, the signed policy bundle,
and the node's timekeeping. Nothing here reads a clock, a file or the network."""
