"""The scikit-learn estimators on Dask: GridSearchCV through joblib's Dask backend, and
dask-ml's ParallelPostFit and Incremental (skipped where dask-ml is not installed)."""

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
pytest.importorskip("distributed")
pytest.importorskip("sklearn")

import joblib  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402

from numpynn.sklearn import NeuralNetClassifier  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((400, 4)).astype(np.float32)
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(np.int64)
    return X, y


def test_grid_search_on_the_dask_joblib_backend(client, blobs):
    X, y = blobs
    grid = GridSearchCV(NeuralNetClassifier(hidden_layer_sizes=(8,), max_iter=20,
                                            random_state=0),
                        {"alpha": [1e-4, 1e-2], "learning_rate_init": [1e-3, 1e-2]}, cv=2)
    with joblib.parallel_backend("dask"):
        grid.fit(X, y)
    local = GridSearchCV(grid.estimator, grid.param_grid, cv=2).fit(X, y)
    assert grid.best_params_ == local.best_params_
    np.testing.assert_array_equal(grid.cv_results_["mean_test_score"],
                                  local.cv_results_["mean_test_score"])


def test_dask_ml_parallel_post_fit(client, blobs):
    wrappers = pytest.importorskip("dask_ml.wrappers")
    X, y = blobs
    classifier = NeuralNetClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=0)
    model = wrappers.ParallelPostFit(classifier).fit(X, y)
    dx = da.from_array(X, chunks=(100, 4))
    lazy = model.predict_proba(dx)
    assert isinstance(lazy, da.Array)
    local = classifier.fit(X, y)  # the same seed: the same weights
    expected = np.concatenate([local.predict_proba(X[i:i + 100]) for i in range(0, 400, 100)])
    np.testing.assert_array_equal(lazy.compute(), expected)


def test_dask_ml_incremental(client, blobs):
    wrappers = pytest.importorskip("dask_ml.wrappers")
    X, y = blobs
    dx, dy = da.from_array(X, chunks=(100, 4)), da.from_array(y, chunks=100)
    model = wrappers.Incremental(NeuralNetClassifier(hidden_layer_sizes=(8,),
                                                     learning_rate_init=0.01, random_state=0),
                                 shuffle_blocks=False)
    model.fit(dx, dy, classes=[0, 1])
    # partial_fit block after block, in order: the same as doing so here.
    local = NeuralNetClassifier(hidden_layer_sizes=(8,), learning_rate_init=0.01,
                                random_state=0)
    for start in range(0, 400, 100):
        local.partial_fit(X[start:start + 100], y[start:start + 100], classes=[0, 1])
    np.testing.assert_array_equal(model.estimator_.network_.theta, local.network_.theta)
    assert model.predict(dx).compute().shape == (400,)
