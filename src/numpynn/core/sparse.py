"""Sparse input (SciPy CSR) for the first layer: products without a dense copy of X.

A network's first layer multiplies the sparse batch directly (``X @ W``), and its weight
gradient is the sparse-dense product ``X.T @ delta``; nothing makes more than one batch's
activations dense.  numpynn's core needs NumPy alone, so SciPy is never imported here: a
sparse matrix can only come from a program that has imported ``scipy.sparse`` already.

With Numba's kernels loaded, both products run as compiled loops straight into the
caller's buffers (the first-layer gradient in place in the flat gradient vector); else
SciPy computes them and the result is copied in.  Either way the sums run in SciPy's
order (row by row, stored entries in order), so the two give the same bits.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

import numpy as np

from .checks import cast_checked

__all__ = [
    "is_sparse",
    "as_csr",
    "check_finite_sparse_rows",
    "product_into",
    "transposed_product_into",
    "take_rows",
]


def is_sparse(x: Any) -> bool:
    """True when ``x`` is a SciPy sparse matrix or array (SciPy is not imported here)."""
    sparse = sys.modules.get("scipy.sparse")
    return sparse is not None and not isinstance(x, np.ndarray) and sparse.issparse(x)


def as_csr(x: Any, width: int, dtype: Any, name: str = "X") -> Any:
    """``x`` as a 2-D CSR matrix of ``dtype`` with ``width`` columns; no copy when it
    already is one (CSC and the other formats are converted, never made dense).

    Raises
    ------
    ValueError, TypeError
        Wrong number of columns, or non-numeric values.
    """
    if x.ndim != 2:
        raise ValueError(f"{name} must be 2-D (a batch), got a sparse {x.ndim}-D array")
    if x.shape[1] != width:
        raise ValueError(f"{name} must have {width} values per row (the network's input "
                         f"size), got {x.shape[1]}")
    if x.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be numeric, got a sparse matrix of dtype {x.dtype}")
    csr = x if x.format == "csr" else x.tocsr()
    if csr.dtype == dtype:
        return csr
    try:  # a finite float64 value beyond float32 would become inf
        data = cast_checked(name, csr.data, dtype)
    except ValueError:
        limit = float(np.finfo(dtype).max)
        position = int(np.argmax(np.abs(csr.data) > limit))
        row = int(np.searchsorted(csr.indptr, position, side="right")) - 1
        raise ValueError(f"{name} holds {float(csr.data[position]):.6g} in row {row}, which "
                         f"does not fit {np.dtype(dtype).name} (the network's dtype; largest "
                         f"finite value {limit:.6g})") from None
    return type(csr)((data, csr.indices, csr.indptr), shape=csr.shape)


def check_finite_sparse_rows(x: Any, name: str = "X") -> None:
    """ValueError naming the first row of the CSR ``x`` with a stored NaN or inf."""
    ok = np.isfinite(x.data)
    if not ok.all():
        position = int(np.argmin(ok))
        row = int(np.searchsorted(x.indptr, position, side="right")) - 1
        raise ValueError(f"{name} contains NaN or inf (first in row {row})")


def take_rows(x: Any, rows: np.ndarray, out: np.ndarray | None = None) -> Any:
    """Rows ``rows`` of ``x``: dense into ``out`` (np.take), sparse as a new CSR batch.
    With ``out``, ``rows`` must be valid row numbers (the trainer's batches, from rows
    checked where they were made: TrainingData)."""
    if not isinstance(x, np.ndarray):
        return x[rows]
    if out is None:
        return np.take(x, rows, axis=0)
    # mode="clip": with the default "raise", NumPy writes through a buffered copy of out
    # (a 200 x 256 float32 batch: 14 us against 5.5 us).
    return np.take(x, rows, axis=0, out=out, mode="clip")


def _compiled_ok(compiled: ModuleType | None, x: Any, dense: np.ndarray) -> bool:
    """The compiled loops take canonical int32/int64 indices and one float dtype."""
    return (compiled is not None and x.data.dtype == dense.dtype
            and x.indices.dtype == x.indptr.dtype and dense.flags.c_contiguous)


def product_into(x: Any, weights: np.ndarray, out: np.ndarray,
                 compiled: ModuleType | None = None) -> None:
    """``out = x @ weights`` for a CSR batch ``x`` (n, fan_in), ``weights`` (fan_in, k)
    and ``out`` (n, k), all of one float dtype."""
    if _compiled_ok(compiled, x, weights) and out.flags.c_contiguous:
        compiled.csr_times_dense(x.data, x.indices, x.indptr, weights, out)
    else:
        out[...] = x @ weights


def transposed_product_into(x: Any, delta: np.ndarray, out: np.ndarray,
                            compiled: ModuleType | None = None) -> None:
    """``out = x.T @ delta`` for a CSR batch ``x`` (n, fan_in), ``delta`` (n, k) and
    ``out`` (fan_in, k): the first layer's weight gradient, written in place."""
    if _compiled_ok(compiled, x, delta) and out.flags.c_contiguous:
        compiled.csr_transposed_times_dense(x.data, x.indices, x.indptr, delta, out)
    else:
        out[...] = x.T @ delta
