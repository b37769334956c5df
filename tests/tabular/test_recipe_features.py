"""The recipe's preprocessing: robust scaling and smooth clipping, gaps and indicators,
one-hot or embedding codes, unseen categories, JSON state; DataFrames, dicts and arrays."""

import json

import numpy as np
import pytest

from numpynn.tabular.recipe_columns import MIN_GAP_ROWS
from numpynn.tabular.recipe_features import RecipeFeatures, smooth_clip

pd = pytest.importorskip("pandas")


def _frame():
    return pd.DataFrame({
        "num": [1.0, 2.0, np.nan, 4.0, 100.0, 3.0],
        "count": pd.array([1, 2, 2, None, 5, 6], dtype="Int64"),
        "binary": ["yes", "no", "yes", None, "no", "yes"],
        "colour": pd.Categorical(["r", "g", "b", "r", "g", "y"]),
        "many": [f"c{i}" for i in range(6)],
    })


def test_smooth_clip_formula():
    x = np.array([-300.0, -3.0, 0.0, 0.5, 3.0, 1e6], np.float32)
    expected = x / np.sqrt(1 + (x.astype(np.float64) / 3) ** 2)
    np.testing.assert_allclose(smooth_clip(x.copy()), expected, rtol=1e-6)
    assert np.abs(smooth_clip(np.array([1e30], np.float32))).max() <= 3.0 + 1e-6


def test_columns_become_scaled_features_indicators_one_hot_and_codes():
    f = RecipeFeatures.fit(_frame(), max_one_hot=5)
    # one gap per number column: too few for gap indicators (MIN_GAP_ROWS)
    assert f.feature_names == ["num", "count", "binary=yes", "colour=b", "colour=g",
                               "colour=r", "colour=y", "many"]
    assert f.n_dense == 7 and f.embedded == ["many"] and f.embeddings == [(7, 8)]
    X = f.transform(_frame())
    assert X.dtype == np.float32 and X.shape == (6, 8)
    np.testing.assert_array_equal(X[:, 7], [1, 2, 3, 4, 5, 6])  # codes: sorted categories
    assert np.abs(X[:, :7]).max() < 3.0  # smoothly clipped
    # num: median fill (3.0), robust scaling around the median, the outlier clipped
    num = np.array([1, 2, 3, 4, 100, 3], np.float64)
    q25, q75 = np.quantile(num, [0.25, 0.75])
    z = (num - np.median(num)) / (q75 - q25)
    np.testing.assert_allclose(X[:, 0], z / np.sqrt(1 + (z / 3) ** 2), rtol=1e-5)
    # binary: one feature, -1 / +1 before scaling, 0 at the gap
    assert len({X[0, 2], X[1, 2], X[3, 2]}) == 3


@pytest.mark.parametrize("gaps", [MIN_GAP_ROWS - 1, MIN_GAP_ROWS])
def test_a_gap_indicator_needs_enough_training_gaps(gaps):
    values = np.arange(200, dtype=np.float64)
    values[:gaps] = np.nan
    f = RecipeFeatures.fit(pd.DataFrame({"x": values}))
    X = f.transform(pd.DataFrame({"x": values}))
    filled = X[0, 0]
    np.testing.assert_array_equal(X[:gaps, 0], filled)  # the median, scaled
    if gaps < MIN_GAP_ROWS:
        assert f.feature_names == ["x"] and X.shape == (200, 1)
    else:
        assert f.feature_names == ["x", "x (missing)"] and X.shape == (200, 2)
        assert np.all(X[:gaps, 1] > X[gaps:, 1].max())  # the flag marks the gaps


def test_unseen_categories_and_gaps_are_code_zero():
    f = RecipeFeatures.fit(_frame(), max_one_hot=5)
    new = _frame().iloc[:2].copy()
    new["many"] = ["c3", "never seen"]
    new["colour"] = pd.Categorical(["q", None])
    X = f.transform(new)
    assert X[0, 7] == 4 and X[1, 7] == 0
    train = f.transform(_frame())
    zero_colour = f.transform(pd.DataFrame({**{c: _frame()[c][:1] for c in _frame()},
                                            "colour": [None]}))
    np.testing.assert_array_equal(X[:, 3:7], np.repeat(zero_colour[:, 3:7], 2, axis=0))
    assert not np.array_equal(X[:, 3:7], train[:2, 3:7])


def test_state_is_json_and_round_trips():
    f = RecipeFeatures.fit(_frame())
    state = json.loads(json.dumps(f.to_dict()))
    back = RecipeFeatures.from_dict(state)
    np.testing.assert_array_equal(back.transform(_frame()), f.transform(_frame()))
    with pytest.raises(ValueError, match="not the state"):
        RecipeFeatures.from_dict({"format": "x"})
    state["dense"] = "oops"
    with pytest.raises(ValueError, match="damaged"):
        RecipeFeatures.from_dict(state)


def test_arrays_dicts_and_object_columns():
    X = np.array([[1.0, "a"], [2.0, "b"], [np.nan, "a"], [4.0, None]], dtype=object)
    f = RecipeFeatures.fit(X)
    assert f.columns == ["x0", "x1"] and f.categories == {"x1": ["a", "b"]}
    assert f.transform(X).shape == (4, 2)
    g = RecipeFeatures.fit({"a": [1, 2, 3], "b": [0.5, 0.5, 0.5]})
    assert np.all(g.transform({"a": [1, 2, 3], "b": [1.0, 2.0, 3.0]})[:, 1] == 0)  # constant
    with pytest.raises(ValueError, match="3 columns, but the model was fitted on 2"):
        f.transform(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="lacks the column 'b'"):
        g.transform({"a": [1]})


def test_categorical_option_standardise_and_errors():
    frame = pd.DataFrame({"code": [1, 2, 3, 1, 2, 3], "x": [1.0, 2, 3, 4, 5, 6]})
    f = RecipeFeatures.fit(frame, categorical=["code"], robust=False, clip=False)
    assert "code" in f.categories
    np.testing.assert_allclose(f.transform(frame)[:, 0], (frame.x - 3.5) / frame.x.std(ddof=0),
                               rtol=1e-6)
    with pytest.raises(ValueError, match="does not have"):
        RecipeFeatures.fit(frame, categorical=["nope"])
    with pytest.raises(ValueError, match="infinity"):
        RecipeFeatures.fit(pd.DataFrame({"x": [1.0, np.inf]}))
    every = RecipeFeatures.fit(_frame(), max_one_hot=None)
    assert every.embedded == [] and every.n_dense == 13
