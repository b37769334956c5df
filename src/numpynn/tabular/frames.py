"""pandas DataFrames to typed columns, with pandas' own ``factorize`` (no pyarrow needed).

The DataFrame's index is not a column (``df.reset_index()`` makes it one). Numeric columns
(NumPy or nullable dtypes) become numbers; ``category`` columns keep their codes; text,
object, boolean and date columns become text, and text columns of numbers become numbers
as in a CSV file.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np

from .column_data import Column, NumberColumn, TextColumn, format_number
from .inference import infer_column, recode

__all__ = ["is_dataframe", "from_pandas"]


def is_dataframe(obj: object) -> bool:
    """Whether ``obj`` is a pandas DataFrame (without importing pandas)."""
    return type(obj).__module__.startswith("pandas") and hasattr(obj, "columns") \
        and hasattr(obj, "dtypes")


def _as_text(value: object) -> str:
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
            value, (bool, np.bool_)):
        return format_number(float(value))
    return str(value)


def _codes_column(codes: np.ndarray, uniques: Any) -> TextColumn:
    text = np.array([_as_text(u) for u in list(uniques)], dtype=object)
    return TextColumn(np.asarray(codes).astype(np.int32), text)


def _convert(series: Any, name: str, na_values: Collection[str], as_text: bool
             ) -> tuple[Column, list[str]]:
    import pandas as pd
    from pandas.api import types as pdt

    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        cats = series.cat.categories
        return recode(_codes_column(series.cat.codes.to_numpy(), cats), na_values), []
    numeric = pdt.is_numeric_dtype(dtype) and not pdt.is_bool_dtype(dtype)
    if numeric and not as_text:
        if pdt.is_integer_dtype(dtype) and not series.hasnans:
            return NumberColumn(series.to_numpy(dtype=np.int64)), []
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        if dtype == np.float32:
            values = values.astype(np.float32)
        return NumberColumn(values), []
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    col = _codes_column(codes, uniques)
    if as_text or not (pdt.is_object_dtype(dtype) or pdt.is_string_dtype(dtype)):
        return recode(col, na_values), []
    return infer_column(col, name, missing=na_values, typed_source=True)


def from_pandas(df: Any, *, na_values: Collection[str] = (),
                text_columns: Collection[str] | bool = ()
                ) -> tuple[list[str], list[Column], list[str]]:
    """Names, typed columns and notes of a DataFrame's columns.

    Raises
    ------
    ValueError
        Two columns have the same name.
    """
    names = [str(c).strip() for c in df.columns]
    columns: list[Column] = []
    notes: list[str] = []
    for j, name in enumerate(names):
        as_text = text_columns is True or (text_columns is not False and name in text_columns)
        col, found = _convert(df.iloc[:, j], name, na_values, as_text)
        columns.append(col)
        notes.extend(found)
    return names, columns, notes
