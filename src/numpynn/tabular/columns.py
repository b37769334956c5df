"""One feature column each: a numeric column (standardised) or a categorical one (one-hot).

:class:`~numpynn.tabular.features.Preprocessor` holds a tuple of these; each learns its
statistics from training rows (:func:`fit_column`), encodes a table's column into its block
of the feature matrix, and writes and reads its part of the JSON state.

Missing values (state version 2, what :func:`fit_column` learns):

* numeric: a gap is filled with the training *median*; when the training rows had gaps, a
  second feature ``"<name> (missing)"`` is 1.0 where the value was missing;
* categorical: when the training rows had gaps, they are a category of their own,
  ``"<name>=(missing)"``; otherwise a gap encodes as all zeros.

Model files of numpynn 0.1 (state version 1) keep their behaviour: the training mean fills
a numeric gap (0.0 after standardising) and a text gap is all zeros.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .column_data import NumberColumn, TextColumn, format_number, numbers_as_text
from .inference import MARKER, parse_categories
from .state import check_keys, check_mean_std, is_finite_float
from .table import Table
from .values import listing, mean_and_std

__all__ = ["UnseenCategoryWarning", "MISSING_SUFFIX", "MISSING_CATEGORY"]

_FLOAT32_MAX = float(np.finfo(np.float32).max)

#: Name of the indicator feature of a numeric column with gaps: ``"age (missing)"``.
MISSING_SUFFIX = " (missing)"
#: Category of the gaps of a categorical column: feature ``"color=(missing)"``.
MISSING_CATEGORY = "(missing)"


class UnseenCategoryWarning(UserWarning):
    """A text column held values that the training rows did not; they encode as all zeros."""


Rows = np.ndarray | slice  # the rows a block of features is made of


def _row_of(rows: Rows | None, i: int) -> int:
    if rows is None:
        return int(i)
    if isinstance(rows, slice):
        return int(rows.start or 0) + int(i)
    return int(rows[i])


def refuse_infinity(x: np.ndarray, table: Table, rows: Rows | None, what: str) -> None:
    """ValueError naming the row and value of the first infinity in ``x`` (float64, the
    values of ``rows`` of a column of ``table``); ``what`` names the column in the
    message, e.g. ``"numeric column 'age'"``.  NaN is a gap, and passes."""
    infinite = np.flatnonzero(np.isinf(x))
    if infinite.size:
        i = int(infinite[0])
        raise ValueError(f"{what}: {table.where(_row_of(rows, i))} holds {float(x[i])!r}, "
                         "which is not a finite number")


@dataclass(frozen=True)
class NumericColumn:
    """A column of numbers: ``(x - mean) / std``, gaps filled with ``fill`` (raw units)."""

    name: str
    mean: float
    std: float
    fill: float
    indicator: bool = False

    @property
    def feature_names(self) -> list[str]:
        return [self.name] + ([self.name + MISSING_SUFFIX] if self.indicator else [])

    def prepare(self, col, table: Table, rows: np.ndarray | None) -> NumberColumn:
        """The table's column as numbers, once per transform.

        A column read as text (an ID column kept as text, text from a DataFrame) is parsed:
        numbers are numbers and a cell of punctuation only (``?``, ``-``) is a gap, as the
        reader decides for a column of numbers; any other text is an error naming the
        first such value.
        """
        if isinstance(col, TextColumn):
            return _text_as_numbers(col, table, self.name, rows)
        return col

    def encode(self, col: NumberColumn, table: Table, block: np.ndarray, rows: Rows) -> None:
        """Write the standardised values (and the gap indicator) of ``rows`` into ``block``
        (float32, shape (m, 1 or 2))."""
        x = col.as_float64(rows)  # a block of rows at a time; written as float32
        finite = np.isfinite(x)
        if not finite.all():
            refuse_infinity(x, table, rows, f"numeric column {self.name!r}")
            x[~finite] = self.fill  # the gaps
        with np.errstate(over="ignore"):
            x -= self.mean
            x /= self.std
        beyond = ~(np.abs(x) <= _FLOAT32_MAX)  # inf too (float64 overflow)
        if beyond.any():
            i = int(np.argmax(beyond))
            raise ValueError(
                f"numeric column {self.name!r}: {table.where(_row_of(rows, i))} holds "
                f"{float(col.as_float64(rows)[i])!r}, which standardised (mean "
                f"{self.mean:.6g}, std {self.std:.6g}) is beyond float32's range (largest "
                f"{_FLOAT32_MAX:.6g})")
        block[:, 0] = x
        if self.indicator:
            block[:, 1] = ~finite

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": "numeric", "mean": self.mean, "std": self.std,
                "fill": self.fill, "indicator": self.indicator}


def _text_as_numbers(col: TextColumn, table: Table, name: str, rows: np.ndarray | None
                     ) -> NumberColumn:
    """``col``'s numbers (float64, NaN at a gap or a punctuation marker); a ValueError for
    the first value of ``rows`` that is neither."""
    values, ok, _ = parse_categories(col.categories.tolist(), ".")
    marker = np.array([bool(MARKER.fullmatch(c)) for c in col.categories.tolist()], bool)
    used = col.codes if rows is None else col.codes[rows]
    bad = np.flatnonzero(~np.append(ok | marker, True)[used])  # a gap (code -1) is fine
    if bad.size:
        # A stray word keeps the reader from seeing a file's decimal commas, and then every
        # "1,5" fails here: name a cell that is no number with either mark, if there is one.
        comma_ok = parse_categories(col.categories.tolist(), ",")[1]
        neither = bad[~np.append(comma_ok, True)[used[bad]]]
        i = int(neither[0] if neither.size else bad[0])
        why = ("if it marks a missing value, name it in na_values: --na-values on the "
               "command line" if neither.size else "it has a decimal comma, and the file "
               "was read with decimal points")
        raise ValueError(f"numeric column {name!r}: {table.where(_row_of(rows, i))} holds "
                         f"{col.categories[used[i]]!r}, which is not a number ({why})")
    return NumberColumn(np.append(np.where(ok, values, np.nan), np.nan)[col.codes])


@dataclass(frozen=True)
class CategoricalColumn:
    """Categories: one feature per training category (sorted), named ``column=value``.

    ``numbers``: the categories are numbers (``--categorical``), sorted by value and matched
    by value; ``missing_category``: the gaps are a category of their own (the last).
    """

    name: str
    categories: tuple[str, ...]
    missing_category: bool = False
    numbers: bool = False

    @property
    def feature_names(self) -> list[str]:
        names = [f"{self.name}={c}" for c in self.categories]
        return names + ([f"{self.name}={MISSING_CATEGORY}"] if self.missing_category else [])

    def _lookup(self, col: TextColumn) -> np.ndarray:
        """int64 (k + 1,): feature index of each of ``col``'s categories (-1: none), and at
        the end that of a gap."""
        index = {c: j for j, c in enumerate(self.categories)}
        keys = col.categories.tolist()
        if self.numbers:  # "4.0" in a text column is the category 4
            values, ok, _ = parse_categories(keys, ".")
            keys = [format_number(v) if good else k
                    for k, v, good in zip(keys, values.tolist(), ok.tolist(), strict=True)]
        gap = len(self.categories) if self.missing_category else -1
        return np.array([index.get(k, -1) for k in keys] + [gap], dtype=np.int64)

    def prepare(self, col, table: Table, rows: np.ndarray | None
                ) -> tuple[TextColumn, np.ndarray]:
        """The column as categories and their feature indices, once per transform.

        A category the training rows did not have encodes as all zeros and gives one
        :class:`UnseenCategoryWarning` that points at the caller of
        ``Preprocessor.transform``. A gap, when the training rows had none, is all zeros
        too, without a warning.
        """
        text = numbers_as_text(col) if isinstance(col, NumberColumn) else col
        lookup = self._lookup(text)
        codes = text.codes if rows is None else text.codes[rows]
        seen = np.bincount(codes + 1, minlength=len(text.categories) + 1)[1:] > 0
        unseen = sorted(text.categories[seen & (lookup[:-1] < 0)].tolist())
        if unseen:
            warnings.warn(
                f"{table.source}: text column {self.name!r} has {len(unseen)} categor"
                f"{'y' if len(unseen) == 1 else 'ies'} not seen in training, encoded as all "
                f"zeros: {listing(unseen, len(unseen))}",
                UnseenCategoryWarning,
                stacklevel=4,  # prepare <- _encode_all <- Preprocessor.transform <- caller
            )
        return text, lookup

    def encode(self, prepared: tuple[TextColumn, np.ndarray], table: Table,
               block: np.ndarray, rows: Rows) -> None:
        """Write the one-hot codes of ``rows`` into ``block`` (float32 zeros, shape
        (m, n_features))."""
        text, lookup = prepared
        features = lookup[text.codes[rows]]
        known = np.flatnonzero(features >= 0)
        block[known, features[known]] = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": "categorical", "categories": list(self.categories),
                "missing_category": self.missing_category, "numbers": self.numbers}


Column = NumericColumn | CategoricalColumn


def fit_column(table: Table, name: str, max_categories: int | None, *,
               categorical: bool = False, rows: np.ndarray | None = None) -> Column:
    """Learn column ``name`` from the training ``rows`` (default: all rows).

    A number column is numeric unless ``categorical``; a text column is categorical.

    Raises
    ------
    ValueError
        The column is missing in every row, holds an infinite number, overflows float64, or
        (text) has more than ``max_categories`` distinct values.
    """
    col = table.typed_column(name)
    if isinstance(col, NumberColumn) and not categorical:
        return _fit_numeric(col, table, name, rows)
    text = numbers_as_text(col, rows) if isinstance(col, NumberColumn) else \
        (col if rows is None else col.take(rows))
    present = text.counts() > 0
    if not present.any():
        raise ValueError(
            f"Preprocessor.fit: feature column {name!r} is missing in every row of "
            f"{table.source}; leave it out with feature_columns")
    cats = text.categories[present].tolist()
    numbers = isinstance(col, NumberColumn)
    cats = sorted(cats, key=float) if numbers else sorted(cats)
    if max_categories is not None and len(cats) > max_categories:
        raise ValueError(
            f"Preprocessor.fit: text column {name!r} has {len(cats)} distinct "
            f"values, more than max_categories={max_categories} (an identifier or "
            "free text?); leave it out with feature_columns or raise max_categories"
        )
    return CategoricalColumn(name, tuple(cats), bool(text.n_missing), numbers)


def _fit_numeric(col: NumberColumn, table: Table, name: str, rows: np.ndarray | None
                 ) -> NumericColumn:
    x = col.as_float64(rows)
    refuse_infinity(x, table, rows, f"feature column {name!r}")
    missing = np.isnan(x)
    present = x[~missing] if missing.any() else x
    if present.size == 0:
        raise ValueError(
            f"Preprocessor.fit: feature column {name!r} is missing in every row of "
            f"{table.source}; leave it out with feature_columns")
    mean, std = mean_and_std(present, f"Preprocessor.fit: feature column {name!r} overflows "
                                      "float64 (values too large to standardise)")
    # after the mean: the median reorders ``present`` (a copy) in place
    median = float(np.median(present, overwrite_input=True))
    return NumericColumn(name, mean, std, median, bool(missing.any()))


def column_from_dict(c: Mapping[str, Any], name: str, at: str, version: int) -> Column:
    """Rebuild one column from its ``to_dict`` entry (``name`` already checked).

    Raises
    ------
    ValueError
        Keys, ``kind``, ``mean``/``std``/``fill`` or ``categories`` wrong (naming ``at``).
    """
    kind = c.get("kind")
    if kind == "numeric":
        extra = {"fill", "indicator"} if version >= 2 else set()
        check_keys(c, {"name", "kind", "mean", "std"} | extra, at)
        mean, std = check_mean_std(c, at)
        if version < 2:
            return NumericColumn(name, mean, std, mean)
        if not is_finite_float(c["fill"]):
            raise ValueError(f"{at}: 'fill' must be a finite number, got {c['fill']!r}")
        return NumericColumn(name, mean, std, float(c["fill"]), _flag(c, "indicator", at))
    if kind == "categorical":
        extra = {"missing_category", "numbers"} if version >= 2 else set()
        check_keys(c, {"name", "kind", "categories"} | extra, at)
        numbers = version >= 2 and _flag(c, "numbers", at)
        cats = _categories(c["categories"], numbers, at)
        return CategoricalColumn(name, cats, version >= 2 and _flag(c, "missing_category", at),
                                 numbers)
    raise ValueError(f"{at}: 'kind' must be 'numeric' or 'categorical', got {kind!r}")


def _flag(c: Mapping[str, Any], key: str, at: str) -> bool:
    if not isinstance(c[key], bool):
        raise ValueError(f"{at}: {key!r} must be true or false, got {c[key]!r}")
    return c[key]


def _categories(cats: object, numbers: bool, at: str) -> tuple[str, ...]:
    if not isinstance(cats, list) or not all(isinstance(v, str) for v in cats):
        raise ValueError(f"{at}: 'categories' must be a list of strings")
    if not numbers:
        if cats != sorted(set(cats)):
            raise ValueError(f"{at}: 'categories' must be sorted and unique")
        return tuple(cats)
    values, ok, _ = parse_categories(cats, ".")
    if not ok.all() or [format_number(v) for v in values.tolist()] != cats or \
            not np.all(np.diff(values) > 0):
        raise ValueError(f"{at}: number 'categories' must be numbers written plainly, "
                         "distinct and sorted by value")
    return tuple(cats)
