"""Tests for numpynn.tabular.table and .values: Table, and what counts as a missing value."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tabular_samples import MIXED, table, write

from numpynn.tabular import is_missing, read_csv


def test_table_take_and_where(tmp_path: Path) -> None:
    t = read_csv(write(tmp_path, MIXED))
    sub = t.take(np.array([3, 1]))
    assert sub.column("age").tolist() == [50, 30]
    assert sub.strings("color") == ["green", "blue"]
    assert sub.where(0) == f"row 1 (line 5 of {t.source})"
    assert t.take([]).n_rows == 0
    with pytest.raises(ValueError, match="indices"):
        t.take([4])
    with pytest.raises(TypeError, match="indices"):
        t.take([0.5])


def test_table_from_rows_validation() -> None:
    t = table(["a", "b"], [1, None], [2.5, " x "])
    assert t.column("a").dtype == np.float64 and t.column("a").tolist() == [1.0, 2.5]
    assert t.column("b").tolist() == [None, "x"] and t.strings("b") == ["", "x"]
    with pytest.raises(ValueError, match="row 2 has 1 values"):
        table(["a", "b"], [1, 2], [3])
    with pytest.raises(TypeError, match="column 'b'"):
        table(["a", "b"], [1, [2]])
    with pytest.raises(ValueError, match="duplicate"):
        table(["a", "a"], [1, 2])
    with pytest.raises(ValueError, match="no column named 'zzz'"):
        t.column("zzz")


def test_is_missing() -> None:
    for v in ["", " ", "NA", "n/a", "NaN", "nan", "NULL", "None"]:
        assert is_missing(v)
    for v in ["0", "red", "nana"]:
        assert not is_missing(v)
