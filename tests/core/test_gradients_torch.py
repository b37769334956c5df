"""Gradients against PyTorch autograd (float64) as the oracle; skipped without torch."""

import numpy as np
import pytest
from test_gradients import DTYPES, HIDDEN, OUTPUT, _problem  # tests/ on sys.path (no package)

from numpynn import NeuralNetwork

# ---------------------------------------------------------------- PyTorch oracle
torch = pytest.importorskip("torch")


def _torch_loss(net, X, y, output, l2, sample_weight):
    theta = torch.tensor(net.theta.astype(np.float64), requires_grad=True)
    a = torch.tensor(X.astype(np.float64))
    offset = 0
    weights = []
    for layer, (fan_in, fan_out) in enumerate(zip(net.sizes[:-1], net.sizes[1:])):
        W = theta[offset : offset + fan_in * fan_out].reshape(fan_in, fan_out)
        offset += fan_in * fan_out
        b = theta[offset : offset + fan_out]
        offset += fan_out
        weights.append(W)
        z = a @ W + b
        if layer < net.num_layers - 1:
            name = net.hidden_activations[layer]
            a = {
                "relu": torch.relu,
                "leaky_relu": lambda t: torch.nn.functional.leaky_relu(t, 0.01),
                "tanh": torch.tanh,
                "logistic": torch.sigmoid,
                "identity": lambda t: t,
            }[name](z)
        else:
            a = z
    w = torch.tensor(sample_weight, dtype=torch.float64)
    if output == "softmax":
        per = torch.nn.functional.cross_entropy(a, torch.tensor(y), reduction="none")
    elif output == "logistic":
        per = torch.nn.functional.binary_cross_entropy_with_logits(
            a, torch.tensor(y, dtype=torch.float64), reduction="none").sum(dim=1)
    elif output == "exp":
        t = torch.tensor(y, dtype=torch.float64)
        # half Poisson deviance: torch's Poisson NLL with log input, plus y log y - y
        per = (torch.nn.functional.poisson_nll_loss(a, t, log_input=True, full=False,
                                                    reduction="none")
               + torch.xlogy(t, t) - t).sum(dim=1)
    else:
        per = 0.5 * ((a - torch.tensor(y, dtype=torch.float64)) ** 2).sum(dim=1)
    loss = (per * w).sum() / w.sum() + 0.5 * l2 * sum((W**2).sum() for W in weights)
    loss.backward()
    return loss.item(), theta.grad.numpy()


#: (relative, absolute as a fraction of the largest component) per network dtype: float32
#: round-off, or float64's, where the same computation must agree to ~1e-12.
TOLERANCE = {np.float32: (2e-3, 1e-6), np.float64: (1e-10, 1e-12)}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("output", OUTPUT)
def test_gradient_matches_pytorch(hidden, output, dtype):
    net = NeuralNetwork(4, 7, 5, 3, hidden_activation=hidden, output_activation=output, seed=5,
                        dtype=dtype)
    X, y = _problem(output, n=32, seed=1)
    sw = np.random.default_rng(2).uniform(0.5, 2.0, len(X))
    loss, grad = net.loss_and_gradient(X, y, l2=0.01, sample_weight=sw)
    assert grad.dtype == dtype
    ref_loss, ref_grad = _torch_loss(net, X, y, output, 0.01, sw)
    rtol, atol = TOLERANCE[dtype]
    assert loss == pytest.approx(ref_loss, rel=rtol)
    np.testing.assert_allclose(grad, ref_grad, rtol=rtol, atol=atol * np.abs(ref_grad).max())


@pytest.mark.parametrize("dtype", DTYPES)
def test_per_layer_activations_match_pytorch(dtype):
    net = NeuralNetwork(4, 6, 6, 3, hidden_activation=["tanh", "leaky_relu"], seed=0,
                        dtype=dtype)
    X, y = _problem("softmax", n=16)
    loss, grad = net.loss_and_gradient(X, y)
    ref_loss, ref_grad = _torch_loss(net, X, y, "softmax", 0.0, np.ones(len(X)))
    rtol, atol = TOLERANCE[dtype]
    assert loss == pytest.approx(ref_loss, rel=rtol)
    np.testing.assert_allclose(grad, ref_grad, rtol=rtol, atol=atol * np.abs(ref_grad).max())
