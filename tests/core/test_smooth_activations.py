"""SELU, Mish and GELU: values and derivatives against PyTorch (float64 oracle), the erf
formula against math.erf, and dense networks that train with them on both kernel paths."""

import math

import numpy as np
import pytest

from numpynn import NeuralNetwork, gradcheck
from numpynn.core import activations as act
from numpynn.core.smooth_activations import NEEDS_PRE_ACTIVATION, erf

SMOOTH = ("selu", "mish", "gelu")
torch = pytest.importorskip("torch")
TORCH = {"selu": torch.nn.functional.selu, "mish": torch.nn.functional.mish,
         "gelu": torch.nn.functional.gelu}
Z = np.concatenate([np.linspace(-40, 40, 4001), [-1e-8, 0.0, 1e-8]]).astype(np.float32)


@pytest.mark.parametrize("name", SMOOTH)
def test_forward_matches_pytorch(name):
    out = Z.copy()
    act.apply_hidden(name, out, np.empty_like(out))
    expected = TORCH[name](torch.tensor(Z, dtype=torch.float64)).numpy()
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, expected, rtol=2e-6, atol=2e-6)


@pytest.mark.parametrize("name", SMOOTH)
def test_derivative_matches_autograd(name):
    z = torch.tensor(Z, dtype=torch.float64, requires_grad=True)
    upstream = np.random.default_rng(0).standard_normal(Z.size).astype(np.float32)
    TORCH[name](z).backward(torch.tensor(upstream, dtype=torch.float64))
    a = Z.copy()
    act.apply_hidden(name, a)
    delta = upstream.copy()
    pre = Z if name in NEEDS_PRE_ACTIVATION else None
    act.multiply_by_derivative(name, a[None, :], delta[None, :], z=None if pre is None
                               else pre[None, :])
    np.testing.assert_allclose(delta, z.grad.numpy(), rtol=1e-5, atol=1e-5)


def test_mish_and_gelu_need_the_pre_activation_sums():
    a = np.ones((2, 2), np.float32)
    with pytest.raises(ValueError, match="pre-activation"):
        act.multiply_by_derivative("mish", a, a.copy())


def test_erf_is_accurate_to_float32():
    x = np.linspace(-6, 6, 10001)
    worst = np.max(np.abs(erf(x) - np.vectorize(math.erf)(x)))
    assert worst < 2e-7
    assert erf(np.float32([0.5])).dtype == np.float32


@pytest.mark.parametrize("name", SMOOTH)
def test_dense_network_gradient_is_checked(name):
    rng = np.random.default_rng(3)
    net = NeuralNetwork(4, 6, 5, 3, hidden_activation=name, seed=2)
    X, y = rng.standard_normal((9, 4)), rng.integers(0, 3, 9)
    assert gradcheck(net, X, y, l2=0.01) < 1e-3


@pytest.mark.parametrize("name", SMOOTH)
def test_dense_network_trains_on_both_kernel_paths(name, kernel_mode):
    rng = np.random.default_rng(4)
    X = rng.standard_normal((200, 3)).astype(np.float32)
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    net = NeuralNetwork(3, 16, 2, hidden_activation=name, seed=1)
    history = net.fit(X, y, epochs=15, batch_size=20, learning_rate=0.01, seed=0)
    assert history.loss[-1] < history.loss[0]
    assert net.theta.dtype == np.float32


@pytest.mark.parametrize("name", SMOOTH)
def test_saved_and_loaded_with_the_new_activations(tmp_path, name):
    pytest.importorskip("safetensors")
    from numpynn import load

    net = NeuralNetwork(3, 4, 2, hidden_activation=name, seed=0)
    net.save(tmp_path / "m.safetensors")
    back = load(tmp_path / "m.safetensors")
    assert back.hidden_activations == (name,)
    x = np.ones((2, 3), np.float32)
    np.testing.assert_array_equal(back.eval(x), net.eval(x))
