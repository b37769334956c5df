"""CSV files to and from :class:`~numpynn.tabular.table.Table`: the standard library's
:mod:`csv` (no pandas), UTF-8, a header row, values kept as stripped strings."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from ..io.atomic import atomic_open
from .table import Table, check_column_names, check_columns
from .values import listing, looks_numeric

__all__ = ["read_csv", "write_csv"]


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
    name = str(path)
    p = _existing_file(path, delimiter)
    try:
        with p.open("r", encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh, delimiter=delimiter, strict=True)
            header, data, lines = _columns_of(reader, name)
    except UnicodeDecodeError as exc:
        raise ValueError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except csv.Error as exc:
        raise ValueError(f"{name}: malformed CSV near line {reader.line_num}: {exc}") from None

    if header is None:
        raise ValueError(f"{name}: the file is empty; expected a header row and data rows")
    if not lines:
        raise ValueError(f"{name}: no data rows after the header")
    return Table(header, data, source=name, lines=np.asarray(lines, dtype=np.int64))


def _existing_file(path: str | PathLike[str], delimiter: str) -> Path:
    """``path`` as a Path after checking it names a file and ``delimiter`` one character."""
    p = Path(path)
    name = str(path)
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise ValueError(f"read_csv: delimiter must be a single character, got {delimiter!r}")
    if not p.exists():
        raise FileNotFoundError(f"CSV file not found: {name}")
    if p.is_dir():
        raise ValueError(f"{name}: is a directory, expected a CSV file")
    if not p.is_file():  # a FIFO would block, a device never end: not opened
        raise ValueError(f"{name}: is not a regular file (a device, FIFO or socket); "
                         "expected a CSV file")
    return p


def _columns_of(
    reader: Any, name: str  # a csv.reader: yields records, counts lines in line_num
) -> tuple[list[str] | None, list[list[str]], list[int]]:
    """Header, column-major stripped values and each row's last line, from ``reader``.

    The header is ``None`` when the file holds no row at all.
    """
    header: list[str] | None = None
    data: list[list[str]] = []
    lines: list[int] = []
    for record in reader:
        if _is_blank(record, header):
            continue
        if header is None:
            header = _header(record, name)
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
    return header, data, lines


def _is_blank(record: list[str], header: list[str] | None) -> bool:
    """A blank line, or a whitespace-only one (a missing value only in a 1-column file)."""
    if not record:
        return True
    return len(record) == 1 and not record[0].strip() and (header is None or len(header) > 1)


def _header(record: list[str], name: str) -> list[str]:
    """The stripped column names of the first row, which must not be all numbers."""
    header = [c.strip() for c in record]
    if all(looks_numeric(c) for c in header):
        raise ValueError(
            f"{name}: no header row: the first row ({listing(header)}) is "
            "all numbers; the first row must name the columns"
        )
    check_column_names(header, name)
    return header


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
    check_columns(names, data, str(path), "write_csv")
    if not target.parent.is_dir():
        raise ValueError(f"write_csv: directory {str(target.parent)!r} does not exist")
    with atomic_open(target, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(names)
        writer.writerows(
            ["" if v is None else v for v in row] for row in zip(*data, strict=True)
        )
    return target
