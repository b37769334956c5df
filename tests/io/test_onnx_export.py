"""ONNX out: onnxruntime runs every network numpynn can build and agrees with ``eval``.

Every hidden activation x every output kind (multi-class, binary, multi-label, multi-output
regression, Poisson), per-layer activations, opsets 13, 17 and 21; the article's 3-4-2 net;
the graph's operators, names, metadata and dynamic batch; writing a file; bad options.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

import numpynn  # noqa: E402
from numpynn.core.activations import HIDDEN_ACTIVATIONS  # noqa: E402

OPSETS = (13, 17, 21)
#: (output activation, number of outputs): multi-class, binary, multi-label, regression...
OUTPUT_KINDS = [("softmax", 3), ("logistic", 1), ("logistic", 3), ("identity", 2), ("exp", 2)]
ALLOWED_OPS = {"MatMul", "Add", "Gemm", "Relu", "LeakyRelu", "Tanh", "Sigmoid", "Identity",
               "Softmax", "Exp", "ArgMax", "GreaterOrEqual", "Cast"}
ARTICLE_WEIGHTS = np.arange(1, 27, dtype=np.float32) * np.float32(0.01)


def session(model) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(model.SerializeToString(), options,
                                providers=["CPUExecutionProvider"])


def run(model, X: np.ndarray) -> dict[str, np.ndarray]:
    sess = session(model)
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(None, {"input": X}), strict=True))


def inputs(n: int = 64, width: int = 4, seed: int = 0) -> np.ndarray:
    return (np.random.default_rng(seed).normal(size=(n, width)) * 2).astype(np.float32)


def check_against_eval(net: numpynn.NeuralNetwork, model, X: np.ndarray) -> None:
    outputs = run(model, X)
    expected = net.eval(X)
    if net.output_activation in ("softmax", "logistic"):
        assert set(outputs) == {"probabilities", "label"}
        probabilities = outputs["probabilities"]
        assert probabilities.dtype == np.float32 and probabilities.shape == expected.shape
        np.testing.assert_allclose(probabilities, expected, rtol=0, atol=1e-6)
        assert outputs["label"].dtype == np.int64
        np.testing.assert_array_equal(outputs["label"], net.predict(X))
    else:
        assert set(outputs) == {"output"}
        assert outputs["output"].dtype == np.float32 and outputs["output"].shape == expected.shape
        np.testing.assert_allclose(outputs["output"], expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("opset", OPSETS)
@pytest.mark.parametrize("output_activation,k", OUTPUT_KINDS)
@pytest.mark.parametrize("hidden", HIDDEN_ACTIVATIONS)
def test_every_activation_and_output_kind(hidden, output_activation, k, opset):
    net = numpynn.NeuralNetwork(4, 6, 5, k, hidden_activation=hidden,
                                output_activation=output_activation, seed=3)
    model = net.to_onnx(opset=opset)
    onnx.checker.check_model(model, full_check=True)
    assert model.opset_import[0].version == opset
    check_against_eval(net, model, inputs())


@pytest.mark.parametrize("opset", OPSETS)
@pytest.mark.parametrize("output_activation,k", OUTPUT_KINDS)
def test_per_layer_activations(output_activation, k, opset):
    hidden = ["relu", "leaky_relu", "tanh", "logistic", "identity"]
    net = numpynn.NeuralNetwork(4, 7, 6, 5, 4, 3, k, hidden_activation=hidden,
                                output_activation=output_activation, seed=5)
    model = numpynn.to_onnx(net, opset=opset)
    ops = [n.op_type for n in model.graph.node]
    for op in ("Relu", "LeakyRelu", "Tanh", "Sigmoid", "Identity"):
        assert op in ops
    check_against_eval(net, model, inputs(seed=1))


@pytest.mark.parametrize("opset", OPSETS)
def test_no_hidden_layer(opset):
    net = numpynn.NeuralNetwork(4, 3, seed=0)
    check_against_eval(net, net.to_onnx(opset=opset), inputs())


def test_the_articles_network():
    net = numpynn.NeuralNetwork(3, 4, 2)
    net.set_weights(ARTICLE_WEIGHTS)
    outputs = run(net.to_onnx(), np.array([[3.0, 4.0, -4.5]], dtype=np.float32))
    np.testing.assert_allclose(outputs["probabilities"][0], [0.4973, 0.5027], atol=5e-5)
    assert f"{outputs['probabilities'][0, 0]:.4f} {outputs['probabilities'][0, 1]:.4f}" == \
        "0.4973 0.5027"
    assert outputs["label"].tolist() == [1]


def test_leaky_relu_has_the_articles_slope():
    net = numpynn.NeuralNetwork(2, 3, 2, seed=0)
    (leaky,) = [n for n in net.to_onnx().graph.node if n.op_type == "LeakyRelu"]
    assert onnx.helper.get_attribute_value(leaky.attribute[0]) == pytest.approx(0.01)


def test_graph_structure_names_and_metadata():
    net = numpynn.NeuralNetwork(4, 5, 3, 3, hidden_activation=["tanh", "relu"], seed=2)
    net.metadata = {"classes": ["a", "b", "c"], "note": "hello"}
    model = net.to_onnx()
    graph = model.graph
    assert {n.domain for n in graph.node} == {""}
    assert {o.domain for o in model.opset_import} == {""}
    assert {n.op_type for n in graph.node} <= ALLOWED_OPS
    assert "ZipMap" not in {n.op_type for n in graph.node}
    initializers = {t.name: onnx.numpy_helper.to_array(t) for t in graph.initializer}
    assert set(initializers) == {f"layers.{i}.{kind}" for i in range(3)
                                 for kind in ("weight", "bias")}
    for i in range(3):
        np.testing.assert_array_equal(initializers[f"layers.{i}.weight"], net.weights[i])
        np.testing.assert_array_equal(initializers[f"layers.{i}.bias"], net.biases[i])
    (x,) = graph.input
    assert x.name == "input" and x.type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    dims = x.type.tensor_type.shape.dim
    assert dims[0].dim_param == "N" and dims[1].dim_value == 4
    assert [o.name for o in graph.output] == ["probabilities", "label"]
    assert graph.output[1].type.tensor_type.elem_type == onnx.TensorProto.INT64
    props = {p.key: p.value for p in model.metadata_props}
    assert props["numpynn.version"] == numpynn.__version__
    assert json.loads(props["numpynn.sizes"]) == [4, 5, 3, 3]
    assert json.loads(props["numpynn.hidden_activations"]) == ["tanh", "relu"]
    assert props["numpynn.output_activation"] == "softmax"
    assert json.loads(props["numpynn.classes"]) == ["a", "b", "c"]
    assert json.loads(props["numpynn.metadata"]) == net.metadata
    assert model.producer_name == "numpynn"


@pytest.mark.parametrize("rows", [1, 2, 1000])
def test_the_batch_dimension_is_dynamic(rows):
    net = numpynn.NeuralNetwork(4, 8, 2, output_activation="identity", seed=1)
    X = inputs(rows)
    np.testing.assert_allclose(run(net.to_onnx(), X)["output"], net.eval(X), rtol=1e-5,
                               atol=1e-6)


def test_writes_the_file_atomically(tmp_path):
    net = numpynn.NeuralNetwork(3, 4, 2, seed=0)
    path = tmp_path / "net.onnx"
    returned = numpynn.to_onnx(net, path, opset=21)
    assert os.listdir(tmp_path) == ["net.onnx"]  # no temporary file left
    loaded = onnx.load(str(path))
    assert loaded.SerializeToString() == returned.SerializeToString()
    onnx.checker.check_model(str(path), full_check=True)
    net.to_onnx(path)  # replaces it
    assert onnx.load(str(path)).opset_import[0].version == 17


@pytest.mark.parametrize("opset", [12, 22, 0])
def test_unsupported_opset(opset):
    net = numpynn.NeuralNetwork(3, 2)
    with pytest.raises(ValueError, match=r"opset must be one of 13\.\.21, got"):
        net.to_onnx(opset=opset)
    with pytest.raises(ValueError, match="opset"):
        numpynn.to_onnx(net, opset=opset)


@pytest.mark.parametrize("opset", ["17", 17.0, True])
def test_opset_must_be_an_int(opset):
    with pytest.raises(TypeError, match="opset must be an int"):
        numpynn.NeuralNetwork(3, 2).to_onnx(opset=opset)


def test_to_onnx_takes_a_network_or_a_model_file(tmp_path):
    pytest.importorskip("safetensors")
    net = numpynn.NeuralNetwork(3, 4, 2, seed=0)
    net.save(tmp_path / "net.safetensors")
    from_file = numpynn.to_onnx(tmp_path / "net.safetensors")
    assert from_file.graph.initializer[0].raw_data == net.to_onnx().graph.initializer[0].raw_data
    with pytest.raises(TypeError, match="model must be a NeuralNetwork"):
        numpynn.to_onnx(object())
    with pytest.raises(ValueError, match="no table preprocessing"):
        numpynn.to_onnx(net, preprocessing=True)


def test_metadata_that_is_not_json_is_refused():
    net = numpynn.NeuralNetwork(3, 2)
    net.metadata = {"f": object()}
    with pytest.raises(TypeError, match="not JSON-able"):
        net.to_onnx()
