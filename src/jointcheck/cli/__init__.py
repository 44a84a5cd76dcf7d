"""The ``jointcheck`` command: a thin edge over the core, reading files, clock and environment."""
