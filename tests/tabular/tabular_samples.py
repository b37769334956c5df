"""Small tables and CSV files shared by the tests of numpynn.tabular."""

from __future__ import annotations

from pathlib import Path

from numpynn.tabular import Table

MIXED = (
    "age, color ,height,label\n"
    "20,red,1.5,yes\n"
    "30,blue,1.7,no\n"
    "40,red,NA,yes\n"
    "50,green,1.9,no\n"
)


def write(tmp_path: Path, text: str, name: str = "data.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def table(columns: list[str], *rows: list[object]) -> Table:
    return Table.from_rows(columns, rows)
