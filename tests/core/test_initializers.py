"""Initialisers: bounds, variance within sampling error, dtype, explicit Generator."""

import math

import numpy as np
import pytest

from numpynn import NeuralNetwork, initializers

FAN_IN, FAN_OUT = 200, 300


def _fill(name, seed=0):
    w = np.empty((FAN_IN, FAN_OUT), dtype=np.float32)
    initializers.INITIALIZERS[name](w, np.random.default_rng(seed))
    return w


@pytest.mark.parametrize("name, limit", [
    ("glorot_uniform", math.sqrt(6 / (FAN_IN + FAN_OUT))),
    ("he_uniform", math.sqrt(6 / FAN_IN)),
    ("uniform", 0.01),
])
def test_uniform_bounds_and_variance(name, limit):
    w = _fill(name)
    assert w.dtype == np.float32
    assert np.abs(w).max() <= limit
    assert np.abs(w).max() > 0.99 * limit  # the range is used, not a narrower one
    n = w.size
    expected_var = limit**2 / 3
    # standard error of the sample variance of U(-l, l): sqrt((E[x^4] - var^2) / n)
    se = math.sqrt((limit**4 / 5 - expected_var**2) / n)
    assert abs(w.var() - expected_var) < 5 * se
    assert abs(w.mean()) < 5 * math.sqrt(expected_var / n)


@pytest.mark.parametrize("name, std", [
    ("glorot_normal", math.sqrt(2 / (FAN_IN + FAN_OUT))),
    ("he_normal", math.sqrt(2 / FAN_IN)),
])
def test_normal_variance(name, std):
    w = _fill(name)
    assert w.dtype == np.float32
    n = w.size
    se = math.sqrt(2 * std**4 / n)
    assert abs(w.var() - std**2) < 5 * se
    assert abs(w.mean()) < 5 * std / math.sqrt(n)


def test_generator_is_explicit_and_global_state_untouched():
    np.random.seed(123)  # noqa: NPY002 - the legacy global state must stay untouched
    state = np.random.get_state()[1].copy()  # noqa: NPY002
    a, b = _fill("glorot_normal", 7), _fill("glorot_normal", 7)
    assert np.array_equal(a, b)
    assert np.array_equal(np.random.get_state()[1], state)  # noqa: NPY002


@pytest.mark.parametrize("name", sorted(initializers.INITIALIZERS))
def test_network_init_names_and_zero_biases(name):
    net = NeuralNetwork(5, 8, 3, init=name, seed=0)
    assert all(np.all(b == 0) for b in net.biases)
    assert all(np.any(w != 0) for w in net.weights)


def test_custom_init_callable():
    net = NeuralNetwork(3, 4, 2, init=lambda w, rng: w.fill(0.5))
    assert np.all(net.weights[0] == 0.5)
