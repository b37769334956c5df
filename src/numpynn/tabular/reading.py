"""``read_table``: the one public way to read a table (CSV, Parquet, Feather, a DataFrame or
an Arrow table) into a :class:`~numpynn.tabular.table.Table` of typed columns."""

from __future__ import annotations

from collections.abc import Iterable
from os import PathLike
from typing import Any

from .csv_files import read_csv
from .table import Table

__all__ = ["read_table"]


def read_table(
    source: str | PathLike[str] | Any,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
    na_values: Iterable[str] = (),
    text_columns: Iterable[str] | bool = (),
) -> Table:
    """Read ``source`` into a :class:`Table` (work in progress: CSV only for now)."""
    return read_csv(source, delimiter=delimiter or ",")
