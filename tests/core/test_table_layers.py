"""The table network's layers (embeddings, per-feature scale, dense stack with dropout and
label smoothing): layout, finite differences and PyTorch autograd as oracles."""

import numpy as np
import pytest

from numpynn import gradcheck
from numpynn.core.label_smoothing import smoothed_rows
from numpynn.core.layers import InputLayout
from numpynn.core.layers.data_init import data_point_biases, unit_std_weights
from numpynn.core.layers.embedding import codes_of
from numpynn.tabular_network import TabularNetwork


def _rows(n, n_dense=3, cards=(4, 3), seed=0):
    rng = np.random.default_rng(seed)
    codes = [rng.integers(0, c, (n, 1)) for c in cards]
    return np.concatenate([rng.standard_normal((n, n_dense)), *codes], axis=1)


def _net(activation="selu", output="softmax", front_scale=True, cards=(4, 3), seed=1):
    k = 3 if output == "softmax" else 1
    net = TabularNetwork(3, (6, 5), k, embeddings=[(c, d) for c, d in zip(cards, (2, 3))],
                         front_scale=front_scale, hidden_activation=activation,
                         output_activation=output, seed=seed)
    if front_scale:
        net.views.scale[:] = np.random.default_rng(seed).uniform(0.5, 1.5, net.views.scale.size)
    return net


def test_layout_slices_follow_one_another():
    layout = InputLayout(3, [(4, 2), (3, 3)], (6,), 2)
    e0, e1 = layout.embedding_slices
    assert (e0.start, e0.stop, e0.column) == (0, 8, 3)
    assert (e1.start, e1.stop, e1.column) == (8, 17, 5)
    assert layout.n_features == 8 and layout.n_inputs == 5
    assert layout.scale_start == 17 and layout.dense_start == 25
    assert layout.num_weights == 25 + layout.dense.num_weights
    theta = np.arange(layout.num_weights, dtype=np.float32)
    views = layout.views_of(theta)
    assert np.shares_memory(views.embeddings[1], theta) and views.embeddings[1][0, 0] == 8
    assert views.dense[0] == 25 and views.weights[0].shape == (8, 6)


def test_per_group_vector():
    layout = InputLayout(2, [(3, 2)], (4,), 1)
    v = layout.per_group({"embedding": 1.0, "scale": 6.0, "weight": [0.5, 0.25],
                          "bias": 0.1})
    views = layout.views_of(v)
    assert (views.embeddings[0] == 1).all() and (views.scale == 6).all()
    assert (views.weights[0] == 0.5).all() and (views.weights[1] == 0.25).all()
    assert np.allclose(views.biases[0], 0.1)
    with pytest.raises(ValueError, match="parameter groups"):
        layout.per_group({"weights": 1.0})
    with pytest.raises(ValueError, match="one per layer"):
        layout.per_group({"weight": [1.0, 2.0, 3.0]})


def test_layout_refuses_bad_sizes():
    with pytest.raises(ValueError, match="cardinality"):
        InputLayout(2, [(0, 2)], (4,), 1)
    with pytest.raises(ValueError, match="at least one input"):
        InputLayout(0, [], (4,), 1)


def test_bad_category_codes_are_named():
    net = _net()
    X = _rows(4)
    X[2, 3] = 7  # column 3 has 4 categories
    with pytest.raises(ValueError, match=r"X\[2, 3\].*0\.\.3"):
        net.eval(X)
    X[2, 3] = 1.5
    with pytest.raises(ValueError, match="whole numbers"):
        net.eval(X)
    layout = net.input_layout
    assert codes_of(_rows(3)[:, 3:], layout.embedding_slices).dtype == np.intp


@pytest.mark.parametrize("activation", ["selu", "mish", "gelu", "relu", "tanh"])
@pytest.mark.parametrize("output", ["softmax", "identity"])
@pytest.mark.parametrize("front_scale", [True, False])
def test_gradient_against_finite_differences(activation, output, front_scale):
    net = _net(activation, output, front_scale)
    X = _rows(8, seed=2)
    net.initialize_from_data(X, seed=0)
    rng = np.random.default_rng(3)
    y = rng.integers(0, 3, 8) if output == "softmax" else rng.standard_normal(8)
    assert gradcheck(net, X, y) < 1e-3
    assert gradcheck(net, X, y, l2=0.05, sample_weight=rng.uniform(0.5, 2, 8)) < 1e-3


def test_shared_codes_add_up_in_the_embedding_gradient():
    net = _net()
    X = _rows(6)
    X[:, 3] = 2  # every row picks row 2 of the first table
    _, grad = net.loss_and_gradient(X, np.zeros(6, int))
    table = net.views_of(grad).embeddings[0]
    assert np.abs(table[2]).sum() > 0 and np.abs(np.delete(table, 2, axis=0)).sum() == 0


torch = pytest.importorskip("torch")
TORCH_ACT = {"selu": torch.nn.functional.selu, "mish": torch.nn.functional.mish,
             "gelu": torch.nn.functional.gelu, "relu": torch.relu}


