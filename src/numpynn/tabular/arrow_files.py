"""Reading through pyarrow: CSV (multi-threaded), Parquet and Feather files, Arrow tables.

pyarrow is imported here, inside functions, only when a file is read: the rest of
:mod:`numpynn.tabular` needs NumPy alone. Every Arrow column becomes one typed column:

* integer, floating-point and decimal columns -> :class:`NumberColumn` (int64 stays int64
  when no value is missing, everything else float64 with NaN for a missing value);
* string columns -> :class:`TextColumn` through ``dictionary_encode``, then
  :func:`~numpynn.tabular.inference.infer_column` (numbers with a few markers, thousands
  separators), on the distinct values only;
* dictionary (categorical) columns -> their codes and categories as text;
* booleans, dates, times and timestamps -> text (``true``/``false``, ISO 8601).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

import numpy as np

from .column_data import Column, NumberColumn, TextColumn, format_number
from .dialect import Dialect, encoding_hint
from .inference import infer_column, recode
from .values import MISSING_VALUES

__all__ = ["import_pyarrow", "read_csv_arrow", "read_arrow_file", "from_arrow"]

_NEVER = ["\x00never\x00"]  # a value no cell holds: turns off bool inference
_INTEGER = re.compile(r"[+-]?\d{1,18}")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def import_pyarrow(what: str) -> Any:
    """``pyarrow``, or ImportError naming the install command."""
    try:
        import pyarrow
    except ImportError:
        raise ImportError(f"{what} needs pyarrow: pip install pyarrow (it comes with "
                          "pip install 'numpynn[cli]')") from None
    return pyarrow


def _null_spellings(na_values: Collection[str]) -> list[str]:
    spellings = {""}
    for s in MISSING_VALUES:
        spellings.update({s, s.upper(), s.title(), s.capitalize()})
    spellings.update({"N/a", "n/A"})
    return sorted(spellings | set(na_values))


def sample_types(records: list[list[str]], missing: Collection[str],
                 text_columns: Collection[str], pa: Any) -> dict[str, Any]:
    """Arrow types for the columns, guessed from the first records: ``int64`` or
    ``float64`` where every present value is a plain number, text (dictionary-encoded)
    elsewhere; columns with no value yet are left to pyarrow. Reading with the types
    known halves the reader's peak memory and time; a guess that a later row disproves
    makes the caller read again without types."""
    if len(records) < 2:
        return {}
    header, rows = records[0], [r for r in records[1:] if len(r) == len(records[0])]
    text_type = pa.dictionary(pa.int32(), pa.string())
    types: dict[str, Any] = {}
    for j, name in enumerate(header):
        if name.strip() in text_columns:
            types[name] = text_type
            continue
        cells = [r[j].strip() for r in rows]
        present = [c for c in cells if c.lower() not in MISSING_VALUES and c not in missing]
        if not present:
            continue
        if all(_INTEGER.fullmatch(c) for c in present):
            types[name] = pa.int64()
        elif all(_PLAIN_NUMBER.fullmatch(c) for c in present):
            types[name] = pa.float64()
        else:
            types[name] = text_type
    return types


def read_csv_arrow(path: Path, name: str, dialect: Dialect, na_values: Collection[str],
                   column_types: dict[str, Any]) -> Any:
    """The file as a ``pyarrow.Table`` (all rows in memory, read on every core).

    Raises
    ------
    ValueError
        Text that is not in ``dialect.encoding`` (naming ``--encoding``).
    pyarrow.ArrowInvalid
        Any other problem; the caller reads the file again (without ``column_types``, or
        with :mod:`csv` to name the line).
    """
    pa = import_pyarrow("reading CSV files")
    import pyarrow.csv as pacsv

    read = pacsv.ReadOptions(encoding=dialect.encoding, block_size=1 << 22)
    parse = pacsv.ParseOptions(delimiter=dialect.delimiter, newlines_in_values=True)
    convert = pacsv.ConvertOptions(
        null_values=_null_spellings(na_values), strings_can_be_null=True,
        true_values=_NEVER, false_values=_NEVER, decimal_point=dialect.decimal,
        column_types=column_types,
    )
    try:
        return pacsv.read_csv(path, read_options=read, parse_options=parse,
                              convert_options=convert)
    except pa.ArrowInvalid as exc:
        if "UTF8" in str(exc) or "utf8" in str(exc).lower():
            raise ValueError(encoding_hint(name, "a byte sequence that is not UTF-8")) \
                from None
        raise


def read_arrow_file(path: Path, kind: str) -> Any:
    """A Parquet (``kind="parquet"``) or Feather / Arrow IPC file as a ``pyarrow.Table``."""
    import_pyarrow(f"reading {kind.title()} files")
    if kind == "parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path)
    import pyarrow.feather as feather

    return feather.read_table(path)


def from_arrow(source: Any, *, na_values: Collection[str] = (), decimal: str = ".",
               text_columns: Collection[str] = (), from_csv: bool = False
               ) -> tuple[list[str], list[Column], list[str]]:
    """Names, typed columns and notes of a ``pyarrow.Table`` (or RecordBatch).

    ``source`` may be a one-element list holding the table: the list is emptied, so that
    each Arrow column is freed once converted and the peak memory is the Arrow table plus
    one column. ``from_csv``: the table was read from a CSV file, where every column is
    text until typed (dictionary columns included); otherwise the writer's types stand,
    except that a text column of numbers with a marker or thousands separators becomes
    numbers, and dictionary columns are categories as they are.
    """
    import pyarrow as pa

    table = source.pop() if isinstance(source, list) else source
    names = [str(n) for n in table.column_names]
    arrays = [table.column(i) for i in range(table.num_columns)]
    del table, source
    columns: list[Column] = []
    notes: list[str] = []
    for name in names:
        arr = arrays.pop(0)
        col, found = _typed(arr, name, na_values, decimal, name.strip() in text_columns,
                            from_csv)
        del arr
        columns.append(col)
        notes.extend(found)
    pa.default_memory_pool().release_unused()  # give the parser's memory back now
    return names, columns, notes


def _chunks(arr: Any) -> list[Any]:
    return list(arr.chunks) if hasattr(arr, "chunks") else [arr]


def _typed(arr: Any, name: str, na_values: Collection[str], decimal: str, as_text: bool,
           from_csv: bool) -> tuple[Column, list[str]]:
    import pyarrow as pa
    import pyarrow.types as pt

    kind = arr.type
    if pt.is_null(kind):  # every cell missing
        return NumberColumn(np.full(len(arr), np.nan)), []
    if (pt.is_integer(kind) or pt.is_floating(kind) or pt.is_decimal(kind)) and not as_text:
        return NumberColumn(_numbers(arr, pa)), []
    if pt.is_dictionary(kind) and not from_csv:
        return recode(_dictionary_codes(arr, pa), na_values), []
    if pt.is_dictionary(kind) or pt.is_string(kind) or pt.is_large_string(kind):
        col = _dictionary_codes(arr if pt.is_dictionary(kind) else arr.dictionary_encode(), pa)
        if as_text:
            return recode(col, na_values), []
        return infer_column(col, name, missing=na_values, decimal=decimal,
                            typed_source=not from_csv)
    if (pt.is_boolean(kind) or pt.is_temporal(kind) or pt.is_integer(kind)
            or pt.is_floating(kind) or pt.is_decimal(kind)):
        return recode(_dictionary_codes(arr.cast(pa.string()).dictionary_encode(), pa),
                      na_values), []
    raise TypeError(f"column {name!r} holds {kind} values, which numpynn cannot use as "
                    "numbers or text; leave it out (drop the column)")


def _numbers(arr: Any, pa: Any) -> np.ndarray:
    """float64 with NaN for nulls (float32 stays float32); int64 kept when nothing is
    missing. Written chunk by chunk into one array, from Arrow's buffers (no pandas)."""
    import pyarrow.types as pt

    if pt.is_integer(arr.type) and arr.null_count == 0:
        target, dtype = pa.int64(), np.int64
    elif pt.is_float32(arr.type):
        target, dtype = pa.float32(), np.float32
    else:
        target, dtype = pa.float64(), np.float64
    out = np.empty(len(arr), dtype=dtype)
    start = 0
    for chunk in _chunks(arr):
        if chunk.type != target:
            chunk = chunk.cast(target)
        stop = start + len(chunk)
        out[start:stop] = _buffer(chunk, dtype)
        if chunk.null_count:
            out[start:stop][_null_mask(chunk)] = np.nan
        start = stop
    return out


