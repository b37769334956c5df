"""ONNX out for models of the tabular recipe (numpynn.tabular.recipe_onnx): the raw columns
in, onnxruntime's answers equal to predict's, for every kind of column the recipe encodes
(numbers with gaps, one- and two-category columns, one-hot ones, embedded ones, unseen
values), classification and clipped regression, on both string-comparison paths."""

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")
pytest.importorskip("safetensors")

from onnx_feeds import column_feeds  # noqa: E402

import numpynn  # noqa: E402
from numpynn.tabular.recipe_model import RecipeTableModel  # noqa: E402
from numpynn.tabular.recipe_onnx import recipe_model_to_onnx  # noqa: E402


def _frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "a": rng.normal(size=n) * 50,
        "b": np.where(rng.random(n) < 0.2, np.nan, rng.normal(size=n)),
        "sex": rng.choice(["m", "f"], n),
        "only": "k",
        "colour": rng.choice(["red", "green", "blue", "grey"], n).astype(object),
        "city": rng.choice([f"c{i}" for i in range(14)], n),
    })
    frame.loc[frame.index[3:8], "colour"] = None
    score = frame.a / 50 + (frame.sex == "m") + np.nan_to_num(frame.b) + \
        (frame.city == "c3") * 2 + rng.normal(size=n)
    frame["kind"] = np.select([score < 0, score < 1.2], ["low", "mid"], "high")
    frame["value"] = 3 * frame.a / 50 + np.nan_to_num(frame.b) + (frame.city == "c3") * 2
    return frame


@pytest.fixture(scope="module")
def fitted():
    frame = _frame(400, 0)
    models = {}
    for target, drop in (("kind", "value"), ("value", "kind")):
        models[target] = RecipeTableModel(seed=0, time_budget=1).fit(
            frame.drop(columns=[drop]), target)
    return models


def _new_rows() -> pd.DataFrame:
    rows = _frame(60, 1).drop(columns=["kind", "value"])
    rows.loc[0, "colour"] = "violet"  # unseen: all zeros, as in Python
    rows.loc[1, "city"] = "atlantis"  # unseen: code 0
    rows.loc[2, "sex"] = None
    rows.loc[4, "a"] = 1e6  # far out: smoothly clipped
    return rows


@pytest.mark.parametrize("opset", [17, 21])
def test_a_classifier_gives_predicts_probabilities_and_labels(fitted, opset, recwarn):
    model, rows = fitted["kind"], _new_rows()
    onnx_model = recipe_model_to_onnx(model.network_.networks, model.preprocessor_.features,
                                      model.target_encoder_, opset=opset)
    session = ort.InferenceSession(onnx_model.SerializeToString())
    probabilities, labels = session.run(None, column_feeds(session, rows))
    expected = model.predict_proba(rows)
    np.testing.assert_allclose(probabilities, expected, rtol=1e-5, atol=2e-6)
    assert list(labels) == list(model.predict(rows))
    # b's gaps (about 80 training rows) have their indicator feature in the graph too
    assert [p.name for p in model.preprocessor_.features.numeric if p.indicator] == ["b"]
    assert {"sex", "only", "colour", "city"} <= {i.name for i in session.get_inputs()
                                                 if i.type == "tensor(string)"}


def test_a_regressor_gives_predicts_clipped_values_in_the_targets_units(fitted, tmp_path,
                                                                        recwarn):
    model, rows = fitted["value"], _new_rows()
    path = tmp_path / "value.safetensors"
    model.save(path)
    onnx_model = numpynn.to_onnx(path, tmp_path / "value.onnx", numeric_type="float32")
    session = ort.InferenceSession(str(tmp_path / "value.onnx"))
    (got,) = session.run(None, column_feeds(session, rows, np.float32))
    expected = np.asarray(model.predict(rows), dtype=np.float32).reshape(-1, 1)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-4)
    low, high = model.network_.output_range
    enc = model.target_encoder_
    assert got.max() <= high * enc.std + enc.mean + 1e-3  # the far-out row is clipped
    assert onnx_model.graph.output[0].name == "output"
    alone = numpynn.to_onnx(path, preprocessing=False)
    assert [i.name for i in alone.graph.input] == ["input"]


def test_a_column_named_like_an_output_is_refused(fitted):
    model = fitted["kind"]
    features = model.preprocessor_.features
    renamed = type(features).from_dict({**features.to_dict(), "columns": [
        "label" if c == "a" else c for c in features.columns]})
    renamed.numeric[0].name = "label"
    with pytest.raises(ValueError, match="'label' has the name of an ONNX output"):
        recipe_model_to_onnx(model.network_.networks, renamed, model.target_encoder_)
    with pytest.raises(ValueError, match="numeric_type"):
        recipe_model_to_onnx(model.network_.networks, features, model.target_encoder_,
                             numeric_type="int8")
