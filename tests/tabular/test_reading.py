"""Tests for numpynn.tabular.reading: read_table on every source (CSV dialects, Parquet,
Feather, DataFrame, Arrow), typed columns, markers, separators, pandas index columns, the
encoding and delimiter errors, and the standard-library reader without pyarrow."""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import numpy as np
import pytest
from tabular_samples import write

from numpynn.tabular import NumberColumn, Table, TextColumn, read_table

pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")

FRAME_COLUMNS = ["id", "size", "colour", "price", "code"]


def sample_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "id": [101, 102, 103, 104],
        "size": [1.5, np.nan, 3.25, -4.0],
        "colour": ["red", "blue", None, "red"],
        "price": [3750.0, 12.0, 7.5, 1e6],
        "code": ["007", "012", "007", "100"],
    })


def check_sample(t: Table, *, code_as_text: bool = True) -> None:
    """The typed columns of sample_frame(), whatever the source."""
    assert t.columns == FRAME_COLUMNS and t.n_rows == 4
    assert t.column("id").tolist() == [101, 102, 103, 104]
    size = t.column("size")
    assert size.dtype == np.float64 and np.isnan(size[1])
    np.testing.assert_array_equal(size[[0, 2, 3]], [1.5, 3.25, -4.0])
    assert isinstance(t.typed_column("colour"), TextColumn)
    assert t.column("colour").tolist() == ["red", "blue", None, "red"]
    assert t.strings("colour") == ["red", "blue", "", "red"]
    np.testing.assert_array_equal(t.column("price"), [3750.0, 12.0, 7.5, 1e6])
    if code_as_text:
        assert t.strings("code") == ["007", "012", "007", "100"]


# ------------------------------------------------------------------ every source, one table


def test_round_trip_of_every_reader(tmp_path: Path) -> None:
    import pyarrow.feather as feather
    import pyarrow.parquet as pq

    df = sample_frame()
    check_sample(read_table(df, text_columns=["code"]))
    arrow = pa.Table.from_pandas(df, preserve_index=False)
    check_sample(read_table(arrow, text_columns=["code"]))
    pq.write_table(arrow, tmp_path / "t.parquet")
    check_sample(read_table(tmp_path / "t.parquet"))
    feather.write_feather(arrow, tmp_path / "t.feather")
    check_sample(read_table(str(tmp_path / "t.feather")))
    df.to_csv(tmp_path / "t.csv", index=False)
    check_sample(read_table(tmp_path / "t.csv", text_columns=["code"]))
    with gzip.open(tmp_path / "t.csv.gz", "wt") as fh:
        df.to_csv(fh, index=False)
    check_sample(read_table(tmp_path / "t.csv.gz", text_columns=["code"]))
    table = read_table(tmp_path / "t.csv")
    assert read_table(table) is table
    # in a CSV file (where everything is text) a column of numbers is numbers, even "007";
    # a Parquet file, a DataFrame or an Arrow table says which columns are text
    assert table.column("code").tolist() == [7, 12, 7, 100]
    check_sample(read_table(df))
    check_sample(read_table(arrow))


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("a;b;c\n1,5;x;3\n2,25;y;4\n", ";"),  # European: decimal comma
        ("a\tb\tc\n1.5\tx\t3\n2.25\ty\t4\n", "\t"),
        ("a|b|c\n1.5|x|3\n2.25|y|4\n", "|"),
        ('"a","b","c"\r\n1.5,"x",3\r\n2.25,"y",4\r\n', ","),
        ("\ufeffa,b,c\n1.5,x,3\n\n2.25,y,4\n", ","),
    ],
)
def test_csv_dialects_are_detected(tmp_path: Path, text: str, delimiter: str) -> None:
    t = read_table(write(tmp_path, text))
    assert t.columns == ["a", "b", "c"]
    np.testing.assert_array_equal(t.column("a"), [1.5, 2.25])
    assert t.strings("b") == ["x", "y"] and t.column("c").tolist() == [3, 4]
    if delimiter != ",":
        assert any("separated" in note for note in t.notes)
    same = read_table(write(tmp_path, text, "again.csv"), delimiter=delimiter)
    np.testing.assert_array_equal(same.column("a"), t.column("a"))


def test_a_given_delimiter_that_does_not_split_the_file_names_the_option(tmp_path) -> None:
    path = write(tmp_path, "a;b\n1;2\n3;4\n")
    with pytest.raises(ValueError, match=r"semicolon \(;\)-separated; pass --delimiter ';'"):
        read_table(path, delimiter=",")
    tab = write(tmp_path, "a\tb\n1\t2\n", "tab.csv")
    with pytest.raises(ValueError, match="pass --delimiter tab"):
        read_table(tab, delimiter=";")
    assert read_table(tab, delimiter="tab").columns == ["a", "b"]
    with pytest.raises(ValueError, match="single character"):
        read_table(tab, delimiter="ab")


