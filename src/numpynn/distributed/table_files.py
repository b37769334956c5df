"""Partitioned tables on a cluster for ``numpynn train --workers/--scheduler``: a folder or
glob of Parquet or CSV files read as a Dask dataframe on the workers, a sample of it for
fitting the preprocessing on the client, and every partition encoded where it lives."""

from __future__ import annotations

import glob
import math
import os
from pathlib import Path
from typing import Any

import dask
import dask.array as da
import numpy as np

from ..tabular import Table, rows_with_target
from ..tabular.dialect import sniff_dialect
from .tables import _as_table

__all__ = ["table_files", "read_table_files", "sample_table", "encoded_arrays"]

_SUFFIXES = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}


def table_files(pattern: str | os.PathLike) -> tuple[list[str], str]:
    """The files of a folder, a glob or one file, sorted, and their kind (parquet, csv).

    Raises
    ------
    ValueError
        No such files, or Parquet and CSV mixed.
    """
    path = Path(pattern)
    if path.is_dir():
        files = sorted(str(p) for p in path.iterdir() if p.suffix.lower() in _SUFFIXES)
    elif path.is_file():
        files = [str(path)]
    else:
        files = sorted(glob.glob(str(pattern)))
    if not files:
        raise ValueError(f"{str(pattern)!r}: no Parquet or CSV files there (a folder, a glob "
                         "such as 'data/part-*.parquet', or one file)")
    kinds = {_SUFFIXES.get(Path(f).suffix.lower()) for f in files}
    if None in kinds or len(kinds) > 1:
        raise ValueError(f"{str(pattern)!r}: give Parquet files or CSV files, not "
                         f"{sorted(Path(f).suffix or f for f in files)}")
    return files, kinds.pop()


def read_table_files(pattern: str | os.PathLike, *, delimiter: str | None = None,
                     encoding: str | None = None, notes: list[str] | None = None) -> Any:
    """A lazy Dask dataframe of the files (read on the workers when computed).

    CSV files are read in the dialect of the first one, as numpynn's reader finds it
    (:func:`numpynn.tabular.dialect.sniff_dialect`: the delimiter and the encoding, or
    those given); what it found is appended to ``notes``.

    Raises
    ------
    ValueError
        No such files, an encoding or delimiter that does not fit the first file, or
        numbers with a decimal comma (which the workers' reader does not convert).
    """
    import dask.dataframe as dd

    files, kind = table_files(pattern)
    if kind == "parquet":
        return dd.read_parquet(files)
    first = Path(files[0])
    dialect, found = sniff_dialect(first, str(first), delimiter=delimiter, encoding=encoding)
    if dialect.decimal != ".":
        raise ValueError(f"{first}: numbers with a decimal comma (1,5) are read on one "
                         "machine only (numpynn train without --workers); on a cluster, "
                         "write them with a decimal point or as Parquet")
    if notes is not None:
        notes += found
    # Every column as text, as numpynn's own CSV reader has it: the preprocessing decides.
    # utf-8-sig: UTF-8 that skips a byte-order mark, as numpynn's reader does
    encoding = "utf-8-sig" if dialect.encoding == "utf-8" else dialect.encoding
    return dd.read_csv(files, dtype=str, keep_default_na=False, sep=dialect.delimiter,
                       encoding=encoding)


def sample_table(frame: Any, rows: int, seed: int) -> tuple[Table, int]:
    """About ``rows`` random rows of ``frame`` as a :class:`Table` on the client, and the
    number of rows in ``frame`` (counted on the workers)."""
    total = int(len(frame))
    if total == 0:
        raise ValueError("the data has no rows")
    fraction = min(1.0, rows / total)
    sample = frame if fraction >= 1.0 else frame.sample(frac=fraction, random_state=seed)
    return _as_table(sample.compute()), total


def _encode(pre: Any, enc: Any, partition: Any) -> tuple[np.ndarray, np.ndarray]:
    """The partition's rows that have a target value, encoded (the others are left out,
    as ``numpynn train`` leaves them out of one table)."""
    table = _as_table(partition)
    rows = rows_with_target(table, enc.name)
    return pre.transform(table, rows), enc.transform(table, rows)


def encoded_arrays(frame: Any, pre: Any, enc: Any) -> tuple[Any, Any]:
    """Features (float32, (n, n_features)) and encoded targets of every partition's rows
    with a target value, as Dask arrays with one block per partition (encoded on the
    worker that reads it)."""
    encode = dask.delayed(_encode, pure=True, nout=2)
    pre_d, enc_d = dask.delayed(pre, pure=True), dask.delayed(enc, pure=True)
    xs, ys = [], []
    y_tail = () if enc.is_classification else (1,)
    y_dtype = np.int64 if enc.is_classification else np.float32
    for partition in frame.to_delayed():
        x, y = encode(pre_d, enc_d, partition)
        xs.append(da.from_delayed(x, shape=(math.nan, pre.n_features), dtype=np.float32))
        ys.append(da.from_delayed(y, shape=(math.nan, *y_tail), dtype=y_dtype))
    return da.concatenate(xs), da.concatenate(ys)
