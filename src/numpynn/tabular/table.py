"""The :class:`Table`: column names and string values, column by column."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Table"]


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
        check_columns(self.columns, self.data, self.source, "Table")
        if self.lines is not None and len(self.lines) != self.n_rows:
            raise ValueError(
                f"Table: {len(self.lines)} line numbers for {self.n_rows} rows"
            )
        # name -> position: a lookup per column must not scan the header (100k columns)
        object.__setattr__(self, "_position", {name: j for j, name in enumerate(self.columns)})

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
        j = self._position.get(name) if isinstance(name, str) else None
        if j is None:
            raise ValueError(
                f"{self.source}: no column named {name!r}; the columns are {self.columns}"
            )
        return self.data[j]

    def has_column(self, name: str) -> bool:
        """Whether the table has a column ``name`` (without scanning the header)."""
        return name in self._position

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
    columns: Sequence[str], data: Sequence[Sequence[object]], source: str, where: str
) -> None:
    """Raise unless ``columns`` is a good header and ``data`` one equal-length list per name.

    Parameters
    ----------
    columns : sequence of str, length k
    data : sequence of k sequences
        Column-major values.
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
