"""CSV columns to float32 features and targets, with state that lives in a model file.

NumPy and the Python standard library only (the :mod:`csv` module; no pandas).

The pieces, in the order the ``numpynn`` command uses them::

    table = read_csv("train.csv")                         # header row + string values
    train_idx, val_idx = train_validation_split(table.n_rows, 0.2, seed=0)
    train = table.take(train_idx)
    pre = Preprocessor.fit(train, target="species")       # statistics from training rows only
    enc = TargetEncoder.fit(train, "species")             # task detection + class labels
    X = pre.transform(table)                              # float32 (n, pre.n_features)
    y = enc.transform(table)                              # int64 (n,) or float32 (n, 1)
    state = {"pre": pre.to_dict(), "target": enc.to_dict()}   # JSON, round-trips exactly

Missing values
--------------
A value is *missing* when, after stripping surrounding whitespace, it is empty or one of
``NA``, ``N/A``, ``NaN``, ``null`` or ``None`` (any letter case); see :data:`MISSING_VALUES`.

* Numeric feature column: a missing value is imputed with the *training* mean of the column,
  which after standardisation is exactly ``0.0``. The mean is stored in the preprocessor state.
* Text (categorical) feature column: a missing value is not a category; it encodes as all
  zeros in that column's one-hot block, silently (it is not reported as an unseen category).
* A feature column that is missing in every training row is an error (it carries nothing).
* Target column: missing values are an error naming the rows (drop those rows first).

Task detection (:meth:`TargetEncoder.fit` with ``task=None``)
--------------------------------------------------------------
* Some non-missing target value is not a finite number -> ``"classification"``.
* Every value is an integer (``3``, ``3.0``), there are at most
  :data:`MAX_AUTO_CLASSES` (20) distinct values, and at least two rows per distinct value on
  average (``2 * n_distinct <= n_rows``) -> ``"classification"``.
* Otherwise -> ``"regression"``.

Pass ``task="classification"`` or ``task="regression"`` to override.
"""

from __future__ import annotations

import csv
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ..io.atomic import atomic_open

__all__ = [
    "MAX_AUTO_CLASSES",
    "MISSING_VALUES",
    "Preprocessor",
    "Table",
    "TargetEncoder",
    "UnseenCategoryWarning",
    "is_missing",
    "read_csv",
    "train_validation_split",
    "write_csv",
]

#: Spellings of a missing value (compared after ``strip()`` and ``lower()``).
MISSING_VALUES: frozenset[str] = frozenset({"", "na", "n/a", "nan", "null", "none"})

#: Largest number of distinct integer values a numeric target may have to be detected as
#: class labels (see the module docstring).
MAX_AUTO_CLASSES = 20

_PREPROCESSOR_FORMAT = "numpynn.tabular.Preprocessor"
_TARGET_FORMAT = "numpynn.tabular.TargetEncoder"
_STATE_VERSION = 1
_MAX_LISTED = 5  # how many offending values or rows an error or warning names


class UnseenCategoryWarning(UserWarning):
    """A text column held values that the training rows did not; they encode as all zeros."""


def is_missing(value: str) -> bool:
    """Return whether ``value`` spells a missing value (see :data:`MISSING_VALUES`)."""
    return value.strip().lower() in MISSING_VALUES


def _listing(values: Iterable[Any], total: int | None = None) -> str:
    """Format up to ``_MAX_LISTED`` values as ``'a', 'b' (and 3 more)``."""
    shown = list(values)[:_MAX_LISTED]
    text = ", ".join(repr(v) for v in shown)
    if total is not None and total > len(shown):
        text += f" (and {total - len(shown)} more)"
    return text


