"""A table's columns checked for the recipe's features, with messages that name the file.

:class:`~numpynn.tabular.recipe_features.RecipeFeatures` takes any table-like input and
says what is wrong in terms of ``X``.  A :class:`~numpynn.tabular.Table` read from a file
knows more: its source and each row's line.  :func:`table_for_recipe` uses it, as the
plain network's :class:`~numpynn.tabular.Preprocessor` does: a missing column names the
file and the columns there are, text or infinity in a numeric column names the row and the
value, a numeric column read as text (``?`` markers) is read as numbers, and categories the
training rows did not have give an :class:`~numpynn.tabular.UnseenCategoryWarning`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import numpy as np

from .column_data import NumberColumn, TextColumn
from .columns import UnseenCategoryWarning, _text_as_numbers, refuse_infinity
from .recipe_columns import category_key
from .table import Table
from .values import listing

__all__ = ["check_finite", "table_for_recipe"]


def check_finite(table: Table, names: Iterable[str]) -> None:
    """ValueError naming the row of the first infinite value in a numeric column of
    ``names`` (NaN is a gap, and fine)."""
    for name in names:
        col = table.typed_column(name)
        if not isinstance(col, NumberColumn):
            continue
        refuse_infinity(col.as_float64(), table, None, f"numeric column {name!r}")


def table_for_recipe(table: Table, features) -> Table:
    """``table`` with the fitted ``features``' numeric columns as numbers, checked.

    Parameters
    ----------
    table : Table
    features : RecipeFeatures

    Raises
    ------
    ValueError
        A fitted column is missing, or a numeric one holds text or infinity.

    Warns
    -----
    UnseenCategoryWarning
        Once per categorical column holding values the training rows did not have.
    """
    absent = [c for c in features.columns if not table.has_column(c)]
    if absent:
        raise ValueError(f"{table.source}: missing feature column(s) {absent} that the model "
                         f"was trained with; the columns are {table.columns}")
    numeric = {plan.name for plan in features.numeric}
    data, parsed = list(table.data), False
    for j, name in enumerate(table.columns):
        if name in numeric and isinstance(data[j], TextColumn):
            data[j] = _text_as_numbers(data[j], table, name, None)
            parsed = True
    checked = Table(list(table.columns), data, source=table.source, lines=table.lines,
                    notes=table.notes) if parsed else table
    check_finite(checked, sorted(numeric))
    for name, categories in features.categories.items():
        _warn_unseen(checked, name, categories, name in features.one_hot)
    return checked


def _warn_unseen(table: Table, name: str, categories: list[str], one_hot: bool) -> None:
    known = set(categories)
    col = table.typed_column(name)
    if isinstance(col, TextColumn):  # the distinct values present, without a row loop
        used = np.unique(col.codes[col.codes >= 0])
        values = [category_key(v) for v in col.categories[used].tolist()]
    else:
        numbers = col.as_float64()
        values = [category_key(v) for v in np.unique(numbers[~np.isnan(numbers)]).tolist()]
    unseen = sorted(v for v in set(values) if v not in known)
    if unseen:
        warnings.warn(
            f"{table.source}: {'text' if isinstance(col, TextColumn) else 'categorical'} "
            f"column {name!r} has {len(unseen)} categor{'y' if len(unseen) == 1 else 'ies'} "
            f"not seen in training, encoded "
            f"{'as all zeros' if one_hot else 'as a gap'}: {listing(unseen, len(unseen))}",
            UnseenCategoryWarning,
            stacklevel=4,  # _warn_unseen <- table_for_recipe <- transform <- caller
        )
