"""``read_table``: the one public way to read a table (CSV, Parquet, Feather, a DataFrame or
an Arrow table) into a :class:`~numpynn.tabular.table.Table` of typed columns.

CSV files are read by pyarrow (all cores, each column parsed once) when it is installed,
by the standard library's :mod:`csv` otherwise, and by :mod:`csv` again when pyarrow finds
a malformed row, so that the error names its line.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from .column_data import Column
from .csv_files import LazyLines, read_with_stdlib
from .dialect import Dialect, check_delimiter, sample_records, sniff_dialect
from .frames import from_pandas, is_dataframe
from .inference import infer_column, recode, text_column
from .table import Table, check_column_names
from .values import listing, looks_numeric

__all__ = ["read_table", "read_csv_file", "as_table", "PARQUET_SUFFIXES", "FEATHER_SUFFIXES"]

PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
FEATHER_SUFFIXES = (".feather", ".arrow", ".ipc", ".fea")
#: Header names pandas gives its index when ``df.to_csv(path)`` writes it.
PANDAS_INDEX_NAMES = ("", "Unnamed: 0")


def read_table(
    source: str | PathLike[str] | Any,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
    na_values: Iterable[str] | str = (),
    text_columns: Iterable[str] | bool = (),
) -> Table:
    """Read a table from a file, a pandas DataFrame or a pyarrow Table.

    Parameters
    ----------
    source : path, DataFrame, pyarrow.Table or Table
        A path ending in ``.parquet`` (``.pq``) is a Parquet file, one ending in
        ``.feather`` (``.arrow``, ``.ipc``) a Feather file, anything else CSV (``.gz``
        compressed too). Files other than CSV need pyarrow.
    delimiter : str, optional
        CSV field separator (``"tab"`` for a tab); default: detected from the file.
    encoding : str, optional
        CSV text encoding; default UTF-8 (a file that is not is an error saying so).
    na_values : iterable of str, optional
        More spellings of a missing value, besides the empty cell, ``NA``, ``N/A``,
        ``NaN``, ``null`` and ``None`` (any letter case).
    text_columns : iterable of str, or True
        Columns kept as text even when they hold numbers (identifiers such as ``007``);
        ``True`` for every column.

    Returns
    -------
    Table
        Typed columns (see :class:`Table`). A CSV file's unnamed first column (a pandas
        index written by ``df.to_csv``), or one named ``Unnamed: 0``, is left out;
        ``Table.notes`` says so, and says what else the reader decided.

    Raises
    ------
    FileNotFoundError
        No such file.
    ImportError
        A Parquet or Feather file without pyarrow.
    ValueError
        An unreadable file, naming the problem (and the option that fixes it).
    TypeError
        ``source`` is none of the above.
    """
    missing = _na_values(na_values)
    as_text: Collection[str] | bool = text_columns if isinstance(text_columns, bool) \
        else frozenset(text_columns)
    if isinstance(source, Table):
        return source
    if is_dataframe(source) or _is_arrow_table(source):
        return _read_in_memory(source, missing, as_text)
    if not isinstance(source, (str, PathLike)):
        raise TypeError("read_table: source must be a file path, a pandas DataFrame or a "
                        f"pyarrow Table, got {type(source).__name__}")
    return _read_file(source, delimiter, encoding, missing, as_text)


def _is_arrow_table(source: Any) -> bool:
    """A pyarrow Table (or RecordBatch), told apart without importing pyarrow."""
    return type(source).__module__.startswith("pyarrow") and hasattr(source, "column_names")


def _read_in_memory(source: Any, missing: frozenset[str],
                    as_text: Collection[str] | bool) -> Table:
    """A pandas DataFrame or a pyarrow Table, column by column."""
    if is_dataframe(source):
        names, columns, notes = from_pandas(source, na_values=missing, text_columns=as_text)
        return build_table(names, columns, "<DataFrame>", None, notes, index=False)
    from .arrow_files import from_arrow

    names = [str(n) for n in source.column_names]
    result = from_arrow(source, na_values=missing, text_columns=_all(as_text, names))
    return build_table(*result[:2], "<Arrow table>", None, result[2], index=False)


def _read_file(source: str | PathLike[str], delimiter: str | None, encoding: str | None,
               missing: frozenset[str], as_text: Collection[str] | bool) -> Table:
    """A file, by its suffix: Parquet, Feather, or CSV."""
    suffixes = {s.lower() for s in Path(source).suffixes}
    if suffixes & set(PARQUET_SUFFIXES):
        return _read_columnar(source, "parquet", missing, as_text)
    if suffixes & set(FEATHER_SUFFIXES):
        return _read_columnar(source, "feather", missing, as_text)
    return read_csv_file(source, delimiter=delimiter, encoding=encoding, na_values=missing,
                         text_columns=as_text, detect=True)


def as_table(data: Any, where: str) -> Table:
    """``data`` as a Table: a Table itself, or a DataFrame or pyarrow Table read with
    :func:`read_table` (a file path is not taken here: read it first).

    Raises
    ------
    TypeError
        Anything else, naming ``where`` (``"Preprocessor.fit"``).
    """
    if isinstance(data, Table):
        return data
    if is_dataframe(data) or _is_arrow_table(data):
        return read_table(data)
    raise TypeError(f"{where}: table must be a Table, a pandas DataFrame or a pyarrow Table, "
                    f"got {type(data).__name__}")


def _na_values(na_values: Iterable[str] | str) -> frozenset[str]:
    values = [na_values] if isinstance(na_values, str) else list(na_values)
    for v in values:
        if not isinstance(v, str):
            raise TypeError(f"read_table: na_values must be strings, got {v!r}")
    return frozenset(v.strip() for v in values)


def _all(as_text: Collection[str] | bool, names: list[str]) -> Collection[str]:
    """The text columns among ``names`` (``True``: all of them)."""
    if as_text is True:
        return [n.strip() for n in names]
    return () if as_text is False else as_text


def _existing_file(path: str | PathLike[str], what: str) -> Path:
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{what} file not found: {path}")
    if p.is_dir():
        raise ValueError(f"{path}: is a directory, expected a {what} file")
    if not p.is_file():  # a FIFO would block, a device never end: not opened
        raise ValueError(f"{path}: is not a regular file (a device, FIFO or socket); "
                         f"expected a {what} file")
    return p


def _read_columnar(source: str | PathLike[str], kind: str, missing: frozenset[str],
                   as_text: Collection[str] | bool) -> Table:
    from .arrow_files import from_arrow, read_arrow_file

    path = _existing_file(source, kind.title())
    try:
        arrow_table = read_arrow_file(path, kind)
    except ImportError:
        raise
    except Exception as exc:  # pyarrow's errors: not a Parquet file, damaged, ...
        raise ValueError(f"{source}: cannot read it as a {kind.title()} file ({exc})") from None
    names = [str(n) for n in arrow_table.column_names]
    result = from_arrow(arrow_table, na_values=missing, text_columns=_all(as_text, names))
    return build_table(*result[:2], str(source), None, result[2], index=True)


def read_csv_file(path: str | PathLike[str], *, delimiter: str | None,
                  encoding: str | None, na_values: Iterable[str],
                  text_columns: Collection[str] | bool, detect: bool) -> Table:
    """A CSV file as a Table (``detect``: find the delimiter when it is not given)."""
    name = str(path)
    p = _existing_file(path, "CSV")
    delimiter = check_delimiter(delimiter, "read_csv" if not detect else "read_table")
    missing = _na_values(na_values)
    dialect, notes = sniff_dialect(p, name, delimiter=delimiter, encoding=encoding)
    holder = _try_arrow(p, name, dialect, missing, text_columns)
    if holder is not None:
        from .arrow_files import from_arrow

        names = [str(n) for n in holder[0].column_names]
        found = from_arrow(holder, na_values=missing, decimal=dialect.decimal,
                           text_columns=_all(text_columns, names), from_csv=True)
        rows = np.arange(len(found[1][0]) if found[1] else 0)
        lines = LazyLines(p, name, dialect, rows)
        return build_table(found[0], found[1], name, lines, notes + found[2], index=True)
    header, data, line_list = read_with_stdlib(p, name, dialect)
    if header is None:
        raise ValueError(f"{name}: the file is empty; expected a header row and data rows")
    columns: list[Column] = []
    for col_name, cells in zip(header, data, strict=True):
        as_text = text_columns is True or (text_columns is not False
                                           and col_name in text_columns)
        codes = text_column(cells)
        col, found_notes = (recode(codes, missing), []) if as_text else infer_column(
            codes, col_name, missing=missing, decimal=dialect.decimal)
        columns.append(col)
        notes.extend(found_notes)
    return build_table(header, columns, name, np.asarray(line_list, dtype=np.int64), notes,
                       index=True)


def _try_arrow(path: Path, name: str, dialect: Dialect, missing: frozenset[str],
               text_columns: Collection[str] | bool) -> list | None:
    """The file read by pyarrow (in a one-element list, for :func:`from_arrow` to empty),
    or None: no pyarrow, or a file only :mod:`csv` explains."""
    try:
        import pyarrow
    except ImportError:
        return None
    from .arrow_files import read_csv_arrow, sample_types

    records = sample_records(path, dialect)
    if text_columns is True:
        text_columns = [c.strip() for c in records[0]] if records else ()
    elif text_columns is False:
        text_columns = ()
    guessed = sample_types(records, missing, text_columns, pyarrow)
    fallback = {c: t for c, t in guessed.items() if c.strip() in text_columns}
    for types in [guessed] + ([fallback] if fallback != guessed else []):
        try:
            table = read_csv_arrow(path, name, dialect, missing, types)
        except pyarrow.ArrowException:  # a wrong guess; or malformed: csv names the line
            continue
        return None if _open_quote_at_end(table) else [table]
    return None


def _open_quote_at_end(table: Any) -> bool:
    """Whether the last row ends in a line break inside a value: pyarrow's reading of an
    unterminated quote, which :mod:`csv` reports (a rare case, checked in one row)."""
    if table.num_rows == 0:
        return False
    last = table.slice(table.num_rows - 1).to_pylist()[0]
    return any(isinstance(v, str) and v.endswith(("\n", "\r")) for v in last.values())


def build_table(names: list[str], columns: list[Column], source: str, lines: Any,
                notes: list[str], *, index: bool) -> Table:
    """The Table of ``names`` and ``columns``: a pandas index column left out (``index``),
    the header and the row count checked."""
    names = [n.strip() for n in names]
    notes = list(notes)
    if index and len(names) >= 2 and names[0] in PANDAS_INDEX_NAMES:
        shown = "has no name" if names[0] == "" else f"is named {names[0]!r}"
        notes.insert(0, f"{source}: the first column {shown}: a pandas index (as "
                        "df.to_csv writes it); left out")
        names, columns = names[1:], columns[1:]
    if names and all(looks_numeric(c) for c in names):
        raise ValueError(
            f"{source}: no header row: the first row ({listing(names)}) is all numbers; the "
            "first row must name the columns"
        )
    check_column_names(names, source)
    if not columns or len(columns[0]) == 0:
        raise ValueError(f"{source}: no data rows after the header")
    return Table(names, columns, source=source, lines=lines, notes=tuple(notes))