def test_latin1_file_names_the_encoding_option(tmp_path: Path) -> None:
    path = write(tmp_path, "name,y\nJos\xe9,1\nZo\xeb,2\n", encoding="latin-1")
    with pytest.raises(ValueError, match=r"not UTF-8 text.*--encoding latin-1"):
        read_table(path)
    t = read_table(path, encoding="latin-1")
    assert t.strings("name") == ["Jos\xe9", "Zo\xeb"]
    with pytest.raises(ValueError, match="unknown encoding"):
        read_table(path, encoding="klingon")


def test_latin1_after_the_sample_is_found_too(tmp_path: Path) -> None:
    rows = "".join(f"{i},plain\n" for i in range(40_000))  # more than the 256 KiB sample
    path = write(tmp_path, "a,b\n" + rows + "1,caf\xe9\n", encoding="latin-1")
    with pytest.raises(ValueError, match=r"not UTF-8 text.*--encoding"):
        read_table(path)


# ---------------------------------------------------------------- pandas index columns


@pytest.mark.parametrize("index_name", ["", "Unnamed: 0"])
def test_pandas_index_column_is_left_out_with_a_note(tmp_path: Path, index_name: str) -> None:
    path = write(tmp_path, f"{index_name},a,y\n0,1.5,p\n1,2.5,q\n")
    t = read_table(path)
    assert t.columns == ["a", "y"]
    assert "a pandas index" in t.notes[0] and "left out" in t.notes[0]


def test_a_dataframe_written_by_to_csv_reads_back(tmp_path: Path) -> None:
    df = sample_frame()
    df.to_csv(tmp_path / "pd.csv")  # pandas' default: the index as an unnamed first column
    check_sample(read_table(tmp_path / "pd.csv", text_columns=["code"]))


# --------------------------------------------------------- numbers, markers, gaps, text


def test_a_few_repeated_markers_in_a_numeric_column_are_gaps(tmp_path: Path) -> None:
    body = [str(3000 + i) if i % 3 else "?" for i in range(30)]  # a third are "?"
    path = write(tmp_path, "mass,dash,two\n" + "".join(
        f"{v},{'-' if i == 4 else i},{'?' if i == 1 else '-' if i == 2 else i}\n"
        for i, v in enumerate(body)))
    t = read_table(path)
    mass = t.typed_column("mass")
    assert isinstance(mass, NumberColumn) and mass.n_missing == 10
    assert any("'mass': 10 cells '?' read as missing" in n for n in t.notes)
    assert t.typed_column("dash").n_missing == 1
    # two different markers: text, as written
    assert isinstance(t.typed_column("two"), TextColumn)