# --------------------------------------------------------------------------------------------
# Table and CSV reading
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Table:
    """Column names and string values of a CSV file, stored column by column.

    Parameters
    ----------
    columns : list of str, length k
        Column names, unique and non-empty.
    data : list of list of str, k lists of length n
        Column-major values: ``data[j][i]`` is row ``i`` of column ``columns[j]``, already
        stripped of surrounding whitespace.
    source : str, default "<table>"
        Where the values came from (a file name), used in error messages.
    lines : ndarray of int64, shape (n,), optional
        The file line on which each row ends, used in error messages. ``None`` when the rows
        did not come from a file.

    Raises
    ------
    ValueError
        Column names empty or repeated, or columns of different lengths.
    """

    columns: list[str]
    data: list[list[str]]
    source: str = "<table>"
    lines: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if len(self.columns) != len(self.data):
            raise ValueError(
                f"Table: {len(self.columns)} column names but {len(self.data)} columns of data"
            )
        _check_column_names(self.columns, self.source)
        lengths = {len(col) for col in self.data}
        if len(lengths) > 1:
            raise ValueError(f"Table: columns have different lengths {sorted(lengths)}")
        if self.lines is not None and len(self.lines) != self.n_rows:
            raise ValueError(
                f"Table: {len(self.lines)} line numbers for {self.n_rows} rows"
            )

    @classmethod
    def from_rows(
        cls,
        columns: Sequence[str],
        rows: Iterable[Sequence[object]],
        *,
        source: str = "<table>",
    ) -> Table:
        """Build a table from row-major values.

        Parameters
        ----------
        columns : sequence of str, length k
            Column names.
        rows : iterable of sequences of length k
            Values; ``str`` values are stripped, ``int``/``float`` values are written with
            ``str()``, ``None`` becomes ``""`` (missing).
        source : str, default "<table>"
            Name used in error messages.

        Raises
        ------
        ValueError
            A row has the wrong number of values.
        TypeError
            A value is not ``str``, ``int``, ``float`` or ``None``.
        """
        names = [str(c).strip() for c in columns]
        data: list[list[str]] = [[] for _ in names]
        for i, row in enumerate(rows):
            if len(row) != len(names):
                raise ValueError(
                    f"{source}: row {i + 1} has {len(row)} values, expected {len(names)} "
                    f"(one per column {names})"
                )
            for j, value in enumerate(row):
                data[j].append(_as_cell(value, source, i, names[j]))
        return cls(names, data, source=source)

    @property
    def n_rows(self) -> int:
        """Number of data rows (the header is not a row)."""
        return len(self.data[0]) if self.data else 0

    def __len__(self) -> int:
        return self.n_rows

    def column(self, name: str) -> list[str]:
        """Return the values of column ``name`` (the stored list, not a copy).

        Raises
        ------
        ValueError
            No column is called ``name``; the message lists the columns there are.
        """
        try:
            j = self.columns.index(name)
        except ValueError:
            raise ValueError(
                f"{self.source}: no column named {name!r}; the columns are {self.columns}"
            ) from None
        return self.data[j]

    def take(self, indices: Sequence[int] | np.ndarray) -> Table:
        """Return a new table with the rows at ``indices`` (e.g. a training split).

        Parameters
        ----------
        indices : array-like of int, shape (m,)
            Row indices in ``[0, n_rows)``.
        """
        idx = np.asarray(indices)
        if idx.size == 0:
            idx = idx.astype(np.int64)
        if idx.ndim != 1 or not np.issubdtype(idx.dtype, np.integer):
            raise TypeError(f"Table.take: indices must be a 1-D array of ints, got {idx.dtype}")
        if idx.size and (idx.min() < 0 or idx.max() >= self.n_rows):
            raise ValueError(
                f"Table.take: indices must lie in [0, {self.n_rows}), got "
                f"[{idx.min()}, {idx.max()}]"
            )
        picked = idx.tolist()
        data = [[col[i] for i in picked] for col in self.data]
        lines = None if self.lines is None else self.lines[idx]
        return Table(list(self.columns), data, source=self.source, lines=lines)

    def where(self, row: int) -> str:
        """Describe 0-based data row ``row`` for an error message: ``row 3 (line 4 of f.csv)``."""
        if self.lines is not None:
            return f"row {row + 1} (line {int(self.lines[row])} of {self.source})"
        return f"row {row + 1} of {self.source}"


def _as_cell(value: object, source: str, row: int, column: str) -> str:
    if isinstance(value, str):
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return str(value)
    raise TypeError(
        f"{source}: row {row + 1}, column {column!r}: values must be str, int, float or None, "
        f"got {type(value).__name__}"
    )


