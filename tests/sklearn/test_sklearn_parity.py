"""numpynn.sklearn against MLPClassifier / MLPRegressor: the same start, steps and stopping."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn")

from estimator_helpers import _quiet  # noqa: E402
from sklearn.datasets import load_iris, make_classification, make_regression  # noqa: E402
from sklearn.model_selection import cross_val_score  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from numpynn.sklearn import NeuralNetClassifier, NeuralNetRegressor  # noqa: E402


# ---------------------------------------------------------------------------
# parity with scikit-learn: the same start, the same steps, the same stopping
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("solver, learning_rate", [
    ("adam", "constant"), ("sgd", "constant"), ("sgd", "invscaling"), ("sgd", "adaptive"),
])
def test_classifier_follows_mlpclassifier(solver, learning_rate):
    # 500 rows: three mini-batches an epoch, so the shuffles must match too.
    X, y = make_classification(n_samples=500, n_features=10, n_informative=6, n_classes=3,
                               random_state=0)
    # tol=3e-3, n_iter_no_change=2: the adaptive rate is divided by 5 four times on the way.
    params = dict(hidden_layer_sizes=(16,), solver=solver, learning_rate=learning_rate,
                  learning_rate_init=0.01, max_iter=60, tol=3e-3, n_iter_no_change=2,
                  random_state=0)
    theirs = _quiet(MLPClassifier(**params).fit, X, y)
    ours = _quiet(NeuralNetClassifier(**params).fit, X, y)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.t_ == theirs.t_
    if solver == "sgd":
        assert ours._learning_rate == pytest.approx(theirs._optimizer.learning_rate)
        assert (ours._learning_rate < 0.01) == (learning_rate != "constant")
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-4)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-4)
    for mine, sk in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        assert mine.shape == sk.shape
        np.testing.assert_allclose(mine, sk, atol=1e-4)


def test_partial_fit_follows_mlp():
    X, y = make_classification(n_samples=450, n_features=6, n_classes=3, n_informative=4,
                               random_state=2)
    params = dict(hidden_layer_sizes=(8,), learning_rate_init=0.01, random_state=0)
    theirs, ours = MLPClassifier(**params), NeuralNetClassifier(**params)
    for start in range(0, 450, 150):
        part = slice(start, start + 150)
        theirs.partial_fit(X[part], y[part], classes=[0, 1, 2])
        ours.partial_fit(X[part], y[part], classes=[0, 1, 2])
        assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-4)
    assert ours.t_ == theirs.t_ == 450
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-4)


def test_sample_weights_follow_mlp():
    X, y = make_classification(n_samples=450, n_features=6, random_state=1)
    weights = np.random.default_rng(1).uniform(0, 3, size=450)
    params = dict(hidden_layer_sizes=(8,), alpha=0.1, max_iter=30, random_state=0,
                  learning_rate_init=0.01)
    theirs = _quiet(MLPClassifier(**params).fit, X, y, sample_weight=weights)
    ours = _quiet(NeuralNetClassifier(**params).fit, X, y, sample_weight=weights)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-4)
    reg_theirs = _quiet(MLPRegressor(**params).fit, X, X[:, 0], sample_weight=weights)
    reg_ours = _quiet(NeuralNetRegressor(**params).fit, X, X[:, 0], sample_weight=weights)
    np.testing.assert_allclose(reg_ours.loss_curve_, reg_theirs.loss_curve_, rtol=1e-4)


def test_same_initial_weights_as_mlp(binary):
    X, y = binary
    for activation in ("relu", "logistic"):
        params = dict(hidden_layer_sizes=(7, 5), activation=activation, solver="sgd",
                      learning_rate_init=1e-12, max_iter=1, random_state=3)
        theirs = _quiet(MLPClassifier(**params).fit, X, y)
        ours = _quiet(NeuralNetClassifier(**params).fit, X, y)
        for mine, sk in zip(ours.coefs_ + ours.intercepts_,
                            theirs.coefs_ + theirs.intercepts_):
            np.testing.assert_allclose(mine, sk, rtol=1e-6, atol=1e-7)


def test_early_stopping_follows_mlp(binary):
    X, y = binary
    params = dict(hidden_layer_sizes=(16,), early_stopping=True, random_state=0,
                  learning_rate_init=0.01)
    theirs = _quiet(MLPClassifier(**params).fit, X, y)
    ours = _quiet(NeuralNetClassifier(**params).fit, X, y)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.validation_scores_ == pytest.approx(theirs.validation_scores_)
    assert ours.best_validation_score_ == pytest.approx(theirs.best_validation_score_)
    assert ours.best_loss_ is None
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-4)


def test_regressor_follows_mlpregressor_multi_output():
    X, Y = make_regression(n_samples=200, n_features=6, n_targets=3, random_state=0)
    Y = Y / Y.std()
    params = dict(hidden_layer_sizes=(16,), max_iter=40, random_state=0)
    theirs = _quiet(MLPRegressor(**params).fit, X, Y)
    ours = _quiet(NeuralNetRegressor(**params).fit, X, Y)
    # scikit-learn's squared error is a mean over the outputs too.
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-4)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-3, atol=1e-3)
    assert ours.predict(X).shape == (200, 3)


def test_poisson_follows_mlpregressor():
    X, _ = make_regression(n_samples=200, n_features=5, random_state=0)
    y = np.random.default_rng(0).poisson(np.exp(X[:, 0] / 3)).astype(float)
    params = dict(loss="poisson", hidden_layer_sizes=(8,), max_iter=30, random_state=0)
    theirs = _quiet(MLPRegressor(**params).fit, X, y)
    ours = _quiet(NeuralNetRegressor(**params).fit, X, y)
    assert ours.out_activation_ == "exp"
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-4)
    assert (ours.predict(X) > 0).all()
    weights = np.random.default_rng(2).uniform(0, 2, size=len(y))
    theirs = _quiet(MLPRegressor(**params).fit, X, y, sample_weight=weights)
    ours = _quiet(NeuralNetRegressor(**params).fit, X, y, sample_weight=weights)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-4)
    with pytest.raises(ValueError, match="non-negative"):
        NeuralNetRegressor(loss="poisson").fit(X, -y - 1)


def test_lbfgs_close_to_mlp(iris):
    X, y = iris
    params = dict(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=300, random_state=0)
    theirs = _quiet(MLPClassifier(**params).fit, X, y)
    ours = _quiet(NeuralNetClassifier(**params).fit, X, y)
    # float32 losses of confident predictions are too coarse for L-BFGS-B to follow
    # scikit-learn's float64 path all the way down a plateau; the fits are alike.
    assert ours.loss_ < 0.1 and theirs.loss_ < 0.1
    assert ours.score(X, y) >= theirs.score(X, y) - 0.02
    assert len(ours.loss_curve_) == ours.n_iter_ <= 300


def test_accuracy_smoke_against_mlp_on_iris():
    X, y = load_iris(return_X_y=True)
    params = dict(hidden_layer_sizes=(64,), max_iter=200, random_state=0)
    theirs = _quiet(cross_val_score, make_pipeline(StandardScaler(), MLPClassifier(**params)),
                    X, y, cv=5)
    ours = _quiet(cross_val_score,
                  make_pipeline(StandardScaler(), NeuralNetClassifier(**params)), X, y, cv=5)
    assert ours.mean() >= theirs.mean() - 0.01


def test_scikit_learns_names_are_the_same_classes():
    # The drop-in is one changed import line: sklearn.neural_network -> numpynn.sklearn
    from numpynn.sklearn import MLPClassifier as OurClassifier
    from numpynn.sklearn import MLPRegressor as OurRegressor

    assert OurClassifier is NeuralNetClassifier and OurRegressor is NeuralNetRegressor
    X, y = load_iris(return_X_y=True)
    ours = _quiet(OurClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=0).fit, X, y)
    theirs = _quiet(MLPClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=0).fit,
                    X, y)
    assert (ours.predict(X) == theirs.predict(X)).mean() > 0.95
