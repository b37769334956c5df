"""Early stopping holds out the rows scikit-learn 1.9's MLP holds out, in every case:
stratified only for binary targets (``n_outputs_ == 1``), raising where it raises."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

import sklearn.neural_network._multilayer_perceptron as sk_mlp  # noqa: E402
from sklearn.datasets import (  # noqa: E402
    make_classification,
    make_multilabel_classification,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402

from numpynn.sklearn import NeuralNetClassifier, NeuralNetRegressor, inputs  # noqa: E402


def _held_out(monkeypatch, module, est, X, y):
    """Fit ``est`` and return the validation rows its train_test_split chose."""
    chosen = []
    original = module.train_test_split

    def spy(*arrays, **kwargs):
        parts = original(*arrays, **kwargs)
        chosen.append(np.asarray(parts[1]))
        return parts

    monkeypatch.setattr(module, "train_test_split", spy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    monkeypatch.setattr(module, "train_test_split", original)
    assert len(chosen) == 1
    return chosen[0]


def _row_ids(X_val, scale=1.0):
    """Row numbers in ``X_val``, whose first column is the row number times ``scale``."""
    return np.rint(X_val[:, 0] / scale).astype(int)


def _with_row_ids(X):
    return np.column_stack([np.arange(len(X), dtype=np.float64), X])


@pytest.mark.parametrize("n_classes", [2, 3, 10])
@pytest.mark.parametrize("dtype", ["preserve", np.float32])
def test_same_held_out_rows_and_scores_as_mlpclassifier(monkeypatch, n_classes, dtype):
    X, y = make_classification(n_samples=400, n_features=12, n_informative=8,
                               n_classes=n_classes, n_clusters_per_class=1, random_state=0)
    X = _with_row_ids(X / 3)
    X[:, 0] /= 100  # the row number, scaled like a feature (exact to float32: < 2**24)
    params = dict(hidden_layer_sizes=(16,), early_stopping=True, learning_rate_init=0.01,
                  max_iter=40, random_state=1)
    theirs = MLPClassifier(**params)
    ours = NeuralNetClassifier(dtype=dtype, **params)
    rows_theirs = _held_out(monkeypatch, sk_mlp, theirs, X, y)
    rows_ours = _held_out(monkeypatch, inputs, ours, X, y)
    np.testing.assert_array_equal(_row_ids(rows_ours, 0.01), _row_ids(rows_theirs, 0.01))
    assert ours.n_iter_ == theirs.n_iter_
    if dtype == "preserve":  # the same float64 arithmetic: the same figures
        np.testing.assert_allclose(ours.validation_scores_, theirs.validation_scores_,
                                   rtol=0, atol=1e-12)
        np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-10)
    else:
        np.testing.assert_allclose(ours.validation_scores_, theirs.validation_scores_,
                                   atol=0.01)
        np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-3)


def test_binary_split_is_stratified_and_multiclass_is_not(monkeypatch):
    rng = np.random.default_rng(0)
    X = _with_row_ids(rng.normal(size=(200, 3)))
    binary = np.r_[np.zeros(180), np.ones(20)].astype(int)
    multiclass = np.r_[np.zeros(170), np.ones(20), np.full(10, 2)].astype(int)
    held_out = {}
    for name, y in (("binary", binary), ("multiclass", multiclass)):
        theirs = _held_out(monkeypatch, sk_mlp, MLPClassifier(early_stopping=True,
                                                              max_iter=2, random_state=0),
                           X, y)
        ours = _held_out(monkeypatch, inputs, NeuralNetClassifier(early_stopping=True,
                                                                  max_iter=2, random_state=0),
                         X, y)
        np.testing.assert_array_equal(_row_ids(ours), _row_ids(theirs))
        held_out[name] = y[_row_ids(ours)]
    assert np.bincount(held_out["binary"]).tolist() == [18, 2]  # stratified: 10% of each
    # multiclass is not stratified (scikit-learn's n_outputs_ == 1 rule): shares vary
    assert np.bincount(held_out["multiclass"], minlength=3).tolist() != [17, 2, 1]


def test_a_class_of_one_raises_where_scikit_learn_raises():
    X = np.random.default_rng(0).normal(size=(30, 3))
    y = np.r_[np.zeros(29), 1].astype(int)  # binary, one member of class 1: cannot stratify
    messages = []
    for Estimator in (MLPClassifier, NeuralNetClassifier):
        with pytest.raises(ValueError, match="least populated class") as excinfo:
            Estimator(early_stopping=True, max_iter=2, random_state=0).fit(X, y)
        messages.append(str(excinfo.value))
    assert messages[0] == messages[1]
    y3 = np.r_[np.zeros(20), np.ones(9), 2].astype(int)  # multiclass: not stratified, fits
    for Estimator in (MLPClassifier, NeuralNetClassifier):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            Estimator(early_stopping=True, max_iter=2, random_state=0).fit(X, y3)


@pytest.mark.parametrize("kind", ["multilabel", "regression", "multi-output regression"])
def test_unstratified_cases_hold_out_the_same_rows(monkeypatch, kind):
    if kind == "multilabel":
        X, y = make_multilabel_classification(n_samples=150, n_classes=4, random_state=0)
        pair = (MLPClassifier, NeuralNetClassifier)
    else:
        X, y = make_regression(n_samples=150, n_features=5, random_state=0,
                               n_targets=1 if kind == "regression" else 3)
        y = y / y.std()
        pair = (MLPRegressor, NeuralNetRegressor)
    X = _with_row_ids(X)
    params = dict(hidden_layer_sizes=(8,), early_stopping=True, max_iter=20, random_state=3,
                  validation_fraction=0.2)
    theirs = _held_out(monkeypatch, sk_mlp, pair[0](**params), X, y)
    ours = _held_out(monkeypatch, inputs, pair[1](dtype="preserve", **params), X, y)
    np.testing.assert_array_equal(_row_ids(ours), _row_ids(theirs))


def test_sample_weights_are_split_with_their_rows(monkeypatch):
    X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    weights = np.random.default_rng(0).uniform(0.5, 2, 200)
    params = dict(hidden_layer_sizes=(8,), early_stopping=True, max_iter=15, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = MLPClassifier(**params).fit(X, y, sample_weight=weights)
        ours = NeuralNetClassifier(dtype="preserve", **params).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(ours.validation_scores_, theirs.validation_scores_, atol=1e-12)
    assert ours.n_iter_ == theirs.n_iter_