def _buffer(arr: Any, dtype: Any) -> np.ndarray:
    """The values of a fixed-width Arrow array as a (read-only) view of its buffer."""
    return np.frombuffer(arr.buffers()[1], dtype=dtype, count=len(arr),
                         offset=arr.offset * np.dtype(dtype).itemsize)


def _null_mask(arr: Any) -> np.ndarray:
    """bool (n,): True where ``arr`` (an Arrow array with a validity bitmap) is null."""
    bits = np.unpackbits(np.frombuffer(arr.buffers()[0], dtype=np.uint8), bitorder="little")
    return bits[arr.offset: arr.offset + len(arr)] == 0


def _codes(indices: Any) -> np.ndarray:
    """int32 (n,) of dictionary ``indices``, -1 where null."""
    codes = _buffer(indices, np.dtype(f"int{indices.type.bit_width}")).astype(np.int32)
    if indices.null_count:
        codes[_null_mask(indices)] = -1
    return codes


def _dictionary_codes(arr: Any, pa: Any) -> TextColumn:
    """A dictionary column's codes and its dictionary (as text), chunks unified."""
    if hasattr(arr, "unify_dictionaries"):
        arr = arr.unify_dictionaries()
    chunks = _chunks(arr)
    if not chunks:
        return TextColumn(np.zeros(0, np.int32), np.array([], dtype=object))
    codes = np.concatenate([_codes(c.indices) for c in chunks])
    dictionary = chunks[0].dictionary
    values = dictionary.to_pylist()
    if not (pa.types.is_string(dictionary.type) or pa.types.is_large_string(dictionary.type)):
        values = [format_number(v) if isinstance(v, (int, float)) and not isinstance(v, bool)
                  else str(v) for v in values]
    return TextColumn(codes, np.array(values, dtype=object))
