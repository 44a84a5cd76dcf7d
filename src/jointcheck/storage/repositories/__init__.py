"""Every query of the registry, one module per domain; services never write SQL themselves."""
