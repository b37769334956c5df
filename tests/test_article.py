"""The article's numbers, pinned: 3-4-2 leaky-ReLU/softmax net, weights 0.01..0.26."""

import subprocess
import sys

import numpy as np
import pytest

import numpynn
from numpynn.display import ARTICLE_INPUT, ARTICLE_WEIGHTS


@pytest.fixture
def article_net():
    net = numpynn.NeuralNet(3, 4, 2)
    net.set_weights(ARTICLE_WEIGHTS)
    return net


def test_article_outputs(article_net):
    y = article_net.eval(ARTICLE_INPUT)
    assert y.dtype == np.float32 and y.shape == (2,)
    np.testing.assert_allclose(y, [0.4973, 0.5027], atol=5e-5)
    assert abs(float(y.sum()) - 1.0) < 1e-6


def test_article_intermediate_values(article_net):
    hidden, output = article_net.trace(ARTICLE_INPUT)
    np.testing.assert_allclose(hidden.sums, [-0.0450, -0.0100, 0.0250, 0.0600], atol=5e-6)
    np.testing.assert_allclose(hidden.values, [-0.00045, -0.0001, 0.0250, 0.0600], atol=5e-7)
    np.testing.assert_allclose(output.sums, [0.2690, 0.2798], atol=5e-5)
    np.testing.assert_allclose(output.values, article_net.eval(ARTICLE_INPUT), atol=1e-7)
    # the article's worked example: h_sum[0] = 3(0.01) + 4(0.05) - 4.5(0.09) + 0.13
    assert hidden.sums[0] == pytest.approx(3 * 0.01 + 4 * 0.05 - 4.5 * 0.09 + 0.13, abs=1e-6)


def test_article_layout(article_net):
    assert article_net.num_weights == 26
    assert article_net.sizes == (3, 4, 2)
    ih, ho = article_net.weights
    hb, ob = article_net.biases
    # input[0] -> hidden[0] is 0.01; hidden[3] -> output[1] is 0.24
    assert ih[0, 0] == np.float32(0.01)
    assert ho[3, 1] == np.float32(0.24)
    assert hb[3] == np.float32(0.16)  # bias of hidden[3]
    assert ob[0] == np.float32(0.25)  # bias of output[0]
    assert ho[2, 0] == np.float32(0.21)


def test_article_helpers():
    assert numpynn.leaky(1.234) == 1.234
    assert numpynn.leaky(-2.34) == pytest.approx(-0.0234)
    assert numpynn.relu(-2.34) == 0.0 and numpynn.relu(1.5) == 1.5
    assert numpynn.log_sig(-25.0) == 0.0 and numpynn.log_sig(25.0) == 1.0
    assert numpynn.log_sig(0.0) == 0.5
    s = numpynn.softmax(np.array([0.2690, 0.2798], dtype=np.float32))
    np.testing.assert_allclose(s, [0.4973, 0.5027], atol=5e-5)
    np.testing.assert_allclose(numpynn.leaky(np.array([-1.0, 2.0])), [-0.01, 2.0])
    np.testing.assert_allclose(numpynn.relu(np.array([-1.0, 2.0])), [0.0, 2.0])
    np.testing.assert_allclose(numpynn.log_sig(np.array([-30.0, 0.0, 30.0])), [0, 0.5, 1])


def test_show_vec(capsys):
    numpynn.show_vec(ARTICLE_WEIGHTS, wid=6, dec=2, vals_line=8)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "  0.01  0.02  0.03  0.04  0.05  0.06  0.07  0.08"
    assert lines[3] == "  0.25  0.26"
    assert len(lines) == 4
    numpynn.show_vec(np.array([0.4973, 0.5027]), 8, 4, 2)
    assert capsys.readouterr().out == "  0.4973  0.5027\n"


def test_demo_command_prints_the_article():
    result = subprocess.run([sys.executable, "-m", "numpynn", "demo"], capture_output=True,
                            text=True, check=True)
    out = result.stdout
    assert "Creating a 3-4-2 leaky ReLU, softmax NN" in out
    assert "  0.01  0.02  0.03  0.04  0.05  0.06  0.07  0.08" in out
    assert "  3.00  4.00 -4.50" in out
    assert " -0.0450 -0.0100  0.0250  0.0600" in out
    assert " -0.0005 -0.0001  0.0250  0.0600" in out
    assert "  0.2690  0.2798" in out
    assert "  0.4973  0.5027" in out
    # the order of the steps
    steps = ["Setting weights", "Setting inputs", "Pre-activation hidden",
             "Post-activation hidden", "Pre-activation output", "Output values"]
    positions = [out.index(s) for s in steps]
    assert positions == sorted(positions)


def test_example_program_runs():
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / "examples" / "neural_io.py"
    result = subprocess.run([sys.executable, str(example)], capture_output=True, text=True,
                            check=True)
    assert "  0.4973  0.5027" in result.stdout
