"""Training rejects bad input and options, and stops on divergence with finite weights."""

import math

import numpy as np
import pytest

from numpynn import SGD, Adam, AdamW, NeuralNetwork, TrainingDivergedError
from numpynn.training import Trainer

# Every training test runs with NumPy alone and with the Numba kernels.
pytestmark = pytest.mark.usefixtures("kernel_mode")


def test_divergence_raises_and_keeps_finite_weights():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3)).astype(np.float32) * 100
    y = rng.normal(size=(100, 1)).astype(np.float32) * 1e4
    net = NeuralNetwork(3, 16, 1, hidden_activation="relu", output_activation="identity",
                        seed=0)
    with pytest.raises(TrainingDivergedError, match="epoch .*learning rate") as info:
        net.fit(X, y, epochs=50, optimizer="sgd", learning_rate=10.0, batch_size=10)
    assert np.isfinite(net.theta).all()
    assert info.value.epoch >= 0


@pytest.mark.parametrize("X, y, match", [
    (np.full((4, 2), np.nan), [0, 1, 0, 1], "X contains NaN"),
    (np.ones((4, 2)), [0, 1, np.nan, 1], "y contains NaN"),
    (np.ones((4, 2)), [0, 1, 0], "different lengths"),
    (np.ones((4, 2)), [0, 1, 2, 1], "outside the output range"),
    (np.ones((4, 2)), [0, 1, -1, 1], "outside the output range"),
    (np.ones((4, 3)), [0, 1, 0, 1], "2 values per row"),
    (np.ones((0, 2)), [], "empty"),
    (np.ones(4), [0, 1, 0, 1], "2-D"),
    (np.ones((4, 2)), [0, 1, 0.5, 1], "whole numbers"),
])
def test_bad_training_input_leaves_weights_untouched(X, y, match):
    net = NeuralNetwork(2, 3, 2, seed=0)
    before = net.theta.copy()
    with pytest.raises(ValueError, match=match):
        net.fit(X, y, epochs=1)
    assert np.array_equal(net.theta, before)


@pytest.mark.parametrize("kwargs, match", [
    ({"epochs": 0}, "epochs"),
    ({"batch_size": 0}, "batch_size"),
    ({"learning_rate": -1}, "learning_rate"),
    ({"learning_rate": math.nan}, "learning_rate"),
    ({"dropout": 1.0}, "dropout"),
    ({"optimizer": "adagrad"}, "optimizer must be one of"),
    ({"validation_split": 1.5}, "validation_split"),
    ({"class_weight": "auto"}, "balanced"),
    ({"sample_weight": [1, 2]}, "sample_weight must have shape"),
    ({"sample_weight": [1, -1, 1, 1]}, "non-negative"),
    ({"resume": True}, "checkpoint_dir"),
])
def test_bad_options(kwargs, match):
    net = NeuralNetwork(2, 3, 2, seed=0)
    before = net.theta.copy()
    with pytest.raises((ValueError, TypeError), match=match):
        net.fit(np.ones((4, 2)), [0, 1, 0, 1], **kwargs)
    assert np.array_equal(net.theta, before)


def test_bad_optimizer_settings():
    with pytest.raises(ValueError, match="schedule must be one of"):
        Adam(schedule="linear")
    with pytest.raises(ValueError, match="clip_norm"):
        SGD(clip_norm=0.0)
    with pytest.raises(ValueError, match="learning_rate"):
        AdamW(learning_rate=-1.0)


def test_validation_data_errors_say_so():
    net = NeuralNetwork(3, 4, 2, seed=0)
    with pytest.raises(ValueError, match="validation_data: X must have 3 values"):
        net.fit(np.ones((4, 3)), [0, 1, 0, 1], validation_data=(np.ones((2, 2)), [0, 1]))
    with pytest.raises(TypeError, match="seed must be an int"):
        net.fit(np.ones((4, 3)), [0, 1, 0, 1], seed=1.5)


def test_train_epoch_wants_checked_data():
    net = NeuralNetwork(2, 3, 2, seed=0)
    with pytest.raises(TypeError, match="check_training_data"):
        Trainer(net).train_epoch(np.ones((4, 2)))


def test_training_data_refuses_bad_row_numbers():
    # the trainer's batch gather trusts TrainingData.rows (np.take mode="clip")
    from numpynn.training import TrainingData

    X = np.zeros((5, 2), dtype=np.float32)
    y = np.zeros(5, dtype=np.int64)
    assert TrainingData(X, y, None, np.array([0, 4])).n == 2
    for rows, error in ((np.array([0, 5]), ValueError), (np.array([-1]), ValueError),
                        (np.array([0.0, 1.0]), TypeError), ([0, 1], TypeError)):
        with pytest.raises(error, match="TrainingData.rows"):
            TrainingData(X, y, None, rows)
    with pytest.raises(ValueError, match="TrainingData.rows"):
        TrainingData(X, y, None, np.arange(5)).subset(np.array([0, 7]))
