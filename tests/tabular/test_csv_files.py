"""Tests for numpynn.tabular.csv_files: read_csv and write_csv (dialects, bad files, atomic)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tabular_samples import MIXED, write

from numpynn.tabular import TargetEncoder, is_missing, read_csv, write_csv

# ---------------------------------------------------------------------------------------------
# read_csv
# ---------------------------------------------------------------------------------------------


def test_read_csv_columns_values_and_stripping(tmp_path: Path) -> None:
    t = read_csv(write(tmp_path, MIXED))
    assert t.columns == ["age", "color", "height", "label"]
    assert t.n_rows == len(t) == 4
    assert t.strings("color") == ["red", "blue", "red", "green"]
    assert t.column("color").tolist() == ["red", "blue", "red", "green"]
    assert not t.is_numeric("color") and t.is_numeric("height")
    assert t.column("age").tolist() == [20, 30, 40, 50]
    height = t.column("height")
    assert height.dtype == np.float64 and np.isnan(height[2]) and height[3] == 1.9
    assert t.lines is not None and [t.lines[i] for i in range(4)] == [2, 3, 4, 5]


def test_read_csv_bom_crlf_quotes_and_blank_lines(tmp_path: Path) -> None:
    text = '\ufeffa,b\r\n1," x, y "\r\n\r\n2,"z"\r\n'
    t = read_csv(write(tmp_path, text))
    assert t.columns == ["a", "b"]  # BOM not part of the first name
    assert t.strings("b") == ["x, y", "z"]
    assert t.column("a").tolist() == [1, 2]


def test_read_csv_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        read_csv(tmp_path / "nope.csv")


def test_read_csv_directory(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="directory"):
        read_csv(tmp_path)


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("", "empty"),
        ("\n\n", "empty"),
        ("1,2,3\n4,5,6\n", "no header"),
        ("a,b,a\n1,2,3\n", r"duplicate column names.*'a'"),
        ("a,,c\n1,2,3\n", "column 2 .*empty name"),
        ("a,b,\n1,2,3\n", "column 3 .*empty name"),
        ("a,b\n1,2\n3\n", r"line 3 has 1 fields, expected 2"),
        ("a,b\n1,2\n3,4,5\n", r"line 3 has 3 fields, expected 2"),
        ("a,b\n", "no data rows"),
        ('a,b\n1,"unterminated\n', r"malformed CSV near line 2"),
    ],
)
def test_read_csv_bad_files(tmp_path: Path, text: str, pattern: str) -> None:
    path = write(tmp_path, text, name="bad.csv")
    with pytest.raises(ValueError, match=pattern) as info:
        read_csv(path)
    assert "bad.csv" in str(info.value)


def test_read_csv_not_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b\n\xe9,1\n", encoding="latin-1")
    with pytest.raises(ValueError, match="UTF-8"):
        read_csv(path)


def test_read_csv_other_delimiter(tmp_path: Path) -> None:
    t = read_csv(write(tmp_path, "a;b\n1;2\n"), delimiter=";")
    assert t.columns == ["a", "b"]
    with pytest.raises(ValueError, match="delimiter"):
        read_csv(write(tmp_path, "a;b\n1;2\n"), delimiter=";;")
    # read_csv does not guess: a ;-separated file read as CSV names the option
    with pytest.raises(ValueError, match=r"semicolon \(;\)-separated; pass --delimiter ';'"):
        read_csv(write(tmp_path, "a;b\n1;2\n"))


# ---------------------------------------------------------------------------------------------
# write_csv
# ---------------------------------------------------------------------------------------------


def test_write_csv_round_trips_through_read_csv(tmp_path: Path) -> None:
    t = read_csv(write(tmp_path, MIXED))
    enc = TargetEncoder.fit(t, "label")
    preds = enc.to_strings(enc.transform(t))
    out = write_csv(tmp_path / "out.csv", [*t.columns, "predicted"], [*t.data, preds])
    back = read_csv(out)
    assert back.columns == [*t.columns, "predicted"]
    assert [back.strings(c) for c in back.columns] == [*(t.strings(c) for c in t.columns),
                                                       preds]
    np.testing.assert_array_equal(back.column("height"), t.column("height"))
    tricky = write_csv(tmp_path / "q.csv", ["a", "b"], [['x, "y"', None], [1.5, "z"]])
    back = read_csv(tricky)
    assert back.strings("a") == ['x, "y"', ""] and back.strings("b") == ["1.5", "z"]
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_write_csv_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="2 column names but 1"):
        write_csv(tmp_path / "o.csv", ["a", "b"], [["1"]])
    with pytest.raises(ValueError, match="different lengths"):
        write_csv(tmp_path / "o.csv", ["a", "b"], [["1"], ["1", "2"]])
    with pytest.raises(ValueError, match="duplicate"):
        write_csv(tmp_path / "o.csv", ["a", "a"], [["1"], ["2"]])
    with pytest.raises(ValueError, match="does not exist"):
        write_csv(tmp_path / "no" / "o.csv", ["a"], [["1"]])
    assert not (tmp_path / "o.csv").exists()


def test_single_column_file_keeps_missing_values(tmp_path: Path) -> None:
    out = write_csv(tmp_path / "one.csv", ["y"], [["a", None, "b"]])
    assert read_csv(out).strings("y") == ["a", "", "b"]


try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover
    pass
else:
    _cell = st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff")
        | st.sampled_from([",", '"', "\n", "\r", ";"]),
        max_size=8,
    ).map(str.strip)

    @settings(max_examples=60, deadline=None)
    @given(
        n_cols=st.integers(1, 4),
        rows=st.lists(st.lists(_cell, min_size=4, max_size=4), min_size=1, max_size=6),
    )
    def test_write_then_read_round_trip(tmp_path_factory, n_cols: int, rows) -> None:
        path = tmp_path_factory.mktemp("rt") / "t.csv"
        names = [f"c{j}" for j in range(n_cols)]
        data = [[row[j] for row in rows] for j in range(n_cols)]
        write_csv(path, names, data)
        t = read_csv(path, text_columns=True)
        assert t.columns == names
        # every cell comes back as written, a missing-value spelling as a gap
        assert [t.strings(c) for c in names] == [
            ["" if is_missing(v) else v for v in col] for col in data]
