"""Tests for numpynn.tabular.model: TableModel from a DataFrame or a file, its notes, the
best epoch kept, class weights, predictions, the model file (and numpynn 0.1's)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from numpynn.tabular import TableModel, read_table

pytest.importorskip("safetensors")
pd = pytest.importorskip("pandas")

FIXTURES = Path(__file__).parent / "fixtures"


def frame(n: int = 200, seed: int = 0) -> pd.DataFrame:
    """An id in row order, numbers with gaps, a number-coded category, text, a 2-class y."""
    rng = np.random.default_rng(seed)
    age = rng.uniform(18, 80, n).round(1)
    colour = rng.choice(["red", "green", "blue"], n)
    grade = rng.integers(1, 4, n)
    y = np.where(age / 20 + (colour == "red") + (grade == 3) + rng.normal(0, 0.3, n) > 3,
                 "yes", "no").astype(object)
    income = rng.normal(50, 15, n).round(2)
    income[::13] = np.nan
    y[7] = None  # a row without a target value
    return pd.DataFrame({"rownames": np.arange(1, n + 1), "age": age, "income": income,
                         "colour": colour, "grade": grade, "y": y})


def test_fit_from_a_dataframe_notes_and_predictions() -> None:
    df = frame()
    model = TableModel(epochs=30, seed=1).fit(df, "y", categorical=["grade"])
    notes = "\n".join(model.notes_)
    assert "left out 1 row whose target 'y' is missing" in notes
    assert "'rownames' looks like an identifier" in notes
    assert "missing values: income 16 (8.0%)" in notes
    pre = model.preprocessor_
    assert pre.feature_names == ["age", "income", "income (missing)", "colour=blue",
                                 "colour=green", "colour=red", "grade=1", "grade=2", "grade=3"]
    assert model.classes_ == ["no", "yes"]
    labels = model.predict(df)
    assert labels.shape == (200,) and set(labels.tolist()) <= {"no", "yes"}
    proba = model.predict_proba(df)
    assert proba.dtype == np.float32 and proba.shape == (200, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)
    truth = df["y"].to_numpy()
    known = truth != None  # noqa: E711 - an object array
    assert (labels[known] == truth[known]).mean() > 0.8
    training = model.metadata_["training"]
    assert training["rows"] == 199 and training["training_rows"] + \
        training["validation_rows"] == 199 and training["left_out"] == ["rownames"]


def test_a_dataframe_and_its_csv_file_give_the_same_model(tmp_path: Path) -> None:
    df = frame()
    df.to_csv(tmp_path / "f.csv")  # with the pandas index: recognised and left out
    from_frame = TableModel(epochs=5).fit(df, "y")
    from_file = TableModel(epochs=5).fit(tmp_path / "f.csv", "y")
    assert from_file.preprocessor_.to_dict() == from_frame.preprocessor_.to_dict()
    np.testing.assert_array_equal(from_file.network_.theta, from_frame.network_.theta)
    assert "a pandas index" in from_file.notes_[0]


def test_early_stopping_keeps_the_best_epoch_and_can_be_turned_off() -> None:
    df = frame()
    model = TableModel(epochs=200, patience=3, learning_rate=0.05).fit(df, "y")
    history = model.history_
    assert history.stopped_early and history.epochs == history.best_epoch + 1 + 3
    # the weights kept are the best epoch's: their validation loss is the lowest seen
    from numpynn.training import check_training_data, evaluate_loss

    prepared = model.prepare(df, "y")  # a fresh network, the same rows
    model.train(prepared)
    val_loss = evaluate_loss(model.network_, check_training_data(
        model.network_, *prepared.validation))[0]
    assert np.isclose(val_loss, min(model.history_.val_loss), rtol=1e-5)
    assert val_loss < model.history_.val_loss[-1]
    plain = TableModel(epochs=7, early_stopping=False).fit(df, "y")
    assert plain.history_.epochs == 7 and not plain.history_.stopped_early
    assert plain.metadata_["results"]["epochs"] == 7


def test_class_weight_balanced_finds_more_of_the_rare_class() -> None:
    rng = np.random.default_rng(3)
    n = 600
    x = rng.normal(size=n)
    y = np.where(x + rng.normal(0, 1.0, n) > 2.0, "rare", "common")
    df = pd.DataFrame({"x": x, "z": rng.normal(size=n), "y": y})
    plain = TableModel(epochs=20).fit(df, "y")
    weighted = TableModel(epochs=20, class_weight="balanced").fit(df, "y")
    rare = y == "rare"
    assert (weighted.predict(df)[rare] == "rare").mean() > \
        (plain.predict(df)[rare] == "rare").mean()
    assert weighted.metadata_["training"]["class_weight"] == "balanced"


def test_regression_predicts_in_the_targets_units(tmp_path: Path) -> None:
    df = frame().drop(columns="y").assign(price=lambda d: 3 * d["age"] + 100)
    model = TableModel(epochs=60).fit(df, "price")
    predicted = model.predict(df)
    assert predicted.dtype == np.float32 and predicted.shape == (200,)
    assert np.abs(predicted - df["price"].to_numpy()).mean() < 15
    with pytest.raises(ValueError, match="regression model"):
        model.predict_proba(df)


def test_save_load_and_the_command_line_format(tmp_path: Path) -> None:
    import numpynn

    df = frame()
    model = TableModel(epochs=5).fit(df, "y", id_columns=["rownames"], na_values=["?"])
    model.save(tmp_path / "m.safetensors")
    meta = numpynn.load(tmp_path / "m.safetensors").metadata
    assert meta["format"] == "numpynn.cli.train" and meta["id_columns"] == ["rownames"]
    assert meta["reading"] == {"na_values": ["?"]}
    again = TableModel.load(tmp_path / "m.safetensors")
    assert again.id_columns_ == ["rownames"]
    np.testing.assert_array_equal(again.predict_proba(df), model.predict_proba(df))
    with pytest.raises(ValueError, match="not fitted"):
        TableModel().predict(df)


def test_a_plain_network_file_is_not_a_table_model(tmp_path: Path) -> None:
    import numpynn
    from numpynn.errors import ModelFileError

    numpynn.NeuralNetwork(2, 3, 1).save(tmp_path / "plain.safetensors")
    with pytest.raises(ModelFileError, match="no table preprocessing"):
        TableModel.load(tmp_path / "plain.safetensors")


@pytest.mark.parametrize("name", ["label", "price"])
def test_model_files_of_numpynn_0_1_give_the_same_outputs(name: str) -> None:
    """Files written by numpynn 0.1's ``numpynn train`` (version 1 preprocessing: the mean
    fills a gap, a text gap is all zeros) load and compute bit for bit what they did."""
    model = TableModel.load(FIXTURES / f"old_{name}.safetensors")
    assert model.metadata_["preprocessor"]["version"] == 1
    outputs = model.network_.eval(model.transform(FIXTURES / "old_data.csv"))
    expected = np.loadtxt(FIXTURES / f"old_{name}_outputs.txt", dtype=np.float32)
    np.testing.assert_array_equal(outputs, expected.reshape(outputs.shape))
    table = read_table(FIXTURES / "old_data.csv")
    assert model.read(table) is table


def test_learning_rate_defaults_per_optimizer_and_lbfgs_takes_none() -> None:
    df = frame()
    assert TableModel().fit_learning_rate == 0.01  # adam, adamw, sgd: numpynn train's rate
    model = TableModel(optimizer="lbfgs", epochs=20).fit(df, "y")
    assert model.fit_learning_rate is None and model.history_.epochs >= 1
    assert model.metadata_["training"]["learning_rate"] is None
    assert TableModel(learning_rate=0.05).fit_learning_rate == 0.05
    given = TableModel(optimizer="lbfgs", learning_rate=0.1, epochs=20)
    prepared = given.prepare(df, "y")
    before = given.network_.theta.copy()
    with pytest.raises(ValueError) as info:
        given.train(prepared)
    assert "learning_rate=0.1" in str(info.value) and "optimizer='lbfgs'" in str(info.value)
    np.testing.assert_array_equal(given.network_.theta, before)
