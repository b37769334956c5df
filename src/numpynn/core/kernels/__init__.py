"""Compiled kernels (Numba, optional) and the thread helpers of the hot loops.

:mod:`.switch` chooses between Numba and NumPy; :mod:`.numba_kernels` holds the fused loops;
:mod:`.threads` runs large work on two cores.  The fused epoch of small networks (every
batch of an epoch in one compiled loop): :mod:`.fused` (when it applies, its tables; no
Numba import), :mod:`.fused_epoch` (the loop), :mod:`.fused_layers`,
:mod:`.fused_outputs` and :mod:`.fused_math` (its inlined parts).
"""

from .switch import CHOICES, ENVIRONMENT_VARIABLE, kernels, loaded

__all__ = ["kernels", "loaded", "CHOICES", "ENVIRONMENT_VARIABLE"]