def _check_column_names(columns: Sequence[str], source: str) -> None:
    for j, name in enumerate(columns):
        if not isinstance(name, str):
            raise TypeError(f"{source}: column names must be str, got {type(name).__name__}")
        if name == "":
            raise ValueError(f"{source}: column {j + 1} of the header has an empty name")
    seen: set[str] = set()
    dups: set[str] = set()
    for name in columns:
        if name in seen:
            dups.add(name)
        seen.add(name)
    if dups:
        raise ValueError(f"{source}: duplicate column names in the header: {sorted(set(dups))}")


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_csv(path: str | PathLike[str], *, delimiter: str = ",") -> Table:
    """Read a CSV file with a header row into a :class:`Table` of strings.

    The file is UTF-8 (a byte-order mark is skipped), with ``\\n`` or ``\\r\\n`` line ends and
    the quoting rules of :mod:`csv`. Values and column names are stripped of surrounding
    whitespace; blank lines are skipped. Values are not interpreted here: typing happens in
    :class:`Preprocessor` and :class:`TargetEncoder`.

    Parameters
    ----------
    path : str or path-like
        The CSV file.
    delimiter : str, default ","
        One-character field separator.

    Returns
    -------
    Table
        ``k`` columns of ``n >= 1`` string values each.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    ValueError
        The file is a directory, not UTF-8 text, empty, has no header row (its first row is all
        numbers), has empty or duplicate column names, has a row with the wrong number of
        fields (naming the line), or has no data rows.
    """
    p = Path(path)
    name = str(path)
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise ValueError(f"read_csv: delimiter must be a single character, got {delimiter!r}")
    if not p.exists():
        raise FileNotFoundError(f"CSV file not found: {name}")
    if p.is_dir():
        raise ValueError(f"{name}: is a directory, expected a CSV file")

    try:
        with p.open("r", encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh, delimiter=delimiter, strict=True)
            header: list[str] | None = None
            data: list[list[str]] = []
            lines: list[int] = []
            for record in reader:
                if not record:
                    continue  # blank line
                if len(record) == 1 and not record[0].strip() and (
                    header is None or len(header) > 1
                ):
                    continue  # whitespace-only line (a missing value only in a 1-column file)
                if header is None:
                    header = [c.strip() for c in record]
                    if all(_looks_numeric(c) for c in header):
                        raise ValueError(
                            f"{name}: no header row: the first row ({_listing(header)}) is "
                            "all numbers; the first row must name the columns"
                        )
                    _check_column_names(header, name)
                    data = [[] for _ in header]
                    continue
                if len(record) != len(header):
                    raise ValueError(
                        f"{name}: line {reader.line_num} has {len(record)} fields, expected "
                        f"{len(header)} (the header has {len(header)} columns)"
                    )
                for col, value in zip(data, record, strict=True):
                    col.append(value.strip())
                lines.append(reader.line_num)
    except UnicodeDecodeError as exc:
        raise ValueError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except csv.Error as exc:
        raise ValueError(f"{name}: malformed CSV near line {reader.line_num}: {exc}") from None

    if header is None:
        raise ValueError(f"{name}: the file is empty; expected a header row and data rows")
    if not lines:
        raise ValueError(f"{name}: no data rows after the header")
    return Table(header, data, source=name, lines=np.asarray(lines, dtype=np.int64))


