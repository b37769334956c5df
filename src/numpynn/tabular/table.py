"""The :class:`Table`: column names and typed columns (numbers or text codes)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .column_data import Column, NumberColumn, TextColumn
from .inference import infer_column, text_column

__all__ = ["Table"]


@dataclass(frozen=True, eq=False)
class Table:
    """Named, typed columns of equal length: what :func:`~numpynn.tabular.read_table` returns.

    Each column is parsed once, when the table is built, into a
    :class:`~numpynn.tabular.column_data.NumberColumn` (a float64, float32 or int64 array,
    NaN where missing) or a :class:`~numpynn.tabular.column_data.TextColumn` (int32 codes
    into the distinct values).

    Parameters
    ----------
    columns : list of str, length k
        Column names, unique and non-empty.
    data : list, k columns of length n
        Each a ``NumberColumn``, a ``TextColumn``, or a sequence of ``str`` cells (then typed
        here: numbers when every present value is a number, text otherwise; see
        :mod:`numpynn.tabular.inference`).
    source : str, default "<table>"
        Where the values came from (a file name), used in error messages.
    lines : array-like of int, shape (n,), optional
        The file line on which each row ends (or an object indexed like one, computed on
        demand), used in error messages. ``None`` when the rows did not come from a file.
    notes : tuple of str, optional
        What the reader decided and the user may want to know (a dropped index column,
        markers read as missing, the delimiter found).

    Raises
    ------
    ValueError
        Column names empty or repeated, or columns of different lengths.
    """

    columns: list[str]
    data: list[Column]
    source: str = "<table>"
    lines: Any = field(default=None, repr=False)
    notes: tuple[str, ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        check_columns(self.columns, self.data, self.source, "Table")
        typed, notes = [], list(self.notes)
        for name, col in zip(self.columns, self.data, strict=True):
            if isinstance(col, (NumberColumn, TextColumn)):
                typed.append(col)
            else:
                column, found = infer_column(text_column(list(col)), name)
                typed.append(column)
                notes.extend(found)
        object.__setattr__(self, "columns", list(self.columns))
        object.__setattr__(self, "data", typed)
        object.__setattr__(self, "notes", tuple(notes))
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
            ``str()``, ``None`` is missing.
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
        return cls(names, data, source=source)  # type: ignore[arg-type]

    @property
    def n_rows(self) -> int:
        """Number of data rows (the header is not a row)."""
        return len(self.data[0]) if self.data else 0

    def __len__(self) -> int:
        return self.n_rows

    def typed_column(self, name: str) -> Column:
        """The column ``name`` as stored: a ``NumberColumn`` or a ``TextColumn``.

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

    def column(self, name: str) -> np.ndarray:
        """The values of column ``name`` as an array: numbers (float64 with NaN for a
        missing value, or int64), or text (object, ``None`` for a missing value).

        Raises
        ------
        ValueError
            No column is called ``name``.
        """
        return self.typed_column(name).to_numpy()

    def strings(self, name: str) -> list[str]:
        """The values of column ``name`` as text, ``""`` where missing (for writing out)."""
        return self.typed_column(name).strings()

    def is_numeric(self, name: str) -> bool:
        """Whether column ``name`` was read as numbers."""
        return isinstance(self.typed_column(name), NumberColumn)

    def take(self, indices: Sequence[int] | np.ndarray) -> Table:
        """Return a new table with the rows at ``indices`` (e.g. a training split).

        Parameters
        ----------
        indices : array-like of int, shape (m,)
            Row indices in ``[0, n_rows)``.
        """
        idx = check_rows(indices, self.n_rows, "Table.take")
        lines = None if self.lines is None else self.lines[idx]
        return Table(list(self.columns), [col.take(idx) for col in self.data],
                     source=self.source, lines=lines, notes=self.notes)

    def where(self, row: int) -> str:
        """Describe 0-based data row ``row`` for an error message: ``row 3 (line 4 of f.csv)``."""
        if self.lines is not None:
            line = self.lines[row]
            if line is not None:
                return f"row {row + 1} (line {int(line)} of {self.source})"
        return f"row {row + 1} of {self.source}"


def check_rows(indices: Sequence[int] | np.ndarray, n_rows: int, where: str) -> np.ndarray:
    """``indices`` as an int64 array of row numbers in ``[0, n_rows)``."""
    idx = np.asarray(indices)
    if idx.size == 0:
        idx = idx.astype(np.int64)
    if idx.ndim != 1 or not np.issubdtype(idx.dtype, np.integer):
        raise TypeError(f"{where}: indices must be a 1-D array of ints, got {idx.dtype}")
    if idx.size and (idx.min() < 0 or idx.max() >= n_rows):
        raise ValueError(
            f"{where}: indices must lie in [0, {n_rows}), got [{idx.min()}, {idx.max()}]"
        )
    return idx.astype(np.int64, copy=False)


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


def check_column_names(columns: Sequence[str], source: str) -> None:
    """Raise unless every name is a non-empty ``str`` and no name repeats.

    Parameters
    ----------
    columns : sequence of str
        A header.
    source : str
        The file or table the header belongs to, for messages.
    """
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


def check_columns(
    columns: Sequence[str], data: Sequence[Any], source: str, where: str
) -> None:
    """Raise unless ``columns`` is a good header and ``data`` one equal-length column per name.

    Parameters
    ----------
    columns : sequence of str, length k
    data : sequence of k columns (typed columns or sequences)
    source : str
        The file or table, for messages about the header.
    where : str
        The caller (``"Table"``, ``"write_csv"``), for messages about the data.
    """
    check_column_names(columns, source)
    if len(columns) != len(data):
        raise ValueError(f"{where}: {len(columns)} column names but {len(data)} columns of data")
    lengths = {len(col) for col in data}
    if len(lengths) > 1:
        raise ValueError(f"{where}: columns have different lengths {sorted(lengths)}")
