"""The :class:`Preprocessor`: table columns to a float32 feature matrix, with JSON state."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..core.checks import check_int
from .columns import CategoricalColumn, Column, NumericColumn, column_from_dict, fit_column
from .state import STATE_VERSION, check_header, check_name
from .table import Table

__all__ = ["Preprocessor"]

_PREPROCESSOR_FORMAT = "numpynn.tabular.Preprocessor"


class Preprocessor:
    """Turn table columns into a float32 feature matrix: standardised numbers, one-hot text.

    Build one with :meth:`fit` (training rows) or :meth:`from_dict` (a model file); the
    constructor is internal. A preprocessor is immutable after it is built, so one instance may
    serve many threads.

    * Numeric column (every non-missing training value parses as a finite number): one
      feature ``(x - mean) / std`` with the training mean and population standard deviation
      (a std of 0 is stored as 1). Missing values become the training mean, i.e. ``0.0``.
    * Text column: one feature per category seen in the training rows, sorted, named
      ``column=value``; exactly one is 1.0. A missing value, or a category the training rows
      did not have, encodes as all zeros; unseen categories give one
      :class:`UnseenCategoryWarning` per column per :meth:`transform` call.

    Attributes
    ----------
    target : str or None
        The target column, ignored by :meth:`transform` when present.
    input_columns : list of str
        The table columns used, in feature order.
    feature_names : list of str, length n_features
        Expanded names: the column name for a numeric column, ``column=category`` for text.
    n_features : int
        Number of output features.
    """

    def __init__(self, columns: Sequence[Column], target: str | None) -> None:
        self._columns: tuple[Column, ...] = tuple(columns)
        self.target = target
        self._feature_names = [name for col in self._columns for name in col.feature_names]

    # -- properties ---------------------------------------------------------------------------

    @property
    def input_columns(self) -> list[str]:
        """Names of the table columns used, in feature order."""
        return [c.name for c in self._columns]

    @property
    def feature_names(self) -> list[str]:
        """Expanded feature names (``age``, ``color=red``, ...), length ``n_features``."""
        return list(self._feature_names)

    @property
    def n_features(self) -> int:
        """Number of columns :meth:`transform` returns."""
        return len(self._feature_names)

    @property
    def numeric_columns(self) -> list[str]:
        """Input columns treated as numbers."""
        return [c.name for c in self._columns if isinstance(c, NumericColumn)]

    @property
    def categorical_columns(self) -> list[str]:
        """Input columns treated as text categories (one-hot encoded)."""
        return [c.name for c in self._columns if isinstance(c, CategoricalColumn)]

    def __repr__(self) -> str:
        return (
            f"Preprocessor(target={self.target!r}, numeric={self.numeric_columns}, "
            f"categorical={self.categorical_columns}, n_features={self.n_features})"
        )

    # -- fit ----------------------------------------------------------------------------------

    @classmethod
    def fit(
        cls,
        table: Table,
        target: str | None,
        feature_columns: Sequence[str] | None = None,
        *,
        max_categories: int | None = 100,
    ) -> Preprocessor:
        """Learn column types, means, standard deviations and categories from training rows.

        Parameters
        ----------
        table : Table
            Training rows only (statistics come from these rows).
        target : str or None
            The target column; it is never a feature. ``None`` when there is no target.
        feature_columns : sequence of str, optional
            Columns to use, in this order. Default: every column except ``target``.
        max_categories : int or None, default 100
            Largest number of distinct values a text column may have; more usually means an
            identifier or free-text column, which would make one feature per row. ``None``
            disables the check.

        Returns
        -------
        Preprocessor

        Raises
        ------
        TypeError
            ``table`` is not a :class:`Table`, or ``feature_columns`` is a plain string.
        ValueError
            ``target`` or a feature column is not in the table, ``target`` is listed as a
            feature, a feature column is repeated or missing in every row, a numeric column
            holds an infinite value, a text column has more than ``max_categories`` values,
            or no feature columns remain.
        """
        if not isinstance(table, Table):
            raise TypeError(f"Preprocessor.fit: table must be a Table, got {type(table).__name__}")
        if table.n_rows == 0:
            raise ValueError(f"Preprocessor.fit: {table.source} has no rows")
        if target is not None and target not in table.columns:
            raise ValueError(
                f"Preprocessor.fit: target column {target!r} is not in {table.source}; "
                f"the columns are {table.columns}"
            )
        if max_categories is not None:
            check_int("Preprocessor.fit: max_categories", max_categories, low=1)
        names = _feature_columns(table, target, feature_columns)
        return cls([fit_column(table, name, max_categories) for name in names], target)

    # -- transform ----------------------------------------------------------------------------

    def transform(self, table: Table) -> np.ndarray:
        """Encode the rows of ``table`` as features.

        Parameters
        ----------
        table : Table
            Rows with (at least) every column in :attr:`input_columns`; other columns,
            including the target, are ignored.

        Returns
        -------
        ndarray of float32, shape (n_rows, n_features)
            C-contiguous; column order as in :attr:`feature_names`.

        Raises
        ------
        TypeError
            ``table`` is not a :class:`Table`.
        ValueError
            A feature column is absent (naming it), or a numeric column holds a value that is
            not a number or not finite (naming column, row and value).

        Warns
        -----
        UnseenCategoryWarning
            Once per text column holding categories the training rows did not have, naming
            the column and up to five of the values.
        """
        if not isinstance(table, Table):
            raise TypeError(
                f"Preprocessor.transform: table must be a Table, got {type(table).__name__}"
            )
        absent = [c.name for c in self._columns if not table.has_column(c.name)]
        if absent:
            raise ValueError(
                f"{table.source}: missing feature column(s) {absent} that the model was "
                f"trained with; the columns are {table.columns}"
            )
        out = np.zeros((table.n_rows, self.n_features), dtype=np.float32)
        offset = 0
        for col in self._columns:
            width = len(col.feature_names)
            col.encode(table.column(col.name), table, out[:, offset : offset + width])
            offset += width
        return out

    # -- state --------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Return the state as plain JSON types; ``from_dict(json.loads(json.dumps(d)))`` is exact.

        Returns
        -------
        dict
            ``{"format": "numpynn.tabular.Preprocessor", "version": 1, "target": str | None,
            "columns": [{"name", "kind": "numeric", "mean", "std"} |
            {"name", "kind": "categorical", "categories": [str, ...]}, ...]}``
        """
        return {"format": _PREPROCESSOR_FORMAT, "version": STATE_VERSION,
                "target": self.target, "columns": [col.to_dict() for col in self._columns]}

    @classmethod
    def from_dict(cls, state: Mapping[str, Any]) -> Preprocessor:
        """Rebuild a preprocessor from :meth:`to_dict` output, validating every field.

        Raises
        ------
        ValueError
            ``state`` is not such a dict, or any field is missing, of the wrong type or
            inconsistent (naming the field).
        """
        where = "Preprocessor.from_dict"
        check_header(state, _PREPROCESSOR_FORMAT, where, {"target", "columns"})
        target = state["target"]
        if target is not None and (not isinstance(target, str) or not target):
            raise ValueError(
                f"{where}: 'target' must be a non-empty string or null, got {target!r}"
            )
        raw_cols = state["columns"]
        if not isinstance(raw_cols, list) or not raw_cols:
            raise ValueError(f"{where}: 'columns' must be a non-empty list, got {raw_cols!r:.80}")
        columns: list[Column] = []
        seen: set[str] = set()
        for j, c in enumerate(raw_cols):
            at = f"{where}: columns[{j}]"
            if not isinstance(c, dict):
                raise ValueError(f"{at} must be a dict, got {type(c).__name__}")
            name = check_name(c, at)
            if name in seen or name == target:
                raise ValueError(f"{at}: column name {name!r} repeats a column or the target")
            seen.add(name)
            columns.append(column_from_dict(c, name, at))
        return cls(columns, target)


def _feature_columns(
    table: Table, target: str | None, feature_columns: Sequence[str] | None
) -> list[str]:
    """The feature column names :meth:`Preprocessor.fit` uses, checked against ``table``."""
    if feature_columns is None:
        names = [c for c in table.columns if c != target]
    else:
        if isinstance(feature_columns, str):
            raise TypeError(
                "Preprocessor.fit: feature_columns must be a list of column names, "
                f"got the string {feature_columns!r}"
            )
        names = list(feature_columns)
        absent = [c for c in names if not table.has_column(c)]
        if absent:
            raise ValueError(
                f"Preprocessor.fit: feature columns {absent} are not in {table.source}; "
                f"the columns are {table.columns}"
            )
        if target is not None and target in names:
            raise ValueError(
                f"Preprocessor.fit: the target column {target!r} cannot also be a feature"
            )
        if len(set(names)) != len(names):
            raise ValueError(f"Preprocessor.fit: feature_columns repeats a name: {names}")
    if not names:
        raise ValueError(
            f"Preprocessor.fit: no feature columns: {table.source} has only the target "
            f"column {target!r}"
        )
    return names