def write_csv(
    path: str | PathLike[str],
    columns: Sequence[str],
    data: Sequence[Sequence[object]],
    *,
    delimiter: str = ",",
) -> Path:
    """Write column-major values to a CSV file with a header row, atomically.

    The file is written to a temporary name in the same directory and renamed over ``path``,
    so a reader never sees half a file and a failed write leaves the old file in place.

    Parameters
    ----------
    path : str or path-like
        Output file (UTF-8, ``\\r\\n`` line ends as in RFC 4180, minimal quoting).
    columns : sequence of str, length k
        Header: unique, non-empty names.
    data : sequence of k sequences of length n
        ``data[j][i]`` is row ``i`` of column ``j``; values are written with ``str()``
        (``None`` as an empty field). E.g. ``table.data + [enc.to_strings(pred)]``.
    delimiter : str, default ","

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        Bad or duplicate column names, ``len(data) != len(columns)``, columns of different
        lengths, or a directory that does not exist.
    """
    target = Path(path)
    names = list(columns)
    _check_column_names(names, str(path))
    if len(data) != len(names):
        raise ValueError(
            f"write_csv: {len(names)} column names but {len(data)} columns of data"
        )
    lengths = {len(col) for col in data}
    if len(lengths) > 1:
        raise ValueError(f"write_csv: columns have different lengths {sorted(lengths)}")
    if not target.parent.is_dir():
        raise ValueError(f"write_csv: directory {str(target.parent)!r} does not exist")
    with atomic_open(target, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(names)
        writer.writerows(
            ["" if v is None else v for v in row] for row in zip(*data, strict=True)
        )
    return target


# --------------------------------------------------------------------------------------------
# Parsing numbers
# --------------------------------------------------------------------------------------------


def _parse_numeric(
    values: list[str], table: Table, column: str, *, purpose: str
) -> tuple[np.ndarray, np.ndarray] | None:
    """Parse a column as float64; return ``(x, missing_mask)`` or ``None`` if it is text.

    Missing values are NaN in ``x`` and True in the mask. A value that parses as a number but
    is infinite raises ValueError naming the row. ``None`` means some non-missing value is not
    a number (the column is text).
    """
    n = len(values)
    try:  # fast path: every value a finite number
        x = np.fromiter(map(float, values), dtype=np.float64, count=n)
        if np.isfinite(x).all():
            return x, np.zeros(n, dtype=bool)
    except ValueError:
        pass
    x = np.empty(n, dtype=np.float64)
    missing = np.zeros(n, dtype=bool)
    for i, v in enumerate(values):
        if v.strip().lower() in MISSING_VALUES:
            x[i] = np.nan
            missing[i] = True
            continue
        try:
            f = float(v)
        except ValueError:
            return None
        if not math.isfinite(f):
            raise ValueError(
                f"{purpose} column {column!r}: {table.where(i)} holds {v!r}, which is not a "
                "finite number"
            )
        x[i] = f
    return x, missing


# --------------------------------------------------------------------------------------------
# Preprocessor
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _NumericColumn:
    name: str
    mean: float
    std: float


@dataclass(frozen=True)
class _CategoricalColumn:
    name: str
    categories: tuple[str, ...]


_Column = _NumericColumn | _CategoricalColumn


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

    def __init__(self, columns: Sequence[_Column], target: str | None) -> None:
        self._columns: tuple[_Column, ...] = tuple(columns)
        self.target = target
        names: list[str] = []
        for col in self._columns:
            if isinstance(col, _NumericColumn):
                names.append(col.name)
            else:
                names.extend(f"{col.name}={c}" for c in col.categories)
        self._feature_names = names

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
        return [c.name for c in self._columns if isinstance(c, _NumericColumn)]

    @property
    def categorical_columns(self) -> list[str]:
        """Input columns treated as text categories (one-hot encoded)."""
        return [c.name for c in self._columns if isinstance(c, _CategoricalColumn)]

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
        if max_categories is not None and (
            not isinstance(max_categories, int) or max_categories < 1
        ):
            raise ValueError(
                f"Preprocessor.fit: max_categories must be a positive int or None, "
                f"got {max_categories!r}"
            )
        if feature_columns is None:
            names = [c for c in table.columns if c != target]
        else:
            if isinstance(feature_columns, str):
                raise TypeError(
                    "Preprocessor.fit: feature_columns must be a list of column names, "
                    f"got the string {feature_columns!r}"
                )
            names = list(feature_columns)
            absent = [c for c in names if c not in table.columns]
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

        columns: list[_Column] = []
        for name in names:
            values = table.column(name)
            parsed = _parse_numeric(values, table, name, purpose="feature")
            if parsed is not None:
                x, missing = parsed
                if missing.all():
                    raise ValueError(
                        f"Preprocessor.fit: feature column {name!r} is missing in every row of "
                        f"{table.source}; leave it out with feature_columns"
                    )
                present = x[~missing] if missing.any() else x
                mean = float(np.mean(present))
                std = float(np.std(present))
                if not (math.isfinite(mean) and math.isfinite(std)):
                    raise ValueError(
                        f"Preprocessor.fit: feature column {name!r} overflows float64 "
                        "(values too large to standardise)"
                    )
                columns.append(_NumericColumn(name, mean, std if std > 0.0 else 1.0))
            else:
                cats = sorted({v for v in values if v.strip().lower() not in MISSING_VALUES})
                if max_categories is not None and len(cats) > max_categories:
                    raise ValueError(
                        f"Preprocessor.fit: text column {name!r} has {len(cats)} distinct "
                        f"values, more than max_categories={max_categories} (an identifier or "
                        "free text?); leave it out with feature_columns or raise max_categories"
                    )
                columns.append(_CategoricalColumn(name, tuple(cats)))
        return cls(columns, target)

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
        absent = [c.name for c in self._columns if c.name not in table.columns]
        if absent:
            raise ValueError(
                f"{table.source}: missing feature column(s) {absent} that the model was "
                f"trained with; the columns are {table.columns}"
            )
        n = table.n_rows
        out = np.zeros((n, self.n_features), dtype=np.float32)
        offset = 0
        for col in self._columns:
            values = table.column(col.name)
            if isinstance(col, _NumericColumn):
                out[:, offset] = self._numeric(col, values, table)
                offset += 1
            else:
                k = len(col.categories)
                if k:
                    self._one_hot(col, values, table, out[:, offset : offset + k])
                offset += k
        return out

    @staticmethod
    def _numeric(col: _NumericColumn, values: list[str], table: Table) -> np.ndarray:
        try:
            x = np.fromiter(map(float, values), dtype=np.float64, count=len(values))
            clean = bool(np.isfinite(x).all())
        except ValueError:
            clean = False
        if not clean:
            x = np.empty(len(values), dtype=np.float64)
            for i, v in enumerate(values):
                if v.strip().lower() in MISSING_VALUES:
                    x[i] = col.mean  # impute the training mean -> 0 after standardising
                    continue
                try:
                    f = float(v)
                except ValueError:
                    raise ValueError(
                        f"numeric column {col.name!r}: {table.where(i)} holds {v!r}, which is "
                        "not a number"
                    ) from None
                if not math.isfinite(f):
                    raise ValueError(
                        f"numeric column {col.name!r}: {table.where(i)} holds {v!r}, which is "
                        "not a finite number"
                    )
                x[i] = f
        # float64 for one column at a time only; the caller writes the result into float32
        x -= col.mean
        x /= col.std
        return x

    @staticmethod
    def _one_hot(
        col: _CategoricalColumn, values: list[str], table: Table, block: np.ndarray
    ) -> None:
        index = {c: j for j, c in enumerate(col.categories)}
        codes = np.fromiter((index.get(v, -1) for v in values), dtype=np.int64, count=len(values))
        known = codes >= 0
        rows = np.flatnonzero(known)
        block[rows, codes[rows]] = 1.0
        if not known.all():
            unseen = sorted(
                {v for v in (values[i] for i in np.flatnonzero(~known)) if not is_missing(v)}
            )
            if unseen:
                warnings.warn(
                    f"{table.source}: text column {col.name!r} has {len(unseen)} categor"
                    f"{'y' if len(unseen) == 1 else 'ies'} not seen in training, encoded as all "
                    f"zeros: {_listing(unseen, len(unseen))}",
                    UnseenCategoryWarning,
                    stacklevel=3,
                )

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
        cols: list[dict[str, Any]] = []
        for col in self._columns:
            if isinstance(col, _NumericColumn):
                cols.append({"name": col.name, "kind": "numeric", "mean": col.mean,
                             "std": col.std})
            else:
                cols.append({"name": col.name, "kind": "categorical",
                             "categories": list(col.categories)})
        return {"format": _PREPROCESSOR_FORMAT, "version": _STATE_VERSION,
                "target": self.target, "columns": cols}

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
        _check_header(state, _PREPROCESSOR_FORMAT, where, {"target", "columns"})
        target = state["target"]
        if target is not None and (not isinstance(target, str) or not target):
            raise ValueError(
                f"{where}: 'target' must be a non-empty string or null, got {target!r}"
            )
        raw_cols = state["columns"]
        if not isinstance(raw_cols, list) or not raw_cols:
            raise ValueError(f"{where}: 'columns' must be a non-empty list, got {raw_cols!r:.80}")
        columns: list[_Column] = []
        seen: set[str] = set()
        for j, c in enumerate(raw_cols):
            at = f"{where}: columns[{j}]"
            if not isinstance(c, dict):
                raise ValueError(f"{at} must be a dict, got {type(c).__name__}")
            name, kind = c.get("name"), c.get("kind")
            if not isinstance(name, str) or not name:
                raise ValueError(f"{at}: 'name' must be a non-empty string, got {name!r}")
            if name in seen or name == target:
                raise ValueError(f"{at}: column name {name!r} repeats a column or the target")
            seen.add(name)
            if kind == "numeric":
                _check_keys(c, {"name", "kind", "mean", "std"}, at)
                mean, std = c["mean"], c["std"]
                if not _is_finite_float(mean):
                    raise ValueError(f"{at}: 'mean' must be a finite number, got {mean!r}")
                if not _is_finite_float(std) or std <= 0:
                    raise ValueError(f"{at}: 'std' must be a positive finite number, got {std!r}")
                columns.append(_NumericColumn(name, float(mean), float(std)))
            elif kind == "categorical":
                _check_keys(c, {"name", "kind", "categories"}, at)
                cats = c["categories"]
                if not isinstance(cats, list) or not all(isinstance(v, str) for v in cats):
                    raise ValueError(f"{at}: 'categories' must be a list of strings")
                if cats != sorted(set(cats)):
                    raise ValueError(f"{at}: 'categories' must be sorted and unique")
                columns.append(_CategoricalColumn(name, tuple(cats)))
            else:
                raise ValueError(
                    f"{at}: 'kind' must be 'numeric' or 'categorical', got {kind!r}"
                )
        return cls(columns, target)


def _is_finite_float(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _check_keys(d: Mapping[str, Any], expected: set[str], where: str) -> None:
    keys = set(d)
    if keys != expected:
        missing, extra = sorted(expected - keys), sorted(keys - expected)
        parts = []
        if missing:
            parts.append(f"missing {missing}")
        if extra:
            parts.append(f"unexpected {extra}")
        raise ValueError(f"{where}: {'; '.join(parts)} keys")


def _check_header(state: object, fmt: str, where: str, fields: set[str]) -> None:
    if not isinstance(state, Mapping):
        raise ValueError(f"{where}: expected a dict, got {type(state).__name__}")
    if state.get("format") != fmt:
        raise ValueError(f"{where}: 'format' must be {fmt!r}, got {state.get('format')!r}")
    if state.get("version") != _STATE_VERSION:
        raise ValueError(
            f"{where}: unsupported 'version' {state.get('version')!r} (this numpynn reads "
            f"version {_STATE_VERSION})"
        )
    _check_keys(state, fields | {"format", "version"}, where)


# --------------------------------------------------------------------------------------------
# Target
# --------------------------------------------------------------------------------------------

Task = Literal["classification", "regression"]


class TargetEncoder:
    """Encode a target column: class labels to ints, or numbers to standardised float32.

    Build one with :meth:`fit` or :meth:`from_dict`. See the module docstring for the task
    detection rule.

    Attributes
    ----------
    name : str
        The target column.
    task : {"classification", "regression"}
    classes : list of str or None
        Classification: the class labels as spelled in the CSV, in label order (text labels
        sorted as strings, numeric labels sorted by value). ``None`` for regression.
    mean, std : float
        Regression: the standardisation applied (``0.0`` and ``1.0`` when not standardising).
    n_outputs : int
        Number of network outputs the target needs: the number of classes, or 1.
    """

    def __init__(
        self,
        name: str,
        task: Task,
        *,
        classes: Sequence[str] | None = None,
        numeric_labels: bool = False,
        mean: float = 0.0,
        std: float = 1.0,
    ) -> None:
        self.name = name
        self.task: Task = task
        self.classes: list[str] | None = None if classes is None else list(classes)
        self.numeric_labels = numeric_labels
        self.mean = mean
        self.std = std
        self._index: dict[str, int] = {}
        self._value_index: dict[float, int] = {}
        if self.classes is not None:
            self._index = {c: i for i, c in enumerate(self.classes)}
            if numeric_labels:
                self._value_index = {float(c): i for i, c in enumerate(self.classes)}

    @property
    def n_outputs(self) -> int:
        """The number of classes for classification, 1 for regression."""
        return len(self.classes) if self.classes is not None else 1

    @property
    def is_classification(self) -> bool:
        return self.task == "classification"

    def __repr__(self) -> str:
        if self.classes is not None:
            return f"TargetEncoder({self.name!r}, classification, classes={self.classes})"
        return f"TargetEncoder({self.name!r}, regression, mean={self.mean:g}, std={self.std:g})"

    # -- fit ----------------------------------------------------------------------------------

    @classmethod
    def fit(
        cls,
        table: Table,
        target: str,
        *,
        task: Task | None = None,
        standardize: bool = True,
    ) -> TargetEncoder:
        """Detect the task (unless given) and learn class labels or mean/std from training rows.

        Parameters
        ----------
        table : Table
            Training rows.
        target : str
            Name of the target column.
        task : {"classification", "regression"}, optional
            Force the task; default: detect it (module docstring).
        standardize : bool, default True
            Regression only: store the training mean and std so :meth:`transform` returns
            standardised values (well-conditioned training); :meth:`inverse_transform` undoes
            it.

        Raises
        ------
        ValueError
            ``target`` is not a column, the column has missing values (naming rows), ``task``
            is not one of the two, regression was asked for a non-numeric column, or
            classification found fewer than two classes.
        """
        if not isinstance(table, Table):
            raise TypeError(f"TargetEncoder.fit: table must be a Table, got {type(table).__name__}")
        if task not in (None, "classification", "regression"):
            raise ValueError(
                f"TargetEncoder.fit: task must be 'classification', 'regression' or None, "
                f"got {task!r}"
            )
        values = table.column(target)
        if not values:
            raise ValueError(f"TargetEncoder.fit: {table.source} has no rows")
        _check_no_missing(values, table, target)
        parsed = _parse_numeric(values, table, target, purpose="target")
        if task is None:
            task = "classification" if parsed is None else _detect_numeric_task(parsed[0])
        if task == "regression":
            if parsed is None:
                bad = next(v for v in values if not _looks_numeric(v))
                raise ValueError(
                    f"TargetEncoder.fit: regression needs a numeric target, but column "
                    f"{target!r} holds {bad!r}"
                )
            y = parsed[0]
            mean, std = (float(y.mean()), float(y.std())) if standardize else (0.0, 1.0)
            if not (math.isfinite(mean) and math.isfinite(std)):
                raise ValueError(f"TargetEncoder.fit: target column {target!r} overflows float64")
            return cls(target, "regression", mean=mean, std=std if std > 0 else 1.0)

        if parsed is not None:  # numeric labels: one class per value, spelled as first seen
            first: dict[float, str] = {}
            for v, f in zip(values, parsed[0].tolist(), strict=True):
                first.setdefault(f, v)
            classes = [first[f] for f in sorted(first)]
            numeric = True
        else:
            classes = sorted(set(values))
            numeric = False
        if len(classes) < 2:
            raise ValueError(
                f"TargetEncoder.fit: target column {target!r} has a single class {classes[0]!r}"
                " in the training rows; classification needs at least two"
            )
        return cls(target, "classification", classes=classes, numeric_labels=numeric)

    # -- encode / decode ----------------------------------------------------------------------

    def transform(self, table: Table) -> np.ndarray:
        """Encode the target column of ``table`` (for training or evaluation).

        Returns
        -------
        ndarray
            Classification: int64, shape (n,), values in ``[0, n_outputs)``.
            Regression: float32, shape (n, 1), standardised with the stored mean and std.

        Raises
        ------
        ValueError
            The target column is absent, has a missing value, or holds a class label the
            training rows did not have / a non-numeric regression value (naming it and the row).
        """
        if not isinstance(table, Table):
            raise TypeError(
                f"TargetEncoder.transform: table must be a Table, got {type(table).__name__}"
            )
        if self.name not in table.columns:
            raise ValueError(
                f"{table.source}: no target column {self.name!r}; the columns are {table.columns}"
            )
        values = table.column(self.name)
        _check_no_missing(values, table, self.name)
        if self.classes is None:
            parsed = _parse_numeric(values, table, self.name, purpose="target")
            if parsed is None:
                i, bad = next((i, v) for i, v in enumerate(values) if not _looks_numeric(v))
                raise ValueError(
                    f"target column {self.name!r}: {table.where(i)} holds {bad!r}, which is "
                    "not a number"
                )
            y = parsed[0]
            y -= self.mean
            y /= self.std
            return y.astype(np.float32).reshape(-1, 1)
        labels = np.empty(len(values), dtype=np.int64)
        for i, v in enumerate(values):
            k = self._index.get(v)
            if k is None and self.numeric_labels and _looks_numeric(v):
                k = self._value_index.get(float(v))
            if k is None:
                raise ValueError(
                    f"target column {self.name!r}: {table.where(i)} holds the class label "
                    f"{v!r}, which the model was not trained on; known classes: {self.classes}"
                )
            labels[i] = k
        return labels

    def inverse_transform(self, y: np.ndarray) -> np.ndarray:
        """Map network-side targets back to the CSV's terms.

        Parameters
        ----------
        y : ndarray
            Classification: int labels, shape (n,). Regression: standardised values, shape
            (n,) or (n, 1).

        Returns
        -------
        ndarray
            Classification: str array, shape (n,), the original labels. Regression: float32,
            same shape as ``y``, in the target's original units.
        """
        arr = np.asarray(y)
        if self.classes is None:
            if not np.issubdtype(arr.dtype, np.number):
                raise TypeError(f"inverse_transform: expected numbers, got dtype {arr.dtype}")
            if arr.ndim not in (1, 2) or (arr.ndim == 2 and arr.shape[1] != 1):
                raise ValueError(
                    f"inverse_transform: expected shape (n,) or (n, 1), got {arr.shape}"
                )
            return (arr.astype(np.float32) * np.float32(self.std) + np.float32(self.mean))
        if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
            raise ValueError(
                f"inverse_transform: expected int class labels of shape (n,), got "
                f"{arr.dtype} {arr.shape}"
            )
        if arr.size and (arr.min() < 0 or arr.max() >= len(self.classes)):
            raise ValueError(
                f"inverse_transform: class labels must lie in [0, {len(self.classes)}), got "
                f"[{arr.min()}, {arr.max()}]"
            )
        return np.asarray(self.classes, dtype=str)[arr]

    def to_strings(self, y: np.ndarray) -> list[str]:
        """:meth:`inverse_transform`, then format each value for writing to a CSV file.

        Class labels come back exactly as spelled in the training CSV; regression values are
        written with 7 significant digits (float32 precision).
        """
        out = self.inverse_transform(y)
        if self.classes is not None:
            return out.tolist()
        return [format(v, ".7g") for v in out.reshape(-1).tolist()]

    # -- state --------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Return the state as plain JSON types; ``from_dict(json.loads(json.dumps(d)))`` is exact.

        Returns
        -------
        dict
            ``{"format": "numpynn.tabular.TargetEncoder", "version": 1, "name": str,
            "task": "classification", "classes": [str, ...], "numeric_labels": bool}`` or
            ``{..., "task": "regression", "mean": float, "std": float}``.
        """
        d: dict[str, Any] = {"format": _TARGET_FORMAT, "version": _STATE_VERSION,
                             "name": self.name, "task": self.task}
        if self.classes is not None:
            d["classes"] = list(self.classes)
            d["numeric_labels"] = self.numeric_labels
        else:
            d["mean"] = self.mean
            d["std"] = self.std
        return d

    @classmethod
    def from_dict(cls, state: Mapping[str, Any]) -> TargetEncoder:
        """Rebuild an encoder from :meth:`to_dict` output, validating every field.

        Raises
        ------
        ValueError
            ``state`` is not such a dict or a field is missing, mistyped or inconsistent.
        """
        where = "TargetEncoder.from_dict"
        if not isinstance(state, Mapping):
            raise ValueError(f"{where}: expected a dict, got {type(state).__name__}")
        task = state.get("task")
        if task == "classification":
            _check_header(state, _TARGET_FORMAT, where, {"name", "task", "classes",
                                                          "numeric_labels"})
        elif task == "regression":
            _check_header(state, _TARGET_FORMAT, where, {"name", "task", "mean", "std"})
        else:
            _check_header(state, _TARGET_FORMAT, where, set(state) - {"format", "version"})
            raise ValueError(f"{where}: 'task' must be 'classification' or 'regression', "
                             f"got {task!r}")
        name = state["name"]
        if not isinstance(name, str) or not name:
            raise ValueError(f"{where}: 'name' must be a non-empty string, got {name!r}")
        if task == "regression":
            mean, std = state["mean"], state["std"]
            if not _is_finite_float(mean):
                raise ValueError(f"{where}: 'mean' must be a finite number, got {mean!r}")
            if not _is_finite_float(std) or std <= 0:
                raise ValueError(f"{where}: 'std' must be a positive finite number, got {std!r}")
            return cls(name, "regression", mean=float(mean), std=float(std))
        classes, numeric = state["classes"], state["numeric_labels"]
        if not isinstance(numeric, bool):
            raise ValueError(f"{where}: 'numeric_labels' must be true or false, got {numeric!r}")
        if (not isinstance(classes, list) or len(classes) < 2
                or not all(isinstance(c, str) and c for c in classes)):
            raise ValueError(f"{where}: 'classes' must be a list of at least two non-empty "
                             "strings")
        if len(set(classes)) != len(classes):
            raise ValueError(f"{where}: 'classes' has repeated labels")
        if numeric:
            try:
                vals = [float(c) for c in classes]
            except ValueError:
                raise ValueError(f"{where}: 'numeric_labels' is true but 'classes' holds text"
                                 ) from None
            if vals != sorted(set(vals)) or not all(math.isfinite(v) for v in vals):
                raise ValueError(f"{where}: numeric 'classes' must be finite, distinct and "
                                 "sorted by value")
        elif classes != sorted(classes):
            raise ValueError(f"{where}: 'classes' must be sorted")
        return cls(name, "classification", classes=classes, numeric_labels=numeric)


def _check_no_missing(values: list[str], table: Table, column: str) -> None:
    missing = [i for i, v in enumerate(values) if v.strip().lower() in MISSING_VALUES]
    if missing:
        rows = ", ".join(table.where(i) for i in missing[:_MAX_LISTED])
        more = f" (and {len(missing) - _MAX_LISTED} more)" if len(missing) > _MAX_LISTED else ""
        raise ValueError(
            f"target column {column!r} has {len(missing)} missing value(s): {rows}{more}; "
            "remove those rows"
        )


def _detect_numeric_task(y: np.ndarray) -> Task:
    """Integer values, at most MAX_AUTO_CLASSES distinct, >= 2 rows each on average."""
    if not np.array_equal(y, np.round(y)):
        return "regression"
    n_distinct = np.unique(y).size
    if n_distinct <= MAX_AUTO_CLASSES and 2 * n_distinct <= y.size:
        return "classification"
    return "regression"


# --------------------------------------------------------------------------------------------
# Splitting
# --------------------------------------------------------------------------------------------


def train_validation_split(
    n: int, fraction: float, seed: int | np.random.Generator | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Split row indices ``0..n-1`` at random into training and validation sets.

    Parameters
    ----------
    n : int
        Number of rows, at least 1 (at least 2 when ``fraction > 0``).
    fraction : float
        Share of rows for validation, in ``[0, 1)``. The validation set gets
        ``round(n * fraction)`` rows, at least 1 when ``fraction > 0``; the training set
        always keeps at least one.
    seed : int, Generator or None
        Randomness; the same int gives the same split.

    Returns
    -------
    train_idx, val_idx : ndarray of int64, shapes (n - m,) and (m,)
        Disjoint, each sorted ascending, together ``0..n-1``.

    Raises
    ------
    TypeError
        ``n`` is not an int or ``fraction`` not a number.
    ValueError
        ``n < 1``, ``fraction`` outside ``[0, 1)``, or too few rows to split.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"train_validation_split: n must be an int, got {type(n).__name__}")
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float, np.floating)):
        raise TypeError(
            f"train_validation_split: fraction must be a number, got {type(fraction).__name__}"
        )
    if n < 1:
        raise ValueError(f"train_validation_split: n must be at least 1, got {n}")
    if not (0.0 <= fraction < 1.0):
        raise ValueError(f"train_validation_split: fraction must be in [0, 1), got {fraction}")
    n_val = round(n * fraction)
    if fraction > 0:
        if n < 2:
            raise ValueError(
                f"train_validation_split: {n} row(s) cannot be split into training and "
                "validation sets; use fraction=0"
            )
        n_val = min(max(n_val, 1), n - 1)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    perm = rng.permutation(n)
    val_idx = np.sort(perm[:n_val]).astype(np.int64)
    train_idx = np.sort(perm[n_val:]).astype(np.int64)
    return train_idx, val_idx
