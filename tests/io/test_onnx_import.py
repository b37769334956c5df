"""ONNX in: ``from_onnx`` reads numpynn's own graphs bit for bit, torch's ``nn.Sequential``
and skl2onnx's MLPs with the same outputs, and names the first node it cannot map."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")

import numpynn  # noqa: E402
from numpynn.core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS  # noqa: E402

helper, TensorProto = onnx.helper, onnx.TensorProto


def rows(n: int = 50, width: int = 3, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, width)).astype(np.float32)


def hand_made(nodes, initializers, inputs=("x",), width=3, outputs=("y",), opset=17):
    """A model from nodes and {name: array} initializers; float (N, width) inputs."""
    graph = helper.make_graph(
        nodes, "test",
        [helper.make_tensor_value_info(i, TensorProto.FLOAT, ["N", width]) for i in inputs],
        [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outputs],
        initializer=[onnx.numpy_helper.from_array(np.asarray(v, dtype=np.float32), k)
                     for k, v in initializers.items()])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


W0 = np.arange(12, dtype=np.float32).reshape(3, 4) / 10
B0 = np.linspace(-1, 1, 4, dtype=np.float32)
W1 = np.arange(8, dtype=np.float32).reshape(4, 2) / 10 - 0.3
B1 = np.array([0.1, -0.2], dtype=np.float32)


def two_layers(*middle, last=("Softmax", {"axis": 1})):
    """MatMul+Add, the ``middle`` nodes (on 'h' -> 'a'), MatMul+Add, the last activation."""
    nodes = [helper.make_node("MatMul", ["x", "W0"], ["m0"]),
             helper.make_node("Add", ["m0", "B0"], ["h"]), *middle,
             helper.make_node("MatMul", ["a", "W1"], ["m1"]),
             helper.make_node("Add", ["m1", "B1"], ["z"]),
             helper.make_node(last[0], ["z"], ["y"], **last[1])]
    return hand_made(nodes, {"W0": W0, "B0": B0, "W1": W1, "B1": B1})


# ------------------------------------------------------------------------------ round trip


@pytest.mark.parametrize("output_activation", OUTPUT_ACTIVATIONS)
@pytest.mark.parametrize("hidden", [*HIDDEN_ACTIVATIONS, ["tanh", "relu", "identity"]])
def test_round_trip_is_bit_for_bit(hidden, output_activation):
    n_hidden = 3 if isinstance(hidden, list) else 2
    net = numpynn.NeuralNetwork(3, *[5] * n_hidden, 4, hidden_activation=hidden,
                                output_activation=output_activation, seed=7)
    net.metadata = {"classes": ["w", "x", "y", "z"], "k": 1}
    back = numpynn.from_onnx(net.to_onnx())
    assert back.sizes == net.sizes
    assert back.hidden_activations == net.hidden_activations
    assert back.output_activation == net.output_activation
    assert back.theta.dtype == np.float32
    assert back.theta.tobytes() == net.theta.tobytes()
    assert back.metadata == net.metadata


@pytest.mark.parametrize("opset", [13, 21])
def test_round_trip_through_a_file_and_bytes(tmp_path, opset):
    net = numpynn.NeuralNetwork(3, 4, 2, seed=1)
    net.to_onnx(tmp_path / "net.onnx", opset=opset)
    for source in (tmp_path / "net.onnx", str(tmp_path / "net.onnx"),
                   (tmp_path / "net.onnx").read_bytes()):
        assert numpynn.from_onnx(source).theta.tobytes() == net.theta.tobytes()


def test_damaged_numpynn_metadata_is_an_error():
    model = numpynn.NeuralNetwork(3, 4, 2, seed=1).to_onnx()
    for prop in model.metadata_props:
        if prop.key == "numpynn.sizes":
            prop.value = "[3, 5, 2]"
    with pytest.raises(ValueError, match="do not match its numpynn metadata"):
        numpynn.from_onnx(model)


# ------------------------------------------------------------------------------ PyTorch


def torch_to_onnx(module, width: int) -> bytes:
    torch = pytest.importorskip("torch")
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module.eval(), (torch.zeros(2, width),), buffer, dynamo=False,
                          input_names=["x"], output_names=["y"],
                          dynamic_axes={"x": {0: "N"}, "y": {0: "N"}})
    return buffer.getvalue()


def torch_sequentials():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    torch.manual_seed(0)
    return {
        "classifier": nn.Sequential(nn.Linear(5, 8), nn.LeakyReLU(), nn.Linear(8, 6), nn.Tanh(),
                                    nn.Linear(6, 4), nn.ReLU(), nn.Linear(4, 3),
                                    nn.Softmax(dim=1)),
        "regressor": nn.Sequential(nn.Linear(5, 7), nn.Sigmoid(), nn.Linear(7, 2)),
        "binary": nn.Sequential(nn.Flatten(), nn.Linear(5, 4), nn.Identity(), nn.ReLU(),
                                nn.Linear(4, 1, bias=False), nn.Sigmoid()),
        "softmax_last_dim": nn.Sequential(nn.Linear(5, 3), nn.Softmax(dim=-1)),
    }


@pytest.mark.parametrize("name", ["classifier", "regressor", "binary", "softmax_last_dim"])
def test_a_torch_sequential_imports_and_agrees(name):
    torch = pytest.importorskip("torch")
    module = torch_sequentials()[name]
    net = numpynn.from_onnx(torch_to_onnx(module, 5))
    X = rows(200, 5, seed=2) * 3
    with torch.no_grad():
        expected = module(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(net.eval(X), expected, rtol=0, atol=1e-6)
    assert net.metadata == {}


def test_torch_weights_arrive_transposed_exactly():
    torch = pytest.importorskip("torch")
    module = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    net = numpynn.from_onnx(torch_to_onnx(module, 3))
    assert net.hidden_activations == ("tanh",) and net.output_activation == "identity"
    np.testing.assert_array_equal(net.weights[0], module[0].weight.detach().numpy().T)
    np.testing.assert_array_equal(net.biases[1], module[2].bias.detach().numpy())


# ------------------------------------------------------------------------------ skl2onnx


@pytest.mark.parametrize("kind", ["multiclass", "binary", "multilabel", "regression"])
@pytest.mark.parametrize("zipmap", [True, False])
def test_skl2onnx_mlps_import(kind, zipmap):
    skl2onnx = pytest.importorskip("skl2onnx")
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    X = rows(90, 3, seed=4)
    rng = np.random.default_rng(0)
    target = {"multiclass": np.arange(90) % 3, "binary": np.arange(90) % 2,
              "multilabel": rng.integers(0, 2, (90, 3)),
              "regression": rng.normal(size=(90, 2))}[kind]
    model = (MLPRegressor if kind == "regression" else MLPClassifier)(
        hidden_layer_sizes=(6, 5), activation="tanh", max_iter=30, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, target)
    options = None if kind == "regression" else {"zipmap": zipmap}
    net = numpynn.from_onnx(skl2onnx.to_onnx(model, X[:1], options=options))
    assert net.hidden_activations == ("tanh", "tanh")
    out = net.eval(X)
    if kind == "regression":
        np.testing.assert_allclose(out, model.predict(X), rtol=1e-5, atol=1e-5)
        return
    if kind == "binary":
        out = np.column_stack([1 - out[:, 0], out[:, 0]])
    np.testing.assert_allclose(out, model.predict_proba(X), rtol=0, atol=1e-5)


# ------------------------------------------------------------------------------ Gemm forms


@pytest.mark.parametrize("trans_b", [0, 1])
def test_gemm_with_alpha_beta_and_a_row_bias(trans_b):
    weights = W0.T.copy() if trans_b else W0
    node = helper.make_node("Gemm", ["x", "B", "C"], ["y"], alpha=0.5, beta=2.0,
                            transB=trans_b)
    net = numpynn.from_onnx(hand_made([node], {"B": weights, "C": B0.reshape(1, 4)}))
    X = rows()
    np.testing.assert_allclose(net.eval(X), 0.5 * X @ W0 + 2.0 * B0, rtol=1e-6, atol=1e-6)
    assert net.output_activation == "identity"


def test_matmul_without_bias_and_an_extra_add():
    nodes = [helper.make_node("Gemm", ["x", "W"], ["g"]),
             helper.make_node("Add", ["B", "g"], ["z"]),
             helper.make_node("Exp", ["z"], ["y"])]
    net = numpynn.from_onnx(hand_made(nodes, {"W": W0, "B": B0}))
    X = rows()
    np.testing.assert_allclose(net.eval(X), np.exp(X @ W0 + B0), rtol=1e-6)
    assert net.output_activation == "exp"


# ------------------------------------------------------------------------------ refusals


def test_an_unsupported_node_is_named():
    conv = helper.make_node("Erf", ["a0"], ["a"], name="my_erf")
    relu = helper.make_node("Relu", ["h"], ["a0"])
    with pytest.raises(ValueError, match=r"'my_erf' \(Erf\)"):
        numpynn.from_onnx(two_layers(relu, conv))


def test_a_leaky_relu_with_another_slope_is_refused():
    leaky = helper.make_node("LeakyRelu", ["h"], ["a"], alpha=0.2, name="leaky")
    with pytest.raises(ValueError, match=r"'leaky' \(LeakyRelu\).*alpha 0.2.*0.01"):
        numpynn.from_onnx(two_layers(leaky))


def test_softmax_in_a_hidden_layer_is_refused():
    softmax = helper.make_node("Softmax", ["h"], ["a"], name="hidden_softmax")
    with pytest.raises(ValueError, match=r"'hidden_softmax'.*softmax in a hidden layer"):
        numpynn.from_onnx(two_layers(softmax))


def test_a_hidden_activation_at_the_output_is_refused():
    tanh = helper.make_node("Tanh", ["h"], ["a"])
    with pytest.raises(ValueError, match="relu after the last layer"):
        numpynn.from_onnx(two_layers(tanh, last=("Relu", {})))


def test_a_side_branch_is_refused():
    relu = helper.make_node("Relu", ["h"], ["a"])
    side = helper.make_node("Mul", ["h", "h"], ["s"], name="side")
    model = two_layers(relu, side)
    model.graph.output.append(helper.make_tensor_value_info("s", TensorProto.FLOAT, None))
    with pytest.raises(ValueError, match=r"'side' \(Mul\).*branches off the tensor 'h'"):
        numpynn.from_onnx(model)


def test_arithmetic_after_the_last_layer_is_refused():
    nodes = [helper.make_node("MatMul", ["x", "W"], ["z"]),
             helper.make_node("Mul", ["z", "two"], ["y"], name="double")]
    model = hand_made(nodes, {"W": W0, "two": np.float32(2)})
    with pytest.raises(ValueError, match=r"'double' \(Mul\).*changes the values"):
        numpynn.from_onnx(model)


def test_weights_must_be_constants():
    model = hand_made([helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")], {},
                      inputs=("x", "w"))
    with pytest.raises(ValueError, match="one input; this ONNX graph has 2: 'x', 'w'"):
        numpynn.from_onnx(model)
    model = hand_made([helper.make_node("Identity", ["W"], ["computed"]),
                       helper.make_node("MatMul", ["x", "computed"], ["y"], name="mm")],
                      {"W": W0})
    with pytest.raises(ValueError, match=r"'mm' \(MatMul\).*'computed' is not a constant"):
        numpynn.from_onnx(model)


def test_a_graph_that_does_not_start_with_a_layer():
    model = hand_made([helper.make_node("Relu", ["x"], ["r"], name="first"),
                       helper.make_node("MatMul", ["r", "W"], ["y"])], {"W": W0})
    with pytest.raises(ValueError, match=r"'first' \(Relu\).*starts with MatMul or Gemm"):
        numpynn.from_onnx(model)


def test_gemm_that_transposes_its_input_is_refused():
    node = helper.make_node("Gemm", ["x", "W"], ["y"], transA=1, name="gemm")
    with pytest.raises(ValueError, match=r"'gemm' \(Gemm\).*transA=1"):
        numpynn.from_onnx(hand_made([node], {"W": W0}))


def test_layers_that_do_not_chain_are_refused():
    nodes = [helper.make_node("MatMul", ["x", "W0"], ["h"]),
             helper.make_node("MatMul", ["h", "W0"], ["y"], name="second")]
    with pytest.raises(ValueError, match=r"'second'.*\(3, 4\) does not follow a layer of 4"):
        numpynn.from_onnx(hand_made(nodes, {"W0": W0}))


def test_not_an_onnx_model(tmp_path):
    with pytest.raises(ValueError, match="not an ONNX model"):
        numpynn.from_onnx(b"\x00\x01 definitely not protobuf \xff")
    (tmp_path / "x.onnx").write_bytes(b"\x00\x01 definitely not protobuf \xff")
    with pytest.raises(ValueError, match=r"x\.onnx: not an ONNX model"):
        numpynn.from_onnx(tmp_path / "x.onnx")
    with pytest.raises(FileNotFoundError, match="no such ONNX file"):
        numpynn.from_onnx(tmp_path / "missing.onnx")
    with pytest.raises(TypeError, match="source must be a path, bytes or an onnx.ModelProto"):
        numpynn.from_onnx(3)
