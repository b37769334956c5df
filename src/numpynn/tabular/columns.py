"""One feature column each: a numeric column (standardised) or a text column (one-hot).

:class:`~numpynn.tabular.features.Preprocessor` holds a tuple of these; each learns its
statistics from training rows (:func:`fit_column`), encodes a table's values into its block
of the feature matrix, and writes and reads its part of the JSON state.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .state import check_keys, check_mean_std
from .table import Table
from .values import is_missing, listing, mean_and_std, parse_numbers, require_numbers

__all__ = ["UnseenCategoryWarning"]

_FLOAT32_MAX = float(np.finfo(np.float32).max)


class UnseenCategoryWarning(UserWarning):
    """A text column held values that the training rows did not; they encode as all zeros."""


@dataclass(frozen=True)
class NumericColumn:
    """A column of numbers: one feature ``(x - mean) / std``; missing values become 0."""

    name: str
    mean: float
    std: float

    @property
    def feature_names(self) -> list[str]:
        return [self.name]

    def encode(self, values: list[str], table: Table, block: np.ndarray) -> None:
        """Write the standardised values into ``block`` (float32, shape (n, 1)).

        Raises
        ------
        ValueError
            A value is not a number or not finite (naming column, row and value).
        """
        x, missing = require_numbers(values, table, self.name, purpose="numeric")
        x[missing] = self.mean  # impute the training mean -> 0 after standardising
        # float64 for one column at a time only; the result is written into float32
        with np.errstate(over="ignore"):
            x -= self.mean
            x /= self.std
        beyond = ~(np.abs(x) <= _FLOAT32_MAX)  # inf too (float64 overflow)
        if beyond.any():
            i = int(np.argmax(beyond))
            raise ValueError(
                f"numeric column {self.name!r}: {table.where(i)} holds {values[i]!r}, which "
                f"standardised (mean {self.mean:.6g}, std {self.std:.6g}) is beyond float32's "
                f"range (largest {_FLOAT32_MAX:.6g})"
            )
        block[:, 0] = x

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": "numeric", "mean": self.mean, "std": self.std}


@dataclass(frozen=True)
class CategoricalColumn:
    """A text column: one feature per training category, sorted, named ``column=value``."""

    name: str
    categories: tuple[str, ...]

    @property
    def feature_names(self) -> list[str]:
        return [f"{self.name}={c}" for c in self.categories]

    def encode(self, values: list[str], table: Table, block: np.ndarray) -> None:
        """Write the one-hot codes into ``block`` (float32 zeros, shape (n, len(categories))).

        A missing value or an unseen category leaves its row all zeros; unseen categories
        give one :class:`UnseenCategoryWarning` that points at the caller of
        ``Preprocessor.transform``.
        """
        if not self.categories:
            return
        index = {c: j for j, c in enumerate(self.categories)}
        codes = np.fromiter((index.get(v, -1) for v in values), dtype=np.int64, count=len(values))
        known = codes >= 0
        rows = np.flatnonzero(known)
        block[rows, codes[rows]] = 1.0
        if known.all():
            return
        unseen = sorted({v for v in (values[i] for i in np.flatnonzero(~known))
                         if not is_missing(v)})
        if unseen:
            warnings.warn(
                f"{table.source}: text column {self.name!r} has {len(unseen)} categor"
                f"{'y' if len(unseen) == 1 else 'ies'} not seen in training, encoded as all "
                f"zeros: {listing(unseen, len(unseen))}",
                UnseenCategoryWarning,
                stacklevel=3,  # encode <- Preprocessor.transform <- the user's call
            )

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": "categorical", "categories": list(self.categories)}


Column = NumericColumn | CategoricalColumn


def fit_column(table: Table, name: str, max_categories: int | None) -> Column:
    """Learn column ``name`` from training rows: numeric when every non-missing value is a
    finite number, text otherwise.

    Raises
    ------
    ValueError
        The column is missing in every row, holds an infinite number, overflows float64, or
        (text) has more than ``max_categories`` distinct values.
    """
    values = table.column(name)
    parsed = parse_numbers(values, table, name, purpose="feature")
    if parsed is not None:
        x, missing = parsed
        if missing.all():
            raise ValueError(
                f"Preprocessor.fit: feature column {name!r} is missing in every row of "
                f"{table.source}; leave it out with feature_columns"
            )
        mean, std = mean_and_std(
            x[~missing] if missing.any() else x,
            f"Preprocessor.fit: feature column {name!r} overflows float64 "
            "(values too large to standardise)",
        )
        return NumericColumn(name, mean, std)
    cats = sorted({v for v in values if not is_missing(v)})
    if max_categories is not None and len(cats) > max_categories:
        raise ValueError(
            f"Preprocessor.fit: text column {name!r} has {len(cats)} distinct "
            f"values, more than max_categories={max_categories} (an identifier or "
            "free text?); leave it out with feature_columns or raise max_categories"
        )
    return CategoricalColumn(name, tuple(cats))


def column_from_dict(c: Mapping[str, Any], name: str, at: str) -> Column:
    """Rebuild one column from its ``to_dict`` entry (``name`` already checked).

    Raises
    ------
    ValueError
        Keys, ``kind``, ``mean``/``std`` or ``categories`` wrong (naming ``at``).
    """
    kind = c.get("kind")
    if kind == "numeric":
        check_keys(c, {"name", "kind", "mean", "std"}, at)
        mean, std = check_mean_std(c, at)
        return NumericColumn(name, mean, std)
    if kind == "categorical":
        check_keys(c, {"name", "kind", "categories"}, at)
        cats = c["categories"]
        if not isinstance(cats, list) or not all(isinstance(v, str) for v in cats):
            raise ValueError(f"{at}: 'categories' must be a list of strings")
        if cats != sorted(set(cats)):
            raise ValueError(f"{at}: 'categories' must be sorted and unique")
        return CategoricalColumn(name, tuple(cats))
    raise ValueError(f"{at}: 'kind' must be 'numeric' or 'categorical', got {kind!r}")
