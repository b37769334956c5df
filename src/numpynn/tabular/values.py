"""What a cell holds: missing values, numbers, and how errors list the offenders.

A value is *missing* when, after stripping surrounding whitespace, it is empty or one of
``NA``, ``N/A``, ``NaN``, ``null`` or ``None`` (any letter case; see :data:`MISSING_VALUES`),
or one of the reader's ``na_values``. How the preprocessing fills gaps is described in
:mod:`numpynn.tabular.columns`: a numeric gap is the training median plus a
``"<column> (missing)"`` indicator feature, a text gap a category of its own. A target value
that is missing leaves its row out of training (:func:`~numpynn.tabular.rows_with_target`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from itertools import islice
from typing import Any

import numpy as np

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
