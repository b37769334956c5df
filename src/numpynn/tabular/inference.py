"""Text cells to a typed column: missing values, numbers, thousands separators, markers.

The work is done once per *distinct* value of a column (its categories), not per cell, so
a million-row text column with ten values costs ten checks.

A text column becomes a :class:`NumberColumn` when every present value is a number, written
plainly (``3.5``, ``-2``, ``1e3``, ``inf``), with thousands separators (``"3,750"``) or with
a unit, a currency sign (``$``, ``€``, ``£``, ``¥``) before or after it or ``%`` after it
(``"$1,200.50"``, ``"12%"``: 1200.5 and 12, the numbers as written), or
when every present value but one repeated *marker* is: a value made of punctuation only
(``?``, ``-``, ``.``, ``--``) that holds less than half of the cells. Those cells are then
missing, and the column's note says so.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

import numpy as np

from .column_data import Column, NumberColumn, TextColumn
from .values import MISSING_VALUES

__all__ = ["infer_column", "text_column", "recode", "parse_categories", "first_non_number",
           "without_unit"]

# (Each written so that a failed match is linear in the cell's length: ``\d+\.?\d*``
# would try every split of a long run of digits.)
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?(inf|infinity)", re.I)
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
_DECIMAL_COMMA = re.compile(r"[+-]?(\d+(,\d*)?|,\d+)([eE][+-]?\d+)?")
#: A number with a currency sign before or after it, or a percent sign after it (spreadsheet
#: formats): the number as written is the value, ``12%`` -> 12, ``-$1,200.50`` -> -1200.5.
_UNIT = re.compile(r"(?P<sign>[+-]?)\s*(?P<before>[$€£¥])?\s*(?P<number>[+-]?[.,]*\d[\d.,]*"
                   r"(?:[eE][+-]?\d+)?)\s*(?P<after>%|[$€£¥])?")
_UNIT_SIGNS = frozenset("$€£¥%")
#: A missing-value marker among numbers: punctuation only (``?``, ``-``, ``--``).
MARKER = re.compile(r"[^\w\s]+")
#: A marker may hold at most this share of a column's present cells.
MAX_MARKER_SHARE = 0.5


def text_column(values: Sequence[object]) -> TextColumn:
    """Category codes of ``values`` (str, or None for missing), after stripping each.

    The missing-value spellings of :data:`MISSING_VALUES` are left in: :func:`infer_column`
    (or :func:`recode` with ``missing``) removes them.
    """
    arr = np.array(["" if v is None else str(v) for v in values], dtype=object)
    if arr.size == 0:
        return TextColumn(np.zeros(0, np.int32), np.array([], dtype=object))
    categories, codes = np.unique(arr, return_inverse=True)
    return recode(TextColumn(codes.astype(np.int32).reshape(-1), categories), ())


def recode(col: TextColumn, missing: Collection[str]) -> TextColumn:
    """``col`` with its categories stripped and merged, and missing spellings removed.

    Parameters
    ----------
    col : TextColumn
    missing : collection of str
        Extra spellings of a missing value (compared after stripping, exactly); the
        spellings of :data:`MISSING_VALUES` (any letter case) are always missing.
    """
    stripped = [str(c).strip() for c in col.categories.tolist()]
    new_index: dict[str, int] = {}
    remap = np.empty(len(stripped) + 1, dtype=np.int32)
    remap[-1] = -1  # code -1 (already missing) stays missing
    for i, text in enumerate(stripped):
        if text.lower() in MISSING_VALUES or text in missing:
            remap[i] = -1
        else:
            remap[i] = new_index.setdefault(text, len(new_index))
    if len(new_index) == len(stripped) and stripped == col.categories.tolist():
        return col
    categories = np.array(list(new_index), dtype=object)
    return TextColumn(remap[col.codes], categories)


def parse_categories(categories: list[str], decimal: str) -> tuple[np.ndarray, np.ndarray, bool]:
    """Each category's value (NaN where it is not a number), which parse, and whether a
    thousands separator or a unit (``$1,200``, ``12%``) was seen."""
    values = np.full(len(categories), np.nan)
    ok = np.zeros(len(categories), dtype=bool)
    formatted = False
    for i, text in enumerate(categories):
        value, written_out = _number(text, decimal)
        if value is None and (bare := without_unit(text)) is not None:
            value, written_out = _number(bare, decimal)[0], True
        if value is not None:
            values[i], ok[i], formatted = value, True, formatted or written_out
    return values, ok, formatted


def without_unit(text: str) -> str | None:
    """The number of a cell written with one unit (``"-$1,200.50"`` -> ``"-1,200.50"``),
    or None when the cell has no unit, or two (``"$5%"``)."""
    unit = _UNIT.fullmatch(text)
    if unit is None or (unit["before"] is None) == (unit["after"] is None):
        return None
    return unit["sign"] + unit["number"]


def _number(text: str, decimal: str) -> tuple[float | None, bool]:
    """The value of a number as written (None if it is not one), and whether it had
    thousands separators."""
    if decimal == "," and _DECIMAL_COMMA.fullmatch(text):
        return float(text.replace(",", ".")), False
    if decimal == "." and _NUMBER.fullmatch(text):
        return float(text), False
    if decimal == "." and _THOUSANDS.fullmatch(text):
        return float(text.replace(",", "")), True
    return None, False


def infer_column(
    col: TextColumn, name: str, *, missing: Collection[str] = (), decimal: str = ".",
    typed_source: bool = False,
) -> tuple[Column, list[str]]:
    """Type a text column: numbers when its values are numbers (see the module docstring).

    Parameters
    ----------
    col : TextColumn
        As read (categories maybe unstripped, missing spellings maybe present).
    name : str
        The column's name, for the notes.
    missing : collection of str
        Extra missing-value spellings (``--na-values``).
    decimal : {".", ","}
        The decimal mark of the file.
    typed_source : bool, default False
        The column comes from a source that has types (a DataFrame, Parquet, Arrow): text
        of plain numbers (``"007"``) stays text there; only a marker, thousands
        separators or a unit make it numbers.

    Returns
    -------
    column : NumberColumn or TextColumn
    notes : list of str
        One line per thing worth telling the user (markers read as missing, separators).
    """
    col = recode(col, missing)
    categories = col.categories.tolist()
    if not categories:
        return col, []
    values, ok, thousands = parse_categories(categories, decimal)
    notes: list[str] = []
    if typed_source and ok.all() and not thousands:
        return col, []
    if not ok.all():
        marker = _marker(col, ok)
        if marker is None:
            return col, []
        i, count = marker
        notes.append(f"column {name!r}: {count} cell{'s' if count != 1 else ''} "
                     f"{categories[i]!r} read as missing (the other values are numbers)")
    with_unit = [c for c, number in zip(categories, ok, strict=True)
                 if number and _UNIT_SIGNS.intersection(c)] if thousands else []
    if with_unit:
        notes.append(f"column {name!r}: numbers with a unit (such as {with_unit[0]!r}) read "
                     f"as the numbers written, without it")
    elif thousands:
        notes.append(f"column {name!r}: numbers with thousands separators (such as "
                     f"{next(c for c in categories if ',' in c)!r}) read as numbers")
    lookup = np.append(values, np.nan)  # code -1 -> NaN
    return NumberColumn(lookup[col.codes]), notes


def _marker(col: TextColumn, ok: np.ndarray) -> tuple[int, int] | None:
    """(category index, count) of the one punctuation marker among numbers, or None."""
    bad = np.flatnonzero(~ok)
    if bad.size != 1 or not ok.any():
        return None
    i = int(bad[0])
    if not MARKER.fullmatch(col.categories[i]):
        return None
    counts = col.counts()
    if counts[i] > MAX_MARKER_SHARE * counts.sum():
        return None
    return i, int(counts[i])


def first_non_number(col: TextColumn) -> tuple[int, str]:
    """Row index and text of the first present value of ``col`` that is not a number, for
    an error message (``(0, "?")`` if there is none)."""
    _, ok, _ = parse_categories(col.categories.tolist(), ".")
    bad = np.flatnonzero(~np.append(ok, True)[col.codes])  # a gap (code -1) is no offender
    if not bad.size:
        return 0, "?"
    return int(bad[0]), str(col.categories[col.codes[bad[0]]])