def _torch_loss(net, X, y, masks=(), smoothing=0.0):
    """The same network and loss in PyTorch (float64): the gradient oracle."""
    layout = net.input_layout
    theta = torch.tensor(net.theta.astype(np.float64), requires_grad=True)
    parts = [torch.tensor(X[:, :layout.n_dense])]
    for j, e in enumerate(layout.embedding_slices):
        table = theta[e.start:e.stop].reshape(e.cardinality, e.dim)
        codes = torch.tensor(X[:, layout.n_dense + j].astype(np.int64))
        parts.append(torch.nn.functional.embedding(codes, table))
    a = torch.cat(parts, dim=1)
    if layout.front_scale:
        a = a * theta[layout.scale_start:layout.dense_start]
    offset = layout.dense_start
    sizes = layout.dense.sizes
    for layer, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        W = theta[offset:offset + fan_in * fan_out].reshape(fan_in, fan_out)
        b = theta[offset + fan_in * fan_out:offset + fan_in * fan_out + fan_out]
        offset += fan_in * fan_out + fan_out
        a = a @ W + b
        if layer < len(sizes) - 2:
            a = TORCH_ACT[net.hidden_activations[layer]](a)
            if masks:
                a = a * torch.tensor(masks[layer].astype(np.float64))
    if net.output_activation == "softmax":
        loss = torch.nn.functional.cross_entropy(a, torch.tensor(y), label_smoothing=smoothing)
    else:
        loss = 0.5 * ((a[:, 0] - torch.tensor(y)) ** 2).mean()
    loss.backward()
    return loss.item(), theta.grad.numpy()


@pytest.mark.parametrize("activation", ["selu", "mish", "gelu", "relu"])
def test_batch_gradient_with_dropout_and_smoothing_matches_pytorch(activation):
    net = _net(activation)
    X = _rows(32, seed=4).astype(np.float32)
    net.initialize_from_data(X, seed=1)
    y = np.random.default_rng(5).integers(0, 3, 32)
    ws = net.make_workspace(32, dropout=0.3, rng=np.random.default_rng(6), label_smoothing=0.1)
    grad = np.empty_like(net.theta)
    loss = ws.forward_backward(X, y, None, 1 / 32, grad) / 32
    masks = [m[:32].copy() for m in ws.masks]
    expected_loss, expected = _torch_loss(net, X.astype(np.float64), y, masks, smoothing=0.1)
    assert loss == pytest.approx(expected_loss, rel=1e-5)
    np.testing.assert_allclose(grad, expected, rtol=2e-4, atol=2e-6)


def test_regression_gradient_matches_pytorch():
    net = _net("mish", "identity")
    X = _rows(16, seed=7)
    y = np.random.default_rng(8).standard_normal(16)
    loss, grad = net.loss_and_gradient(X, y)
    expected_loss, expected = _torch_loss(net, X, y)
    assert loss == pytest.approx(expected_loss, rel=1e-5)
    np.testing.assert_allclose(grad, expected, rtol=2e-4, atol=2e-6)


def test_label_smoothing_is_pytorchs():
    rows = smoothed_rows(np.array([0, 2]), 3, 0.1)
    np.testing.assert_allclose(rows, [[0.9 + 0.1 / 3, 0.1 / 3, 0.1 / 3],
                                      [0.1 / 3, 0.1 / 3, 0.9 + 0.1 / 3]], rtol=1e-6)
    assert rows.dtype == np.float32 and np.allclose(rows.sum(axis=1), 1)


def test_data_driven_start():
    rng = np.random.default_rng(0)
    inputs = rng.standard_normal((500, 7)).astype(np.float32) * 3 + 1
    w = np.empty((7, 20), np.float32)
    sums = unit_std_weights(inputs, w, rng)
    np.testing.assert_allclose((inputs @ w).std(axis=0), 1, rtol=1e-4)
    b = np.empty(20, np.float32)
    data_point_biases(sums, b, rng)
    # each bias puts its unit's kink inside the data: between the smallest and largest sum
    assert ((-b >= sums.min(axis=0)) & (-b <= sums.max(axis=0))).all()


def test_eval_is_blockwise_and_matches_the_workspace():
    net = _net("gelu")
    X = _rows(10).astype(np.float32)
    ws = net.make_workspace(10)
    grad = np.empty_like(net.theta)
    y = np.zeros(10, int)
    ws.forward_backward(X, y, None, 0.1, grad)
    logits = net._forward(X, apply_output=False)
    expected, _ = _torch_loss(net, X.astype(np.float64), y)
    p = net.eval(X)
    assert p.shape == (10, 3) and np.allclose(p.sum(axis=1), 1, atol=1e-6)
    assert float(-np.log(p[:, 0]).mean()) == pytest.approx(expected, rel=1e-5)
    assert logits.dtype == np.float32
    assert net.predict(X).shape == (10,) and net.eval(X[0]).shape == (3,)


def test_pickle_keeps_the_views():
    import pickle

    net = _net()
    back = pickle.loads(pickle.dumps(net))
    assert np.shares_memory(back.views.weights[0], back.theta)
    np.testing.assert_array_equal(back.eval(_rows(3)), net.eval(_rows(3)))
