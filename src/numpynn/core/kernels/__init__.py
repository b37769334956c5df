"""Compiled kernels (Numba, optional) and the thread helpers of the hot loops.

:mod:`.switch` chooses between Numba and NumPy; :mod:`.numba_kernels` holds the fused loops;
:mod:`.threads` runs large work on two cores.
"""

from .switch import CHOICES, ENVIRONMENT_VARIABLE, kernels, loaded

__all__ = ["kernels", "loaded", "CHOICES", "ENVIRONMENT_VARIABLE"]
