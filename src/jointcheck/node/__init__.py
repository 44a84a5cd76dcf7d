"""The checkpoint node: the scanner page and local decisions on the venue's device, offline."""
