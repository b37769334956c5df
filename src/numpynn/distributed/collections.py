"""Dask collections as row blocks: checks made on the client from metadata alone, one
delayed object per block of rows, and lazy results assembled from per-block tasks.

Nothing here computes data: shapes, chunk sizes and dtypes come from the collections'
metadata; the blocks themselves stay on the workers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import dask
import dask.array as da
import numpy as np

__all__ = ["RowBlocks", "is_dask_collection", "row_blocks", "lazy_rows", "as_float_block"]


def is_dask_collection(x: Any) -> bool:
    """True for a Dask array, dataframe or series (anything Dask computes lazily)."""
    return type(x).__module__.partition(".")[0] == "dask" and dask.is_dask_collection(x)


def _is_array(x: Any) -> bool:
    return isinstance(x, da.Array)


def _is_frame(x: Any) -> bool:
    return is_dask_collection(x) and hasattr(x, "columns") and hasattr(x, "to_delayed")


@dataclass
class RowBlocks:
    """A collection split into blocks of rows.

    Attributes
    ----------
    blocks : list of dask.delayed.Delayed
        One per block (an ndarray or a pandas object when computed), in row order.
    rows : tuple of int, or None
        Rows of each block when known (Dask arrays with known chunks), else None.
    columns : list of str, or None
        A dataframe's column names.
    """

    blocks: list[Any]
    rows: tuple[int, ...] | None
    columns: list[str] | None = None


def _check_numeric_columns(frame: Any, name: str) -> list[str]:
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    for column, dtype in frame.dtypes.items():
        if not (is_numeric_dtype(dtype) or is_bool_dtype(dtype)):
            raise TypeError(f"{name} must have numeric columns; column {column!r} has dtype "
                            f"{dtype}")
    return [str(c) for c in frame.columns]


def row_blocks(x: Any, name: str = "X", width: int | None = None) -> RowBlocks:
    """Split a 2-D Dask array or a dataframe into delayed row blocks.

    Parameters
    ----------
    x : dask.array.Array, shape (n, d), or dask.dataframe.DataFrame with d numeric columns
    name : str
        The argument's name, for error messages.
    width : int, optional
        The number of columns required (the network's input size).

    Raises
    ------
    ValueError, TypeError
        Wrong number of dimensions or columns, or non-numeric columns: from metadata,
        before any work.
    """
    if _is_array(x):
        if x.ndim != 2:
            raise ValueError(f"{name} must be a 2-D Dask array (n samples, features), got "
                             f"{x.ndim}-D with shape {x.shape}")
        if x.dtype.kind not in "biuf":
            raise TypeError(f"{name} must be numeric, got a Dask array of dtype {x.dtype}")
        if width is not None and x.shape[1] != width:
            raise ValueError(f"{name} must have {width} values per row (the network's input "
                             f"size), got {x.shape[1]}")
        if x.numblocks[1] > 1:  # every block holds whole rows
            x = x.rechunk({1: -1})
        known = not any(math.isnan(c) for c in x.chunks[0])
        return RowBlocks(list(x.to_delayed().ravel()),
                         tuple(int(c) for c in x.chunks[0]) if known else None)
    if _is_frame(x):
        columns = _check_numeric_columns(x, name)
        if width is not None and len(columns) != width:
            raise ValueError(f"{name} must have {width} columns (the network's input size), "
                             f"got {len(columns)}: {columns}")
        return RowBlocks(list(x.to_delayed()), None, columns)
    raise TypeError(f"{name} must be a Dask array or dataframe, got {type(x).__name__}")


def vector_blocks(v: Any, name: str, like: RowBlocks) -> list[Any]:
    """Delayed blocks of a 1-D (or one-column) collection aligned with ``like``'s blocks.

    Dask arrays with other chunks are rechunked to ``like``'s rows (on the workers); series
    and dataframes must have as many partitions as ``like`` has blocks.
    """
    if _is_array(v):
        if v.ndim not in (1, 2):
            raise ValueError(f"{name} must be 1-D or 2-D, got shape {v.shape}")
        if like.rows is not None and tuple(v.chunks[0]) != like.rows:
            if any(math.isnan(c) for c in v.chunks[0]) or v.shape[0] != sum(like.rows):
                raise ValueError(f"{name} has {v.shape[0]} rows in blocks {v.chunks[0]}, "
                                 f"which cannot be aligned with X's {sum(like.rows)} rows")
            v = v.rechunk({0: like.rows})
        if v.ndim == 2 and v.numblocks[1] > 1:
            v = v.rechunk({1: -1})
        blocks = list(v.to_delayed().ravel())
    elif is_dask_collection(v) and hasattr(v, "to_delayed"):
        blocks = list(v.to_delayed())
    else:
        raise TypeError(f"{name} must be a Dask array, series or dataframe like X, got "
                        f"{type(v).__name__}")
    if len(blocks) != len(like.blocks):
        raise ValueError(f"{name} has {len(blocks)} blocks (partitions) but X has "
                         f"{len(like.blocks)}: give them the same partitions")
    return blocks


def as_float_block(block: Any, dtype: Any = np.float32) -> np.ndarray:
    """A computed block (ndarray or pandas object) as a C-contiguous, aligned ndarray of
    ``dtype`` (a network's: float32 or float64), converted once and only when needed.

    Buffers that arrive through ``client.scatter`` or from the network are often not
    aligned for their dtype; NumPy and BLAS then take slow paths (an epoch 6x slower
    in-process, 15-20x on a worker), so such a block is copied once, here.
    """
    dtype = np.dtype(dtype)
    if hasattr(block, "to_numpy"):
        block = block.to_numpy(dtype=dtype)
    arr = np.asarray(block)
    if arr.dtype != dtype or not arr.flags.aligned or not arr.flags.c_contiguous:
        arr = np.array(arr, dtype=dtype, order="C")  # a fresh, aligned buffer
    return arr


def realigned(block: Any) -> Any:
    """``block`` itself, or an aligned C-contiguous copy when its buffer is not aligned
    (dtype kept)."""
    if hasattr(block, "to_numpy"):
        block = block.to_numpy()
    arr = np.asarray(block)
    if not arr.flags.aligned or not arr.flags.c_contiguous:
        arr = np.array(arr, order="C")
    return arr


def lazy_rows(blocks: RowBlocks, function: Callable[..., np.ndarray], args: Sequence[Any],
              tail: tuple[int, ...], dtype: Any) -> da.Array:
    """``function(*args, block)`` for every block, one task each, as one Dask array.

    Parameters
    ----------
    blocks : RowBlocks
    function : callable
        Returns an ndarray with as many rows as its block, of shape ``(rows, *tail)``.
    args : sequence
        Leading arguments, usually delayed objects (put in the graph once, not per task).
    tail : tuple of int
        The shape of one output row.
    dtype : numpy dtype
        Of the output.
    """
    task = dask.delayed(function, pure=True)
    rows = blocks.rows if blocks.rows is not None else (math.nan,) * len(blocks.blocks)
    parts = [da.from_delayed(task(*args, block), shape=(n, *tail), dtype=dtype)
             for block, n in zip(blocks.blocks, rows)]
    if not parts:
        return da.empty((0, *tail), dtype=dtype)
    return da.concatenate(parts, axis=0) if len(parts) > 1 else parts[0]
