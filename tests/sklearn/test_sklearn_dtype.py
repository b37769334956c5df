"""The estimators' dtype: float32 by default, float64 on request, "preserve" as
scikit-learn's MLP (float64 in, float64 model and outputs; float32 in, float32)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.datasets import make_classification, make_regression  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402

from numpynn.sklearn import NeuralNetClassifier, NeuralNetRegressor  # noqa: E402


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kwargs)


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=500, n_features=10, n_informative=6, n_classes=3,
                               random_state=0)
    return X, y


def _outputs(est, X):
    return est.predict_proba(X) if hasattr(est, "predict_proba") else est.predict(X)


@pytest.mark.parametrize("Estimator", [NeuralNetClassifier, NeuralNetRegressor])
def test_float32_is_the_default_for_any_input(data, Estimator):
    X, y = data
    target = y if Estimator is NeuralNetClassifier else X[:, 0]
    est = _quiet(Estimator(hidden_layer_sizes=(4,), max_iter=3, random_state=0).fit, X, target)
    assert est.get_params()["dtype"] is np.float32
    assert est.network_.dtype == np.float32
    assert all(c.dtype == np.float32 for c in est.coefs_ + est.intercepts_)
    for X_in in (X, X.astype(np.float32), X.astype(np.int64)):
        assert _outputs(est, X_in).dtype == np.float32
    X32 = np.ascontiguousarray(X, dtype=np.float32)
    assert est._validate_X(X32, reset=False) is X32  # no copy of float32 input


@pytest.mark.parametrize("dtype", [np.float64, "float64", np.dtype(np.float64)])
def test_float64_on_request(data, dtype):
    X, y = data
    clf = _quiet(NeuralNetClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0,
                                     dtype=dtype).fit, X.astype(np.float32), y)
    assert clf.network_.dtype == np.float64
    assert clf.predict_proba(X.astype(np.float32)).dtype == np.float64


@pytest.mark.parametrize(("X_dtype", "model"), [
    (np.float64, np.float64), (np.float32, np.float32), (np.int64, np.float64),
])
def test_preserve_keeps_the_dtype_of_X(data, X_dtype, model):
    X, y = data
    X_in = (X * 10).astype(X_dtype)
    for est, target in ((NeuralNetClassifier, y), (NeuralNetRegressor, X[:, 0])):
        fitted = _quiet(est(hidden_layer_sizes=(4,), max_iter=3, random_state=0,
                            dtype="preserve").fit, X_in, target)
        assert fitted.network_.dtype == model
        assert _outputs(fitted, X_in).dtype == model
        if X_dtype != np.int64:
            assert fitted._validate_X(X_in, reset=False) is X_in  # used as it is


def test_preserve_predicts_in_numpys_promotion_as_scikit_learn(data):
    """A float32 model given float64 X computes in float64, as scikit-learn's
    ``X @ coefs_`` does; and the other way round."""
    X, y = data
    ours = _quiet(NeuralNetClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0,
                                      dtype="preserve").fit, X.astype(np.float32), y)
    theirs = _quiet(MLPClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit,
                    X.astype(np.float32), y)
    assert ours.network_.dtype == np.float32
    for X_in in (X, X.astype(np.float32)):
        mine, sk = ours.predict_proba(X_in), theirs.predict_proba(X_in)
        assert mine.dtype == sk.dtype == X_in.dtype
        np.testing.assert_allclose(mine, sk, atol=1e-5)
    assert ours.network_.dtype == np.float32  # predicting changed nothing


@pytest.mark.parametrize(("solver", "learning_rate"), [
    ("adam", "constant"), ("sgd", "invscaling"), ("sgd", "adaptive"),
])
def test_preserve_follows_mlpclassifier_to_float64_rounding(data, solver, learning_rate):
    X, y = data
    params = dict(hidden_layer_sizes=(16,), solver=solver, learning_rate=learning_rate,
                  learning_rate_init=0.01, max_iter=60, tol=3e-3, n_iter_no_change=2,
                  random_state=0)
    theirs = _quiet(MLPClassifier(**params).fit, X, y)
    ours = _quiet(NeuralNetClassifier(dtype="preserve", **params).fit, X, y)
    assert ours.n_iter_ == theirs.n_iter_ and ours.t_ == theirs.t_
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-12)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-12)
    for mine, sk in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        assert mine.dtype == sk.dtype == np.float64
        np.testing.assert_allclose(mine, sk, rtol=1e-10, atol=1e-12)


def test_preserve_follows_mlpregressor_multi_output():
    X, Y = make_regression(n_samples=200, n_features=6, n_targets=3, random_state=0)
    Y = Y / Y.std()
    params = dict(hidden_layer_sizes=(16,), max_iter=40, random_state=0)
    theirs = _quiet(MLPRegressor(**params).fit, X, Y)
    ours = _quiet(NeuralNetRegressor(dtype="preserve", **params).fit, X, Y)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-12)
    assert ours.predict(X).dtype == theirs.predict(X).dtype == np.float64
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-10, atol=1e-12)


def test_preserve_lbfgs_follows_mlpclassifier(data):
    """L-BFGS in float64: the same objective to 1e-16, so the same iterates for as long as
    rounding lets two runs of L-BFGS-B agree (tens of iterations)."""
    X, y = data
    params = dict(hidden_layer_sizes=(16,), solver="lbfgs", max_iter=30, random_state=0)
    theirs = _quiet(MLPClassifier(**params).fit, X, y)
    ours = _quiet(NeuralNetClassifier(dtype="preserve", **params).fit, X, y)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-9)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-8)


def test_bad_dtype_is_refused_by_parameter_validation(data):
    X, y = data
    for bad in ("float16", np.float16, "double", 64):
        with pytest.raises(ValueError, match="'dtype' parameter"):
            NeuralNetClassifier(dtype=bad).fit(X, y)


def test_warm_start_keeps_the_networks_dtype(data):
    X, y = data
    clf = NeuralNetClassifier(hidden_layer_sizes=(4,), max_iter=2, warm_start=True,
                              random_state=0, dtype="preserve")
    _quiet(clf.fit, X, y)
    assert clf.network_.dtype == np.float64
    _quiet(clf.fit, X.astype(np.float32), y)  # converted to the network's dtype
    assert clf.network_.dtype == np.float64 and len(clf.loss_curve_) == 4


def test_one_row_predictions_are_checked_as_scikit_learn_checks_them(data):
    """Small dense batches skip validate_data only when it would do nothing else: the
    errors and warnings are scikit-learn's."""
    X, y = data
    clf = _quiet(NeuralNetClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0).fit,
                 X, y)
    row = X[:1].copy()
    # (a single row's matrix products are BLAS's vector-matrix kernel: float32 rounding)
    np.testing.assert_allclose(clf.predict_proba(row), clf.predict_proba(X)[:1], rtol=1e-6)
    np.testing.assert_array_equal(clf.predict_proba(row.astype(np.int64)),
                                  clf.predict_proba(row.astype(np.int64).astype(float)))
    row[0, 3] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        clf.predict(row)
    with pytest.raises(ValueError, match="X has 3 features, but NeuralNetClassifier is "
                                         "expecting 10 features as input"):
        clf.predict_proba(X[:1, :3])
    pd = pytest.importorskip("pandas")
    named = _quiet(NeuralNetClassifier(hidden_layer_sizes=(4,), max_iter=3,
                                       random_state=0).fit,
                   pd.DataFrame(X, columns=[f"f{i}" for i in range(10)]), y)
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        named.predict_proba(X[:1])


@pytest.mark.parametrize("dtype", [np.float32, "preserve"])
def test_float32_data_is_never_copied_to_float64(dtype):
    import tracemalloc

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200_000, 32)).astype(np.float32)  # 25.6 MB
    y = rng.integers(0, 3, len(X))
    clf = NeuralNetClassifier(hidden_layer_sizes=(16,), max_iter=1, random_state=0,
                              dtype=dtype)
    tracemalloc.start()
    _quiet(clf.fit, X, y)
    proba = clf.predict_proba(X)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert clf.network_.dtype == np.float32 and proba.dtype == np.float32
    # the label indicator scikit-learn's LabelBinarizer makes (200,000 x 3 int64), the
    # outputs and block buffers: about half of X; a copy of X would be 1x more (float32)
    # or 2x (float64)
    assert peak < X.nbytes
