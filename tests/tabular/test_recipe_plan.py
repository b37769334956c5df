"""The recipe's settings and its size plan: RealMLP-TD's size where the budget holds it
(bagged members where it holds it several times), narrower and shorter runs for large
data, and every ablation option a real field."""

import pytest

from numpynn.tabular.recipe import ABLATIONS, FULL_EPOCHS, Recipe, epoch_seconds, plan_size


def test_small_data_gets_realmlp_size_and_bagged_members():
    plan = plan_size(Recipe(), 220, 12, 3, 55, bagging=True)
    assert (plan.width, plan.epochs, plan.batch_size) == (256, FULL_EPOCHS, 256)
    assert plan.members == 5 and "5 bagged members" in plan.note
    assert plan.estimated_seconds <= Recipe().time_budget
    assert plan_size(Recipe(), 220, 12, 3, 55).members == 1  # without bagging


def test_large_data_narrows_then_shortens_within_the_budget():
    plan = plan_size(Recipe(), 40_000, 20, 2, 10_000, bagging=True)
    assert plan.members == 1 and plan.width == 128 and plan.batch_size == 512
    assert 10 <= plan.epochs < FULL_EPOCHS
    assert plan.estimated_seconds <= Recipe().time_budget * 1.01
    assert "epochs fit the 20 s budget" in plan.note
    huge = plan_size(Recipe(), 2_000_000, 50, 2)
    assert huge.width == 128 and huge.epochs == 10 and "large data" in huge.note
    # the least epochs overrun the budget: the note says so, with the estimate
    assert huge.estimated_seconds > Recipe().time_budget
    assert "budget" not in huge.note
    assert f"the least it trains, about {huge.estimated_seconds:.0f} s" in huge.note
    medium = plan_size(Recipe(), 3000, 28, 2, 750, bagging=True)
    assert medium.width == 256 and 32 <= medium.epochs < FULL_EPOCHS


def test_fixed_fields_are_kept():
    plan = plan_size(Recipe(width=64, epochs=7, batch_size=100), 10_000, 5, 1)
    assert (plan.width, plan.epochs, plan.batch_size) == (64, 7, 100)
    wide = plan_size(Recipe(width=512), 100_000, 30, 2)
    assert wide.width == 512


def test_more_work_costs_more_time():
    base = epoch_seconds(1000, 10, 128, 3, 2, 256)
    assert epoch_seconds(2000, 10, 128, 3, 2, 256) > base
    assert epoch_seconds(1000, 10, 256, 3, 2, 256) > base
    assert epoch_seconds(1000, 10, 128, 3, 2, 256, validation_rows=500) > base


def test_task_defaults_and_options():
    recipe = Recipe()
    assert recipe.learning_rate_for("classification") == 0.04
    assert recipe.learning_rate_for("regression") == 0.2
    assert recipe.activation_for("classification") == "selu"
    assert recipe.activation_for("regression") == "mish"
    assert Recipe(ntk=False).learning_rate_for("classification") == pytest.approx(0.0025)
    with pytest.raises(ValueError, match="unknown recipe option"):
        recipe.with_options({"drop_out": 0.1})
    for name, options in ABLATIONS.items():
        assert recipe.with_options(options) is not None, name


def test_member_rows_cover_every_row_and_keep_the_classes():
    import numpy as np

    from numpynn.tabular.recipe_ensemble import member_rows

    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1, 2], [50, 30, 20])
    parts = member_rows(100, 5, 0.2, labels, rng)
    folds = [val for _, val in parts]
    assert sorted(np.concatenate(folds).tolist()) == list(range(100))
    for train, val in parts:
        assert np.intersect1d(train, val).size == 0 and train.size + val.size == 100
        assert sorted(np.bincount(labels[val]).tolist()) == [4, 6, 10]  # stratified
    (train, val), = member_rows(100, 1, 0.2, labels, rng)
    assert val.size == 20 and np.bincount(labels[val]).tolist() == [10, 6, 4]
    assert member_rows(5, 3, 0.2, None, rng)[0][1] is None  # too few rows to validate
    rare = np.array([0] * 30 + [1])
    assert len(member_rows(31, 3, 0.2, rare, rng)) == 3  # one rare row: not stratified


def test_features_read_numpynn_tables():
    import numpy as np

    from numpynn.tabular import read_table
    from numpynn.tabular.recipe_features import RecipeFeatures

    pd = __import__("pytest").importorskip("pandas")
    frame = pd.DataFrame({"x": [1.0, None, 3.0, 4.0], "c": ["a", "b", None, "a"]})
    table = read_table(frame)
    f = RecipeFeatures.fit(table)
    np.testing.assert_array_equal(f.transform(table), RecipeFeatures.fit(frame).transform(frame))
