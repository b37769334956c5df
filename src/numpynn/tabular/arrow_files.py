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

from collections.abc import Collection
from pathlib import Path
from typing import Any

import numpy as np

from .column_data import Column, NumberColumn, TextColumn
from .dialect import Dialect, encoding_hint
from .inference import infer_column, recode
from .values import MISSING_VALUES

__all__ = ["import_pyarrow", "read_csv_arrow", "read_arrow_file", "from_arrow"]

_NEVER = ["\x00never\x00"]  # a value no cell holds: turns off bool inference


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


def read_csv_arrow(path: Path, name: str, dialect: Dialect, na_values: Collection[str],
                   text_columns: Collection[str]) -> Any:
    """The file as a ``pyarrow.Table`` (all rows in memory, read on every core).

    Raises
    ------
    ValueError
        Text that is not in ``dialect.encoding`` (naming ``--encoding``).
    pyarrow.ArrowInvalid
        Any other problem; the caller reads the file again with :mod:`csv` to name the
        line.
    """
    pa = import_pyarrow("reading CSV files")
    import pyarrow.csv as pacsv

    read = pacsv.ReadOptions(encoding=dialect.encoding, block_size=1 << 22)
    parse = pacsv.ParseOptions(delimiter=dialect.delimiter, newlines_in_values=True)
    convert = pacsv.ConvertOptions(
        null_values=_null_spellings(na_values), strings_can_be_null=True,
        true_values=_NEVER, false_values=_NEVER, decimal_point=dialect.decimal,
        column_types={c: pa.string() for c in text_columns},
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


def from_arrow(table: Any, *, na_values: Collection[str] = (), decimal: str = ".",
               text_columns: Collection[str] = ()) -> tuple[list[str], list[Column], list[str]]:
    """Names, typed columns and notes of a ``pyarrow.Table`` (or RecordBatch).

    Columns are converted one at a time and each Arrow column is let go once converted, so
    the peak memory is the Arrow table plus one column.
    """
    names = [str(n) for n in table.column_names]
    arrays = [table.column(i) for i in range(table.num_columns)]
    del table
    columns: list[Column] = []
    notes: list[str] = []
    for name in names:
        arr = arrays.pop(0)
        col, found = _typed(arr, name, na_values, decimal, name.strip() in text_columns)
        del arr
        columns.append(col)
        notes.extend(found)
    return names, columns, notes


def _typed(arr: Any, name: str, na_values: Collection[str], decimal: str, as_text: bool
           ) -> tuple[Column, list[str]]:
    import pyarrow as pa
    import pyarrow.types as pt

    if hasattr(arr, "combine_chunks") and not pt.is_dictionary(arr.type):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    kind = arr.type
    if pt.is_null(kind):  # every cell missing
        return NumberColumn(np.full(len(arr), np.nan)), []
    if (pt.is_integer(kind) or pt.is_floating(kind) or pt.is_decimal(kind)) and not as_text:
        return NumberColumn(_numbers(arr, pa)), []
    if pt.is_dictionary(kind):
        return recode(_dictionary_codes(arr, pa), na_values), []
    if pt.is_string(kind) or pt.is_large_string(kind):
        col = _encode_strings(arr, pa)
        if as_text:
            return recode(col, na_values), []
        return infer_column(col, name, missing=na_values, decimal=decimal)
    if (pt.is_boolean(kind) or pt.is_temporal(kind) or pt.is_integer(kind)
            or pt.is_floating(kind) or pt.is_decimal(kind)):
        return recode(_encode_strings(arr.cast(pa.string()), pa), na_values), []
    raise TypeError(f"column {name!r} holds {kind} values, which numpynn cannot use as "
                    "numbers or text; leave it out (drop the column)")


def _numbers(arr: Any, pa: Any) -> np.ndarray:
    """float64 with NaN for nulls; int64 kept when nothing is missing."""
    import pyarrow.types as pt

    if pt.is_integer(arr.type) and arr.null_count == 0:
        return arr.cast(pa.int64()).to_numpy()
    if not pt.is_float64(arr.type) and not pt.is_float32(arr.type):
        arr = arr.cast(pa.float64())
    values = arr.to_numpy(zero_copy_only=False)
    return values if values.dtype in (np.float32, np.float64) else values.astype(np.float64)


def _encode_strings(arr: Any, pa: Any) -> TextColumn:
    encoded = arr.dictionary_encode()
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)
    return TextColumn(codes, encoded.dictionary.to_numpy(zero_copy_only=False).astype(object))


def _dictionary_codes(arr: Any, pa: Any) -> TextColumn:
    """A dictionary column's codes and its dictionary (as text), chunks unified."""
    if hasattr(arr, "unify_dictionaries"):
        arr = arr.unify_dictionaries()
        chunks = arr.chunks
    else:
        chunks = [arr]
    if not chunks:
        return TextColumn(np.zeros(0, np.int32), np.array([], dtype=object))
    codes = np.concatenate([c.indices.fill_null(-1).to_numpy(zero_copy_only=False)
                            for c in chunks]).astype(np.int32)
    dictionary = chunks[0].dictionary
    if not (pa.types.is_string(dictionary.type) or pa.types.is_large_string(dictionary.type)):
        from .column_data import format_number

        values = dictionary.to_pylist()
        text = [format_number(v) if isinstance(v, (int, float)) and not isinstance(v, bool)
                else str(v) for v in values]
        return TextColumn(codes, np.array(text, dtype=object))
    return TextColumn(codes, dictionary.to_numpy(zero_copy_only=False).astype(object))
