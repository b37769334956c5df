"""Activation functions: the article's scalar helpers and the in-place array kernels.

Every kernel works in place on a float32 or float64 array (``forward``), in that dtype
(constants follow it), and every derivative is
computed from the activation's *output*, so backprop never needs the pre-activation sums
of hidden layers: ``f'(z)`` is a function of ``a = f(z)`` for each hidden activation here.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .checks import check_name
from .smooth_activations import (
    NEEDS_PRE_ACTIVATION,
    gelu_inplace,
    mish_inplace,
    multiply_by_smooth_derivative,
    selu_inplace,
)

__all__ = [
    "HIDDEN_ACTIVATIONS",
    "OUTPUT_ACTIVATIONS",
    "LEAKY_SLOPE",
    "leaky",
    "relu",
    "log_sig",
    "softmax",
    "logistic",
    "apply_hidden",
    "hidden_kernel",
    "apply_output",
    "multiply_by_derivative",
    "check_hidden_activation",
    "check_output_activation",
    "NEEDS_PRE_ACTIVATION",
]

#: Slope of leaky ReLU for negative input, as in the article.
LEAKY_SLOPE = 0.01
#: Softmax may shift a whole batch by its maximum while no value lies further below it than
#: this: exp(-80) is still a normal float32, so no row sum underflows.
SHARED_SHIFT_RANGE = 80.0


# ---------------------------------------------------------------------------
# The article's helpers: scalars and arrays alike.
# ---------------------------------------------------------------------------
def leaky(x):
    """Leaky ReLU: ``x`` if ``x > 0`` else ``0.01 * x`` (scalar or array)."""
    if np.ndim(x) == 0:
        x = float(x)
        return x if x > 0.0 else LEAKY_SLOPE * x
    x = np.asarray(x)
    return np.where(x > 0, x, LEAKY_SLOPE * x)


def relu(x):
    """ReLU: ``x`` if ``x > 0`` else ``0.0`` (scalar or array)."""
    if np.ndim(x) == 0:
        x = float(x)
        return x if x > 0.0 else 0.0
    x = np.asarray(x)
    return np.where(x > 0, x, 0.0 * x)


def log_sig(x):
    """The article's logistic sigmoid: 0.0 below -20, 1.0 above 20, else ``1/(1+e^-x)``."""
    if np.ndim(x) == 0:
        x = float(x)
        if x < -20.0:
            return 0.0
        if x > 20.0:
            return 1.0
        return 1.0 / (1.0 + math.exp(-x))
    x = np.asarray(x)
    dtype = x.dtype if x.dtype.kind == "f" else np.float64
    clipped = np.clip(x, -20.0, 20.0).astype(dtype, copy=False)
    result = 1.0 / (1.0 + np.exp(-clipped))
    result = np.where(x < -20.0, 0.0, np.where(x > 20.0, 1.0, result))
    return result.astype(dtype, copy=False)


def logistic(z):
    """Numerically stable logistic sigmoid; never overflows, never warns.

    Parameters
    ----------
    z : scalar or ndarray
        Pre-activation values.

    Returns
    -------
    float or ndarray
        ``1 / (1 + exp(-z))`` with the dtype of ``z`` (float32 stays float32).
    """
    if np.ndim(z) == 0:
        z = float(z)
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)
    out = np.array(z, dtype=np.result_type(np.asarray(z).dtype, np.float32), copy=True)
    _logistic_inplace(out)
    return out


def softmax(vec):
    """Softmax along the last axis, with the max trick (vectors and batches alike).

    Parameters
    ----------
    vec : array_like, shape (k,) or (n, k)

    Returns
    -------
    ndarray, same shape
        Non-negative values that sum to 1 along the last axis; float32 for float32 input.
    """
    arr = np.asarray(vec)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"softmax needs numbers, got an array of dtype {arr.dtype}")
    out = np.array(arr, dtype=np.result_type(arr.dtype, np.float32), copy=True)
    if out.ndim == 0:
        raise ValueError("softmax needs at least one dimension, got a scalar")
    if out.size:
        _softmax_inplace(out)
    return out


