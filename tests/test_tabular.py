"""Tests for numpynn.tabular: CSV reading, feature preprocessing, targets, splitting."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from numpynn.tabular import (
    Preprocessor,
    Table,
    TargetEncoder,
    UnseenCategoryWarning,
    is_missing,
    read_csv,
    train_validation_split,
)

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


# ---------------------------------------------------------------------------------------------
# read_csv
# ---------------------------------------------------------------------------------------------


def test_read_csv_columns_values_and_stripping(tmp_path: Path) -> None:
    t = read_csv(write(tmp_path, MIXED))
    assert t.columns == ["age", "color", "height", "label"]
    assert t.n_rows == len(t) == 4
    assert t.column("color") == ["red", "blue", "red", "green"]
    assert t.column("height")[2] == "NA"
    assert t.lines is not None and t.lines.tolist() == [2, 3, 4, 5]


def test_read_csv_bom_crlf_quotes_and_blank_lines(tmp_path: Path) -> None:
    text = '\ufeffa,b\r\n1," x, y "\r\n\r\n2,"z"\r\n'
    t = read_csv(write(tmp_path, text))
    assert t.columns == ["a", "b"]  # BOM not part of the first name
    assert t.column("b") == ["x, y", "z"]
    assert t.column("a") == ["1", "2"]


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


def test_table_take_and_where(tmp_path: Path) -> None:
    t = read_csv(write(tmp_path, MIXED))
    sub = t.take(np.array([3, 1]))
    assert sub.column("age") == ["50", "30"]
    assert sub.where(0) == f"row 1 (line 5 of {t.source})"
    assert t.take([]).n_rows == 0
    with pytest.raises(ValueError, match="indices"):
        t.take([4])
    with pytest.raises(TypeError, match="indices"):
        t.take([0.5])


def test_table_from_rows_validation() -> None:
    t = table(["a", "b"], [1, None], [2.5, " x "])
    assert t.data == [["1", "2.5"], ["", "x"]]
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


# ---------------------------------------------------------------------------------------------
# Preprocessor
# ---------------------------------------------------------------------------------------------


def test_mixed_columns_layout_and_values(tmp_path: Path) -> None:
    t = read_csv(write(tmp_path, MIXED))
    pre = Preprocessor.fit(t, "label")
    assert pre.input_columns == ["age", "color", "height"]
    assert pre.numeric_columns == ["age", "height"]
    assert pre.categorical_columns == ["color"]
    assert pre.feature_names == ["age", "color=blue", "color=green", "color=red", "height"]
    X = pre.transform(t)
    assert X.dtype == np.float32 and X.shape == (4, 5) and X.flags.c_contiguous
    age = np.array([20, 30, 40, 50], dtype=np.float64)
    np.testing.assert_allclose(X[:, 0], (age - age.mean()) / age.std(), rtol=1e-6)
    np.testing.assert_array_equal(
        X[:, 1:4], [[0, 0, 1], [1, 0, 0], [0, 0, 1], [0, 1, 0]]
    )
    h = np.array([1.5, 1.7, 1.9])
    # NA imputed with the training mean -> exactly 0 after standardising
    expected_h = [(1.5 - h.mean()) / h.std(), (1.7 - h.mean()) / h.std(), 0.0,
                  (1.9 - h.mean()) / h.std()]
    np.testing.assert_allclose(X[:, 4], expected_h, rtol=1e-6, atol=1e-7)
    assert X[2, 4] == 0.0


def test_statistics_come_from_training_rows_only() -> None:
    full = table(["x", "c", "y"], [0, "a", 1], [2, "b", 2], [100, "z", 3], [-50, "b", 4])
    train = full.take([0, 1])
    pre = Preprocessor.fit(train, "y")
    state = pre.to_dict()["columns"]
    assert state[0] == {"name": "x", "kind": "numeric", "mean": 1.0, "std": 1.0}
    assert state[1]["categories"] == ["a", "b"]
    with pytest.warns(UnseenCategoryWarning):
        X = pre.transform(full)
    np.testing.assert_allclose(X[:, 0], [-1.0, 1.0, 99.0, -51.0])


def test_feature_columns_order_and_selection() -> None:
    t = table(["a", "b", "c", "y"], [1, "u", 3, 0], [2, "v", 5, 1])
    pre = Preprocessor.fit(t, "y", feature_columns=["c", "a"])
    assert pre.feature_names == ["c", "a"]
    X = pre.transform(t)
    np.testing.assert_array_equal(X, [[-1, -1], [1, 1]])


def test_target_is_ignored_and_optional_at_transform() -> None:
    t = table(["a", "y"], [1, "p"], [3, "q"])
    pre = Preprocessor.fit(t, "y")
    without_target = table(["a"], [1], [3])
    np.testing.assert_array_equal(pre.transform(t), pre.transform(without_target))
    extra = table(["zz", "a"], ["junk", 1])
    assert pre.transform(extra).shape == (1, 1)


def test_constant_column_std_is_one() -> None:
    t = table(["a", "y"], [5, 0], [5, 1], [5, 0])
    pre = Preprocessor.fit(t, "y")
    assert pre.to_dict()["columns"][0]["std"] == 1.0
    np.testing.assert_array_equal(pre.transform(t), np.zeros((3, 1), np.float32))


def test_large_values_standardise_without_overflow() -> None:
    # float32 cannot hold 1e39, but each column is parsed in float64 and only the
    # standardised values are stored as float32
    t = table(["a"], ["1e39"], ["3e39"])
    X = Preprocessor.fit(t, None).transform(t)
    assert X.dtype == np.float32
    np.testing.assert_allclose(X[:, 0], [-1.0, 1.0])


def test_unseen_category_warns_once_per_column_naming_values() -> None:
    train = table(["color", "size"], ["red", "S"], ["blue", "M"])
    pre = Preprocessor.fit(train, None)
    test = table(["color", "size"], ["purple", "S"], ["teal", "XL"], ["purple", "M"],
                 ["red", "S"], ["", "S"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        X = pre.transform(test)
    msgs = [str(w.message) for w in caught if issubclass(w.category, UnseenCategoryWarning)]
    assert len(msgs) == 2
    color_msg = next(m for m in msgs if "'color'" in m)
    assert "'purple'" in color_msg and "'teal'" in color_msg and "2 categories" in color_msg
    assert "'XL'" in next(m for m in msgs if "'size'" in m)
    # unseen and missing rows are all zeros in the colour block; seen ones are one-hot
    color = X[:, :2]  # color=blue, color=red
    np.testing.assert_array_equal(color, [[0, 0], [0, 0], [0, 0], [0, 1], [0, 0]])


def test_unseen_warning_lists_at_most_five_values() -> None:
    pre = Preprocessor.fit(table(["c"], ["a"], ["b"]), None)
    test = Table(["c"], [[f"v{i}" for i in range(9)]])
    with pytest.warns(UnseenCategoryWarning, match=r"9 categories.*\(and 4 more\)"):
        pre.transform(test)


def test_missing_text_value_is_not_a_category_and_does_not_warn() -> None:
    t = table(["c"], ["a"], [""], ["NA"], ["b"])
    pre = Preprocessor.fit(t, None)
    assert pre.feature_names == ["c=a", "c=b"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X = pre.transform(t)
    np.testing.assert_array_equal(X, [[1, 0], [0, 0], [0, 0], [0, 1]])


def test_non_numeric_value_in_numeric_column_names_column_row_value(tmp_path: Path) -> None:
    pre = Preprocessor.fit(read_csv(write(tmp_path, MIXED)), "label")
    bad = read_csv(write(tmp_path, "age,color,height\n20,red,1.5\n30,red,tall\n", "new.csv"))
    with pytest.raises(ValueError, match=r"'height'.*row 2 \(line 3 of .*new.csv\).*'tall'"):
        pre.transform(bad)


@pytest.mark.parametrize("value", ["inf", "-Infinity"])
def test_infinite_values_are_rejected(value: str) -> None:
    with pytest.raises(ValueError, match=r"'a'.*row 2.*not a finite number"):
        Preprocessor.fit(table(["a"], ["1"], [value]), None)
    pre = Preprocessor.fit(table(["a"], ["1"], ["2"]), None)
    with pytest.raises(ValueError, match=r"'a'.*row 1.*not a finite number"):
        pre.transform(table(["a"], [value]))


def test_missing_feature_column_at_transform_is_named() -> None:
    pre = Preprocessor.fit(table(["a", "b", "y"], [1, 2, 3], [4, 5, 6]), "y")
    with pytest.raises(ValueError, match=r"missing feature column\(s\) \['b'\]"):
        pre.transform(table(["a", "y"], [1, 2]))


def test_fit_errors() -> None:
    t = table(["a", "b", "y"], [1, "x", 0], [2, "y", 1])
    with pytest.raises(ValueError, match="target column 'nope'"):
        Preprocessor.fit(t, "nope")
    with pytest.raises(ValueError, match=r"\['zz'\] are not in"):
        Preprocessor.fit(t, "y", feature_columns=["a", "zz"])
    with pytest.raises(ValueError, match="cannot also be a feature"):
        Preprocessor.fit(t, "y", feature_columns=["a", "y"])
    with pytest.raises(ValueError, match="repeats"):
        Preprocessor.fit(t, "y", feature_columns=["a", "a"])
    with pytest.raises(TypeError, match="list of column names"):
        Preprocessor.fit(t, "y", feature_columns="a")
    with pytest.raises(ValueError, match="no feature columns"):
        Preprocessor.fit(table(["y"], [1]), "y")
    with pytest.raises(TypeError, match="Table"):
        Preprocessor.fit([[1, 2]], "y")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="missing in every row"):
        Preprocessor.fit(table(["a", "y"], ["", 1], ["NA", 2]), "y")
    with pytest.raises(ValueError, match="max_categories"):
        Preprocessor.fit(table(["a", "y"], [1, 2]), "y", max_categories=0)


def test_identifier_like_text_column_is_refused() -> None:
    t = Table(["id", "y"], [[f"id{i}" for i in range(30)], ["1"] * 30])
    with pytest.raises(ValueError, match=r"'id' has 30 distinct values.*max_categories=10"):
        Preprocessor.fit(t, "y", max_categories=10)
    assert Preprocessor.fit(t, "y", max_categories=None).n_features == 30


def test_preprocessor_json_round_trip_is_exact() -> None:
    t = table(["x", "c", "y"], [0.1, "b", 0], [0.7, "a", 1], [1 / 3, "b", 0])
    pre = Preprocessor.fit(t, "y")
    d = pre.to_dict()
    text = json.dumps(d)
    again = Preprocessor.from_dict(json.loads(text))
    assert again.to_dict() == d
    assert json.dumps(again.to_dict()) == text
    assert again.feature_names == pre.feature_names
    np.testing.assert_array_equal(again.transform(t), pre.transform(t))


def _good_state() -> dict:
    t = table(["x", "c", "y"], [1, "b", 0], [2, "a", 1])
    return Preprocessor.fit(t, "y").to_dict()


@pytest.mark.parametrize(
    ("mutate", "pattern"),
    [
        (lambda d: d.update(format="other"), "'format'"),
        (lambda d: d.update(version=99), "version"),
        (lambda d: d.pop("columns"), r"missing \['columns'\]"),
        (lambda d: d.update(extra=1), r"unexpected \['extra'\]"),
        (lambda d: d.update(columns=[]), "'columns'"),
        (lambda d: d.update(target=5), "'target'"),
        (lambda d: d["columns"][0].update(kind="weird"), "'kind'"),
        (lambda d: d["columns"][0].update(std=0.0), "'std'"),
        (lambda d: d["columns"][0].update(std=float("nan")), "'std'"),
        (lambda d: d["columns"][0].update(mean="1"), "'mean'"),
        (lambda d: d["columns"][0].update(mean=True), "'mean'"),
        (lambda d: d["columns"][0].pop("mean"), r"columns\[0\].*missing \['mean'\]"),
        (lambda d: d["columns"][1].update(categories=["b", "a"]), "sorted"),
        (lambda d: d["columns"][1].update(categories=["a", 3]), "list of strings"),
        (lambda d: d["columns"][1].update(name="x"), "repeats"),
        (lambda d: d["columns"][1].update(name="y"), "repeats"),
        (lambda d: d["columns"].append("x"), r"columns\[2\] must be a dict"),
    ],
)
def test_preprocessor_from_dict_rejects_bad_state(mutate, pattern: str) -> None:
    d = _good_state()
    mutate(d)
    with pytest.raises(ValueError, match=pattern):
        Preprocessor.from_dict(d)


def test_preprocessor_from_dict_rejects_non_dict() -> None:
    with pytest.raises(ValueError, match="expected a dict"):
        Preprocessor.from_dict([1, 2])  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# TargetEncoder
# ---------------------------------------------------------------------------------------------


def test_text_target_is_classification_with_sorted_labels() -> None:
    t = table(["y"], ["cat"], ["dog"], ["ant"], ["dog"])
    enc = TargetEncoder.fit(t, "y")
    assert enc.task == "classification" and enc.is_classification
    assert enc.classes == ["ant", "cat", "dog"] and enc.n_outputs == 3
    y = enc.transform(t)
    assert y.dtype == np.int64 and y.shape == (4,)
    np.testing.assert_array_equal(y, [1, 2, 0, 2])
    assert enc.to_strings(y) == ["cat", "dog", "ant", "dog"]
    np.testing.assert_array_equal(enc.inverse_transform(y), ["cat", "dog", "ant", "dog"])


def test_integer_target_with_few_values_is_classification_sorted_by_value() -> None:
    values = ["10", "2", "2", "10", "3", "3.0"]
    enc = TargetEncoder.fit(Table(["y"], [values]), "y")
    assert enc.task == "classification"
    assert enc.classes == ["2", "3", "10"]  # by value; spelled as first seen
    y = enc.transform(Table(["y"], [values]))
    np.testing.assert_array_equal(y, [2, 0, 0, 2, 1, 1])
    assert enc.to_strings(y) == ["10", "2", "2", "10", "3", "3"]
    # "2.0" is the same class as "2"
    np.testing.assert_array_equal(enc.transform(Table(["y"], [["2.0"]])), [0])


@pytest.mark.parametrize(
    ("values", "task"),
    [
        (["0", "1"] * 10, "classification"),
        ([str(i % 20) for i in range(40)], "classification"),  # 20 values, 2 rows each
        ([str(i % 21) for i in range(42)], "regression"),  # 21 distinct: too many
        (["1", "2", "3", "1"], "regression"),  # 3 distinct values in 4 rows: too few rows each
        (["0.5", "1", "0.5", "1"], "regression"),  # not integers
        (["1.5", "2.25", "3.0", "-4"], "regression"),
        (["1", "2", "x", "1"], "classification"),  # any text -> labels
    ],
)
def test_task_detection(values: list[str], task: str) -> None:
    assert TargetEncoder.fit(Table(["y"], [values]), "y").task == task


def test_task_override() -> None:
    t = Table(["y"], [["1", "2", "3", "1"]])
    assert TargetEncoder.fit(t, "y", task="classification").classes == ["1", "2", "3"]
    t2 = Table(["y"], [["0", "1"] * 5])
    assert TargetEncoder.fit(t2, "y", task="regression").task == "regression"
    with pytest.raises(ValueError, match="regression needs a numeric target.*'x'"):
        TargetEncoder.fit(Table(["y"], [["1", "x"]]), "y", task="regression")
    with pytest.raises(ValueError, match="task must be"):
        TargetEncoder.fit(t, "y", task="ranking")  # type: ignore[arg-type]


def test_regression_standardised_and_inverted() -> None:
    values = ["1.5", "2.5", "4.0", "8.0"]
    t = Table(["y"], [values])
    enc = TargetEncoder.fit(t, "y")
    assert enc.task == "regression" and enc.n_outputs == 1 and enc.classes is None
    y = enc.transform(t)
    assert y.dtype == np.float32 and y.shape == (4, 1)
    v = np.array([1.5, 2.5, 4.0, 8.0])
    np.testing.assert_allclose(y[:, 0], (v - v.mean()) / v.std(), rtol=1e-6)
    back = enc.inverse_transform(y)
    assert back.dtype == np.float32 and back.shape == (4, 1)
    np.testing.assert_allclose(back[:, 0], v, rtol=1e-6)
    assert enc.to_strings(y) == ["1.5", "2.5", "4", "8"]
    assert enc.inverse_transform(y[:, 0]).shape == (4,)


def test_regression_without_standardising() -> None:
    t = Table(["y"], [["1.5", "2.5", "4.0"]])
    enc = TargetEncoder.fit(t, "y", standardize=False)
    assert (enc.mean, enc.std) == (0.0, 1.0)
    np.testing.assert_array_equal(enc.transform(t)[:, 0], np.float32([1.5, 2.5, 4.0]))


def test_unknown_class_label_at_evaluate_names_it() -> None:
    enc = TargetEncoder.fit(table(["y"], ["a"], ["b"]), "y")
    with pytest.raises(ValueError, match=r"row 2.*'c'.*not trained on"):
        enc.transform(table(["y"], ["a"], ["c"]))


def test_target_errors() -> None:
    with pytest.raises(ValueError, match=r"missing value\(s\): row 2"):
        TargetEncoder.fit(table(["y"], ["a"], ["NA"], ["b"]), "y")
    with pytest.raises(ValueError, match="single class"):
        TargetEncoder.fit(table(["y"], ["a"], ["a"]), "y")
    with pytest.raises(ValueError, match="no column named 'zz'"):
        TargetEncoder.fit(table(["y"], ["a"]), "zz")
    enc = TargetEncoder.fit(Table(["y"], [["1.5", "2.5", "3.7"]]), "y")
    with pytest.raises(ValueError, match="no target column 'y'"):
        enc.transform(table(["x"], [1]))
    with pytest.raises(ValueError, match=r"row 1.*'abc'.*not a number"):
        enc.transform(table(["y"], ["abc"]))
    with pytest.raises(ValueError, match="shape"):
        enc.inverse_transform(np.zeros((2, 2)))
    cls = TargetEncoder.fit(table(["y"], ["a"], ["b"]), "y")
    with pytest.raises(ValueError, match=r"\[0, 2\)"):
        cls.inverse_transform(np.array([0, 2]))
    with pytest.raises(ValueError, match="int class labels"):
        cls.inverse_transform(np.array([0.0, 1.0]))


@pytest.mark.parametrize(
    "values",
    [["b", "a", "c", "a"], ["3", "1", "1", "3", "2", "2"], ["0.1", "2.5", "1e3"]],
)
def test_target_json_round_trip_is_exact(values: list[str]) -> None:
    enc = TargetEncoder.fit(Table(["y"], [values]), "y")
    d = enc.to_dict()
    text = json.dumps(d)
    again = TargetEncoder.from_dict(json.loads(text))
    assert again.to_dict() == d and json.dumps(again.to_dict()) == text
    t = Table(["y"], [values])
    np.testing.assert_array_equal(again.transform(t), enc.transform(t))


@pytest.mark.parametrize(
    ("state", "pattern"),
    [
        ([1], "expected a dict"),
        ({"format": "numpynn.tabular.TargetEncoder", "version": 1, "name": "y", "task": "x"},
         "'task'"),
        ({"format": "numpynn.tabular.TargetEncoder", "version": 1, "name": "y",
          "task": "classification", "classes": ["a"], "numeric_labels": False}, "at least two"),
        ({"format": "numpynn.tabular.TargetEncoder", "version": 1, "name": "y",
          "task": "classification", "classes": ["b", "a"], "numeric_labels": False}, "sorted"),
        ({"format": "numpynn.tabular.TargetEncoder", "version": 1, "name": "y",
          "task": "classification", "classes": ["a", "a"], "numeric_labels": False},
         "repeated"),
        ({"format": "numpynn.tabular.TargetEncoder", "version": 1, "name": "y",
          "task": "classification", "classes": ["a", "b"], "numeric_labels": True}, "text"),
        ({"format": "numpynn.tabular.TargetEncoder", "version": 1, "name": "y",
          "task": "classification", "classes": ["a", "b"], "numeric_labels": 1},
         "numeric_labels"),
        ({"format": "numpynn.tabular.TargetEncoder", "version": 1, "name": "y",
          "task": "regression", "mean": 0.0, "std": -1.0}, "'std'"),
        ({"format": "numpynn.tabular.TargetEncoder", "version": 1, "name": "y",
          "task": "regression", "mean": 0.0}, r"missing \['std'\]"),
        ({"format": "numpynn.tabular.TargetEncoder", "version": 1, "name": "",
          "task": "regression", "mean": 0.0, "std": 1.0}, "'name'"),
        ({"format": "numpynn.tabular.Preprocessor", "version": 1, "name": "y",
          "task": "regression", "mean": 0.0, "std": 1.0}, "'format'"),
    ],
)
def test_target_from_dict_rejects_bad_state(state, pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        TargetEncoder.from_dict(state)


# ---------------------------------------------------------------------------------------------
# train_validation_split
# ---------------------------------------------------------------------------------------------


def test_split_partitions_rows_reproducibly() -> None:
    tr, va = train_validation_split(100, 0.2, seed=3)
    assert tr.dtype == np.int64 and va.dtype == np.int64
    assert len(va) == 20 and len(tr) == 80
    np.testing.assert_array_equal(np.sort(np.concatenate([tr, va])), np.arange(100))
    assert np.all(np.diff(tr) > 0) and np.all(np.diff(va) > 0)
    tr2, va2 = train_validation_split(100, 0.2, seed=3)
    np.testing.assert_array_equal(va, va2)
    _, va3 = train_validation_split(100, 0.2, seed=4)
    assert not np.array_equal(va, va3)


def test_split_edge_sizes() -> None:
    tr, va = train_validation_split(5, 0.0, seed=0)
    assert len(va) == 0 and len(tr) == 5
    tr, va = train_validation_split(3, 0.01, seed=0)
    assert len(va) == 1 and len(tr) == 2
    tr, va = train_validation_split(2, 0.99, seed=0)
    assert len(va) == 1 and len(tr) == 1


@pytest.mark.parametrize(
    ("args", "exc", "pattern"),
    [
        ((0, 0.2), ValueError, "at least 1"),
        ((10, 1.0), ValueError, r"\[0, 1\)"),
        ((10, -0.1), ValueError, r"\[0, 1\)"),
        ((1, 0.5), ValueError, "cannot be split"),
        ((10.0, 0.2), TypeError, "n must be an int"),
        ((10, "0.2"), TypeError, "fraction must be a number"),
    ],
)
def test_split_errors(args, exc, pattern: str) -> None:
    with pytest.raises(exc, match=pattern):
        train_validation_split(*args, seed=0)


# ---------------------------------------------------------------------------------------------
# write_csv
# ---------------------------------------------------------------------------------------------


def test_write_csv_round_trips_through_read_csv(tmp_path: Path) -> None:
    from numpynn.tabular import write_csv

    t = read_csv(write(tmp_path, MIXED))
    enc = TargetEncoder.fit(t, "label")
    preds = enc.to_strings(enc.transform(t))
    out = write_csv(tmp_path / "out.csv", [*t.columns, "predicted"], [*t.data, preds])
    back = read_csv(out)
    assert back.columns == [*t.columns, "predicted"]
    assert back.data == [*t.data, preds]
    tricky = write_csv(tmp_path / "q.csv", ["a", "b"], [['x, "y"', None], [1.5, "z"]])
    assert read_csv(tricky).data == [['x, "y"', ""], ["1.5", "z"]]
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_write_csv_errors(tmp_path: Path) -> None:
    from numpynn.tabular import write_csv

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
    from numpynn.tabular import write_csv

    out = write_csv(tmp_path / "one.csv", ["y"], [["a", None, "b"]])
    assert read_csv(out).column("y") == ["a", "", "b"]


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
        from numpynn.tabular import write_csv

        path = tmp_path_factory.mktemp("rt") / "t.csv"
        names = [f"c{j}" for j in range(n_cols)]
        data = [[row[j] for row in rows] for j in range(n_cols)]
        write_csv(path, names, data)
        t = read_csv(path)
        assert t.columns == names
        assert t.data == data
