"""How an optimizer's element-wise update runs over a long flat vector: in chunks that fit
the L2 cache, and on two threads when the vector is long (NumPy's loops and the compiled
kernels release the GIL).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from ..core.kernels import threads as _parallel

__all__ = ["CHUNK", "PARALLEL_MIN_SIZE", "chunks", "for_each_chunk", "in_two_halves"]

#: Element-wise updates run over chunks of this many values, so that the several passes of
# one update find their data in the L2 cache instead of streaming it from memory.
CHUNK = 1 << 16
#: Vectors at least this long are updated by two threads (NumPy releases the GIL in its
#: loops); the matrix products use every core, and so should the update between them.
PARALLEL_MIN_SIZE = 1 << 17


@functools.lru_cache(maxsize=64)
def chunks(size: int) -> tuple[slice, ...]:
    """The slices of :data:`CHUNK` values (the last one shorter) that cover ``size``."""
    return tuple(slice(lo, min(size, lo + CHUNK)) for lo in range(0, size, CHUNK))


def for_each_chunk(size: int, update: Callable[[slice], None]) -> None:
    """Call ``update(part)`` for every chunk of a vector, on two threads when it is long."""
    parts = chunks(size)
    if size < PARALLEL_MIN_SIZE or len(parts) < 2 or _parallel.cores() < 2:
        for part in parts:
            update(part)
        return
    half = len(parts) // 2
    other = _parallel.worker().submit(lambda: [update(part) for part in parts[:half]])
    for part in parts[half:]:
        update(part)
    other.result()


def in_two_halves(kernel: Callable[..., None], vectors: tuple[np.ndarray, ...],
                  *scalars: Any) -> None:
    """``kernel(*vectors, *scalars)``, a one-pass compiled update that releases the GIL; on
    two threads, each taking one half of every vector, when the vectors are long."""
    size = vectors[0].size
    if size < PARALLEL_MIN_SIZE or _parallel.cores() < 2:
        kernel(*vectors, *scalars)
        return
    half = size // 2
    other = _parallel.worker().submit(kernel, *(v[:half] for v in vectors), *scalars)
    kernel(*(v[half:] for v in vectors), *scalars)
    other.result()
