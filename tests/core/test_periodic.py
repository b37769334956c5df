"""Periodic embeddings of numeric features (RealMLP's PBLD) in the table network: layout,
finite differences, PyTorch autograd, inference, model files."""

import numpy as np
import pytest

from numpynn import gradcheck
from numpynn.core.layers import InputLayout
from numpynn.core.layers.periodic import DIMS, FREQUENCIES, periodic_size
from numpynn.errors import ModelFileError
from numpynn.tabular_network import TabularNetwork, load_tabular_network


def _rows(n, n_dense=4, cards=(4,), seed=0):
    rng = np.random.default_rng(seed)
    codes = [rng.integers(0, c, (n, 1)) for c in cards]
    return np.concatenate([rng.uniform(-3, 3, (n, n_dense)), *codes], axis=1)


def _net(output="softmax", front_scale=True, periodic=(0, 2, 3), activation="selu", seed=1):
    k = 3 if output == "softmax" else 1
    net = TabularNetwork(4, (6, 5), k, embeddings=[(4, 2)], front_scale=front_scale,
                         periodic=periodic, hidden_activation=activation,
                         output_activation=output, seed=seed)
    if front_scale:
        net.views.scale[:] = np.random.default_rng(seed).uniform(0.5, 1.5, net.views.scale.size)
    # frequencies larger than the start's 0.1: cosines that bend within the data
    net.views.periodic.frequencies[...] *= 5
    return net


def test_layout_puts_the_block_after_the_embeddings():
    layout = InputLayout(4, [(4, 2)], (6,), 2, periodic=(1, 3))
    block = periodic_size(2)
    assert block == 2 * (2 * FREQUENCIES + FREQUENCIES * DIMS + DIMS)
    assert layout.periodic_start == 8 and layout.scale_start == 8 + block
    assert layout.n_features == 4 + 2 + 2 * DIMS and layout.periodic_column == 6
    assert layout.dense_start == layout.scale_start + layout.n_features
    views = layout.views_of(np.arange(layout.num_weights, dtype=np.float32))
    assert views.periodic.frequencies.shape == (2, FREQUENCIES)
    assert views.periodic.weights.shape == (2, FREQUENCIES, DIMS)
    assert views.periodic.frequencies[0, 0] == 8 and views.periodic.biases[-1, -1] == 8 + block - 1
    group = layout.views_of(layout.per_group({"periodic": 0.1})).periodic
    assert all(np.allclose(part, 0.1) for part in (group.frequencies, group.phases,
                                                    group.weights, group.biases))


@pytest.mark.parametrize("columns", [(0, 0), (2, 1), (4,), (-1,)])
def test_layout_refuses_bad_periodic_columns(columns):
    with pytest.raises(ValueError, match="periodic"):
        InputLayout(4, [], (6,), 2, periodic=columns)


def test_start_is_realmlps():
    net = TabularNetwork(30, (8,), 2, periodic=range(30), seed=0)
    p = net.views.periodic
    assert abs(p.frequencies.std() - 0.1) < 0.01 and abs(p.frequencies.mean()) < 0.01
    assert p.phases.min() >= -np.pi and p.phases.max() <= np.pi and p.phases.std() > 1.5
    assert np.abs(p.weights).max() <= 0.25 and np.abs(p.biases).max() <= 0.25
    assert net.weight_mask()[net.input_layout.periodic_start:net.input_layout.scale_start].all()


@pytest.mark.parametrize("output", ["softmax", "identity"])
@pytest.mark.parametrize("front_scale", [True, False])
def test_gradient_against_finite_differences(output, front_scale):
    net = _net(output, front_scale)
    X = _rows(8, seed=2)
    net.initialize_from_data(X, seed=0)
    rng = np.random.default_rng(3)
    y = rng.integers(0, 3, 8) if output == "softmax" else rng.standard_normal(8)
    assert gradcheck(net, X, y) < 1e-3
    assert gradcheck(net, X, y, l2=0.05, sample_weight=rng.uniform(0.5, 2, 8)) < 1e-3


def test_the_feature_itself_stays_an_input():
    net = _net(periodic=(1,))
    X = _rows(5)
    features = np.empty((5, net.input_layout.n_features), np.float32)
    from numpynn.core.layers.input_block import features_into

    features_into(X.astype(np.float32), net.input_layout, net.views, features)
    np.testing.assert_array_equal(features[:, :4], X[:, :4].astype(np.float32))
    p = net.views.periodic
    expected = np.cos(2 * np.pi * X[:, 1:2] * p.frequencies[0] + p.phases[0]) @ p.weights[0]
    np.testing.assert_allclose(features[:, 6:], expected + p.biases[0], rtol=1e-4, atol=1e-5)


def test_inference_in_chunks_gives_the_same_values(monkeypatch):
    from numpynn.core.layers import periodic

    net = _net()
    X = _rows(50, seed=9).astype(np.float32)
    whole = net.eval(X)
    monkeypatch.setattr(periodic, "_VALUES_PER_CHUNK", 3 * 16 * 7)  # 7 rows a chunk
    # Same values up to float32 rounding: BLAS may round a row's products differently
    # with the number of rows in the call (seen: 6e-8 on AMD Zen 3, OpenBLAS 0.3.31).
    np.testing.assert_allclose(net.eval(X), whole, rtol=2e-6, atol=1e-7)


