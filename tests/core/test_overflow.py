"""Nothing finite turns into inf silently (issue 16, items 2 and 3).

An eval whose outputs overflow float32 although the input and the weights are finite is a
ValueError naming the row and the layer (no NumPy warning on the way); a float64 value
beyond float32's range -- weights, X, y, sample weights -- is an error saying so, before
any work, and the network is left as it was.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from numpynn import NeuralNetwork
from numpynn.core.checks import cast_checked

BIG = 1e300  # a finite float64 far beyond float32's 3.4e38


def _near_the_limit(output_activation: str, hidden: str = "relu") -> NeuralNetwork:
    net = NeuralNetwork(3, 4, 2, hidden_activation=hidden, output_activation=output_activation,
                        seed=1)
    net.theta[:] = np.abs(net.theta) * np.float32(1e20)  # finite, but too large together
    return net


@pytest.mark.parametrize("output", ["identity", "exp", "softmax"])
@pytest.mark.parametrize("shape", ["batch", "few rows", "one input", "float64 input"])
def test_outputs_that_overflow_raise_naming_row_and_layer(output, shape):
    net = _near_the_limit(output)
    X = np.ones((100, 3), dtype=np.float32)
    X[3] = 0.0  # finite outputs for this row; the others overflow from the first layer on
    given = {"batch": X, "few rows": X[:5], "one input": X[0],
             "float64 input": X[0].astype(np.float64)}[shape]
    where = "row 0 of X" if shape in ("batch", "few rows") else "this input"
    with warnings.catch_warnings():
        if shape == "batch":  # (the fast paths of a few rows skip NumPy's error state)
            warnings.simplefilter("error")  # and no NumPy warning first
        with pytest.raises(ValueError, match=f"outputs overflowed float32 for {where}: .*layer "
                                             r"\d of 2 are not finite"):
            net.eval(given)


def test_a_saturated_logistic_output_is_its_finite_limit():
    # sums of +inf give a logistic output of exactly 1.0: finite, and the right limit
    out = _near_the_limit("logistic").eval(np.ones((2, 3), dtype=np.float32))
    np.testing.assert_array_equal(out, np.ones((2, 2), dtype=np.float32))


def test_an_overflowing_later_row_is_named():
    net = NeuralNetwork(2, 1, output_activation="exp", seed=0)
    net.set_weights([50.0, 0.0, 0.0])
    X = np.array([[0.1, 0.0], [0.5, 0.0], [2.0, 0.0]], dtype=np.float32)  # e^100 overflows
    with pytest.raises(ValueError, match="row 2 of X: the exp values of layer 1 of 1"):
        net.eval(X)
    with pytest.raises(ValueError, match="for row 2"):
        net.predict(X)
    np.testing.assert_allclose(net.eval(X[:2]), np.exp([[5.0], [25.0]]), rtol=1e-6)


def test_large_finite_outputs_are_returned_without_a_warning():
    net = NeuralNetwork(2, 1, output_activation="identity", seed=0)
    net.set_weights([1e37, 1e37, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = net.eval(np.array([[3.0, -1.0]], dtype=np.float32))
    assert np.isfinite(out).all() and out[0, 0] == pytest.approx(2e37, rel=1e-6)


def test_large_input_batches_are_checked_too():
    net = _near_the_limit("identity")
    X = np.ones((30_000, 3), dtype=np.float32)  # over the small-input size: checked after
    with pytest.raises(ValueError, match="row 0 of X: the sums of layer 2 of 2"):
        net.eval(X)
    X[5, 1] = np.nan
    with pytest.raises(ValueError, match=r"X contains NaN or inf \(first in row 5\)"):
        net.eval(X)


def test_set_weights_refuses_float64_values_beyond_float32():
    net = NeuralNetwork(3, 4, 2, seed=0)
    before = net.theta.copy()
    weights = before.astype(np.float64)
    weights[7] = -BIG
    with pytest.raises(ValueError, match=r"weights holds -1e\+300 at index 7, which does not "
                                         r"fit float32 \(the network's dtype"):
        net.set_weights(weights)
    np.testing.assert_array_equal(net.theta, before)
    weights[7] = 3.0e38  # within range: fine
    net.set_weights(weights)
    assert net.theta[7] == np.float32(3.0e38)


def test_x_y_and_sample_weights_beyond_float32_are_errors_before_training():
    net = NeuralNetwork(2, 3, 1, output_activation="identity", seed=0)
    before = net.theta.copy()
    X = np.ones((8, 2))
    y = np.arange(8.0)
    bad_X = X.copy()
    bad_X[4, 1] = BIG
    with pytest.raises(ValueError, match=r"X holds 1e\+300 at row 4, column 1, which does "
                                         "not fit float32"):
        net.fit(bad_X, y, epochs=1)
    bad_y = y.copy()
    bad_y[6] = BIG
    with pytest.raises(ValueError, match=r"y holds 1e\+300 at row 6, column 0, which does not "
                                         "fit float32"):
        net.fit(X, bad_y, epochs=1)
    weights = np.ones(8)
    weights[2] = BIG
    with pytest.raises(ValueError, match=r"sample_weight holds 1e\+300 at index 2"):
        net.fit(X, y, epochs=1, sample_weight=weights)
    with pytest.raises(ValueError, match="X holds 1e\\+300"):
        net.eval(bad_X)
    np.testing.assert_array_equal(net.theta, before)


def test_huge_class_labels_are_out_of_range_not_wrapped():
    net = NeuralNetwork(2, 3, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"label 1e\+300 in y is outside the output range"):
            net.fit(np.ones((3, 2)), np.array([0.0, 1.0, BIG]), epochs=1)


def test_cast_checked_copies_only_when_it_must():
    x32 = np.ones(4, dtype=np.float32)
    assert cast_checked("x", x32, np.float32) is x32
    x64 = np.array([1.0, np.inf, np.nan])  # NaN and inf are the finiteness checks' to name
    assert np.isinf(cast_checked("x", x64, np.float32)[1])
    ints = np.array([2**62], dtype=np.int64)  # every int64 fits float32's range
    assert cast_checked("x", ints, np.float32)[0] == np.float32(2**62)
