"""The :class:`Preprocessor`: table columns to a float32 feature matrix, with JSON state."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..core.checks import check_int
from .columns import CategoricalColumn, Column, NumericColumn, column_from_dict, fit_column
from .reading import as_table
from .state import check_header, check_name
from .table import Table, check_rows

__all__ = ["Preprocessor"]

_PREPROCESSOR_FORMAT = "numpynn.tabular.Preprocessor"
#: The state version :meth:`Preprocessor.to_dict` writes (2: fill values, gap features);
#: :meth:`Preprocessor.from_dict` reads 1 (numpynn 0.1) and 2.
PREPROCESSOR_VERSION = 2
_BLOCK_BYTES = 1 << 22


class Preprocessor:
    """Turn table columns into a float32 feature matrix: standardised numbers, one-hot text.

    Build one with :meth:`fit` (training rows) or :meth:`from_dict` (a model file); the
    constructor is internal. A preprocessor is immutable after it is built, so one instance may
    serve many threads.

    * Numeric column (a column of numbers, see :class:`Table`): one feature
      ``(x - mean) / std`` with the training mean and population standard deviation (a std
      of 0 is stored as 1). A missing value is filled with the training median; when the
      training rows had gaps, a second feature ``"<column> (missing)"`` is 1.0 at a gap.
    * Categorical column (text, or numbers named in ``categorical_columns``): one feature per
      category seen in the training rows, sorted (numbers by value), named
      ``column=value``; exactly one is 1.0. When the training rows had gaps they are a
      category of their own, ``column=(missing)``. A category the training rows did not
      have encodes as all zeros and gives one :class:`UnseenCategoryWarning` per column per
      :meth:`transform` call.

    Model files of numpynn 0.1 keep their encoding (gaps: the training mean, all zeros).

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
        """Input columns treated as categories (one-hot encoded)."""
        return [c.name for c in self._columns if isinstance(c, CategoricalColumn)]

    @property
    def text_columns(self) -> list[str]:
        """Categorical input columns of text (not numbers): read them as text
        (``read_table(..., text_columns=pre.text_columns)``) so that ``007`` stays ``007``."""
        return [c.name for c in self._columns
                if isinstance(c, CategoricalColumn) and not c.numbers]

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
        categorical_columns: Sequence[str] = (),
        rows: np.ndarray | None = None,
    ) -> Preprocessor:
        """Learn column kinds, statistics, fill values and categories from training rows.

        Parameters
        ----------
        table : Table, DataFrame or pyarrow Table
            The data; statistics come from its ``rows`` only.
        target : str or None
            The target column; it is never a feature. ``None`` when there is no target.
        feature_columns : sequence of str, optional
            Columns to use, in this order. Default: every column except ``target``.
        max_categories : int or None, default 100
            Largest number of distinct values a text column may have; more usually means an
            identifier or free-text column, which would make one feature per row. ``None``
            disables the check.
        categorical_columns : sequence of str, optional
            Number columns to one-hot encode as categories (codes such as 1, 2, 3 that are
            not quantities); text columns are categorical anyway.
        rows : ndarray of int64, shape (m,), optional
            The training rows (default: all); no copy of the table is made.

        Returns
        -------
        Preprocessor

        Raises
        ------
        TypeError
            ``table`` is not a :class:`Table` (or DataFrame, or Arrow table), or
            ``feature_columns`` is a plain string.
        ValueError
            ``target`` or a feature column is not in the table, ``target`` is listed as a
            feature, a feature column is repeated or missing in every row, a numeric column
            holds an infinite value, a text column has more than ``max_categories`` values,
            or no feature columns remain.
        """
        table, rows = _check_fit_arguments(table, target, rows, max_categories)
        names = _feature_columns(table, target, feature_columns)
        categorical = set(categorical_columns)
        absent = sorted(categorical - set(names))
        if absent:
            raise ValueError(f"Preprocessor.fit: categorical_columns {absent} are not feature "
                             "columns")
        return cls([fit_column(table, name, max_categories, categorical=name in categorical,
                               rows=rows) for name in names], target)

    # -- transform ----------------------------------------------------------------------------

    def transform(self, table: Table, rows: np.ndarray | None = None) -> np.ndarray:
        """Encode the rows of ``table`` as features.

        Parameters
        ----------
        table : Table
            Rows with (at least) every column in :attr:`input_columns`; other columns,
            including the target, are ignored.
        rows : ndarray of int64, shape (m,), optional
            Encode these rows, in this order (default: all rows in order).

        Returns
        -------
        ndarray of float32, shape (m, n_features)
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
        table = as_table(table, "Preprocessor.transform")
        absent = [c.name for c in self._columns if not table.has_column(c.name)]
        if absent:
            raise ValueError(
                f"{table.source}: missing feature column(s) {absent} that the model was "
                f"trained with; the columns are {table.columns}"
            )
        if rows is not None:
            rows = check_rows(rows, table.n_rows, "Preprocessor.transform: rows")
        return self._encode_all(table, rows)

    def _encode_all(self, table: Table, rows: np.ndarray | None) -> np.ndarray:
        """The feature matrix, a block of rows at a time (about 4 MiB, so that each
        column's writes stay in the cache instead of striding over the whole matrix)."""
        n = table.n_rows if rows is None else rows.size
        out = np.zeros((n, self.n_features), dtype=np.float32)
        prepared = [col.prepare(table.typed_column(col.name), table, rows)
                    for col in self._columns]
        widths = [len(col.feature_names) for col in self._columns]
        step = max(256, _BLOCK_BYTES // (4 * max(1, self.n_features)))
        for start in range(0, n, step):
            stop = min(n, start + step)
            block_rows = slice(start, stop) if rows is None else rows[start:stop]
            offset = 0
            for col, data, width in zip(self._columns, prepared, widths, strict=True):
                col.encode(data, table, out[start:stop, offset:offset + width], block_rows)
                offset += width
        return out

    # -- state --------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Return the state as plain JSON types; ``from_dict(json.loads(json.dumps(d)))`` is exact.

        Returns
        -------
        dict
            ``{"format": "numpynn.tabular.Preprocessor", "version": 2, "target": str | None,
            "columns": [{"name", "kind": "numeric", "mean", "std", "fill", "indicator"} |
            {"name", "kind": "categorical", "categories": [str, ...], "missing_category",
            "numbers"}, ...]}``. Version 1 (numpynn 0.1) had no ``fill``, ``indicator``,
            ``missing_category`` or ``numbers``.
        """
        return {"format": _PREPROCESSOR_FORMAT, "version": PREPROCESSOR_VERSION,
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
        check_header(state, _PREPROCESSOR_FORMAT, where, {"target", "columns"}, (1, 2))
        version = state["version"]
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
            columns.append(column_from_dict(c, name, at, version))
        return cls(columns, target)


def _check_fit_arguments(table: Any, target: str | None, rows: np.ndarray | None,
                         max_categories: int | None) -> tuple[Table, np.ndarray | None]:
    """:meth:`Preprocessor.fit`'s table (as a Table) and rows (checked), at least one row;
    ValueError for a target that is not a column or a bad ``max_categories``."""
    table = as_table(table, "Preprocessor.fit")
    if rows is not None:
        rows = check_rows(rows, table.n_rows, "Preprocessor.fit: rows")
    if (table.n_rows if rows is None else rows.size) == 0:
        raise ValueError(f"Preprocessor.fit: {table.source} has no rows")
    if target is not None and target not in table.columns:
        raise ValueError(
            f"Preprocessor.fit: target column {target!r} is not in {table.source}; "
            f"the columns are {table.columns}"
        )
    if max_categories is not None:
        check_int("Preprocessor.fit: max_categories", max_categories, low=1)
    return table, rows


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
