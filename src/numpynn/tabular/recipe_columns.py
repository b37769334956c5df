"""Columns of a table as the recipe's features see them: values, gaps, numbers, categories.

A table is a pandas DataFrame (any dtypes, pandas NA included), a
:class:`numpynn.tabular.Table` (typed columns as :func:`~numpynn.tabular.read_table`
reads them), a dict of 1-D arrays or a 2-D array (columns named ``x0, x1, ...``).
Nothing here imports pandas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["ColumnValues", "NumericPlan", "columns_of", "numeric_values",
           "fit_numeric_plan", "fit_category_plan", "category_codes", "category_key"]


@dataclass(frozen=True)
class ColumnValues:
    """One column: its name and its values (a 1-D array, any dtype)."""

    name: str
    values: np.ndarray

    def __len__(self) -> int:
        return self.values.shape[0]


def _is_frame(X: Any) -> bool:
    return hasattr(X, "columns") and hasattr(X, "iloc")


def columns_of(X: Any, expected: Sequence[str] | None = None) -> list[ColumnValues]:
    """The columns of ``X``; with ``expected`` (the fitted columns) those, in that order.

    Raises
    ------
    ValueError
        Not 2-D, columns of unequal length, or (with ``expected``) a fitted column missing
        or an array of the wrong width.
    """
    if hasattr(X, "typed_column") and hasattr(X, "columns"):  # numpynn.tabular.Table
        columns = {name: X.column(name) for name in X.columns}
    elif _is_frame(X):
        names = [str(c) for c in X.columns]
        if len(set(names)) != len(names):
            raise ValueError("X has two columns of the same name")
        columns = {str(c): np.asarray(X[c].to_numpy()) for c in X.columns}
    elif isinstance(X, Mapping):
        columns = {str(k): np.asarray(v) for k, v in X.items()}
    else:
        arr = np.asarray(X)
        if arr.ndim != 2:
            raise ValueError(f"X must be 2-D (rows x columns), got shape {arr.shape}")
        if expected is not None and arr.shape[1] != len(expected):
            raise ValueError(f"X has {arr.shape[1]} columns, but the model was fitted on "
                             f"{len(expected)}")
        # An array's columns are the fitted ones by position (named x0, x1, ... or as the
        # table it was fitted on named them).
        names = list(expected) if expected is not None else [f"x{j}" for j in
                                                             range(arr.shape[1])]
        columns = {name: arr[:, j] for j, name in enumerate(names)}
    lengths = {v.shape[0] if v.ndim == 1 else -1 for v in columns.values()}
    if len(lengths) > 1 or -1 in lengths:
        raise ValueError("every column of X must be 1-D and of the same length")
    if expected is None:
        return [ColumnValues(k, v) for k, v in columns.items()]
    missing = [c for c in expected if c not in columns]
    if missing:
        raise ValueError(f"X lacks the column {missing[0]!r} the model was fitted on "
                         f"({len(missing)} missing in all)")
    return [ColumnValues(c, columns[c]) for c in expected]


def _is_gap(value: Any) -> bool:
    """None, NaN, pandas NA / NaT."""
    if value is None:
        return True
    if isinstance(value, (float, np.floating)):
        return value != value
    return type(value).__name__ in ("NAType", "NaTType")


def gap_mask(values: np.ndarray) -> np.ndarray:
    """True where a value is missing."""
    if values.dtype.kind == "f":
        return np.isnan(values)
    if values.dtype.kind == "O":
        return np.fromiter((_is_gap(v) for v in values), dtype=bool, count=values.shape[0])
    return np.zeros(values.shape[0], dtype=bool)


def numeric_values(column: ColumnValues) -> np.ndarray | None:
    """float64 values with NaN at the gaps, or None when the column is not numbers.

    Raises
    ------
    ValueError
        The column holds infinity.
    """
    values = column.values
    kind = values.dtype.kind
    if kind in "biuf":
        numbers = values.astype(np.float64)
    elif kind in "OUS":
        gaps = gap_mask(values) if kind == "O" else np.zeros(values.shape[0], dtype=bool)
        present = values[~gaps]
        if any(isinstance(v, (bool, np.bool_)) for v in present[:1000]):
            return None  # booleans among objects: a category
        try:
            numbers = np.full(values.shape[0], np.nan)
            numbers[~gaps] = np.asarray(present, dtype=np.float64)
        except (TypeError, ValueError):
            return None
    else:
        raise TypeError(f"column {column.name!r} has dtype {values.dtype}, which is neither "
                        "numbers nor categories")
    if np.isinf(numbers).any():
        raise ValueError(f"column {column.name!r} of X contains infinity")
    return numbers


#: Fewer training rows with a gap than this give a numeric column no gap indicator.  A
#: flag set on a handful of rows is memorised, not learned: on palmerpenguins the one
#: training row with every number missing (a Gentoo) taught the network "all gaps ->
#: Gentoo", which it then applied to a Torgersen penguin (only Adelies live there).  20 is
#: the smallest leaf HistGradientBoosting makes by default (``min_samples_leaf``): the
#: fewest rows a rule of its own is learned from there.
MIN_GAP_ROWS = 20


@dataclass
class NumericPlan:
    """One numeric column: gaps filled with ``median``; with ``indicator``, a second
    feature is 1.0 at a gap (only when at least :data:`MIN_GAP_ROWS` training rows had
    one)."""

    name: str
    median: float
    indicator: bool

    def encode(self, column: ColumnValues) -> tuple[np.ndarray, list[str]]:
        """float32 features (n, 1 or 2) and their names."""
        numbers = numeric_values(column)
        if numbers is None:
            raise ValueError(f"column {self.name!r} of X must hold numbers, as when the "
                             "model was fitted")
        gaps = np.isnan(numbers)
        block = np.empty((numbers.shape[0], 1 + self.indicator), dtype=np.float32)
        block[:, 0] = np.where(gaps, self.median, numbers)
        if self.indicator:
            block[:, 1] = gaps
            return block, [self.name, f"{self.name} (missing)"]
        return block, [self.name]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "median": self.median, "indicator": self.indicator}

    @classmethod
    def from_dict(cls, state: Mapping[str, Any]) -> NumericPlan:
        return cls(str(state["name"]), float(state["median"]), bool(state["indicator"]))


def fit_numeric_plan(name: str, numbers: np.ndarray) -> NumericPlan:
    """The plan of a numeric column from its training values (float64, NaN at gaps)."""
    gaps = np.isnan(numbers)
    present = numbers[~gaps]
    median = float(np.median(present)) if present.size else 0.0
    return NumericPlan(name, median, int(gaps.sum()) >= MIN_GAP_ROWS)


def category_key(value: Any) -> str:
    """The text a category is known by: ``"3"`` for 3 and 3.0, ``"True"``, ``"red"``."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return str(value)


def _keys(column: ColumnValues) -> tuple[np.ndarray, np.ndarray]:
    """Every row's category key (object array) and the gap mask."""
    gaps = gap_mask(column.values)
    keys = np.array([category_key(v) for v in column.values], dtype=object)
    return keys, gaps


def fit_category_plan(column: ColumnValues) -> list[str]:
    """The sorted categories of a column's training values (gaps excluded)."""
    keys, gaps = _keys(column)
    return sorted(set(keys[~gaps].tolist()))


def category_codes(column: ColumnValues, categories: list[str]) -> np.ndarray:
    """int64 codes: ``i + 1`` for ``categories[i]``, 0 for a gap or an unseen category."""
    lookup = {c: i + 1 for i, c in enumerate(categories)}
    keys, gaps = _keys(column)
    codes = np.fromiter((lookup.get(k, 0) for k in keys), dtype=np.int64, count=keys.shape[0])
    codes[gaps] = 0
    return codes
