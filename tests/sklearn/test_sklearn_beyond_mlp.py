"""numpynn.sklearn beyond MLP*: activations, adamw, dropout, init, class_weight, validation sets."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn")

from estimator_helpers import _quiet  # noqa: E402
from sklearn.datasets import make_classification, make_regression  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from numpynn.sklearn import NeuralNetClassifier, NeuralNetRegressor  # noqa: E402


# ---------------------------------------------------------------------------
# beyond MLP*: activations, adamw, dropout, init, class_weight, validation sets
# ---------------------------------------------------------------------------
def test_per_layer_activations_and_leaky_relu(iris):
    X, y = iris
    clf = _quiet(NeuralNetClassifier(hidden_layer_sizes=(6, 5),
                                     activation=["leaky_relu", "tanh"], max_iter=20,
                                     random_state=0).fit, X, y)
    assert clf.network_.hidden_activations == ("leaky_relu", "tanh")
    with pytest.raises(ValueError, match="one activation per hidden layer"):
        NeuralNetClassifier(hidden_layer_sizes=(6, 5), activation=["relu"]).fit(X, y)
    with pytest.raises(ValueError, match=r"activation\[1\]"):
        NeuralNetClassifier(hidden_layer_sizes=(6, 5), activation=["relu", "leaky"]).fit(X, y)
    with pytest.raises(ValueError, match="'activation' parameter"):
        NeuralNetClassifier(activation="leaky").fit(X, y)


def test_adamw_decays_weights(iris):
    X, y = iris
    params = dict(hidden_layer_sizes=(8,), solver="adamw", max_iter=200,
                  learning_rate_init=0.01, random_state=0)
    light = _quiet(NeuralNetClassifier(alpha=0.0, **params).fit, X, y)
    heavy = _quiet(NeuralNetClassifier(alpha=5.0, **params).fit, X, y)
    norm = lambda est: sum(float((c ** 2).sum()) for c in est.coefs_)  # noqa: E731
    assert norm(heavy) < 0.5 * norm(light)


def test_dropout_is_reproducible_and_changes_training(iris):
    X, y = iris
    params = dict(hidden_layer_sizes=(16,), max_iter=20, random_state=0)
    plain = _quiet(NeuralNetClassifier(**params).fit, X, y)
    a = _quiet(NeuralNetClassifier(dropout=0.3, **params).fit, X, y)
    b = _quiet(NeuralNetClassifier(dropout=0.3, **params).fit, X, y)
    np.testing.assert_array_equal(a.network_.theta, b.network_.theta)
    assert not np.allclose(a.network_.theta, plain.network_.theta)
    with pytest.raises(ValueError, match="dropout"):
        NeuralNetClassifier(dropout=1.0).fit(X, y)


def test_init_options(iris):
    X, y = iris
    he = _quiet(NeuralNetClassifier(hidden_layer_sizes=(8,), init="he_normal", max_iter=1,
                                    random_state=0).fit, X, y)
    assert he.network_.theta.dtype == np.float32

    def ones(weights, rng):
        weights[...] = 0.5

    const = NeuralNetClassifier(hidden_layer_sizes=(8,), init=ones, solver="sgd",
                                learning_rate_init=1e-12, max_iter=1)
    _quiet(const.fit, X, y)
    np.testing.assert_allclose(const.coefs_[0], 0.5, atol=1e-6)
    with pytest.raises(ValueError, match="'init' parameter"):
        NeuralNetClassifier(init="zeros").fit(X, y)


def test_class_weight_balanced_and_dict():
    X, y = make_classification(n_samples=400, n_features=5, weights=[0.9, 0.1],
                               class_sep=0.5, random_state=0)
    labels = np.array(["common", "rare"])[y]
    params = dict(hidden_layer_sizes=(8,), max_iter=100, random_state=0)
    plain = _quiet(NeuralNetClassifier(**params).fit, X, labels)
    balanced = _quiet(NeuralNetClassifier(class_weight="balanced", **params).fit, X, labels)
    as_dict = _quiet(NeuralNetClassifier(class_weight={"common": 1.0, "rare": 8.0},
                                         **params).fit, X, labels)
    rare_plain = (plain.predict(X) == "rare").sum()
    assert (balanced.predict(X) == "rare").sum() > rare_plain
    assert (as_dict.predict(X) == "rare").sum() > rare_plain
    with pytest.raises(ValueError, match="balanced"):
        NeuralNetClassifier(class_weight="balanced").partial_fit(X, labels,
                                                                classes=["common", "rare"])


def test_user_validation_set_is_monitored(iris):
    X, y = iris
    clf = _quiet(NeuralNetClassifier(hidden_layer_sizes=(8,), max_iter=15,
                                     random_state=0).fit, X[::2], y[::2], X_val=X[1::2],
                 y_val=y[1::2])
    assert len(clf.validation_scores_) == len(clf.validation_loss_curve_) == 15
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.best_loss_ == min(clf.loss_curve_)
    last_score = clf.score(X[1::2], y[1::2])
    assert clf.validation_scores_[-1] == pytest.approx(last_score)
    with pytest.raises(ValueError, match="both X_val and y_val"):
        NeuralNetClassifier().fit(X, y, X_val=X)
    with pytest.raises(ValueError, match="not seen"):
        NeuralNetClassifier(max_iter=1).fit(X[y < 2], y[y < 2], X_val=X, y_val=y)


@pytest.mark.parametrize("monitor", ["score", "loss"])
def test_early_stopping_on_user_validation_set(monitor):
    X, y = make_regression(n_samples=300, n_features=10, noise=30.0, random_state=0)
    X = StandardScaler().fit_transform(X)
    y = y / y.std()
    reg = _quiet(NeuralNetRegressor(hidden_layer_sizes=(64,), early_stopping=True,
                                    monitor=monitor, learning_rate_init=0.01, max_iter=300,
                                    n_iter_no_change=5, random_state=0).fit,
                 X[:150], y[:150], X_val=X[150:], y_val=y[150:])
    assert reg.n_iter_ < 300
    assert len(reg.validation_loss_curve_) == reg.n_iter_
    if monitor == "loss":
        best = int(np.argmin(reg.validation_loss_curve_))
        # The restored weights are those of the epoch with the lowest validation loss.
        squared = 0.5 * np.mean((reg.predict(X[150:]) - y[150:]) ** 2)
        assert squared == pytest.approx(reg.validation_loss_curve_[best], rel=1e-4)
        assert reg.best_validation_score_ == reg.validation_scores_[best]
    else:
        assert reg.score(X[150:], y[150:]) == pytest.approx(max(reg.validation_scores_),
                                                            rel=1e-4)


def test_bad_input_names_the_problem(iris):
    X, y = iris
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        NeuralNetClassifier(hidden_layer_sizes=(4, 0)).fit(X, y)
    with pytest.raises(ValueError, match="'solver' parameter"):
        NeuralNetClassifier(solver="rmsprop").fit(X, y)
    with pytest.raises(ValueError, match="Unknown label type"):
        NeuralNetClassifier().fit(X, X[:, 0])
    with pytest.raises(ValueError, match="sample_weight"):
        NeuralNetClassifier().fit(X, y, sample_weight=-np.ones(len(y)))
    clf = _quiet(NeuralNetClassifier(max_iter=1).fit, X, y)
    with pytest.raises(ValueError, match="features"):
        clf.predict(X[:, :2])
    with pytest.raises(NotFittedError):
        NeuralNetRegressor().predict(X)
