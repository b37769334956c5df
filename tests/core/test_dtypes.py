"""A network's dtype: float32 by default, float64 on request, followed by every part."""

import pickle

import numpy as np
import pytest

from numpynn import NeuralNetwork
from numpynn.core import activations as act
from numpynn.core.checks import as_float_matrix, check_float_dtype
from numpynn.core.initializers import INITIALIZERS
from numpynn.core.losses import prepare_target
from numpynn.training import check_training_data

DTYPES = [np.float32, np.float64]


def _reference_forward(net, X):
    """The network's outputs from scratch in float64 (softmax output, relu hidden)."""
    a = np.asarray(X, dtype=np.float64)
    for layer, (w, b) in enumerate(zip(net.weights, net.biases)):
        a = a @ w.astype(np.float64) + b.astype(np.float64)
        if layer < net.num_layers - 1:
            a = np.maximum(a, 0)
    e = np.exp(a - a.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_float32_is_the_default():
    net = NeuralNetwork(3, 4, 2)
    assert net.dtype == np.float32 and net.theta.dtype == np.float32
    assert "dtype" not in repr(net)
    assert "dtype=float64" in repr(NeuralNetwork(3, 4, 2, dtype=np.float64))


@pytest.mark.parametrize("spelling", [np.float64, "float64", np.dtype(np.float64)])
def test_dtype_spellings(spelling):
    net = NeuralNetwork(3, 4, 2, dtype=spelling)
    assert net.dtype == np.float64
    assert all(w.dtype == np.float64 for w in net.weights + net.biases)


@pytest.mark.parametrize(("dtype", "error", "match"), [
    (np.float16, ValueError, "dtype must be np.float32 or np.float64, got float16"),
    (np.int64, ValueError, "dtype must be np.float32 or np.float64, got int64"),
    ("double precision", TypeError, "dtype must be np.float32 or np.float64"),
    (None, TypeError, "dtype must be np.float32 or np.float64, got None"),
])
def test_bad_dtype_names_the_argument(dtype, error, match):
    with pytest.raises(error, match=match):
        NeuralNetwork(3, 4, 2, dtype=dtype)
    with pytest.raises(error, match=match):
        check_float_dtype(dtype)


def test_float64_forward_is_exact():
    rng = np.random.default_rng(0)
    net = NeuralNetwork(6, 30, 20, 4, hidden_activation="relu", seed=1, dtype=np.float64)
    X = rng.normal(size=(500, 6))
    reference = _reference_forward(net, X)
    for got in (net.eval(X), net.eval(X[:3]), net.eval(X[0])[None]):
        assert got.dtype == np.float64
        np.testing.assert_allclose(got, reference[: len(got)], rtol=1e-13, atol=1e-15)


def test_float32_and_float64_networks_agree_to_float32_rounding():
    net64 = NeuralNetwork(5, 16, 3, seed=0, dtype=np.float64)
    net32 = net64.astype(np.float32)
    assert net32.dtype == np.float32 and net32.sizes == net64.sizes
    np.testing.assert_array_equal(net32.theta, net64.theta.astype(np.float32))
    X = np.random.default_rng(1).normal(size=(50, 5))
    np.testing.assert_allclose(net32.eval(X), net64.eval(X), rtol=1e-5, atol=1e-6)
    back = net32.astype(np.float64)  # exact
    np.testing.assert_array_equal(back.theta, net32.theta)
    assert back.theta is not net32.theta and np.shares_memory(back.weights[0], back.theta)


@pytest.mark.parametrize("dtype", DTYPES)
def test_no_copy_of_data_already_in_the_networks_dtype(dtype):
    net = NeuralNetwork(4, 5, 2, dtype=dtype)
    X = np.random.default_rng(0).normal(size=(20, 4)).astype(dtype)
    data = check_training_data(net, X, np.arange(20) % 2, sample_weight=np.ones(20))
    assert data.X is X  # used in place
    assert data.sample_weight.dtype == dtype
    other = X.astype(np.float32 if dtype == np.float64 else np.float64)
    converted = check_training_data(net, other, np.arange(20) % 2).X
    assert converted.dtype == dtype and not np.shares_memory(converted, other)
    arr, _ = as_float_matrix(X, 4, "X", dtype)
    assert arr is X


@pytest.mark.parametrize("dtype", DTYPES)
def test_targets_follow_the_dtype(dtype):
    rows = prepare_target("logistic", [[0, 1], [1, 0]], 2, 2, dtype)
    assert rows.dtype == dtype
    labels = prepare_target("softmax", [0, 1], 2, 2, dtype)
    assert labels.dtype == np.intp


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(INITIALIZERS))
def test_initializers_fill_in_the_dtype(name, dtype):
    weights = np.zeros((30, 20), dtype=dtype)
    INITIALIZERS[name](weights, np.random.default_rng(0))
    assert weights.dtype == dtype and np.isfinite(weights).all() and weights.std() > 0
    again = np.zeros((30, 20), dtype=dtype)
    INITIALIZERS[name](again, np.random.default_rng(0))
    np.testing.assert_array_equal(weights, again)


def test_float32_initial_weights_are_unchanged_by_the_dtype_option():
    """The default network draws exactly what it drew before networks had a dtype."""
    rng = np.random.default_rng(5)
    expected = np.empty((3, 4), dtype=np.float32)
    rng.random(out=expected, dtype=np.float32)
    limit = np.sqrt(6.0 / 7)
    expected *= np.float32(2.0 * limit)
    expected -= np.float32(limit)
    np.testing.assert_array_equal(NeuralNetwork(3, 4, 2, seed=5).weights[0], expected)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", act.HIDDEN_ACTIVATIONS)
def test_activation_kernels_keep_the_dtype(name, dtype):
    z = np.linspace(-3, 3, 12, dtype=dtype).reshape(3, 4)
    sums = z.copy()  # mish's and gelu's derivatives need the pre-activation sums
    act.apply_hidden(name, z, np.empty_like(z))
    assert z.dtype == dtype
    delta = np.ones_like(z)
    act.multiply_by_derivative(name, z, delta, z=sums)
    assert delta.dtype == dtype
    if name == "leaky_relu":  # the slope in the array's own precision
        assert delta.min() == dtype(0.01)


@pytest.mark.parametrize("dtype", DTYPES)
def test_pickle_keeps_the_dtype_and_old_pickles_are_float32(dtype):
    net = NeuralNetwork(3, 4, 2, seed=0, dtype=dtype)
    copy = pickle.loads(pickle.dumps(net))
    assert copy.dtype == dtype and np.array_equal(copy.theta, net.theta)
    state = net.__getstate__()
    del state["dtype"]  # a network pickled before networks had a dtype
    old = NeuralNetwork.__new__(NeuralNetwork)
    old.__setstate__(state)
    assert old.dtype == dtype and old.eval(np.ones(3)).dtype == dtype
