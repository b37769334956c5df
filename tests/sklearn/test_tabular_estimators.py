"""numpynn.sklearn's table estimators: scikit-learn's estimator checks, DataFrames with
text and gaps as they are, the reported size plan, clipping and the recipe options."""

import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.base import clone  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from numpynn.sklearn import TabularClassifier, TabularRegressor  # noqa: E402

MINIBATCH_REASON = ("shuffled mini-batches differ between weighted and repeated rows, and "
                    "float32 fits cannot meet the check's rtol=1e-7")

# Small and short: the checks fit dozens of times.
CHECKED = [TabularClassifier(width=32, epochs=20, random_state=0),
           TabularRegressor(width=32, epochs=20, random_state=0)]


# float32 matrix products are not the same bits for a row at another position on every
# BLAS (OpenBLAS's AVX2 kernels on AMD, inner dimension 8 and up: 1 ulp, ~1e-7 relative,
# the check's own rtol); test_predictions_do_not_depend_on_row_order checks the property
# at float32's tolerance.
ORDER_REASON = ("float32 products differ by 1 ulp with a row's position on some BLAS "
                "kernels, at the check's rtol=1e-7")


def expected_failed_checks(estimator):
    return {"check_sample_weight_equivalence_on_dense_data": MINIBATCH_REASON,
            "check_methods_sample_order_invariance": ORDER_REASON}


@pytest.mark.parametrize("make", [TabularClassifier, TabularRegressor])
def test_predictions_do_not_depend_on_row_order(make):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 5)) * [1, 10, 0.1, 1, 3]
    y = (X[:, 0] + np.sin(X[:, 1]) > 0).astype(int) if make is TabularClassifier else X[:, 0]
    model = make(width=32, epochs=15, random_state=0).fit(X, y)
    perm = rng.permutation(60)
    method = model.predict_proba if make is TabularClassifier else model.predict
    np.testing.assert_allclose(method(X[perm]), method(X)[perm], rtol=1e-5, atol=1e-6)


@parametrize_with_checks(CHECKED, expected_failed_checks=expected_failed_checks)
def test_scikit_learn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        check(estimator)


# ---------------------------------------------------------------------------
# tables as they are
# ---------------------------------------------------------------------------
pd = pytest.importorskip("pandas")


def _table(n=120, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "age": rng.normal(40, 10, n),
        "income": np.where(rng.random(n) < 0.2, np.nan, rng.lognormal(10, 1, n)),
        "city": rng.choice(["a", "b", "c", None], n),
        "shop": [f"s{i}" for i in rng.integers(0, 15, n)],  # many categories: embedded
    })
    score = (frame.age - 40) / 10 + (frame.city == "a") + (frame.shop.isin(["s1", "s2"]))
    return frame, score


def test_classifier_takes_a_frame_with_text_and_gaps(capsys):
    frame, score = _table()
    y = np.where(score > 0.3, "high", "low")
    model = TabularClassifier(width=32, epochs=30, random_state=0, verbose=1).fit(frame, y)
    assert set(model.classes_) == {"high", "low"}
    assert model.features_.embedded == ["shop"] and "income (missing)" in \
        model.features_.feature_names
    proba = model.predict_proba(frame)
    assert proba.shape == (120, 2) and np.allclose(proba.sum(axis=1), 1, atol=1e-6)
    assert (model.predict(frame) == y).mean() > 0.8
    plan = model.plan_
    assert plan["width"] == 32 and plan["epochs"] == 30 and plan["members"] >= 1
    assert len(model.networks_) == plan["members"] and "training rows" in capsys.readouterr().err
    assert list(model.feature_names_in_) == ["age", "income", "city", "shop"]


def test_default_size_and_bagging_come_from_the_data():
    frame, score = _table(60)
    model = TabularRegressor(time_budget=1000.0, random_state=0).fit(frame, score)
    assert model.plan_["width"] == 256 and model.plan_["epochs"] == 256
    assert model.plan_["members"] == 5 and len(model.networks_) == 5
    assert len(model.plan_["best_epochs"]) == 5


def test_regressor_clips_to_the_training_range():
    frame, score = _table()
    model = TabularRegressor(width=16, epochs=5, random_state=0).fit(frame, score)
    far = frame.copy()
    far["age"] = 1e6
    predicted = model.predict(far)
    assert predicted.dtype == np.float32
    assert predicted.min() >= score.min() - 1e-4 and predicted.max() <= score.max() + 1e-4
    loose = TabularRegressor(width=16, epochs=5, random_state=0,
                             recipe={"clip_outputs": False}).fit(frame, score)
    assert np.abs(loose.predict(far)).max() > 0


def test_same_seed_same_model_and_recipe_options_are_checked():
    frame, score = _table(50)
    a = TabularRegressor(width=8, epochs=3, random_state=3).fit(frame, score)
    b = clone(a).fit(frame, score)
    np.testing.assert_array_equal(a.predict(frame), b.predict(frame))
    with pytest.raises(ValueError, match="unknown recipe option"):
        TabularRegressor(recipe={"dropuot": 0.1}).fit(frame, score)


def test_arrays_after_a_frame_fit_are_taken_by_position():
    frame, score = _table(40)
    model = TabularRegressor(width=8, epochs=3, random_state=0).fit(frame, score)
    with pytest.warns(UserWarning, match="feature names"):
        by_position = model.predict(frame.to_numpy())
    np.testing.assert_allclose(by_position, model.predict(frame), rtol=1e-6)


def test_save_and_load_give_the_same_predictions(tmp_path):
    pytest.importorskip("safetensors")
    frame, score = _table(80)
    y = np.where(score > 0.3, 1, 0)
    model = TabularClassifier(width=16, epochs=4, random_state=0,
                              recipe={"max_members": 3}, time_budget=1e6).fit(frame, y)
    assert len(model.networks_) == 3
    model.save(tmp_path / "m.safetensors")
    back = TabularClassifier.load(tmp_path / "m.safetensors")
    np.testing.assert_array_equal(back.predict_proba(frame), model.predict_proba(frame))
    assert back.classes_.dtype == model.classes_.dtype and back.plan_ == model.plan_
    with pytest.raises(ValueError, match="not a TabularRegressor"):
        TabularRegressor.load(tmp_path / "m.safetensors")
    reg = TabularRegressor(width=8, epochs=2, random_state=0).fit(frame, score)
    reg.save(tmp_path / "r.safetensors")
    np.testing.assert_array_equal(TabularRegressor.load(tmp_path / "r.safetensors")
                                  .predict(frame), reg.predict(frame))
