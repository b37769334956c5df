"""The scikit-learn estimators raise on divergence as MLPClassifier does (issue 16, item 5).

numpynn trains in float32, where the loss overflows long before float64 weights would: a
non-finite loss is the same divergence as scikit-learn's non-finite weights, with the same
ValueError and message, never a fitted model with ``loss_ = inf`` or NaN.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

from numpynn.sklearn import NeuralNetClassifier, NeuralNetRegressor  # noqa: E402

RNG = np.random.default_rng(0)


def _sklearn_message() -> str:
    """The error MLPClassifier raises when its weights overflow float64."""
    X = RNG.normal(size=(50, 3)) * 1e100
    with warnings.catch_warnings(), pytest.raises(ValueError) as info:
        warnings.simplefilter("ignore")
        MLPClassifier(hidden_layer_sizes=(4,), solver="sgd", learning_rate_init=1.0,
                      max_iter=20, random_state=0).fit(X, (X[:, 0] > 0).astype(int))
    return str(info.value)


@pytest.mark.parametrize("estimator", [
    NeuralNetClassifier(hidden_layer_sizes=(8,), solver="sgd", learning_rate_init=10.0,
                        max_iter=20, random_state=0),
    NeuralNetRegressor(hidden_layer_sizes=(8,), solver="sgd", learning_rate_init=10.0,
                       max_iter=20, random_state=0),
])
def test_a_diverged_fit_raises_scikit_learns_error(estimator):
    X = RNG.normal(size=(200, 4)) * 1e6  # within float32, but the loss overflows it
    y = (X[:, 0] > 0).astype(int) if isinstance(estimator, NeuralNetClassifier) else X[:, 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.raises(ValueError) as info:
            estimator.fit(X, y)
    assert str(info.value) == _sklearn_message()


def test_the_same_data_scaled_down_fits_without_error():
    X = RNG.normal(size=(200, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = NeuralNetClassifier(hidden_layer_sizes=(8,), solver="sgd", max_iter=20,
                                  random_state=0).fit(X, (X[:, 0] > 0).astype(int))
    assert np.isfinite(est.loss_)
