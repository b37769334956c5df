"""numpynn.core.forward: the network's forward pass as functions over views and names."""

import numpy as np
import pytest

from numpynn import NeuralNetwork
from numpynn.core import forward
from numpynn.core.layout import Layout


def _parts(net):
    return net.weights, net.biases, net.hidden_activations, net.output_activation


@pytest.mark.parametrize("rows", [1, 2, 7, 64, 65, 1000])
def test_functions_give_the_networks_bits(rows):
    net = NeuralNetwork(6, 9, 7, 3, hidden_activation=["relu", "tanh"], seed=0)
    X = np.random.default_rng(rows).normal(size=(rows, 6)).astype(np.float32)
    weights, biases, hidden, output = _parts(net)
    layout = Layout(net.sizes)
    got = forward.eval_rows(X, layout, weights, biases, hidden, output)
    assert got.tobytes() == net.eval(X).tobytes()
    logits = forward.forward(X, layout, weights, biases, hidden, output, apply_output=False)
    assert logits.tobytes() == net._forward(X, apply_output=False).tobytes()
    layers = forward.hidden_layers(weights, biases, hidden)
    one = forward.eval_vector(X[0], layers, weights[-1], biases[-1], output)
    assert one.tobytes() == net.eval(X[0]).tobytes()


def test_trace_vector_ends_in_the_output():
    net = NeuralNetwork(4, 5, 2, seed=1)
    x = np.linspace(-1, 1, 4, dtype=np.float32)
    records = forward.trace_vector(x, *_parts(net))
    assert [r.sums.shape for r in records] == [(5,), (2,)]
    np.testing.assert_allclose(records[-1].values, net.eval(x), rtol=1e-6)
    assert forward.LayerTrace is type(net.trace(x)[0])


def test_rows_per_block_keeps_blocks_in_cache():
    assert forward.rows_per_block([3, 4, 2]) == (1 << 18) // 4
    assert forward.rows_per_block([10_000_000, 2]) == 64


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("output", ["softmax", "logistic", "identity", "exp"])
def test_one_row_gives_the_one_sample_bits(output, dtype):
    """A (1, d) batch takes the one-sample path: the same bits as the row as a vector."""
    net = NeuralNetwork(6, 9, 3, hidden_activation="leaky_relu", output_activation=output,
                        seed=0, dtype=dtype)
    X = np.random.default_rng(0).normal(size=(5, 6)).astype(dtype)
    for row in (X[:1], X[2:3], np.asfortranarray(X[:1]), X[:1, :].astype(np.float16)):
        got = net.eval(row)
        assert got.shape == (1, 3) and got.dtype == dtype
        assert got.tobytes() == net.eval(row[0].astype(dtype)).tobytes()
    # and the few-rows path the block path's bits, on the same batch
    few = forward.forward_few_rows(X, *_parts(net))
    blocks = np.empty_like(few)
    forward.forward_rows(X, blocks, net.sizes, *_parts(net), True)
    assert few.tobytes() == blocks.tobytes()


def test_one_row_and_few_rows_refuse_nan_by_row():
    net = NeuralNetwork(3, 4, 2, seed=0)
    X = np.ones((3, 3), dtype=np.float32)
    X[1, 2] = np.inf
    with pytest.raises(ValueError, match=r"X contains NaN or inf \(first in row 1\)"):
        net.eval(X)
    with pytest.raises(ValueError, match=r"X contains NaN or inf \(first in row 0\)"):
        net.eval(X[1:2])
