"""What each solver does with the options it has no use for: scikit-learn's own parameters
are ignored as MLPClassifier ignores them (parity); numpynn's own raise."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.datasets import load_iris  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

from numpynn.sklearn import NeuralNetClassifier, NeuralNetRegressor  # noqa: E402

#: scikit-learn parameters of the stochastic solvers, away from their defaults.
STOCHASTIC_ONLY = dict(learning_rate_init=0.5, learning_rate="invscaling", power_t=0.9,
                       batch_size=7, momentum=0.5, nesterovs_momentum=False, beta_1=0.5,
                       beta_2=0.9, epsilon=1e-4, shuffle=False)


def _fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def test_lbfgs_ignores_the_stochastic_parameters_as_mlpclassifier_does():
    X, y = load_iris(return_X_y=True)
    base = dict(hidden_layer_sizes=(6,), solver="lbfgs", max_iter=30, random_state=0)
    plain = _fit(NeuralNetClassifier(**base), X, y)
    given = _fit(NeuralNetClassifier(**base, **STOCHASTIC_ONLY), X, y)
    np.testing.assert_array_equal(plain.network_.theta, given.network_.theta)
    assert plain.n_iter_ == given.n_iter_
    # scikit-learn's own MLP: the same parameters change nothing either
    theirs = _fit(MLPClassifier(**base), X, y)
    theirs_given = _fit(MLPClassifier(**base, **STOCHASTIC_ONLY), X, y)
    for a, b in zip(theirs.coefs_, theirs_given.coefs_):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("estimator", [NeuralNetClassifier, NeuralNetRegressor])
def test_lbfgs_with_dropout_raises_before_any_work(estimator):
    X, y = load_iris(return_X_y=True)
    model = _fit(estimator(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=5,
                           random_state=0, warm_start=True), X, y)
    before = model.network_.theta.copy()
    model.set_params(dropout=0.2)
    with pytest.raises(ValueError) as info:
        model.fit(X, y)
    assert "dropout=0.2" in str(info.value) and "solver='lbfgs'" in str(info.value)
    np.testing.assert_array_equal(model.network_.theta, before)
    _fit(model.set_params(solver="adam"), X, y)  # a stochastic solver honours it
