"""ONNX out for table networks and the table estimators, against onnxruntime; SELU, Mish
and GELU in dense networks' exports too."""

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from numpynn import NeuralNetwork  # noqa: E402
from numpynn.tabular_network import TabularNetwork, networks_to_onnx  # noqa: E402


def _rows(n=40, seed=0):
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.standard_normal((n, 3)) * 2, rng.integers(0, 4, (n, 1)),
                           rng.integers(0, 3, (n, 1))], axis=1).astype(np.float32)


def _run(model, feed):
    session = ort.InferenceSession(model.SerializeToString())
    return dict(zip([o.name for o in session.get_outputs()], session.run(None, feed)))


@pytest.mark.parametrize("activation", ["selu", "mish", "gelu"])
@pytest.mark.parametrize("opset", [13, 17, 18, 20, 21])
def test_dense_networks_export_the_smooth_activations(activation, opset):
    net = NeuralNetwork(4, 9, 3, hidden_activation=activation, seed=0)
    X = np.random.default_rng(1).standard_normal((30, 4)).astype(np.float32) * 3
    out = _run(net.to_onnx(opset=opset), {"input": X})
    np.testing.assert_allclose(out["probabilities"], net.eval(X), atol=1e-6)
    ops = {n.op_type for n in net.to_onnx(opset=opset).graph.node}
    if activation == "mish":
        assert ("Mish" in ops) == (opset >= 18)
    if activation == "gelu":
        assert ("Gelu" in ops) == (opset >= 20)


@pytest.mark.parametrize("activation", ["selu", "mish", "gelu"])
@pytest.mark.parametrize("front_scale", [True, False])
def test_table_network_matches_onnxruntime(activation, front_scale):
    net = TabularNetwork(3, (8, 6), 3, embeddings=[(4, 2), (3, 3)], front_scale=front_scale,
                         hidden_activation=activation, seed=2)
    X = _rows()
    net.initialize_from_data(X, seed=0)
    model = net.to_onnx()
    ops = [n.op_type for n in model.graph.node]
    assert ops.count("Gather") >= 4 and ("Mul" in ops) == (front_scale or activation != "selu")
    out = _run(model, {"input": X})
    np.testing.assert_allclose(out["probabilities"], net.eval(X), atol=1e-6)
    np.testing.assert_array_equal(out["label"], net.predict(X))
    names = {i.name for i in model.graph.initializer}
    assert {"embeddings.0", "layers.0.weight"} <= names


def test_ensemble_and_regression_transform():
    members = [TabularNetwork(3, (5,), 1, embeddings=[(4, 2), (3, 3)],
                              output_activation="identity", seed=s) for s in range(3)]
    X = _rows(25)
    model = networks_to_onnx(members, output_transform=(2.0, 10.0, 9.0, 11.0))
    out = _run(model, {"input": X})["output"]
    mean = np.mean([m.eval(X) for m in members], axis=0)
    np.testing.assert_allclose(out, np.clip(mean * 2 + 10, 9, 11), atol=1e-5)
    assert "Mean" in [n.op_type for n in model.graph.node]


def test_estimators_export_their_members(tmp_path):
    pd = pytest.importorskip("pandas")
    from numpynn.sklearn import TabularClassifier

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.standard_normal(60), "c": rng.choice(list("abcdefghijk"), 60)})
    y = np.where(frame.a > 0, "yes", "no")
    model = TabularClassifier(width=8, epochs=3, random_state=0, recipe={"max_members": 2},
                              time_budget=1e6).fit(frame, y)
    path = tmp_path / "m.onnx"
    exported = model.to_onnx(path, preprocessing=False)
    assert path.exists() and len(model.networks_) == 2
    out = _run(exported, {"input": model.features_.transform(frame)})
    np.testing.assert_allclose(out["probabilities"], model.predict_proba(frame), atol=1e-6)
    meta = {p.key: p.value for p in exported.metadata_props}
    assert meta["numpynn.classes"] == '["no", "yes"]' and meta["numpynn.members"] == "2"


@pytest.mark.parametrize("activation", ["selu", "mish", "gelu"])
@pytest.mark.parametrize("opset", [13, 17, 18, 20])
def test_smooth_activations_read_back_bit_for_bit(activation, opset):
    from numpynn import from_onnx

    net = NeuralNetwork(3, 6, 5, 2, hidden_activation=activation, seed=3)
    back = from_onnx(net.to_onnx(opset=opset))
    assert back.hidden_activations == (activation, activation)
    assert back.theta.tobytes() == net.theta.tobytes()
