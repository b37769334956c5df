"""Gradient check against float64 central differences."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.smooth_activations import SELU_ALPHA, SELU_LAMBDA

if TYPE_CHECKING:  # pragma: no cover
    from ..network import NeuralNetwork

__all__ = ["gradcheck"]


# The arguments of NeuralNetwork.loss_and_gradient (network/fitting.py), which this checks.
def gradcheck(
    network: NeuralNetwork,
    X: Any,
    y: Any,
    l2: float = 0.0,
    sample_weight: Any = None,
    eps: float = 1e-6,
) -> float:
    """Largest relative error of ``loss_and_gradient`` against central differences.

    The reference repeats the forward pass in float64 (a copy of the network's
    parameters and of X, small by design: use a few rows), so float32 rounding does not
    swamp the finite differences.

    Parameters
    ----------
    network : NeuralNetwork
    X : array_like, shape (n, sizes[0])
    y : array_like
    l2 : float, default 0.0
    sample_weight : array_like, shape (n,), optional
    eps : float, default 1e-6
        Step of the central difference.

    Returns
    -------
    float
        ``max_i |g_i - r_i| / max(|g_i| + |r_i|, 1e-3 max_j |r_j|)``, with ``g`` the
        analytic gradient (in the network's dtype) and ``r`` the float64 numerical one;
        below about 1e-3 means they agree.
    """
    _, analytic = network.loss_and_gradient(X, y, l2=l2, sample_weight=sample_weight)
    from .data import check_training_data

    data = check_training_data(network, X, y, sample_weight)
    X64 = data.X.astype(np.float64)
    theta64 = network.theta.astype(np.float64)

    def loss_at(theta: np.ndarray) -> float:
        return _loss64(network, theta, X64, data.target, data.sample_weight, l2)

    numeric = np.empty_like(theta64)
    for i in range(theta64.size):
        saved = theta64[i]
        theta64[i] = saved + eps
        up = loss_at(theta64)
        theta64[i] = saved - eps
        down = loss_at(theta64)
        theta64[i] = saved
        numeric[i] = (up - down) / (2 * eps)
    # Components far below the largest one carry float32 round-off from the sums over
    # samples, so they are compared at a floor of 1e-3 times the largest component.
    floor = max(1e-3 * float(np.abs(numeric).max()), 1e-8)
    denom = np.maximum(np.abs(analytic) + np.abs(numeric), floor)
    return float(np.max(np.abs(analytic - numeric) / denom))


def _loss64(network, theta, X, target, sample_weight, l2) -> float:
    """The network's loss computed in float64 from scratch (the reference)."""
    layout = getattr(network, "input_layout", None)  # a TabularNetwork's input block
    if layout is None:
        weights, biases = network.views_of(theta)
        a = X
    else:
        a, weights, biases = _table_input64(layout, theta, X)
    for layer in range(len(weights)):
        z = a @ weights[layer] + biases[layer]
        if layer < len(weights) - 1:
            a = _hidden64(network.hidden_activations[layer], z)
        else:
            a = z
    z = a
    name = network.output_activation
    if name == "softmax":
        shifted = z - z.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        if target.ndim == 1:
            per_sample = -log_p[np.arange(z.shape[0]), target]
        else:
            per_sample = -(target * log_p).sum(axis=1)
    elif name == "logistic":
        per_sample = (np.logaddexp(0, z) - target * z).sum(axis=1)
    elif name == "exp":
        y = target.astype(np.float64)
        y_log_y = np.where(y > 0, y * np.log(np.where(y > 0, y, 1)), 0)
        per_sample = (y_log_y - y * z - y + np.exp(z)).sum(axis=1)
    else:
        per_sample = 0.5 * ((z - target) ** 2).sum(axis=1)
    w = np.ones(X.shape[0]) if sample_weight is None else sample_weight.astype(np.float64)
    loss = float((per_sample * w).sum() / w.sum())
    penalized = weights if layout is None else [theta[network.weight_mask()]]
    return loss + 0.5 * l2 * sum(float((wm**2).sum()) for wm in penalized)


def _table_input64(layout, theta, X):
    """A table network's dense-stack input in float64 (embedding look-ups, periodic
    embeddings, then the scale), and its dense weights and biases."""
    views = layout.views_of(theta)
    nd = layout.n_dense
    features = np.empty((X.shape[0], layout.n_features))
    features[:, :nd] = X[:, :nd]
    for j, (table, spec) in enumerate(zip(views.embeddings, layout.embedding_slices)):
        features[:, spec.column:spec.column + spec.dim] = table[X[:, nd + j].astype(np.intp)]
    if layout.periodic:
        p = views.periodic  # cos(2 pi w x + b) @ V + a, per periodic column
        angles = 2 * np.pi * X[:, list(layout.periodic), None] * p.frequencies + p.phases
        values = np.einsum("ncf,cfd->ncd", np.cos(angles), p.weights) + p.biases
        features[:, layout.periodic_column:] = values.reshape(X.shape[0], -1)
    if views.scale is not None:
        features *= views.scale
    return features, views.weights, views.biases


def _hidden64(name: str, z: np.ndarray) -> np.ndarray:
    if name == "relu":
        return np.maximum(z, 0)
    if name == "leaky_relu":
        return np.where(z > 0, z, 0.01 * z)
    if name == "tanh":
        return np.tanh(z)
    if name == "logistic":
        return 0.5 * (1 + np.tanh(0.5 * z))
    return _smooth64(name, z)


def _smooth64(name: str, z: np.ndarray) -> np.ndarray:
    """SELU, Mish and GELU in float64 from their definitions (identity for other names)."""
    if name == "selu":
        return SELU_LAMBDA * np.where(z > 0, z, SELU_ALPHA * np.expm1(np.minimum(z, 0)))
    if name == "mish":
        return z * np.tanh(np.logaddexp(0, z))
    if name == "gelu":
        return 0.5 * z * (1 + np.vectorize(math.erf)(z / math.sqrt(2)))
    return z
