"""What a CSV cell holds: missing values, numbers, and how errors list the offenders.

A value is *missing* when, after stripping surrounding whitespace, it is empty or one of
``NA``, ``N/A``, ``NaN``, ``null`` or ``None`` (any letter case); see :data:`MISSING_VALUES`.

* Numeric feature column: a missing value is imputed with the *training* mean of the column,
  which after standardisation is exactly ``0.0``. The mean is stored in the preprocessor state.
* Text (categorical) feature column: a missing value is not a category; it encodes as all
  zeros in that column's one-hot block, silently (it is not reported as an unseen category).
* A feature column that is missing in every training row is an error (it carries nothing).
* Target column: missing values are an error naming the rows (drop those rows first).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from itertools import islice
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .table import Table

__all__ = ["MISSING_VALUES", "is_missing"]

#: Spellings of a missing value (compared after ``strip()`` and ``lower()``).
MISSING_VALUES: frozenset[str] = frozenset({"", "na", "n/a", "nan", "null", "none"})

MAX_LISTED = 5  # how many offending values or rows an error or warning names


def is_missing(value: str) -> bool:
    """Return whether ``value`` spells a missing value (see :data:`MISSING_VALUES`)."""
    return value.strip().lower() in MISSING_VALUES


def looks_numeric(text: str) -> bool:
    """Return whether ``float(text)`` parses (``"nan"`` and ``"inf"`` do)."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def listing(values: Iterable[Any], total: int | None = None, *, quote: bool = True) -> str:
    """Format up to ``MAX_LISTED`` values as ``'a', 'b' (and 3 more)``.

    Parameters
    ----------
    values : iterable
        The offenders, in the order to show them.
    total : int, optional
        How many there are in all; more than shown adds ``(and N more)``.
    quote : bool, default True
        Show each value's ``repr`` (False: its ``str``, for descriptions such as rows).
    """
    shown = list(islice(values, MAX_LISTED))
    text = ", ".join(repr(v) if quote else str(v) for v in shown)
    if total is not None and total > len(shown):
        text += f" (and {total - len(shown)} more)"
    return text


def parse_numbers(
    values: list[str], table: Table, column: str, *, purpose: str
) -> tuple[np.ndarray, np.ndarray] | None:
    """Parse a column as float64; return ``(x, missing)``, or ``None`` when it is text.

    Parameters
    ----------
    values : list of str, length n
        The column's cells.
    table : Table
        Where the cells came from (for :meth:`Table.where` in messages).
    column : str
        The column's name, for messages.
    purpose : str
        What the column is (``"feature"``, ``"numeric"``, ``"target"``), for messages.

    Returns
    -------
    x : ndarray of float64, shape (n,)
        The numbers; NaN where a value is missing.
    missing : ndarray of bool, shape (n,)
        True where a value is missing.

    ``None`` means some non-missing value is not a number (the column is text).

    Raises
    ------
    ValueError
        Every non-missing value parses as a number but one is infinite (naming the row).
        In a column with text, ``"inf"`` is text like any other: the answer does not
        depend on the order of the rows.
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
    first_infinite = None
    for i, v in enumerate(values):
        if is_missing(v):
            x[i] = np.nan
            missing[i] = True
            continue
        try:
            f = float(v)
        except ValueError:
            return None  # text, wherever the infinite values were
        if not math.isfinite(f) and first_infinite is None:
            first_infinite = i
        x[i] = f
    if first_infinite is not None:
        raise ValueError(
            f"{purpose} column {column!r}: {table.where(first_infinite)} holds "
            f"{values[first_infinite]!r}, which is not a finite number"
        )
    return x, missing


def first_text_value(values: list[str]) -> tuple[int, str]:
    """Row index and value of the first cell that is neither missing nor a number.

    For a column :func:`parse_numbers` called text; ``StopIteration`` otherwise.
    """
    return next((i, v) for i, v in enumerate(values) if not is_missing(v)
                and not looks_numeric(v))


def require_numbers(
    values: list[str], table: Table, column: str, *, purpose: str
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`parse_numbers`, where a text value is an error naming column, row and value.

    Raises
    ------
    ValueError
        A value is not a number, or is not finite (the first such row).
    """
    parsed = parse_numbers(values, table, column, purpose=purpose)
    if parsed is None:
        i, bad = first_text_value(values)
        raise ValueError(
            f"{purpose} column {column!r}: {table.where(i)} holds {bad!r}, which is not a "
            "number"
        )
    return parsed


def mean_and_std(x: np.ndarray, overflow_message: str) -> tuple[float, float]:
    """Mean and population standard deviation of ``x`` for standardising (a std of 0 -> 1).

    Parameters
    ----------
    x : ndarray of float64, shape (n,), n >= 1
        Finite values.
    overflow_message : str
        The ValueError's message when the statistics overflow float64.
    """
    mean, std = float(np.mean(x)), float(np.std(x))
    if not (math.isfinite(mean) and math.isfinite(std)):
        raise ValueError(overflow_message)
    return mean, std if std > 0.0 else 1.0
