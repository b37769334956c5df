"""The numerical core: the theta layout, checks, activations, losses, initialisers, the
forward and backward passes and the compiled kernels.  Imports nothing above it."""