# ---------------------------------------------------------------------------
# In-place kernels used by the network.  ``z`` is overwritten with f(z).
# ---------------------------------------------------------------------------
def _identity_inplace(z: np.ndarray, scratch: np.ndarray | None = None) -> None:
    return None


def _relu_inplace(z: np.ndarray, scratch: np.ndarray | None = None) -> None:
    if scratch is None or z.size < 1 << 15:  # small arrays: the fill would cost more
        np.maximum(z, 0, out=z)
    else:
        # Against an array of zeros, np.maximum runs its vector loop; against the scalar 0
        # it takes a slower broadcasting path (about twice the time).
        scratch.fill(0)
        np.maximum(z, scratch, out=z)


def _leaky_relu_inplace(z: np.ndarray, scratch: np.ndarray | None = None) -> None:
    # max(z, 0.01 z) equals leaky ReLU because 0.01 < 1.
    slope = np.multiply(z, z.dtype.type(LEAKY_SLOPE), out=scratch)
    np.maximum(z, slope, out=z)


def _tanh_inplace(z: np.ndarray, scratch: np.ndarray | None = None) -> None:
    np.tanh(z, out=z)


def _logistic_inplace(z: np.ndarray, scratch: np.ndarray | None = None) -> None:
    # exp(-|z|) never overflows; then choose 1/(1+e) or e/(1+e) by the sign of z.
    e = np.abs(z)
    np.negative(e, out=e)
    np.exp(e, out=e)
    logistic_from_exp_neg_abs(z, e)


def logistic_from_exp_neg_abs(z: np.ndarray, e: np.ndarray) -> None:
    """Overwrite ``z`` with logistic(z), given ``e = exp(-|z|)`` (which never overflows):
    ``1 / (1 + e)`` where ``z >= 0``, ``e / (1 + e)`` elsewhere."""
    positive = z >= 0
    np.add(e, 1, out=z)  # z now holds 1 + e
    np.divide(np.where(positive, z.dtype.type(1), e), z, out=z)


def _softmax_inplace(z: np.ndarray) -> None:
    if z.ndim == 1:  # full reductions: cheaper than along an axis
        z -= z.max()
        np.exp(z, out=z)
        z /= z.sum()
        return
    # One shift for the whole batch is as exact as one per row while every row's maximum
    # lies within SHARED_SHIFT_RANGE of it, and avoids slow reductions along a short axis.
    top = z.max()
    if z.ndim == 2 and z.min() >= top - SHARED_SHIFT_RANGE:
        z -= top
        np.exp(z, out=z)
        z /= (z @ np.ones(z.shape[1], dtype=z.dtype))[:, None]
        return
    z -= z.max(axis=-1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=-1, keepdims=True)


_HIDDEN_FORWARD: dict[str, Callable[[np.ndarray, np.ndarray | None], None]] = {
    "relu": _relu_inplace,
    "leaky_relu": _leaky_relu_inplace,
    "tanh": _tanh_inplace,
    "logistic": _logistic_inplace,
    "identity": _identity_inplace,
    # smooth activations (core/smooth_activations.py)
    "selu": selu_inplace,
    "mish": mish_inplace,
    "gelu": gelu_inplace,
}

def _exp_inplace(z: np.ndarray, scratch: np.ndarray | None = None) -> None:
    np.exp(z, out=z)


_OUTPUT_FORWARD: dict[str, Callable[[np.ndarray], None]] = {
    "softmax": _softmax_inplace,
    "logistic": _logistic_inplace,
    "identity": _identity_inplace,
    "exp": _exp_inplace,  # the mean of a count (log link), with the Poisson loss
}

#: Names accepted for hidden layers.
HIDDEN_ACTIVATIONS: tuple[str, ...] = tuple(_HIDDEN_FORWARD)
#: Names accepted for the output layer.
OUTPUT_ACTIVATIONS: tuple[str, ...] = tuple(_OUTPUT_FORWARD)