def test_a_marker_in_most_cells_or_a_word_keeps_the_column_text(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b\n?,1\n?,unknown\n?,3\n5,4\n")
    t = read_table(path)
    assert isinstance(t.typed_column("a"), TextColumn)  # 3 of 4 cells are "?"
    assert isinstance(t.typed_column("b"), TextColumn)  # a word is not a marker


def test_thousands_separators_and_na_values(tmp_path: Path) -> None:
    path = write(tmp_path, 'mass,score\n"3,750",n.a.\n"12,000,500",7\n42,n.a.\n')
    t = read_table(path, na_values=["n.a."])
    np.testing.assert_array_equal(t.column("mass"), [3750, 12000500, 42])
    assert any("thousands separators" in n for n in t.notes)
    score = t.column("score")
    assert np.isnan(score[0]) and score[1] == 7 and np.isnan(score[2])
    # a single string is one marker
    assert read_table(path, na_values="n.a.").typed_column("score").n_missing == 2


def test_numbers_with_a_currency_or_percent_sign_are_numbers(tmp_path: Path) -> None:
    # spreadsheets' currency and percentage formats, as exported to CSV
    path = write(tmp_path, 'price,growth,cost,label,grade\n"$1,200.50",12%,€ 3,-,\n'
                           '-$40,-3.5 %,7 €,$,A\n$0.99,0%,£12,x,10%\n')
    t = read_table(path)
    np.testing.assert_array_equal(t.column("price"), [1200.5, -40, 0.99])
    np.testing.assert_array_equal(t.column("growth"), [12, -3.5, 0])
    np.testing.assert_array_equal(t.column("cost"), [3, 7, 12])
    assert "column 'price': numbers with a unit (such as '$1,200.50') read as the numbers " \
           "written, without it" in t.notes
    # a sign alone, or a unit among words, is text
    assert t.strings("label") == ["-", "$", "x"] and t.strings("grade") == ["", "A", "10%"]
    # in a decimal-comma file a unit does not hide the comma ("€ 1,50" is 1.5, not 150)
    euro = read_table(write(tmp_path, "a;b\n€ 1,50;2,5\n€ 2,25;3\n", "euro.csv"))
    np.testing.assert_array_equal(euro.column("a"), [1.5, 2.25])
    # a lone "$" among numbers is a marker: the note is the thousands separators'
    marked = read_table(write(tmp_path, 'v\n$\n"1,000"\n"2,000"\n3\n', "marked.csv"))
    assert np.isnan(marked.column("v")[0]) and marked.column("v")[1] == 1000
    assert any("thousands separators (such as '1,000')" in n for n in marked.notes)
    assert not any("with a unit" in n for n in marked.notes)
    typed = read_table(pd.DataFrame({"p": ["$5", "$7"], "q": ["5", "7"]}))
    np.testing.assert_array_equal(typed.column("p"), [5, 7])  # a unit: numbers, as "3,750"
    assert typed.strings("q") == ["5", "7"]  # plain-number text in a typed source stays text


def test_missing_spellings_any_case_and_whitespace(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b\n1, NA \nnan,x\n3,None\nNULL,n/a\n")
    t = read_table(path)
    a = t.column("a")
    assert np.isnan(a[[1, 3]]).all() and a[0] == 1 and a[2] == 3
    assert t.column("b").tolist() == [None, "x", None, None]


def test_booleans_dates_and_an_empty_column_are_read(tmp_path: Path) -> None:
    path = write(tmp_path, "flag,day,empty,y\ntrue,2020-01-01,,1\nfalse,2020-01-02,NA,2\n")
    t = read_table(path)
    assert t.strings("flag") == ["true", "false"]
    assert t.strings("day") == ["2020-01-01", "2020-01-02"]
    empty = t.typed_column("empty")
    assert isinstance(empty, NumberColumn) and empty.n_missing == 2


def test_a_guess_from_the_first_rows_that_a_later_row_disproves(tmp_path: Path) -> None:
    head = "".join(f"{i},{i}\n" for i in range(30_000))  # integers, past the sample
    path = write(tmp_path, "n,m\n" + head + "2.5,oops\n")
    t = read_table(path)
    n = t.column("n")
    assert n.dtype == np.float64 and n[-1] == 2.5 and n[5] == 5
    assert isinstance(t.typed_column("m"), TextColumn) and t.strings("m")[-1] == "oops"


def test_errors_name_the_line_of_a_pyarrow_read(tmp_path: Path) -> None:
    from numpynn.tabular import Preprocessor

    pre = Preprocessor.fit(read_table(write(tmp_path, "h\n1.5\n1.7\n", "train.csv")), None)
    bad = read_table(write(tmp_path, '"h"\n1.5\n\n"x\ny"\n', "new.csv"))
    # the line on which the row ends (a quoted value spans lines 4 and 5)
    with pytest.raises(ValueError, match=r"'h'.*row 2 \(line 5 of .*new.csv\).*'x\\ny'"):
        pre.transform(bad)


def test_bad_sources(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nope.parquet"):
        read_table(tmp_path / "nope.parquet")
    (tmp_path / "fake.parquet").write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="cannot read it as a Parquet file"):
        read_table(tmp_path / "fake.parquet")
    with pytest.raises(TypeError, match="file path, a pandas DataFrame or a pyarrow Table"):
        read_table([[1, 2]])
    with pytest.raises(TypeError, match="na_values must be strings"):
        read_table(sample_frame(), na_values=[1])


def test_dataframe_dtypes() -> None:
    df = pd.DataFrame({
        "cat": pd.Categorical(["a", "b", None, "a"]),
        "nullable": pd.array([1, None, 3, 4], dtype="Int64"),
        "flag": [True, False, True, True],
        "mixed": [1, "x", None, 2.5],
        "f32": np.float32([1, 2, 3, 4]),
    })
    t = read_table(df)
    assert t.column("cat").tolist() == ["a", "b", None, "a"]
    nullable = t.column("nullable")
    assert np.isnan(nullable[1]) and nullable[3] == 4
    assert t.strings("flag") == ["True", "False", "True", "True"]
    assert t.strings("mixed") == ["1", "x", "", "2.5"]
    assert t.column("f32").dtype == np.float32


# --------------------------------------------------------------- without pyarrow


def test_the_standard_library_reader_gives_the_same_table(tmp_path: Path, monkeypatch) -> None:
    text = ('id,size,colour,price,code,mark\n101,1.5,red,"3,750",007,?\n102,,blue,12,012,2\n'
            '103,3.25,,7.5,007,?\n104,-4,red,1e6,100,4\n')
    path = write(tmp_path, text)
    fast = read_table(path, text_columns=["code"])
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow -> ImportError
    slow = read_table(path, text_columns=["code"])
    assert slow.columns == fast.columns and slow.notes == fast.notes
    for name in fast.columns:
        a, b = fast.typed_column(name), slow.typed_column(name)
        assert type(a) is type(b), name
        assert a.strings() == b.strings(), name
    assert slow.where(1) == f"row 2 (line 3 of {path})" == fast.where(1)
    (tmp_path / "t.parquet").write_bytes(b"PAR1")
    with pytest.raises(ImportError, match="pip install"):
        read_table(tmp_path / "t.parquet")
