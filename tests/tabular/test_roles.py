"""Tests for numpynn.tabular.roles: which columns are features (the user's choices, and the
rules for empty columns, identifiers and many-valued text), and the missing-value report."""

from __future__ import annotations

import numpy as np
import pytest

from numpynn.tabular import NumberColumn, Table, TextColumn, choose_columns
from numpynn.tabular.inference import text_column
from numpynn.tabular.roles import identifier_reason, missing_report


def numbers(values) -> NumberColumn:
    return NumberColumn(np.asarray(values, dtype=np.float64))


def texts(values) -> TextColumn:
    return text_column(values)


def sample(n: int = 40) -> Table:
    rng = np.random.default_rng(0)
    return Table(
        ["rownames", "name", "age", "city", "empty", "shuffled_id", "y"],
        [numbers(np.arange(1, n + 1)), texts([f"person {i}" for i in range(n)]),
         numbers(rng.integers(18, 30, n)), texts(rng.choice(["a", "b"], n).tolist()),
         numbers(np.full(n, np.nan)), NumberColumn(rng.permutation(n).astype(np.int64)),
         texts(rng.choice(["p", "q"], n).tolist())],
        source="s.csv")


def test_identifiers_empty_columns_are_left_out_with_notes() -> None:
    roles = choose_columns(sample(), "y")
    assert roles.features == ["age", "city"]
    assert roles.left_out == ["rownames", "name", "empty", "shuffled_id"]
    notes = "\n".join(roles.notes)
    assert "'rownames' looks like an identifier (a different whole number in every row, in " \
           "row order): left out; to use it as a feature: --keep rownames" in notes
    assert "'name' looks like an identifier (a different value in every row)" in notes
    assert "'empty' is empty" in notes
    assert "'shuffled_id' looks like an identifier (a different whole number in every row)" \
        in notes


def test_keep_features_and_categorical_override_the_rules() -> None:
    roles = choose_columns(sample(), "y", keep=["rownames"], categorical=["age"])
    assert roles.features == ["rownames", "age", "city"]
    assert roles.categorical == ["age"]  # a number column to one-hot encode
    only = choose_columns(sample(), "y", features=["name", "age", "empty"])
    assert only.features == ["name", "age"] and only.left_out == ["empty"]


def test_small_tables_have_no_identifiers() -> None:
    t = Table(["age", "y"], [numbers([20, 30, 40, 50]), texts(["a", "b", "a", "b"])])
    assert choose_columns(t, "y").features == ["age"]


def test_identifier_reason() -> None:
    n = 30
    assert identifier_reason(numbers(np.arange(n) * 3 // 4)) == "whole numbers in row order"
    assert identifier_reason(numbers(np.arange(n) // 2)) is None  # half the values repeat
    assert identifier_reason(numbers(np.arange(n) % 3)) is None
    assert identifier_reason(numbers(np.arange(n) + 0.5)) is None  # measurements
    with_gap = np.arange(n, dtype=np.float64)
    with_gap[3] = np.nan
    assert identifier_reason(numbers(with_gap)) is None
    assert identifier_reason(texts([str(i) + "x" for i in range(n)])) is not None
    assert identifier_reason(texts(["same"] * n)) is None


def test_many_valued_text_is_left_out_unless_kept() -> None:
    n = 60
    t = Table(["comment", "x", "y"],
              [texts([f"c{i % 45}" for i in range(n)]), numbers(np.arange(n) % 7),
               texts(["a", "b"] * (n // 2))])
    roles = choose_columns(t, "y", max_categories=40)
    assert roles.features == ["x"]
    assert "'comment' has 45 distinct text values" in roles.notes[0]
    assert choose_columns(t, "y", max_categories=None).features == ["comment", "x"]
    assert choose_columns(t, "y", max_categories=40, keep=["comment"]).features == \
        ["comment", "x"]


def test_iso_dates_are_left_out_with_a_note_that_says_so() -> None:
    n = 60
    days = [f"2021-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(n)]
    stamps = [f"{d}T08:{i % 60:02d}:00Z" for i, d in enumerate(days)]
    t = Table(["day", "stamp", "code", "x", "y"],
              [texts(days), texts(stamps), texts([f"2021-{i}" for i in range(n)]),
               numbers(np.arange(n) % 7), texts(["a", "b"] * (n // 2))])
    roles = choose_columns(t, "y")
    assert roles.features == ["x"] and roles.left_out == ["day", "stamp", "code"]
    assert roles.notes[0] == ("column 'day' holds dates (such as '2021-01-01'): left out, "
                              "as numpynn reads no dates; to use them, turn them into "
                              "numbers first (days since a start, a month, a weekday)")
    assert "'stamp' holds dates" in roles.notes[1]
    assert "'code' looks like an identifier" in roles.notes[2]  # not a date
    assert choose_columns(t, "y", keep=["day"]).features == ["day", "x"]
    # a few dates (survey waves, say) are categories like any others
    waves = Table(["wave", "y"], [texts(["2020-05-01", "2021-05-01", "2022-05-01"] * 20),
                                  texts(["a", "b"] * (n // 2))])
    assert choose_columns(waves, "y").features == ["wave"]


def test_drop_and_id_columns() -> None:
    roles = choose_columns(sample(), "y", drop=["city"], id_columns=["rownames"])
    assert roles.features == ["age"] and roles.id_columns == ["rownames"]


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"drop": ["Age"]}, r"drop: no column named 'Age' in s.csv \(did you mean 'age'\?\)"),
        ({"features": ["agee"]}, r"did you mean 'age'"),
        ({"id_columns": ["y"]}, "'y' is the target"),
        ({"drop": ["age"], "keep": ["age"]}, "both left out"),
        ({"features": ["empty"]}, "no feature columns left"),
        ({"drop": "age,city"}, "no column named 'age,city'"),
        ({"categorical": [3]}, "column names"),
    ],
)
def test_bad_roles(kwargs, pattern: str) -> None:
    with pytest.raises((ValueError, TypeError), match=pattern):
        choose_columns(sample(), "y", **kwargs)


def test_empty_in_the_training_rows() -> None:
    values = np.full(40, np.nan)
    values[-1] = 1.0
    t = Table(["z", "age", "y"], [numbers(values), numbers(np.arange(40) % 5),
                                  texts(["a", "b"] * 20)])
    assert choose_columns(t, "y", rows=np.arange(30)).left_out == ["z"]
    assert choose_columns(t, "y").features == ["z", "age"]


def test_missing_report() -> None:
    t = Table(["a", "b", "c"], [numbers([1, np.nan, 3, np.nan]), texts(["x", "", "y", "z"]),
                                numbers([1, 2, 3, 4])])
    line = missing_report(t, ["a", "b", "c"])
    assert line.startswith("missing values: a 2 (50.0%), b 1 (25.0%); a number gap is filled "
                           "with the training median")
    assert missing_report(t, ["c"]) is None
    assert missing_report(t, ["a"], np.array([0, 2])) is None
    many = Table([f"k{i}" for i in range(10)], [numbers([1, np.nan])] * 10)
    assert "and 2 more columns" in missing_report(many, many.columns)
