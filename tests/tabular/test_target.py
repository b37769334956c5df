"""Tests for numpynn.tabular.target: TargetEncoder (task detection, labels, JSON state)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from tabular_samples import table

from numpynn.tabular import Table, TargetEncoder

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


def test_rows_with_target_and_fitting_on_rows() -> None:
    from numpynn.tabular import rows_with_target

    t = table(["y", "x"], ["a", 1], ["", 2], ["b", 3], ["NA", 4], ["a", 5])
    rows = rows_with_target(t, "y")
    assert rows.dtype == np.int64 and rows.tolist() == [0, 2, 4]
    enc = TargetEncoder.fit(t, "y", rows=rows)
    np.testing.assert_array_equal(enc.transform(t, rows), [0, 1, 0])
    with pytest.raises(ValueError, match=r"2 missing value\(s\): row 2 of .*, row 4"):
        enc.transform(t)
    numbers = Table(["y"], [["1.5", "", "2.5"]])
    assert rows_with_target(numbers, "y").tolist() == [0, 2]
    with pytest.raises(ValueError, match="no column named 'zz'"):
        rows_with_target(t, "zz")
