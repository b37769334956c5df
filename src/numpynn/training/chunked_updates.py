"""How an optimizer's element-wise update runs over a long flat vector: in chunks that fit
the L2 cache, on the calling thread.

The update used to be split over two threads for long vectors.  Measured inside whole
epochs (``benchmarks/run.py``'s 256-512-512-10 net on a 2-core AMD EPYC), one thread was
faster at every batch size tried, 6% of the epoch at batch 200: right after a matrix
product the BLAS's own worker threads still spin on the other cores, and a second update
thread only fights them (with one-thread BLAS it gained nothing either: the hand-off
costs what the second core saves).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

__all__ = ["CHUNK", "chunks", "for_each_chunk"]

#: Element-wise updates run over chunks of this many values, so that the several passes of
# one update find their data in the L2 cache instead of streaming it from memory.
CHUNK = 1 << 16


@functools.lru_cache(maxsize=64)
def chunks(size: int) -> tuple[slice, ...]:
    """The slices of :data:`CHUNK` values (the last one shorter) that cover ``size``."""
    return tuple(slice(lo, min(size, lo + CHUNK)) for lo in range(0, size, CHUNK))


def for_each_chunk(size: int, update: Callable[[slice], None]) -> None:
    """Call ``update(part)`` for every chunk of a vector of ``size`` values, in order."""
    for part in chunks(size):
        update(part)
