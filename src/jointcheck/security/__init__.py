"""Privacy and security primitives of the pure core: keys are arguments, never module state."""
