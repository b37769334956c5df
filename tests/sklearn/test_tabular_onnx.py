"""TabularClassifier / TabularRegressor.to_onnx: the table's columns in, as the estimator
takes them (numbers with gaps, text, unseen values), onnxruntime's answers equal to
predict's and predict_proba's."""

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("sklearn")
pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from onnx_feeds import column_feeds  # noqa: E402

from numpynn.sklearn import TabularClassifier, TabularRegressor  # noqa: E402


def _frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "age": np.where(rng.random(n) < 0.15, np.nan, rng.normal(40, 12, n)),
        "income": rng.lognormal(3, 1, n),
        "sex": rng.choice(["m", "f"], n),
        "town": rng.choice([f"t{i}" for i in range(12)], n),  # more than 9: embedded
        "colour": pd.Categorical(rng.choice(["red", "green", "blue"], n)),
    })
    frame.loc[frame.index[5:9], "sex"] = None
    return frame


def _score(frame: pd.DataFrame) -> np.ndarray:
    return (np.nan_to_num(frame.age.to_numpy(), nan=40) - 40) / 12 + \
        (frame.sex == "m").to_numpy() + 2 * (frame.town == "t3").to_numpy()


def _run(model, frame, numeric=np.float64) -> dict:
    session = ort.InferenceSession(model.SerializeToString())
    outputs = session.run(None, column_feeds(session, frame, numeric))
    return dict(zip([o.name for o in session.get_outputs()], outputs))


def _new_rows() -> pd.DataFrame:
    rows = _frame(50, 1)
    rows.loc[0, "town"] = "atlantis"  # unseen: code 0, as in Python
    rows.loc[1, "age"] = 500.0  # far out: smoothly clipped
    return rows


@pytest.mark.parametrize("labels", [
    np.array(["no", "yes", "maybe"]), np.array([3, 7, 11]), np.array([False, True]),
    np.array([2**62 + 1, 2**62 + 3]),
], ids=["text", "int", "bool", "large int"])
def test_a_classifier_exports_its_preprocessing(labels, tmp_path, recwarn):
    frame = _frame(300, 0)
    s = _score(frame)
    y = labels[np.digitize(s, [0.0, 1.5][:len(labels) - 1])]
    model = TabularClassifier(random_state=0, time_budget=1).fit(frame, y)
    path = tmp_path / "model.onnx"
    exported = model.to_onnx(path)
    assert path.exists()
    rows = _new_rows()
    out = _run(exported, rows)
    np.testing.assert_allclose(out["probabilities"], model.predict_proba(rows), rtol=1e-5,
                               atol=1e-6)
    assert out["label"].tolist() == model.predict(rows).tolist()
    # as the MLP drop-in's export gives labels: numbers (and bools) as int64 or float64
    expected = {"i": np.int64, "b": np.int64}.get(labels.dtype.kind, object)
    assert out["label"].dtype == expected
    names = [i.name for i in ort.InferenceSession(str(path)).get_inputs()]
    assert names == ["age", "income", "sex", "town", "colour"]


def test_a_regressor_exports_its_scaling_and_clip(recwarn):
    frame = _frame(300, 2)
    y = 100 + 10 * _score(frame)
    model = TabularRegressor(random_state=0, time_budget=1).fit(frame, y)
    rows = _new_rows()
    rows.loc[2, "age"] = -1e5  # far below: predict clips to the training targets' range
    for numeric_type, numeric in (("float64", np.float64), ("float32", np.float32)):
        out = _run(model.to_onnx(numeric_type=numeric_type), rows, numeric)["output"]
        np.testing.assert_allclose(out[:, 0], model.predict(rows), rtol=1e-5, atol=1e-4)
    # clipped in the target's units, as predict clips: the extremes are the training
    # range's own float32 values
    assert out.min() >= np.float32(y.min()) and out.max() <= np.float32(y.max())
    assert np.float32(y.min()) in out or np.float32(y.max()) in out


def test_a_model_fitted_on_an_array_takes_its_columns_by_their_names(recwarn):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((200, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    model = TabularClassifier(random_state=0, time_budget=1).fit(X, y)
    session = ort.InferenceSession(model.to_onnx().SerializeToString())
    assert [i.name for i in session.get_inputs()] == ["x0", "x1", "x2"]
    feeds = {f"x{j}": X[:, j:j + 1] for j in range(3)}
    probabilities, labels = session.run(["probabilities", "label"], feeds)
    np.testing.assert_allclose(probabilities, model.predict_proba(X), rtol=1e-5, atol=1e-6)
    assert labels.tolist() == model.predict(X).tolist()


def test_without_preprocessing_the_input_is_the_encoded_table(recwarn):
    frame = _frame(200, 4)
    model = TabularRegressor(random_state=0, time_budget=1).fit(frame, _score(frame))
    session = ort.InferenceSession(model.to_onnx(preprocessing=False).SerializeToString())
    assert [i.name for i in session.get_inputs()] == ["input"]
    out = session.run(None, {"input": model.features_.transform(frame)})[0]
    np.testing.assert_allclose(out[:, 0], model.predict(frame), rtol=1e-5, atol=1e-5)
