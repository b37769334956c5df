"""numpynn.core.forward: the network's forward pass as functions over views and names."""

import numpy as np
import pytest

from numpynn import NeuralNetwork
from numpynn.core import forward
from numpynn.core.layout import Layout


def _parts(net):
    return net.weights, net.biases, net.hidden_activations, net.output_activation


@pytest.mark.parametrize("rows", [1, 64, 65, 1000])
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
