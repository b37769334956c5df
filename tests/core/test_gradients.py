"""Gradients: float64 central differences, and PyTorch autograd as the oracle."""

import numpy as np
import pytest

import numpynn
from numpynn import NeuralNetwork

HIDDEN = ["relu", "leaky_relu", "tanh", "logistic", "identity"]
OUTPUT = ["softmax", "logistic", "identity", "exp"]
DTYPES = [np.float32, np.float64]
#: gradcheck's bound per network dtype: float32 round-off, or float64 central differences.
GRADCHECK_BOUND = {np.float32: 2e-3, np.float64: 1e-5}


def _problem(output, n=9, n_in=4, n_out=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_in)).astype(np.float32)
    if output == "softmax":
        y = rng.integers(0, n_out, size=n)
    elif output == "logistic":
        y = (rng.random((n, n_out)) > 0.5).astype(np.float32)
    elif output == "exp":
        y = rng.poisson(2.0, size=(n, n_out)).astype(np.float32)
    else:
        y = rng.normal(size=(n, n_out)).astype(np.float32)
    return X, y


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("output", OUTPUT)
def test_gradcheck_finite_differences(hidden, output, dtype):
    net = NeuralNetwork(4, 6, 5, 3, hidden_activation=hidden, output_activation=output, seed=3,
                        dtype=dtype)
    X, y = _problem(output)
    weights = np.linspace(0.5, 2.0, len(X))
    assert numpynn.gradcheck(net, X, y, l2=0.05, sample_weight=weights) < GRADCHECK_BOUND[dtype]


def test_gradcheck_detects_a_wrong_gradient(monkeypatch):
    """The check can fail: perturb the analytic gradient and it must notice."""
    net = NeuralNetwork(3, 4, 2, seed=0)
    X, y = _problem("softmax", n_in=3, n_out=2)
    original = NeuralNetwork.loss_and_gradient

    def broken(self, *a, **k):
        loss, g = original(self, *a, **k)
        g[5] += 0.1
        return loss, g

    monkeypatch.setattr(NeuralNetwork, "loss_and_gradient", broken)
    assert numpynn.gradcheck(net, X, y) > 0.1


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_one_hot_and_probability_rows_match_labels(dtype):
    net = NeuralNetwork(4, 6, 3, seed=0, dtype=dtype)
    X, labels = _problem("softmax")
    one_hot = np.eye(3, dtype=np.float32)[labels]
    l1, g1 = net.loss_and_gradient(X, labels)
    l2, g2 = net.loss_and_gradient(X, one_hot)
    rtol = 1e-6 if dtype == np.float32 else 1e-13
    assert l1 == pytest.approx(l2, rel=rtol)
    np.testing.assert_allclose(g1, g2, rtol=10 * rtol, atol=0.1 * rtol)
    soft = np.full((len(X), 3), 1 / 3, dtype=np.float32)
    assert numpynn.gradcheck(net, X, soft) < GRADCHECK_BOUND[dtype]


@pytest.mark.parametrize("dtype", DTYPES)
def test_loss_values_by_hand(dtype):
    net = NeuralNetwork(3, 4, 2, dtype=dtype)
    net.set_weights(np.arange(1, 27, dtype=dtype) / 100)
    x = np.array([[3.0, 4.0, -4.5]], dtype=np.float32)
    loss, grad = net.loss_and_gradient(x, [1])
    assert loss == pytest.approx(-np.log(0.50270), abs=1e-4)
    assert grad.dtype == dtype and grad.shape == (26,)
    # l2 adds (l2/2) * sum of squared weights, biases excluded
    weights_only = np.r_[np.arange(1, 13), np.arange(17, 25)] / 100
    loss_l2, grad_l2 = net.loss_and_gradient(x, [1], l2=0.3)
    assert loss_l2 - loss == pytest.approx(0.15 * np.sum(weights_only**2), rel=1e-5)
    diff = grad_l2 - grad
    np.testing.assert_allclose(diff[:12], 0.3 * np.arange(1, 13) / 100, rtol=1e-5)
    np.testing.assert_allclose(diff[12:16], 0.0, atol=1e-8)
    np.testing.assert_allclose(diff[24:], 0.0, atol=1e-8)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sample_weight_is_a_weighted_mean(dtype):
    net = NeuralNetwork(4, 6, 3, output_activation="identity", seed=1, dtype=dtype)
    X, y = _problem("identity")
    l_dup, g_dup = net.loss_and_gradient(np.r_[X, X[:2]], np.r_[y, y[:2]])
    w = np.ones(len(X))
    w[:2] = 2
    l_w, g_w = net.loss_and_gradient(X, y, sample_weight=w)
    rtol = 1e-5 if dtype == np.float32 else 1e-13
    assert l_w == pytest.approx(l_dup, rel=rtol)
    np.testing.assert_allclose(g_w, g_dup, rtol=10 * rtol, atol=0.1 * rtol)


def test_many_rows_accumulate_over_blocks():
    net = NeuralNetwork(8, 700, 3, seed=0)  # wide: several row blocks
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 8)).astype(np.float32)
    y = rng.integers(0, 3, 2000)
    loss, grad = net.loss_and_gradient(X, y)
    halves = [net.loss_and_gradient(X[s], y[s]) for s in (slice(0, 1000), slice(1000, None))]
    assert loss == pytest.approx(np.mean([h[0] for h in halves]), rel=1e-5)
    np.testing.assert_allclose(grad, (halves[0][1] + halves[1][1]) / 2, rtol=1e-3, atol=1e-6)


def test_tiny_cross_entropy_keeps_its_precision():
    """Confident, right predictions: loss ~1e-9 and its gradient, exact to float32 precision
    (a plain log(row_sum) would round them to 0, which stalls L-BFGS)."""
    net = NeuralNetwork(2, 3, output_activation="softmax")
    net.set_weights([10.0, 0.0, -2.0, 0.0, 10.0, 1.0, 0.0, 0.0, 0.0])
    X = np.array([[2.0, 0.0], [0.0, 2.0]], dtype=np.float32)
    y = np.array([0, 1])
    loss, grad = net.loss_and_gradient(X, y)
    z = X.astype(np.float64) @ net.weights[0].astype(np.float64)
    log_p = z - np.log(np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1,
                                                                     keepdims=True)) - z.max(
        axis=1, keepdims=True)
    ref = -log_p[np.arange(2), y].mean()
    assert 1e-10 < ref < 1e-7
    assert loss == pytest.approx(ref, rel=1e-4)
    p = np.exp(log_p)
    delta = p.copy()
    delta[np.arange(2), y] -= 1
    ref_grad_bias = delta.mean(axis=0)
    np.testing.assert_allclose(grad[6:], ref_grad_bias, rtol=1e-4, atol=1e-16)
