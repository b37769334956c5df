"""The typed columns a :class:`~numpynn.tabular.table.Table` holds: numbers or text.

Every column of a table is parsed once, when it is read, into one of two forms:

:class:`NumberColumn`
    A NumPy array of numbers: float64 (NaN where a value is missing), float32, or int64
    (an integer column without gaps).
:class:`TextColumn`
    Category codes: ``codes`` (int32, ``-1`` where a value is missing) into ``categories``
    (an object array of distinct, stripped, non-missing strings, in no particular order).
    A million cells of a ten-valued column are 4 MB of codes and ten strings.

Both are immutable after construction and cheap to subset (:meth:`take`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

__all__ = ["NumberColumn", "TextColumn", "format_number", "numbers_as_text"]


def format_number(value: float) -> str:
    """The text of a number as a category or class label: ``4.0 -> "4"``, ``0.1 -> "0.1"``.

    Whole numbers (up to 1e15) lose their ``.0``; other values are written with ``repr``
    (the shortest text that reads back as the same float64).
    """
    v = float(value)
    if math.isfinite(v) and v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


@dataclass(frozen=True, eq=False)
class NumberColumn:
    """A column of numbers.

    Parameters
    ----------
    values : ndarray, shape (n,)
        float64 or float32 with NaN for a missing value, or int64 (no value missing).
    """

    values: np.ndarray
    _cache: dict = field(default_factory=dict, repr=False)  # n_missing, is_integral

    def __post_init__(self) -> None:
        v = self.values
        if not isinstance(v, np.ndarray) or v.ndim != 1:
            raise TypeError(f"NumberColumn: values must be a 1-D ndarray, got {type(v).__name__}")
        if v.dtype not in (np.float64, np.float32, np.int64):
            raise TypeError(f"NumberColumn: values must be float64, float32 or int64, got "
                            f"{v.dtype}")

    kind = "number"

    def __len__(self) -> int:
        return self.values.shape[0]

    @property
    def missing(self) -> np.ndarray:
        """bool (n,): True where the value is missing (NaN)."""
        if self.values.dtype == np.int64:
            return np.zeros(len(self), dtype=bool)
        return np.isnan(self.values)

    @property
    def n_missing(self) -> int:
        if "n_missing" not in self._cache:
            self._cache["n_missing"] = 0 if self.values.dtype == np.int64 else \
                int(np.count_nonzero(np.isnan(self.values)))
        return self._cache["n_missing"]

    def as_float64(self, rows: np.ndarray | slice | None = None) -> np.ndarray:
        """The values (at ``rows``: indices or a slice) as a new float64 array (never a
        view of the column), NaN where missing."""
        v = self.values if rows is None else self.values[rows]
        # indexing with an array has copied already; a slice is a view
        return v.astype(np.float64, copy=not isinstance(rows, np.ndarray))

    def is_integral(self) -> bool:
        """Whether every present value is a whole number (the first 1000 are looked at
        first: a column of measurements is rejected at once)."""
        if self.values.dtype == np.int64:
            return True
        if "integral" not in self._cache:
            integral = True
            for part in (self.values[:1000], self.values):
                present = part[~np.isnan(part)]
                integral = bool(np.isfinite(present).all()
                                and np.array_equal(present, np.round(present)))
                if not integral:
                    break
            self._cache["integral"] = integral
        return self._cache["integral"]

    def take(self, rows: np.ndarray) -> NumberColumn:
        return NumberColumn(self.values[rows])

    def strings(self) -> list[str]:
        """The values as text (``format_number``); ``""`` where missing."""
        if self.values.dtype == np.int64:
            return [str(v) for v in self.values.tolist()]
        return ["" if math.isnan(v) else format_number(v) for v in self.values.tolist()]

    def to_numpy(self) -> np.ndarray:
        """The values array itself (not a copy)."""
        return self.values


@dataclass(frozen=True, eq=False)
class TextColumn:
    """A column of text values as category codes.

    Parameters
    ----------
    codes : ndarray of int32, shape (n,)
        Index into ``categories``; ``-1`` where the value is missing.
    categories : ndarray of object (str), shape (k,)
        Distinct values, stripped, none of them a missing-value spelling.
    """

    codes: np.ndarray
    categories: np.ndarray
    _cache: dict = field(default_factory=dict, repr=False)  # counts, n_missing

    kind = "text"

    def __post_init__(self) -> None:
        if not isinstance(self.codes, np.ndarray) or self.codes.ndim != 1 \
                or self.codes.dtype != np.int32:
            raise TypeError("TextColumn: codes must be a 1-D int32 ndarray")
        if not isinstance(self.categories, np.ndarray) or self.categories.dtype != object:
            raise TypeError("TextColumn: categories must be an object ndarray of str")

    def __len__(self) -> int:
        return self.codes.shape[0]

    @property
    def missing(self) -> np.ndarray:
        """bool (n,): True where the value is missing."""
        return self.codes < 0

    @property
    def n_missing(self) -> int:
        return len(self) - int(self.counts().sum())

    def counts(self) -> np.ndarray:
        """int64 (k,): how many rows hold each category."""
        if "counts" not in self._cache:
            self._cache["counts"] = np.bincount(self.codes + 1,
                                                minlength=len(self.categories) + 1)[1:]
        return self._cache["counts"]

    def take(self, rows: np.ndarray) -> TextColumn:
        return TextColumn(self.codes[rows], self.categories)

    def strings(self) -> list[str]:
        """The values as text; ``""`` where missing."""
        lookup = np.append(self.categories, "")  # code -1 picks the last entry
        return lookup[self.codes].tolist()

    def to_numpy(self) -> np.ndarray:
        """object (n,): the values, ``None`` where missing."""
        lookup = np.append(self.categories, None)
        return lookup[self.codes]


Column = NumberColumn | TextColumn


def numbers_as_text(col: NumberColumn, rows: np.ndarray | None = None) -> TextColumn:
    """The numbers (at ``rows``) as categories spelled by :func:`format_number`: how a
    number-coded categorical column (``--categorical``) is one-hot encoded."""
    values = col.values if rows is None else col.values[rows]
    if values.dtype != np.int64:
        present = ~np.isnan(values)
        uniques, inverse = np.unique(values[present], return_inverse=True)
        codes = np.full(values.shape[0], -1, dtype=np.int32)
        codes[present] = inverse.reshape(-1)
    else:
        uniques, inverse = np.unique(values, return_inverse=True)
        codes = inverse.reshape(-1).astype(np.int32)
    text = np.array([format_number(v) for v in uniques.tolist()], dtype=object)
    return TextColumn(codes, text)
