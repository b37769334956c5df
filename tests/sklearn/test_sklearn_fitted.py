"""numpynn.sklearn: fitted attributes, targets, prediction methods, clone, pickle, GridSearchCV."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

pytest.importorskip("sklearn")

from estimator_helpers import _quiet  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import make_multilabel_classification  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from numpynn import NeuralNetwork  # noqa: E402
from numpynn.sklearn import NeuralNetClassifier, NeuralNetRegressor  # noqa: E402


# ---------------------------------------------------------------------------
# fitted attributes, targets, prediction methods
# ---------------------------------------------------------------------------
def test_fitted_attributes(iris):
    X, y = iris
    clf = _quiet(NeuralNetClassifier(hidden_layer_sizes=(5, 4), max_iter=5,
                                     random_state=0).fit, X, y)
    for name in ("coefs_", "intercepts_", "n_iter_", "loss_", "loss_curve_", "best_loss_",
                 "validation_scores_", "best_validation_score_", "classes_", "n_features_in_",
                 "n_layers_", "n_outputs_", "out_activation_", "t_", "network_",
                 "validation_loss_curve_"):
        assert hasattr(clf, name), name
    assert [c.shape for c in clf.coefs_] == [(4, 5), (5, 4), (4, 3)]
    assert [b.shape for b in clf.intercepts_] == [(5,), (4,), (3,)]
    assert clf.n_layers_ == 4 and clf.n_outputs_ == 3 and clf.out_activation_ == "softmax"
    assert clf.n_iter_ == 5 and len(clf.loss_curve_) == 5 and clf.t_ == 5 * len(X)
    assert clf.validation_scores_ is None and clf.best_validation_score_ is None
    assert isinstance(clf.network_, NeuralNetwork)
    assert clf.network_.sizes == (4, 5, 4, 3)
    # The flat vector is in the article's order: W0 row-major, b0, W1, b1, W2, b2.
    article_order = np.concatenate([a.ravel() for pair in zip(clf.coefs_, clf.intercepts_)
                                    for a in pair])
    np.testing.assert_array_equal(clf.network_.theta, article_order)
    for w in clf.coefs_ + clf.intercepts_:
        assert w.dtype == np.float32
        assert np.shares_memory(w, clf.network_.theta)
    assert not hasattr(NeuralNetClassifier(), "coefs_")


def test_feature_names_in(iris):
    pd = pytest.importorskip("pandas")
    X, y = iris
    names = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    frame = pd.DataFrame(X, columns=names)
    clf = _quiet(NeuralNetClassifier(hidden_layer_sizes=(4,), max_iter=3,
                                     random_state=0).fit, frame, y)
    assert list(clf.feature_names_in_) == names
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(frame[names[::-1]])


def test_setting_coefs_writes_into_the_network(iris):
    X, y = iris
    clf = _quiet(NeuralNetClassifier(hidden_layer_sizes=(3,), max_iter=2).fit, X, y)
    clf.coefs_ = [np.zeros_like(c) for c in clf.coefs_]
    clf.intercepts_ = [np.array([0, 0, 0]), np.array([0.0, 5.0, 0.0])]
    assert (clf.predict(X) == 1).all()
    with pytest.raises(ValueError, match=r"coefs_\[0\] must have shape"):
        clf.coefs_ = [np.zeros((2, 2)), np.zeros((3, 3))]


def test_string_labels_binary_and_proba(binary):
    X, y = binary
    labels = np.array(["no", "yes"])[y]
    clf = _quiet(NeuralNetClassifier(hidden_layer_sizes=(8,), max_iter=50,
                                     learning_rate_init=0.01, random_state=0).fit, X, labels)
    assert clf.out_activation_ == "logistic" and clf.n_outputs_ == 1
    assert list(clf.classes_) == ["no", "yes"]
    proba = clf.predict_proba(X)
    assert proba.shape == (300, 2) and proba.dtype == np.float32
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    log_proba = clf.predict_log_proba(X)
    # log(proba) up to the rounding of proba itself (an error of eps in p is eps / p in
    # log p): predict_log_proba comes from the logits, which are exact to float32.
    eps = np.finfo(np.float32).eps
    assert (np.abs(log_proba - np.log(proba)) <= 4 * eps / proba).all()
    z = clf.network_.astype(np.float64)._forward(X.astype(np.float64), apply_output=False)
    exact = -np.logaddexp(0, -np.column_stack([-z[:, 0], z[:, 0]]))
    np.testing.assert_allclose(log_proba, exact, rtol=1e-5, atol=1e-6)
    assert clf.score(X, labels) > 0.8


def test_multilabel_indicator_targets():
    X, Y = make_multilabel_classification(n_samples=200, n_classes=4, random_state=0)
    clf = _quiet(NeuralNetClassifier(hidden_layer_sizes=(16,), max_iter=100,
                                     random_state=0).fit, X, Y)
    assert clf.out_activation_ == "logistic" and clf.n_outputs_ == 4
    assert clf.predict(X).shape == (200, 4)
    proba = clf.predict_proba(X)
    assert proba.shape == (200, 4)
    np.testing.assert_array_equal(clf.predict(X), (proba > 0.5).astype(int))
    with pytest.raises(ValueError, match="multilabel"):
        NeuralNetClassifier(class_weight="balanced").fit(X, Y)


def test_input_is_converted_to_float32_once(iris):
    X, y = iris
    clf = _quiet(NeuralNetClassifier(hidden_layer_sizes=(4,), max_iter=2).fit, X, y)
    X32 = np.ascontiguousarray(X, dtype=np.float32)
    assert clf._validate_X(X32, reset=False) is X32  # no copy of float32 input
    assert clf._validate_X(X, reset=False).dtype == np.float32
    assert clf.network_.theta.dtype == np.float32
    assert NeuralNetRegressor(hidden_layer_sizes=(4,), max_iter=2).fit(X, X[:, 0]).predict(
        X).dtype == np.float32


def test_convergence_warning_at_max_iter(iris):
    X, y = iris
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        NeuralNetClassifier(hidden_layer_sizes=(4,), max_iter=3).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        NeuralNetClassifier(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=3).fit(X, y)


def test_partial_fit(iris):
    X, y = iris
    clf = NeuralNetClassifier(hidden_layer_sizes=(8,), learning_rate_init=0.05,
                              random_state=0)
    with pytest.raises(ValueError, match="classes"):
        clf.partial_fit(X[:50], y[:50])
    clf.partial_fit(X[:50], y[:50], classes=[0, 1, 2])
    assert list(clf.classes_) == [0, 1, 2] and clf.n_outputs_ == 3
    for _ in range(30):
        clf.partial_fit(X, y)
    assert clf.t_ == 50 + 30 * 150
    assert clf.score(X, y) > 0.8
    with pytest.raises(ValueError, match="classes not in"):
        clf.partial_fit(X[:2], [0, 7])
    assert not hasattr(NeuralNetClassifier(solver="lbfgs"), "partial_fit")
    reg = NeuralNetRegressor(hidden_layer_sizes=(8,), random_state=0)
    reg.partial_fit(X, X[:, 0])
    reg.partial_fit(X, X[:, 0])
    assert reg.t_ == 300
    with pytest.raises(ValueError, match="early_stopping"):
        NeuralNetRegressor(early_stopping=True).partial_fit(X, X[:, 0])


def test_warm_start_continues(iris):
    X, y = iris
    clf = NeuralNetClassifier(hidden_layer_sizes=(8,), max_iter=5, warm_start=True,
                              random_state=0)
    _quiet(clf.fit, X, y)
    theta = clf.network_.theta.copy()
    _quiet(clf.fit, X, y)
    assert len(clf.loss_curve_) == 10
    assert clf.loss_curve_[5] < clf.loss_curve_[0]
    assert not np.array_equal(theta, clf.network_.theta)
    with pytest.raises(ValueError, match="warm_start"):
        clf.fit(X[y < 2], y[y < 2])


# ---------------------------------------------------------------------------
# clone, pickle, Pipeline, GridSearchCV
# ---------------------------------------------------------------------------
def test_clone_pickle_pipeline_gridsearch(iris):
    X, y = iris
    clf = _quiet(NeuralNetClassifier(hidden_layer_sizes=(8,), max_iter=30,
                                     random_state=0).fit, X, y)
    copy = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(copy.predict_proba(X), clf.predict_proba(X))
    assert np.shares_memory(copy.coefs_[0], copy.network_.theta)
    assert copy.network_.theta is not clf.network_.theta
    fresh = clone(clf)
    assert not hasattr(fresh, "network_") and fresh.get_params() == clf.get_params()

    search = GridSearchCV(
        make_pipeline(StandardScaler(), NeuralNetClassifier(max_iter=30, random_state=0,
                                                            learning_rate_init=0.05)),
        {"neuralnetclassifier__hidden_layer_sizes": [(4,), (8,)],
         "neuralnetclassifier__activation": ["relu", "leaky_relu"]}, cv=3)
    _quiet(search.fit, X, y)
    assert search.best_score_ > 0.7
    assert search.best_estimator_.predict(X).shape == (150,)
