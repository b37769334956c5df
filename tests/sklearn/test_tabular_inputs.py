"""numpynn.sklearn's table estimators as scikit-learn users call them: a frame predicted
by a model fitted on an array (by position, after scikit-learn's warning),
``predict_log_proba`` as every probabilistic classifier has it, and a missing class label
named by its row (for the MLP drop-in too)."""

import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
pd = pytest.importorskip("pandas")

from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import cross_val_predict  # noqa: E402

from numpynn.sklearn import TabularClassifier, TabularRegressor  # noqa: E402


def _data(n=90, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + 0.5 * X[:, 1]


@pytest.mark.parametrize("columns", [list("abc"), [0, 1, 2], [2, 1, 0]])
def test_a_frame_after_an_array_fit_is_taken_by_position(columns):
    X, score = _data()
    model = TabularRegressor(width=8, epochs=3, random_state=0).fit(X, score)
    frame = pd.DataFrame(X, columns=columns)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        by_position = model.predict(frame)
    warned = any("fitted without feature names" in str(w.message) for w in caught)
    assert warned == isinstance(columns[0], str)  # scikit-learn's warning: names only
    np.testing.assert_array_equal(by_position, model.predict(X))


def test_a_frame_with_the_fitted_column_names_is_still_taken_by_name():
    X, score = _data()
    frame = pd.DataFrame(X)  # integer column names: no feature_names_in_
    model = TabularRegressor(width=8, epochs=3, random_state=0).fit(frame, score)
    np.testing.assert_array_equal(model.predict(frame[[2, 0, 1]]), model.predict(frame))


def test_predict_log_proba_is_the_log_of_predict_proba():
    X, score = _data()
    y = np.where(score > 0.3, "high", "low")
    model = TabularClassifier(width=8, epochs=3, random_state=0).fit(X, y)
    proba = model.predict_proba(X)
    log_proba = model.predict_log_proba(X)
    assert log_proba.shape == proba.shape and log_proba.dtype == proba.dtype
    np.testing.assert_allclose(log_proba, np.log(proba), rtol=1e-6)
    out_of_fold = cross_val_predict(clone(model), X, y, cv=3, method="predict_log_proba")
    assert out_of_fold.shape == (len(y), 2) and (out_of_fold <= 0).all()



def _labels_with_a_gap(kind: str, n: int):
    labels = np.where(np.arange(n) % 2 == 0, "yes", "no").astype(object)
    labels[7] = None
    if kind == "object array":
        return labels
    if kind == "Series with NaN":
        return pd.Series(labels).fillna(np.nan)
    if kind == "string dtype":
        return pd.array(list(labels), dtype="string")
    return pd.Categorical(labels)


@pytest.mark.parametrize("kind", ["object array", "Series with NaN", "string dtype",
                                  "categorical"])
@pytest.mark.parametrize("estimator", ["TabularClassifier", "NeuralNetClassifier"])
def test_a_missing_class_label_is_named_by_its_row(kind, estimator):
    from numpynn.sklearn import NeuralNetClassifier

    X = np.random.default_rng(0).standard_normal((40, 2))
    model = TabularClassifier(time_budget=1) if estimator == "TabularClassifier" else \
        NeuralNetClassifier(max_iter=2)
    with pytest.raises(ValueError, match=r"y has no class label \(None or NaN\) in 1 row\(s\), "
                                         r"the first is row 7"):
        model.fit(X, _labels_with_a_gap(kind, 40))
    if estimator == "NeuralNetClassifier":
        y = np.where(np.arange(40) % 2 == 0, "yes", "no")
        with pytest.raises(ValueError, match="y_val has no class label .* row 7"):
            model.fit(X, y, X_val=X[:10], y_val=_labels_with_a_gap(kind, 10))
