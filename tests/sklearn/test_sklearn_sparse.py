"""Sparse X in the estimators: kept sparse through validation, training and prediction;
sparse and dense fits agree, with scikit-learn's as well."""

from __future__ import annotations

import contextlib
import tracemalloc
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

import scipy.sparse as sp  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402

from numpynn.sklearn import NeuralNetClassifier, NeuralNetRegressor  # noqa: E402


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kwargs)


@pytest.fixture(scope="module")
def text_like():
    """400 x 3,000, 15 stored values a row (like a small TF-IDF matrix), 4 classes."""
    rng = np.random.default_rng(0)
    rows, cols, per_row = 400, 3000, 15
    indices = np.concatenate([rng.choice(cols, per_row, replace=False) for _ in range(rows)])
    X = sp.csr_matrix((rng.random(rows * per_row), indices,
                       np.arange(0, rows * per_row + 1, per_row)), shape=(rows, cols))
    y = np.asarray(X @ rng.normal(size=(cols, 4))).argmax(axis=1)
    return X, y


@pytest.mark.parametrize(("solver", "early_stopping"), [
    ("adam", False), ("adam", True), ("lbfgs", False),  # (lbfgs has no early stopping)
])
def test_sparse_fit_equals_dense_fit_and_mlpclassifier(text_like, solver, early_stopping):
    X, y = text_like
    params = dict(hidden_layer_sizes=(16,), solver=solver, max_iter=15, random_state=0,
                  early_stopping=early_stopping, learning_rate_init=0.01)
    sparse_fit = _quiet(NeuralNetClassifier(dtype="preserve", **params).fit, X, y)
    dense_fit = _quiet(NeuralNetClassifier(dtype="preserve", **params).fit, X.toarray(), y)
    theirs = _quiet(MLPClassifier(**params).fit, X, y)
    assert sparse_fit.n_iter_ == dense_fit.n_iter_ == theirs.n_iter_
    for P in (dense_fit.predict_proba(X), theirs.predict_proba(X)):
        np.testing.assert_allclose(sparse_fit.predict_proba(X), P, atol=1e-9)
    np.testing.assert_allclose(sparse_fit.predict_proba(X.tocsc()),
                               sparse_fit.predict_proba(X.toarray()), atol=1e-12)


def test_float32_default_keeps_sparse_input_sparse(text_like):
    X, y = text_like
    clf = _quiet(NeuralNetClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit,
                 X, y)
    validated = clf._validate_X(X, reset=False)
    assert sp.issparse(validated) and validated.format == "csr"
    assert validated.dtype == np.float32
    X32 = X.astype(np.float32)
    assert clf._validate_X(X32, reset=False).data is X32.data  # no copy at all
    dense = _quiet(NeuralNetClassifier(hidden_layer_sizes=(8,), max_iter=5,
                                       random_state=0).fit, X.toarray(), y)
    np.testing.assert_allclose(clf.predict_proba(X), dense.predict_proba(X), atol=1e-5)
    reg = _quiet(NeuralNetRegressor(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit,
                 X, y.astype(float))
    theirs = _quiet(MLPRegressor(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit,
                    X.astype(np.float32), y.astype(float))
    np.testing.assert_allclose(reg.predict(X), theirs.predict(X.astype(np.float32)),
                               rtol=1e-4, atol=1e-4)


def test_estimators_never_densify_x():
    """3,000 x 200,000, 10 stored values a row: a dense float32 copy would be 2.4 GB."""
    rng = np.random.default_rng(1)
    rows, cols = 3000, 200_000
    X = sp.csr_matrix((rng.random(rows * 10), rng.integers(0, cols, rows * 10),
                       np.arange(0, rows * 10 + 1, 10)), shape=(rows, cols))
    y = rng.integers(0, 2, rows)
    # The same fit on a few rows first, and the compiled kernels that a fit this large
    # switches to: the modules imported on first use are not the fit's memory (Numba's
    # import alone traces about 16 MB), and without this the peak depends on test order.
    _quiet(NeuralNetClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0,
                               early_stopping=True).fit, X[:50], y[:50]).predict_proba(X[:5])
    with contextlib.suppress(Exception):  # without Numba, NumPy alone: nothing to load
        import numpynn.core.kernels.numba_kernels  # noqa: F401
    tracemalloc.start()
    clf = _quiet(NeuralNetClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0,
                                     early_stopping=True).fit, X, y)
    clf.predict_proba(X)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # 800,000 weights (3.2 MB) and their state, the float32 copy of X's values (0.4 MB):
    # one dense batch of 200 rows would be 160 MB
    assert peak < 60 * 2**20
