"""skl2onnx converts Pipelines that end in a numpynn estimator, and the ONNX model agrees
with the Python pipeline: multi-class, binary, multi-label, single- and multi-output
regression, leaky ReLU and per-layer activations, a StandardScaler or ColumnTransformer in
front, opsets 13, 17 and 21; the converters register whichever is imported first."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
skl2onnx = pytest.importorskip("skl2onnx")

from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler, StandardScaler  # noqa: E402

from numpynn.sklearn import NeuralNetClassifier, NeuralNetRegressor  # noqa: E402

RNG = np.random.default_rng(0)
X = RNG.normal(size=(120, 4)).astype(np.float32) * 3 + 1
TARGETS = {
    "multiclass": np.array(["ant", "bee", "cat"])[(X[:, 0] > 0).astype(int) + (X[:, 1] > 1)],
    "binary": np.where(X[:, 0] + X[:, 2] > 1, 7, 3),
    "multilabel": (X[:, :3] > 1).astype(int),
    "regression": X[:, 0] * 2 - X[:, 1],
    "multi_output": np.column_stack([X[:, 0] * 2, X[:, 1] - X[:, 3]]),
}


def estimator(kind: str, **options):
    settings = dict(hidden_layer_sizes=(8, 6), activation=["leaky_relu", "tanh"],
                    max_iter=40, random_state=0, **options)
    if kind in ("regression", "multi_output"):
        return NeuralNetRegressor(**settings)
    return NeuralNetClassifier(**settings)


def convert_and_run(pipeline, opset: int = 17, data=X, **options):
    model = skl2onnx.to_onnx(pipeline, data[:1], target_opset=opset, **options)
    onnx.checker.check_model(model, full_check=True)
    assert "ZipMap" not in {n.op_type for n in model.graph.node}
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.log_severity_level = 3
    sess = ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    return model, dict(zip(names, sess.run(None, {sess.get_inputs()[0].name: data}),
                           strict=True))


def fit(kind: str, front=None, **options):
    pipeline = make_pipeline(front if front is not None else StandardScaler(),
                             estimator(kind, **options))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pipeline.fit(X, TARGETS[kind])


@pytest.mark.parametrize("opset", [13, 17, 21])
@pytest.mark.parametrize("kind", ["multiclass", "binary", "multilabel"])
def test_classifier_pipelines_agree(kind, opset):
    pipeline = fit(kind)
    model, outputs = convert_and_run(pipeline, opset)
    assert list(outputs) == ["label", "probabilities"]
    proba = pipeline.predict_proba(X)
    assert outputs["probabilities"].dtype == np.float32
    assert outputs["probabilities"].shape == proba.shape
    np.testing.assert_allclose(outputs["probabilities"], proba, rtol=0, atol=1e-6)
    np.testing.assert_array_equal(outputs["label"], pipeline.predict(X))
    ops = {n.op_type for n in model.graph.node}
    assert {"LeakyRelu", "Tanh"} <= ops
    assert any(t.name == "layers.0.weight" for t in model.graph.initializer)


@pytest.mark.parametrize("opset", [13, 17, 21])
@pytest.mark.parametrize("kind", ["regression", "multi_output"])
def test_regressor_pipelines_agree_and_keep_the_output_shape(kind, opset):
    pipeline = fit(kind)
    _, outputs = convert_and_run(pipeline, opset)
    expected = pipeline.predict(X).reshape(len(X), -1)
    assert outputs["variable"].shape == expected.shape  # (N, 2), not (2N, 1)
    np.testing.assert_allclose(outputs["variable"], expected, rtol=1e-5, atol=1e-5)


def test_three_rows_two_targets_give_shape_three_by_two():
    pipeline = fit("multi_output")
    _, outputs = convert_and_run(pipeline, data=X[:3])
    assert outputs["variable"].shape == (3, 2)


def test_poisson_regressor():
    y = np.round(np.exp(X[:, 0] / 3)).astype(np.float32)
    pipeline = make_pipeline(StandardScaler(), NeuralNetRegressor(
        hidden_layer_sizes=(6,), loss="poisson", max_iter=30, random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipeline.fit(X, y)
    model, outputs = convert_and_run(pipeline)
    assert "Exp" in {n.op_type for n in model.graph.node}
    np.testing.assert_allclose(outputs["variable"][:, 0], pipeline.predict(X), rtol=1e-5)


def test_a_column_transformer_in_front():
    front = ColumnTransformer([("scaled", StandardScaler(), [0, 1]),
                               ("ranged", MinMaxScaler(), [2, 3])])
    pipeline = fit("multiclass", front)
    _, outputs = convert_and_run(pipeline)
    np.testing.assert_allclose(outputs["probabilities"], pipeline.predict_proba(X), atol=1e-6)
    np.testing.assert_array_equal(outputs["label"], pipeline.predict(X))


def test_zipmap_false_is_accepted_and_double_input_is_cast():
    pipeline = fit("multiclass")
    _, outputs = convert_and_run(pipeline, options={"zipmap": False})
    np.testing.assert_array_equal(outputs["label"], pipeline.predict(X))
    est = pipeline[-1]
    _, direct = convert_and_run(est, data=X.astype(np.float64))
    np.testing.assert_allclose(direct["probabilities"], est.predict_proba(X), atol=1e-6)


@pytest.mark.parametrize("first", ["numpynn.sklearn", "skl2onnx"])
def test_the_converters_register_whichever_is_imported_first(first):
    second = "skl2onnx" if first == "numpynn.sklearn" else "numpynn.sklearn"
    code = f"""
import {first}, {second}
import numpy as np, skl2onnx
from numpynn.sklearn import NeuralNetRegressor
X = np.arange(20, dtype=np.float32).reshape(10, 2)
est = NeuralNetRegressor(hidden_layer_sizes=(3,), max_iter=2).fit(X, X[:, 0])
print(skl2onnx.to_onnx(est, X[:1]).graph.output[0].name)
"""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "variable"
