"""``numpynn train``'s data checks: stray text in numeric columns, the split, a file hash."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .common import CommandError

#: A text column whose non-missing values are numbers except for at most this share is taken
#: to be a numeric column with bad values (an error), not a text column.
_STRAY_TEXT_SHARE = 0.1


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def check_numeric_columns(table, columns: Sequence[str]) -> None:
    """Reject a column of numbers with a few text values: a typo, not a text column.

    ``Preprocessor`` treats any column holding a non-number as text; a numeric column with
    one bad cell would then be one-hot encoded value by value without a word.
    """
    from ..tabular import is_missing

    for name in columns:
        values = table.column(name)
        present = [i for i, v in enumerate(values) if not is_missing(v)]
        bad = [i for i in present if not _is_number(values[i])]
        if bad and len(bad) < len(present) and len(bad) <= _STRAY_TEXT_SHARE * len(present):
            first = bad[0]
            more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
            raise CommandError(
                f"numeric column {name!r}: {table.where(first)} holds {values[first]!r}, which "
                f"is not a number{more}; fix it, or leave the cell empty (or NA) for a missing "
                "value"
            )


def split_rows(n_rows: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Training and validation row indices (int64), ``fraction`` of the rows held out."""
    from ..tabular import train_validation_split

    if fraction == 0:
        return np.arange(n_rows, dtype=np.int64), np.empty(0, dtype=np.int64)
    if n_rows < 2:
        raise CommandError(f"{n_rows} data row cannot be split into training and validation "
                           "rows; add rows or pass --validation-split 0")
    return train_validation_split(n_rows, fraction, seed=seed)


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, hex: a resumed run checks it trains on the same data."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
