"""The Numba kernels against the NumPy path they replace (numpynn._kernels)."""

import numpy as np
import pytest

from numpynn import SGD, Adam, AdamW, NeuralNetwork, _kernels
from numpynn.network import Workspace
from numpynn.training import check_training_data

numba = pytest.importorskip("numba")

HIDDEN = ["relu", "leaky_relu", "tanh", "logistic", "identity"]
OUTPUTS = ["softmax", "logistic", "identity", "exp"]


def _problem(hidden, output, one_hot, weighted, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    net = NeuralNetwork(5, 7, 6, 3, hidden_activation=[hidden, "relu"],
                        output_activation=output, seed=seed, dtype=dtype)
    net.set_weights(rng.normal(scale=0.5, size=net.num_weights).astype(dtype))
    X = rng.normal(size=(40, 5)).astype(np.float32)
    if output == "softmax":
        labels = rng.integers(0, 3, size=40)
        y = np.eye(3, dtype=np.float32)[labels] if one_hot else labels
    elif output == "logistic":
        y = (rng.random((40, 3)) < 0.5).astype(np.float32)
    elif output == "exp":
        y = rng.poisson(2.0, size=(40, 3)).astype(np.float32)
    else:
        y = rng.normal(size=(40, 3)).astype(np.float32)
    weights = rng.uniform(0.5, 2.0, size=40).astype(np.float32) if weighted else None
    return net, check_training_data(net, X, y, weights)


def _batch_gradient(net, data, mode, monkeypatch):
    monkeypatch.setenv("NUMPYNN_KERNELS", mode)
    ws = Workspace(net, data.n)
    assert (ws.kernels is not None) == (mode == "numba")
    grad = np.full(net.num_weights, np.nan, dtype=net.dtype)
    scale = 1.0 / (data.n if data.sample_weight is None else float(data.sample_weight.sum()))
    classify = net.output_activation == "softmax"
    loss = ws.forward_backward(data.X, data.target, data.sample_weight, scale, grad,
                               count_correct=classify)
    return loss, grad, ws.last_correct if classify else None


#: (loss rtol, gradient rtol, gradient atol) of the fused pass against NumPy's, per dtype:
#: the sums run in another order, so they agree to the dtype's rounding.
FUSED_TOLERANCE = {np.float32: (2e-6, 1e-5, 1e-7), np.float64: (1e-14, 1e-12, 1e-15)}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("output, one_hot", [(o, False) for o in OUTPUTS] + [("softmax", True)])
@pytest.mark.parametrize("hidden", HIDDEN)
def test_fused_pass_equals_numpy_pass(hidden, output, one_hot, weighted, dtype, monkeypatch):
    net, data = _problem(hidden, output, one_hot, weighted, dtype=dtype)
    loss_np, grad_np, right_np = _batch_gradient(net, data, "numpy", monkeypatch)
    loss_nb, grad_nb, right_nb = _batch_gradient(net, data, "numba", monkeypatch)
    assert grad_nb.dtype == dtype and grad_np.dtype == dtype and np.isfinite(grad_nb).all()
    loss_rtol, rtol, atol = FUSED_TOLERANCE[dtype]
    assert loss_nb == pytest.approx(loss_np, rel=loss_rtol)
    np.testing.assert_allclose(grad_nb, grad_np, rtol=rtol, atol=atol)
    assert right_nb == right_np
    # And both are the gradient: the full-batch reference is checked against PyTorch
    # and finite differences in test_gradients*.py.
    _, reference = net.loss_and_gradient(data.X, data.target, sample_weight=data.sample_weight)
    np.testing.assert_allclose(grad_nb, reference, rtol=rtol, atol=atol)


def test_right_answers_are_counted(monkeypatch):
    monkeypatch.setenv("NUMPYNN_KERNELS", "numba")  # a tiny batch: auto would take NumPy
    net = NeuralNetwork(2, 3, hidden_activation="identity", output_activation="softmax")
    net.set_weights(np.array([1, 0, 0, 0, 1, 0, 0, 0, 0], dtype=np.float32))
    X = np.array([[5, 0], [0, 5], [5, 0], [0, 0]], dtype=np.float32)
    y = np.array([0, 1, 1, 2])  # right, right, wrong, wrong (a tie: argmax takes class 0)
    data = check_training_data(net, X, y)
    ws = Workspace(net, 4)
    assert ws.kernels is not None
    ws.forward_backward(data.X, data.target, None, 0.25,
                        np.empty(net.num_weights, np.float32), count_correct=True)
    assert ws.last_correct == 2


def test_relu_kernels_keep_nan_like_numpy():
    from numpynn import _numba_kernels as k

    z = np.array([[np.nan, -1.0, 2.0]], dtype=np.float32)
    k.bias_relu(z, np.zeros(3, np.float32))
    assert np.isnan(z[0, 0]) and z[0, 1] == 0 and z[0, 2] == 2
    delta = np.array([[np.nan, 1.0, 1.0]], dtype=np.float32)
    grad_bias = np.empty(3, np.float32)
    k.backward_relu(delta, np.array([[0.0, 0.0, 3.0]], np.float32), grad_bias)
    assert np.isnan(delta[0, 0]) and delta[0, 1] == 0 and delta[0, 2] == 1


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size", [1000, 300_000])  # the second splits over two threads
@pytest.mark.parametrize("make", [
    lambda: SGD(), lambda: SGD(momentum=0.9), lambda: SGD(momentum=0.9, nesterov=True),
    lambda: Adam(), lambda: AdamW(weight_decay=0.1),
], ids=["sgd", "momentum", "nesterov", "adam", "adamw"])
def test_optimizer_kernels_give_numpys_bits(make, size, dtype, monkeypatch):
    rng = np.random.default_rng(1)
    theta = rng.normal(size=size).astype(dtype)
    mask = (rng.random(size) < 0.9).astype(np.float32)
    grads = [rng.normal(size=size).astype(dtype) for _ in range(4)]
    results = {}
    for mode in ("numpy", "numba"):
        monkeypatch.setenv("NUMPYNN_KERNELS", mode)
        optimizer, th = make(), theta.copy()
        state = optimizer.init(th, mask)
        for step, g in enumerate(grads):
            optimizer.update(th, g, state, 0.01 / (step + 1))
        results[mode] = th
    assert not np.array_equal(results["numpy"], theta)
    assert results["numba"].dtype == results["numpy"].dtype == dtype
    # The same operations in the same order and dtype: the same bits.
    assert np.array_equal(results["numba"], results["numpy"])


def test_fit_agrees_between_kernel_modes(monkeypatch):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 4)).astype(np.float32)
    y = (X[:, 0] * X[:, 1] > 0).astype(int) + (X[:, 2] > 1)
    finals = {}
    for mode in ("numpy", "numba"):
        monkeypatch.setenv("NUMPYNN_KERNELS", mode)
        net = NeuralNetwork(4, 16, 16, 3, seed=0)
        history = net.fit(X, y, epochs=3, batch_size=50, optimizer="adam",
                          learning_rate=0.01, seed=0)
        finals[mode] = (net.theta.copy(), history.loss, history.accuracy)
    np.testing.assert_allclose(finals["numba"][0], finals["numpy"][0], rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(finals["numba"][1], finals["numpy"][1], rtol=1e-4)
    assert finals["numba"][2] == finals["numpy"][2]


def test_choice_by_environment(monkeypatch):
    monkeypatch.setenv("NUMPYNN_KERNELS", "numpy")
    assert _kernels.kernels() is None
    monkeypatch.setenv("NUMPYNN_KERNELS", "Numba")
    assert _kernels.kernels() is not None
    monkeypatch.setenv("NUMPYNN_KERNELS", "")
    assert _kernels.kernels() is not None  # auto
    monkeypatch.setenv("NUMPYNN_KERNELS", "gpu")
    with pytest.raises(ValueError, match="NUMPYNN_KERNELS must be one of auto, numpy, numba"):
        _kernels.kernels()


def test_numba_demanded_but_missing(monkeypatch):
    monkeypatch.setattr(_kernels, "_tried", True)
    monkeypatch.setattr(_kernels, "_compiled", None)
    monkeypatch.setattr(_kernels, "_import_error", ImportError("No module named 'numba'"))
    monkeypatch.setattr(_kernels, "_last_choice", None)
    monkeypatch.setenv("NUMPYNN_KERNELS", "numba")
    with pytest.raises(ImportError, match="numpynn\\[fast\\]"):
        _kernels.kernels()
    monkeypatch.setenv("NUMPYNN_KERNELS", "auto")
    assert _kernels.kernels() is None  # falls back to NumPy quietly


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("hidden", ["relu", "leaky_relu", "identity"])  # the fused ones
def test_eval_gives_the_same_bits_with_loaded_kernels(hidden, dtype, monkeypatch):
    compiled = _kernels.kernels(work_size=_kernels.COMPILE_AFTER_WORK)  # loaded: eval uses them
    table = compiled.HIDDEN_FORWARD  # one kernel per activation, compiled per dtype
    fused, calls = table[hidden], []
    monkeypatch.setitem(table, hidden, lambda z, b: (calls.append(z.shape), fused(z, b)))
    rng = np.random.default_rng(3)
    net = NeuralNetwork(8, 128, 64, 3, hidden_activation=hidden, seed=3, dtype=dtype)
    X = rng.normal(size=(140_000, 8)).astype(dtype)  # big enough for two threads
    with_kernels = net.eval(X)
    assert calls  # the kernel did run
    monkeypatch.setenv("NUMPYNN_KERNELS", "numpy")
    assert _kernels.loaded() is None
    calls.clear()
    assert np.array_equal(with_kernels, net.eval(X))
    assert not calls
