"""Training keeps the network's dtype (float32 by default) and copies no rows of X."""

import tracemalloc

import numpy as np
import pytest

from numpynn import SGD, NeuralNetwork
from numpynn.training import Trainer, check_training_data

# Every training test runs with NumPy alone and with the Numba kernels.
pytestmark = pytest.mark.usefixtures("kernel_mode")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adamw", SGD(momentum=0.9),
                                       SGD(momentum=0.9, nesterov=True), "lbfgs"])
@pytest.mark.parametrize("hidden", ["relu", "leaky_relu", "tanh", "logistic", "identity"])
def test_network_dtype_throughout(optimizer, hidden, dtype):
    """Parameters, gradients, optimizer state and outputs keep the network's dtype, for
    every optimizer and activation; float32 is the default."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))  # float64 data: converted to the network's dtype once
    y = rng.integers(0, 2, 64)
    kwargs = {} if dtype == np.float32 else {"dtype": dtype}  # float32: the default
    net = NeuralNetwork(3, 5, 2, hidden_activation=hidden, seed=0, **kwargs)
    assert net.dtype == dtype and net.theta.dtype == dtype
    batches = {} if optimizer == "lbfgs" else {"batch_size": 16}  # lbfgs: full batch
    history = net.fit(X, y, epochs=2, optimizer=optimizer, l2=0.01, seed=0, **batches)
    assert all(isinstance(v, float) for v in history.loss)
    assert net.theta.dtype == dtype
    assert all(w.dtype == dtype for w in net.weights + net.biases)
    assert net.eval(X).dtype == dtype and net.eval(X[0]).dtype == dtype
    assert net.eval(X.astype(np.float32)).dtype == dtype
    assert net.loss_and_gradient(X, y)[1].dtype == dtype
    if optimizer != "lbfgs":
        trainer = Trainer(net, optimizer if not isinstance(optimizer, str) else optimizer,
                          batch_size=16, l2=0.01, dropout=0.1, seed=0)
        trainer.train_epoch(check_training_data(net, X, y))
        assert trainer.grad.dtype == dtype
        for key, value in trainer.optimizer_state.items():
            if isinstance(value, np.ndarray):
                assert value.dtype == dtype, key
        assert net.theta.dtype == dtype
    assert np.shares_memory(net.weights[0], net.theta)  # views never rebound


def test_x_used_in_place_and_no_float64_copy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200_000, 32)).astype(np.float32)
    y = rng.integers(0, 3, len(X))
    net = NeuralNetwork(32, 32, 3, seed=0)
    assert check_training_data(net, X, y).X is X
    for options in ({}, {"validation_split": 0.2}):  # the split copies no rows of X either
        tracemalloc.start()
        net.fit(X, y, epochs=1, batch_size=256, seed=0, **options)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        # index arrays only: a float32 copy of the training rows would be 0.8x, of X 1x
        assert peak < 0.5 * X.nbytes