torch = pytest.importorskip("torch")


def _torch_loss(net, X, y):
    """The same network and loss in PyTorch (float64): the gradient oracle."""
    layout = net.input_layout
    theta = torch.tensor(net.theta.astype(np.float64), requires_grad=True)
    c, f, d = len(layout.periodic), layout.periodic_frequencies, layout.periodic_dims
    stops = np.cumsum([layout.periodic_start, c * f, c * f, c * f * d, c * d])
    freq, phase, weight, bias = (theta[a:b] for a, b in zip(stops[:-1], stops[1:]))
    x = torch.tensor(X[:, list(layout.periodic)])  # (n, C)
    angles = 2 * torch.pi * x[:, :, None] * freq.reshape(c, f) + phase.reshape(c, f)
    values = torch.einsum("ncf,cfd->ncd", torch.cos(angles), weight.reshape(c, f, d))
    values = (values + bias.reshape(c, d)).reshape(X.shape[0], c * d)
    e = layout.embedding_slices[0]
    table = theta[e.start:e.stop].reshape(e.cardinality, e.dim)
    codes = torch.tensor(X[:, layout.n_dense].astype(np.int64))
    a = torch.cat([torch.tensor(X[:, :layout.n_dense]),
                   torch.nn.functional.embedding(codes, table), values], dim=1)
    if layout.front_scale:
        a = a * theta[layout.scale_start:layout.dense_start]
    offset, sizes = layout.dense_start, layout.dense.sizes
    for layer, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        W = theta[offset:offset + fan_in * fan_out].reshape(fan_in, fan_out)
        b = theta[offset + fan_in * fan_out:offset + fan_in * fan_out + fan_out]
        offset += fan_in * fan_out + fan_out
        a = a @ W + b
        if layer < len(sizes) - 2:
            a = torch.nn.functional.selu(a)
    if net.output_activation == "softmax":
        loss = torch.nn.functional.cross_entropy(a, torch.tensor(y))
    else:
        loss = 0.5 * ((a[:, 0] - torch.tensor(y)) ** 2).mean()
    loss.backward()
    return loss.item(), theta.grad.numpy()


@pytest.mark.parametrize("output", ["softmax", "identity"])
def test_gradient_matches_pytorch(output):
    net = _net(output)
    X = _rows(32, seed=4).astype(np.float32)
    net.initialize_from_data(X, seed=1)
    rng = np.random.default_rng(5)
    y = rng.integers(0, 3, 32) if output == "softmax" else rng.standard_normal(32)
    loss, grad = net.loss_and_gradient(X, y)
    expected_loss, expected = _torch_loss(net, X.astype(np.float64), y)
    assert loss == pytest.approx(expected_loss, rel=1e-5)
    np.testing.assert_allclose(grad, expected, rtol=2e-4, atol=2e-6)


def test_eval_matches_pytorch_and_the_file_round_trip(tmp_path):
    net = _net()
    X = _rows(20, seed=6).astype(np.float32)
    y = np.zeros(20, int)
    expected, _ = _torch_loss(net, X.astype(np.float64), y)
    assert float(-np.log(net.eval(X)[:, 0]).mean()) == pytest.approx(expected, rel=1e-5)
    path = tmp_path / "net.safetensors"
    net.save(path)
    back = load_tabular_network(path)
    assert back.input_layout == net.input_layout
    np.testing.assert_array_equal(back.eval(X), net.eval(X))


def test_a_file_with_other_periodic_sizes_is_refused(tmp_path):
    import json

    from safetensors.numpy import load_file, save_file

    path = tmp_path / "net.safetensors"
    _net().save(path)
    from safetensors import safe_open

    with safe_open(path, "np") as f:
        meta = f.metadata()
    numpynn_meta = json.loads(meta["numpynn"])
    numpynn_meta["input_layers"]["periodic"]["frequencies"] = 8
    save_file(load_file(path), path, {**meta, "numpynn": json.dumps(numpynn_meta)})
    with pytest.raises(ModelFileError, match="8 frequencies"):
        load_tabular_network(path)


@pytest.mark.parametrize("opset", [13, 17, 21])
def test_onnx_export_matches_onnxruntime(opset):
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    members = [_net(seed=s) for s in range(2)]
    X = _rows(40, seed=7).astype(np.float32)
    from numpynn.tabular_network import networks_to_onnx

    model = networks_to_onnx(members, opset=opset)
    assert {"Cos", "Transpose"} <= {n.op_type for n in model.graph.node}
    session = ort.InferenceSession(model.SerializeToString())
    names = [o.name for o in session.get_outputs()]
    out = dict(zip(names, session.run(None, {"input": X})))
    expected = np.mean([m.eval(X) for m in members], axis=0)
    np.testing.assert_allclose(out["probabilities"], expected, atol=2e-6)
