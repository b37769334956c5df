"""coefs_ / intercepts_ as scikit-learn's lists, and log-probabilities from the logits."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.datasets import load_iris, make_classification  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from numpynn.sklearn import NeuralNetClassifier, NeuralNetRegressor  # noqa: E402


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kwargs)


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def test_item_assignment_writes_into_the_network(iris):
    X, y = iris
    clf = _quiet(NeuralNetClassifier(hidden_layer_sizes=(3,), max_iter=2).fit, X, y)
    W = np.zeros((4, 3))
    clf.coefs_[0] = W  # scikit-learn's lists take this
    np.testing.assert_array_equal(clf.network_.weights[0], W)
    clf.coefs_[1] = np.zeros((3, 3))
    clf.intercepts_[-1] = np.array([0.0, 5.0, 0.0])
    assert (clf.predict(X) == 1).all()
    clf.intercepts_[0:1] = [np.ones(3)]
    np.testing.assert_array_equal(clf.network_.biases[0], 1)
    for i, c in enumerate(clf.coefs_):
        assert np.shares_memory(c, clf.network_.theta), i
    with pytest.raises(ValueError, match=r"coefs_\[0\] must have shape \(4, 3\), got \(2, 2\)"):
        clf.coefs_[0] = np.zeros((2, 2))
    with pytest.raises(ValueError, match="finite"):
        clf.coefs_[0] = np.full((4, 3), np.nan)
    with pytest.raises(TypeError, match="one array per layer"):
        clf.coefs_.append(np.zeros((3, 3)))
    assert [c.shape for c in clf.coefs_] == [(4, 3), (3, 3)]  # nothing changed
    assert isinstance(clf.coefs_ + clf.intercepts_, list)
    copied = pickle.loads(pickle.dumps(clf.coefs_))
    assert type(copied) is list and np.array_equal(copied[0], clf.coefs_[0])


def test_assignment_before_fit_is_the_starting_point(iris):
    """As scikit-learn's warm start from assigned arrays: the fit starts there."""
    X, y = iris
    start = _quiet(NeuralNetClassifier(hidden_layer_sizes=(5,), max_iter=1,
                                       random_state=7).fit, X, y)
    coefs = [c.copy() * 2 for c in start.coefs_]
    intercepts = [b.copy() + 0.5 for b in start.intercepts_]
    clf = NeuralNetClassifier(hidden_layer_sizes=(5,), solver="sgd", learning_rate_init=1e-12,
                              max_iter=1, random_state=0)
    clf.coefs_ = coefs
    clf.intercepts_ = intercepts
    assert clf.coefs_ is not None and len(clf.coefs_) == 2  # kept, readable
    clf.coefs_[0] = coefs[0]  # item assignment before fit is kept too
    _quiet(clf.fit, X, y)
    for mine, wanted in zip(clf.coefs_ + clf.intercepts_, coefs + intercepts):
        np.testing.assert_allclose(mine, wanted, atol=1e-6)  # lr 1e-12: still there
    refit = _quiet(clf.fit, X, y)  # warm_start=False: the next fit starts afresh
    assert not np.allclose(refit.coefs_[0], coefs[0], atol=1e-3)
    wrong = NeuralNetClassifier(hidden_layer_sizes=(6,), max_iter=1)
    wrong.coefs_ = coefs
    with pytest.raises(ValueError, match=r"coefs_\[0\] assigned before fit has shape"):
        wrong.fit(X, y)
    with pytest.raises(TypeError, match="list of arrays"):
        NeuralNetClassifier().coefs_ = np.zeros((2, 2))
    assert not hasattr(NeuralNetRegressor(), "intercepts_")


def test_log_proba_is_finite_where_float32_rounds_proba_to_one():
    """A confident binary model: sigmoid(z) is exactly 1.0 in float32 for z above ~17,
    and log(1 - p) would be -inf; from the logit it is -z - log1p(exp(-z))."""
    X, y = make_classification(n_samples=200, n_features=4, class_sep=4.0, random_state=0)
    clf = _quiet(NeuralNetClassifier(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=200,
                                     random_state=0).fit, X * 10, y)
    logits = clf.network_._forward(np.asarray(X * 10, dtype=np.float32), apply_output=False)
    assert np.abs(logits).max() > 20  # confident enough to show the problem
    proba = clf.predict_proba(X * 10)
    log_proba = clf.predict_log_proba(X * 10)
    z = logits[:, 0].astype(np.float64)
    exact = -np.logaddexp(0, -np.column_stack([-z, z]))
    finite = proba > 0
    np.testing.assert_allclose(log_proba[finite], exact[finite], rtol=1e-5, atol=1e-6)
    assert np.isneginf(log_proba[~finite]).all()  # log of an exact 0, as log(predict_proba)
    eps = np.finfo(np.float32).eps
    assert (np.abs(log_proba[finite] - np.log(proba[finite])) <= 4 * eps / proba[finite]).all()
    # The complement is computed directly, not as 1 - p: no 0 until below float32's range.
    assert (proba[np.abs(z) < 80] > 0).all()


@pytest.mark.parametrize("dtype", [np.float32, "preserve"])
def test_log_proba_equals_log_of_proba_multiclass_and_multilabel(iris, dtype):
    X, y = iris
    clf = _quiet(NeuralNetClassifier(hidden_layer_sizes=(8,), max_iter=50, random_state=0,
                                     dtype=dtype).fit, X, y)
    proba, log_proba = clf.predict_proba(X), clf.predict_log_proba(X)
    assert log_proba.dtype == proba.dtype
    rtol = 1e-5 if proba.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(log_proba, np.log(proba), rtol=rtol, atol=rtol)
    Y = np.c_[y == 0, y == 1, y == 2].astype(int)
    multi = _quiet(NeuralNetClassifier(hidden_layer_sizes=(8,), max_iter=50, random_state=0,
                                       dtype=dtype).fit, X, Y)
    np.testing.assert_allclose(multi.predict_log_proba(X), np.log(multi.predict_proba(X)),
                               rtol=rtol, atol=rtol)


def test_log_proba_matches_mlpclassifier_in_float64(iris):
    X, y = iris
    params = dict(hidden_layer_sizes=(8,), max_iter=30, random_state=0)
    theirs = _quiet(MLPClassifier(**params).fit, X, y == 1)
    ours = _quiet(NeuralNetClassifier(dtype="preserve", **params).fit, X, y == 1)
    np.testing.assert_allclose(ours.predict_log_proba(X), theirs.predict_log_proba(X),
                               rtol=1e-10)
