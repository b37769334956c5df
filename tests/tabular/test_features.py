"""Tests for numpynn.tabular.features: Preprocessor (numbers and text to float32, JSON state)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from tabular_samples import MIXED, table, write

from numpynn.tabular import Preprocessor, Table, UnseenCategoryWarning, read_csv, read_table

# ---------------------------------------------------------------------------------------------
# Preprocessor
# ---------------------------------------------------------------------------------------------


def test_mixed_columns_layout_and_values(tmp_path: Path) -> None:
    t = read_csv(write(tmp_path, MIXED))
    pre = Preprocessor.fit(t, "label")
    assert pre.input_columns == ["age", "color", "height"]
    assert pre.numeric_columns == ["age", "height"]
    assert pre.categorical_columns == ["color"]
    assert pre.feature_names == ["age", "color=blue", "color=green", "color=red", "height",
                                 "height (missing)"]
    X = pre.transform(t)
    assert X.dtype == np.float32 and X.shape == (4, 6) and X.flags.c_contiguous
    age = np.array([20, 30, 40, 50], dtype=np.float64)
    np.testing.assert_allclose(X[:, 0], (age - age.mean()) / age.std(), rtol=1e-6)
    np.testing.assert_array_equal(
        X[:, 1:4], [[0, 0, 1], [1, 0, 0], [0, 0, 1], [0, 1, 0]]
    )
    h = np.array([1.5, 1.7, 1.9])
    # NA filled with the training median (1.7), and flagged in the indicator feature
    expected_h = [(1.5 - h.mean()) / h.std(), (1.7 - h.mean()) / h.std(),
                  (1.7 - h.mean()) / h.std(), (1.9 - h.mean()) / h.std()]
    np.testing.assert_allclose(X[:, 4], expected_h, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(X[:, 5], [0, 0, 1, 0])


def test_statistics_come_from_training_rows_only() -> None:
    full = table(["x", "c", "y"], [0, "a", 1], [2, "b", 2], [100, "z", 3], [-50, "b", 4])
    train = full.take([0, 1])
    pre = Preprocessor.fit(train, "y")
    state = pre.to_dict()["columns"]
    assert state[0] == {"name": "x", "kind": "numeric", "mean": 1.0, "std": 1.0, "fill": 1.0,
                        "indicator": False}
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


def test_missing_text_value_is_a_category_of_its_own_and_does_not_warn() -> None:
    t = table(["c"], ["a"], [""], ["NA"], ["b"])
    pre = Preprocessor.fit(t, None)
    assert pre.feature_names == ["c=a", "c=b", "c=(missing)"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X = pre.transform(t)
    np.testing.assert_array_equal(X, [[1, 0, 0], [0, 0, 1], [0, 0, 1], [0, 1, 0]])
    # without gaps in the training rows, a gap later is all zeros, silently
    pre = Preprocessor.fit(table(["c"], ["a"], ["b"]), None)
    assert pre.feature_names == ["c=a", "c=b"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(pre.transform(t), [[1, 0], [0, 0], [0, 0], [0, 1]])


def test_non_numeric_value_in_numeric_column_names_column_row_value(tmp_path: Path) -> None:
    pre = Preprocessor.fit(read_csv(write(tmp_path, MIXED)), "label")
    bad = read_csv(write(tmp_path, "age,color,height\n20,red,1.5\n30,red,tall\n", "new.csv"))
    with pytest.raises(ValueError, match=r"'height'.*row 2 \(line 3 of .*new.csv\).*'tall'"):
        pre.transform(bad)


def test_numbers_read_as_text_are_numbers_and_a_marker_a_gap(tmp_path: Path) -> None:
    """A numeric column read as text (an ID column kept as text by ``predict --id``, or a
    file where the marker is most cells) encodes as the numbers it holds; a punctuation
    marker is a gap, as the reader reads it among numbers."""
    train = "age,height,label\n20,1.5,a\n30,?,b\n40,1.9,a\n50,1.7,b\n"
    pre = Preprocessor.fit(read_csv(write(tmp_path, train)), "label")
    assert pre.numeric_columns == ["age", "height"]
    new = write(tmp_path, "age,height\n25,?\n45,?\n35,1.6\n", "new.csv")
    as_numbers = pre.transform(read_csv(new, text_columns=[]))
    as_text = read_csv(new, text_columns=["age", "height"])
    assert as_text.strings("age") == ["25", "45", "35"]
    np.testing.assert_array_equal(pre.transform(as_text), as_numbers)
    assert as_numbers[:, 2].tolist() == [1, 1, 0]  # "height (missing)"
    bad = read_csv(write(tmp_path, "age,height\n25,1.5\n4O,1.6\n", "bad.csv"),
                   text_columns=["age"])
    with pytest.raises(ValueError, match=r"'age'.*row 2 .*holds '4O', which is not a number"):
        pre.transform(bad)


def test_a_word_among_decimal_commas_is_the_cell_named(tmp_path: Path) -> None:
    """A word keeps the reader from seeing decimal commas, so the column arrives as text;
    the error names the word, not the first "1,5" (a number with the other mark)."""
    pre = Preprocessor.fit(read_table(write(tmp_path, "x;y\n1,5;a\n2,5;b\n3,5;a\n")), "y")
    assert pre.numeric_columns == ["x"]
    bad = read_table(write(tmp_path, "x;y\n1,5;a\n2,5;b\nfehlt;a\n", "bad.csv"))
    with pytest.raises(ValueError, match=r"'x'.*row 3 .*holds 'fehlt', which is not a "
                                         r"number \(if it marks a missing value"):
        pre.transform(bad)
    # decimal commas alone in a file read with points: no talk of missing values
    pre = Preprocessor.fit(read_table(write(tmp_path, "x,z,y\n1.5,2.5,a\n2.5,3.5,b\n")), "y")
    commas = read_table(write(tmp_path, 'x,z\n"1,5",2.5\n"2,5",1.0\n', "commas.csv"))
    with pytest.raises(ValueError, match=r"row 1 .*holds '1,5', which is not a number \(it "
                                         r"has a decimal comma, and the file was read with "
                                         r"decimal points\)"):
        pre.transform(commas)


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
    with pytest.raises(ValueError, match="max_categories must be an int >= 1, got True"):
        Preprocessor.fit(table(["a", "y"], [1, 2]), "y", max_categories=True)


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
# gaps, number-coded categories, training rows, the state of numpynn 0.1
# ---------------------------------------------------------------------------------------------


def test_number_coded_categories_one_hot_by_value() -> None:
    t = table(["cyl", "y"], [4, 0], [6, 1], [8, 0], [4, 1], ["", 0])
    pre = Preprocessor.fit(t, "y", categorical_columns=["cyl"])
    assert pre.feature_names == ["cyl=4", "cyl=6", "cyl=8", "cyl=(missing)"]
    assert pre.categorical_columns == ["cyl"] and pre.text_columns == []
    X = pre.transform(t)
    np.testing.assert_array_equal(X, [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 0],
                                      [0, 0, 0, 1]])
    state = pre.to_dict()
    assert state["columns"][0]["numbers"] is True
    again = Preprocessor.from_dict(json.loads(json.dumps(state)))
    # "8.0" written as text is the category 8; 5 is unseen
    later = Table(["cyl"], [["8.0", "5"]])
    with pytest.warns(UnseenCategoryWarning, match="'5'"):
        np.testing.assert_array_equal(again.transform(later), [[0, 0, 1, 0], [0, 0, 0, 0]])
    with pytest.raises(ValueError, match=r"categorical_columns \['zz'\]"):
        Preprocessor.fit(t, "y", categorical_columns=["zz"])


def test_rows_fit_and_transform_without_a_copy_of_the_table() -> None:
    t = table(["x", "c", "y"], [0, "a", 1], [2, "b", 2], [100, "z", 3], [-50, "b", 4])
    rows = np.array([1, 0])
    by_rows = Preprocessor.fit(t, "y", rows=rows)
    by_take = Preprocessor.fit(t.take(rows), "y")
    assert by_rows.to_dict() == by_take.to_dict()
    with pytest.warns(UnseenCategoryWarning):
        np.testing.assert_array_equal(by_rows.transform(t, np.array([3, 2])),
                                      by_take.transform(t.take([3, 2])))
    with pytest.raises(ValueError, match="indices must lie in"):
        by_rows.transform(t, np.array([7]))


def test_version_1_state_keeps_the_01_encoding() -> None:
    """numpynn 0.1: a numeric gap is the training mean (0 after standardising), a text gap
    all zeros, no indicator features."""
    state = {"format": "numpynn.tabular.Preprocessor", "version": 1, "target": "y",
             "columns": [{"name": "h", "kind": "numeric", "mean": 2.0, "std": 0.5},
                         {"name": "c", "kind": "categorical", "categories": ["a", "b"]}]}
    pre = Preprocessor.from_dict(state)
    assert pre.feature_names == ["h", "c=a", "c=b"]
    X = pre.transform(table(["h", "c"], [3, "b"], ["NA", ""]))
    np.testing.assert_array_equal(X, [[2, 0, 1], [0, 0, 0]])
    with pytest.raises(ValueError, match=r"unexpected \['fill'\]"):
        Preprocessor.from_dict({**state, "columns": [{**state["columns"][0], "fill": 1.0}]})


@pytest.mark.parametrize(
    ("mutate", "pattern"),
    [
        (lambda d: d["columns"][0].update(fill=float("inf")), "'fill'"),
        (lambda d: d["columns"][0].update(indicator=1), "'indicator'"),
        (lambda d: d["columns"][0].pop("fill"), r"missing \['fill'\]"),
        (lambda d: d["columns"][1].update(missing_category="no"), "'missing_category'"),
        (lambda d: d["columns"][1].update(numbers=True), "number 'categories'"),
        (lambda d: d.update(version=3), "version 1 and 2"),
    ],
)
def test_version_2_state_is_checked(mutate, pattern: str) -> None:
    d = _good_state()
    mutate(d)
    with pytest.raises(ValueError, match=pattern):
        Preprocessor.from_dict(d)


def test_dataframes_go_straight_in() -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"x": [1.0, 2.0, 4.0], "c": ["a", "b", "a"], "y": ["p", "q", "p"]})
    pre = Preprocessor.fit(df, "y")
    np.testing.assert_array_equal(pre.transform(df), pre.transform(Table.from_rows(
        ["x", "c", "y"], [[1.0, "a", "p"], [2.0, "b", "q"], [4.0, "a", "p"]])))
    from numpynn.tabular import TargetEncoder

    np.testing.assert_array_equal(TargetEncoder.fit(df, "y").transform(df), [0, 1, 0])
