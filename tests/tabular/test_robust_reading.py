"""Hostile CSV files (issue 16, items 7, 8 and 9): the CSV path is linear in the number of
columns, type inference does not depend on the order of the rows, finite values that
overflow float32 say so, and a FIFO is refused without being opened.

(These test today's reader; the pyarrow reader of issue 12 must pass them too.)
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numpynn.tabular import Preprocessor, Table, TargetEncoder, read_csv


@contextlib.contextmanager
def within(seconds: float):
    """Fail (instead of hanging for minutes) when the block takes longer than ``seconds``."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not \
            threading.main_thread():
        yield  # pragma: no cover - no timer: run without the bound
        return

    def too_slow(signum, frame):  # not an OSError: no reader may catch it as a failed read
        raise AssertionError(f"took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_a_100k_column_csv_is_read_fitted_and_encoded_in_seconds(tmp_path):
    """Looking a column up by name scanned the header: quadratic, over 300 s for this file
    (linear, it takes a few seconds; the bound leaves room for a busy machine)."""
    columns = 100_000
    rng = np.random.default_rng(0)
    path = tmp_path / "wide.csv"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(",".join(f"c{j}" for j in range(columns)) + ",y\n")
        for i in range(3):
            fh.write(",".join(f"{v:.2f}" for v in rng.random(columns)) + f",{i % 2}\n")
    started = time.monotonic()
    with within(120):
        table = read_csv(path)
        pre = Preprocessor.fit(table, "y")
        X = pre.transform(table)
        for name in table.columns:  # as the command line's checks do, column by column
            table.column(name)
    assert X.shape == (3, columns) and X.dtype == np.float32
    assert time.monotonic() - started < 120


# ------------------------------------------------------------------ type inference
def _kind(values: list[str]) -> str:
    """How the preprocessor takes a column: 'numeric', 'categorical' or the error."""
    table = Table(["x", "t"], [values, ["a"] * len(values)])
    try:
        return Preprocessor.fit(table, "t").to_dict()["columns"][0]["kind"]
    except ValueError as exc:
        return f"error: {str(exc).split(':')[0]}"


@pytest.mark.parametrize("values", [["inf", "a", "b"], ["a", "inf", "b"], ["a", "b", "inf"]])
def test_inf_in_a_text_column_is_a_category_wherever_it_is(values):
    pre = Preprocessor.fit(Table(["x", "t"], [values, ["a"] * 3]), "t")
    assert pre.categorical_columns == ["x"]
    assert "x=inf" in pre.feature_names


@pytest.mark.parametrize("values", [["inf", "1", "2"], ["1", "inf", "2"], ["1", "2", "-inf"]])
def test_inf_in_a_numeric_column_is_an_error_wherever_it_is(values):
    with pytest.raises(ValueError, match="which is not a finite number"):
        Preprocessor.fit(Table(["x", "t"], [values, ["a"] * 3]), "t")


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["1", "2.5", "-3", "inf", "-inf", "NA", "", "red", "x1",
                                 "1e3"]), min_size=2, max_size=8), st.randoms())
def test_type_inference_does_not_depend_on_the_order_of_the_rows(values, random):
    shuffled = list(values)
    random.shuffle(shuffled)
    assert _kind(shuffled) == _kind(values)


@pytest.mark.parametrize("order", [["inf", "x", "y", "x"], ["x", "y", "inf", "x"]])
def test_a_target_with_inf_and_text_is_classified_the_same_either_way(order):
    encoder = TargetEncoder.fit(Table(["t"], [order]), "t")
    assert encoder.task == "classification" and "inf" in encoder.classes


# ------------------------------------------------------------------ float32's range
def test_finite_values_beyond_float32_say_so_not_nan_or_inf():
    train = Table(["x", "t"], [["1", "2", "3", "4"], ["a", "b", "a", "b"]])
    pre = Preprocessor.fit(train, "t")
    new = Table(["x", "t"], [["1", "1e300", "3", "4"], ["a", "b", "a", "b"]])
    with pytest.raises(ValueError, match=r"numeric column 'x': row 2 .* holds 1e\+300, which "
                                         r"standardised .* is beyond float32's range"):
        pre.transform(new)


def test_a_regression_target_beyond_float32_is_refused_before_training():
    table = Table(["t"], [["1", "2", "5e38", "3"]])
    with pytest.raises(ValueError, match=r"target column 't': row 3 .* holds 5e\+38, beyond "
                                         "float32's range"):
        TargetEncoder.fit(table, "t", task="regression")


def test_predictions_beyond_float32_in_the_targets_units_are_an_error():
    encoder = TargetEncoder.fit(Table(["t"], [["1e38", "-1e38", "3e38", "0"]]), "t",
                                task="regression")
    standardised = np.array([[0.0], [1e6]], dtype=np.float32)  # the second: far beyond
    with pytest.raises(ValueError, match="value of row 1 .* beyond float32's range in the "
                                         "units of 't'"):
        encoder.inverse_transform(standardised)


# ------------------------------------------------------------------ not a regular file
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "data.csv"
    os.mkfifo(fifo)
    with within(30), pytest.raises(ValueError, match="is not a regular file"):
        read_csv(fifo)


@pytest.mark.skipif(not os.path.exists("/dev/zero") or sys.platform == "win32",
                    reason="needs /dev/zero")
def test_a_device_is_refused_without_reading_it():
    with within(30), pytest.raises(ValueError, match="is not a regular file"):
        read_csv("/dev/zero")