def check_hidden_activation(name: object, what: str = "hidden_activation") -> str:
    """Return ``name`` if it is a valid hidden activation, else raise ValueError/TypeError."""
    return check_name(what, name, HIDDEN_ACTIVATIONS)


def check_output_activation(name: object) -> str:
    """Return ``name`` if it is a valid output activation, else raise ValueError/TypeError."""
    return check_name("output_activation", name, OUTPUT_ACTIVATIONS)


def hidden_kernel(name: str) -> Callable[..., None]:
    """The in-place function ``f(z, scratch=None)`` of a hidden activation."""
    return _HIDDEN_FORWARD[name]


def apply_hidden(name: str, z: np.ndarray, scratch: np.ndarray | None = None) -> None:
    """Overwrite ``z`` (any shape, float32 or float64) with the hidden activation ``name``
    of it.

    ``scratch``, an array of ``z``'s shape and dtype, may be overwritten to avoid a
    temporary.
    """
    _HIDDEN_FORWARD[name](z, scratch)


def apply_output(name: str, z: np.ndarray) -> None:
    """Overwrite ``z`` (shape (n, k) or (k,)) with the output activation ``name`` of it."""
    _OUTPUT_FORWARD[name](z)


# Its signature looks like losses.output_and_loss's (a name, arrays, optional buffers):
# two different kernels of the backward pass, nothing to share.
def multiply_by_derivative(
    name: str,
    a: np.ndarray,
    delta: np.ndarray,
    bool_scratch: np.ndarray | None = None,
    float_scratch: np.ndarray | None = None,
    z: np.ndarray | None = None,
) -> None:
    """``delta *= f'(z)``, with ``f'`` computed from the activation output ``a = f(z)``
    (and, for the names in :data:`NEEDS_PRE_ACTIVATION`, from ``z``).

    Parameters
    ----------
    name : str
        Hidden activation name.
    a : ndarray, shape (n, h), float32 or float64
        Output of the activation (before any dropout).
    delta : ndarray, shape (n, h), the dtype of ``a``
        Gradient with respect to ``a``; becomes the gradient with respect to ``z``.
    bool_scratch, float_scratch : ndarray, shape (n, h), optional
        Work buffers (bool, the dtype of ``a``), so that no temporary is allocated.
    z : ndarray, shape (n, h), optional
        The pre-activation sums; needed by ``mish`` and ``gelu``.
    """
    if name == "identity":
        return
    if name in _SMOOTH:
        multiply_by_smooth_derivative(name, a, delta, z, float_scratch)
        return
    if bool_scratch is None:
        bool_scratch = np.empty(a.shape, dtype=bool)
    if float_scratch is None:
        float_scratch = np.empty(a.shape, dtype=a.dtype)
    if name == "relu":
        np.greater(a, 0, out=bool_scratch)
        np.multiply(delta, bool_scratch, out=delta)
    elif name == "leaky_relu":
        # a and z share their sign, so the slope is known from a alone.
        np.greater(a, 0, out=bool_scratch)
        np.take(_LEAKY_SLOPES[a.dtype], bool_scratch.view(np.uint8), out=float_scratch,
                mode="clip")  # indices 0 and 1; "raise" would buffer out
        delta *= float_scratch
    elif name == "tanh":
        np.multiply(a, a, out=float_scratch)
        np.subtract(1, float_scratch, out=float_scratch)
        delta *= float_scratch
    elif name == "logistic":
        np.subtract(1, a, out=float_scratch)
        float_scratch *= a
        delta *= float_scratch
    else:  # pragma: no cover - names are validated at construction
        raise ValueError(f"unknown hidden activation {name!r}")


#: (slope for a <= 0, slope for a > 0) of leaky ReLU, per dtype: the constant in the
#: arrays' own precision.
_LEAKY_SLOPES = {np.dtype(t): np.array([LEAKY_SLOPE, 1.0], dtype=t)
                 for t in (np.float32, np.float64)}
_SMOOTH = frozenset({"selu", "mish", "gelu"})
