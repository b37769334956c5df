"""CSV files: :func:`read_csv` (a CSV file into a :class:`Table`), :func:`write_csv`, and the
standard library's :mod:`csv` reader, which reads when pyarrow is not installed and names
the line of a malformed row."""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterable, Sequence
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from ..io.atomic import atomic_open
from .dialect import Dialect
from .table import Table, check_columns

__all__ = ["read_csv", "write_csv"]


def read_csv(
    path: str | PathLike[str],
    *,
    delimiter: str = ",",
    encoding: str | None = None,
    na_values: Iterable[str] = (),
    text_columns: Iterable[str] | bool = (),
) -> Table:
    """Read a CSV file with a header row into a :class:`Table` of typed columns.

    :func:`~numpynn.tabular.read_table` with a fixed ``delimiter`` (default ``","``, not
    detected): the file is UTF-8 (a byte-order mark is skipped) unless ``encoding`` says
    otherwise, with ``\\n`` or ``\\r\\n`` line ends and ``"`` quotes. Values and column
    names are stripped of surrounding whitespace; blank lines are skipped.

    Parameters
    ----------
    path : str or path-like
        The CSV file.
    delimiter : str, default ","
        One-character field separator (``"tab"`` for a tab).
    encoding, na_values, text_columns
        As for :func:`~numpynn.tabular.read_table`.

    Returns
    -------
    Table
        ``k`` columns of ``n >= 1`` values each.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    ValueError
        The file is a directory, not UTF-8 text, empty, has no header row (its first row is all
        numbers), has empty or duplicate column names, has a row with the wrong number of
        fields (naming the line), has no data rows, or looks split by another delimiter.
    """
    from .reading import read_csv_file

    return read_csv_file(path, delimiter=delimiter, encoding=encoding, na_values=na_values,
                         text_columns=text_columns, detect=False)


def open_text(path: Path, encoding: str):
    """The file as text for :mod:`csv` (decompressed when it ends in ``.gz``)."""
    codec = "utf-8-sig" if encoding == "utf-8" else encoding
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rt", encoding=codec, newline="")
    return path.open("r", encoding=codec, newline="")


def read_with_stdlib(path: Path, name: str, dialect: Dialect
                     ) -> tuple[list[str] | None, list[list[str]], list[int]]:
    """Header, column-major values and each row's last line, read with :mod:`csv`.

    The header is ``None`` when the file holds no row at all.

    Raises
    ------
    ValueError
        Not text in ``dialect.encoding``, a malformed quote, or a row with the wrong
        number of fields (naming the line).
    """
    try:
        with open_text(path, dialect.encoding) as fh:
            reader = csv.reader(fh, delimiter=dialect.delimiter, strict=True)
            try:
                return _columns_of(reader, name)
            except csv.Error as exc:
                raise ValueError(f"{name}: malformed CSV near line {reader.line_num}: {exc}"
                                 ) from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"{name}: not {dialect.encoding} text ({exc.reason} at byte "
                         f"{exc.start}); pass --encoding (encoding= in Python)") from None


def _columns_of(
    reader: Any, name: str  # a csv.reader: yields records, counts lines in line_num
) -> tuple[list[str] | None, list[list[str]], list[int]]:
    header: list[str] | None = None
    data: list[list[str]] = []
    lines: list[int] = []
    for record in reader:
        if _is_blank(record, header):
            continue
        if header is None:
            header = [c.strip() for c in record]
            data = [[] for _ in header]
            continue
        if len(record) != len(header):
            raise ValueError(
                f"{name}: line {reader.line_num} has {len(record)} fields, expected "
                f"{len(header)} (the header has {len(header)} columns)"
            )
        for col, value in zip(data, record, strict=True):
            col.append(value)
        lines.append(reader.line_num)
    return header, data, lines


def _is_blank(record: list[str], header: list[str] | None) -> bool:
    """A blank line, or a whitespace-only one (a missing value only in a 1-column file)."""
    if not record:
        return True
    return len(record) == 1 and not record[0].strip() and (header is None or len(header) > 1)


class LazyLines:
    """The file line of each row, found (with :mod:`csv`) the first time one is asked for.

    Indexed like the int64 array it stands for: ``lines[i]`` is an int, ``lines[rows]`` a
    ``LazyLines`` of those rows. pyarrow reads the rows; only an error message needs lines.
    """

    def __init__(self, path: Path, name: str, dialect: Dialect, rows: np.ndarray,
                 cache: list | None = None) -> None:
        self._path, self._name, self._dialect = path, name, dialect
        self._rows = rows
        self._cache = [] if cache is None else cache  # shared by every subset

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, (int, np.integer)):
            lines = self._all_lines()
            row = int(self._rows[index])
            return int(lines[row]) if lines is not None and row < len(lines) else None
        return LazyLines(self._path, self._name, self._dialect, self._rows[index], self._cache)

    def _all_lines(self) -> np.ndarray | None:
        if not self._cache:
            try:
                lines = read_with_stdlib(self._path, self._name, self._dialect)[2]
                self._cache.append(np.asarray(lines, dtype=np.int64))
            except (OSError, ValueError):
                self._cache.append(None)
        return self._cache[0]


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
    data : sequence of k columns of length n
        ``data[j][i]`` is row ``i`` of column ``j``; values are written with ``str()``
        (``None`` as an empty field). A typed column of a :class:`Table` is written as its
        text (``table.data + [enc.to_strings(pred)]`` works).
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
    check_columns(names, data, str(path), "write_csv")
    if not target.parent.is_dir():
        raise ValueError(f"write_csv: directory {str(target.parent)!r} does not exist")
    cells = [col.strings() if hasattr(col, "strings") else col for col in data]
    with atomic_open(target, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(names)
        writer.writerows(
            ["" if v is None else v for v in row] for row in zip(*cells, strict=True)
        )
    return target
