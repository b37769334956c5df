"""A target column's values, checked: the rows that have one, and the errors that name a
missing, infinite or non-numeric value by its row (for :class:`~numpynn.tabular.TargetEncoder`).
"""

from __future__ import annotations

import numpy as np

from .column_data import TextColumn
from .columns import refuse_infinity
from .inference import first_non_number
from .table import Table, check_rows
from .values import listing

__all__ = ["rows_with_target", "target_column", "check_no_missing", "finite_numbers",
           "raise_not_a_number"]


def rows_with_target(table: Table, target: str) -> np.ndarray:
    """The rows whose ``target`` value is present: train on (or evaluate) only those.

    Parameters
    ----------
    table : Table
    target : str
        The target column.

    Returns
    -------
    ndarray of int64, shape (m,)
        Row indices, ascending; ``table.n_rows - m`` rows have no target value.

    Raises
    ------
    ValueError
        ``target`` is not a column of ``table``.
    """
    return np.flatnonzero(~table.typed_column(target).missing).astype(np.int64)


def target_column(table: Table, name: str, rows: np.ndarray | None):
    """The typed column ``name`` of ``table``, at ``rows`` (checked) when given."""
    col = table.typed_column(name)
    if rows is not None:
        col = col.take(check_rows(rows, table.n_rows, "TargetEncoder: rows"))
    return col


def finite_numbers(col, table: Table, name: str, rows: np.ndarray | None) -> np.ndarray:
    """float64 copy of a NumberColumn's values; an infinite value is an error."""
    y = col.as_float64()
    refuse_infinity(y, table, rows, f"target column {name!r}")
    return y


def raise_not_a_number(col: TextColumn, table: Table, name: str,
                       rows: np.ndarray | None) -> None:
    """ValueError naming the first value of ``col`` that is not a number, and its row."""
    i, value = first_non_number(col)  # col: the target at ``rows`` already
    row = i if rows is None else int(rows[i])
    raise ValueError(f"target column {name!r}: {table.where(row)} holds {value!r}, which is "
                     "not a number")


def check_no_missing(col, table: Table, column: str, rows: np.ndarray | None) -> None:
    """ValueError naming (up to five of) the rows where ``col`` has no value."""
    missing = np.flatnonzero(col.missing)
    if missing.size:
        where = (table.where(int(i if rows is None else rows[i])) for i in missing[:5])
        raise ValueError(
            f"target column {column!r} has {missing.size} missing value(s): "
            f"{listing(where, missing.size, quote=False)}; remove those rows (numpynn train "
            "leaves them out: rows_with_target)"
        )
