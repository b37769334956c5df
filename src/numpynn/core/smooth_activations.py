"""SELU, Mish and GELU: the smooth activations of modern tabular MLPs, in place.

Each forward kernel overwrites ``z`` with ``f(z)`` (any float dtype; constants follow it).
SELU's derivative is a function of its output, like the article's activations; Mish's and
GELU's are not (both dip below zero and come back), so theirs take the pre-activation
sums ``z`` as well: :data:`NEEDS_PRE_ACTIVATION` names them, and backprop keeps ``z`` for
those layers.

==========  ==========================================  ===================================
name        f(z)                                        f'(z)
==========  ==========================================  ===================================
``selu``    ``l z`` (z > 0), ``l a (e^z - 1)`` (else)   ``l`` (z > 0), ``f(z) + l a`` (else)
``mish``    ``z tanh(softplus(z))``                     ``t + z (1 - t^2) sigmoid(z)``
``gelu``    ``z Phi(z)`` (Phi: normal CDF, via erf)     ``Phi(z) + z phi(z)``
==========  ==========================================  ===================================

(``l``, ``a``: SELU's lambda and alpha of Klambauer et al.; ``t = tanh(softplus(z))``.)
NumPy has no ``erf``: GELU uses Abramowitz and Stegun's formula 7.1.26, whose error
(below 1.5e-7) is under float32's resolution near 1.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "SELU_ALPHA",
    "SELU_LAMBDA",
    "NEEDS_PRE_ACTIVATION",
    "selu_inplace",
    "mish_inplace",
    "gelu_inplace",
    "erf",
    "multiply_by_smooth_derivative",
]

#: SELU's constants (Klambauer et al., 2017), as torch.nn.SELU and ONNX Selu use them.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_LAMBDA = 1.0507009873554804934193349852946
#: Activations whose derivative needs the pre-activation sums, not just the output.
NEEDS_PRE_ACTIVATION = frozenset({"mish", "gelu"})

# Above this, tanh(softplus(z)) is 1 in float32 and exp(2z) would overflow in float16.
_MISH_FLAT = 20.0
_AS_P = 0.3275911
_AS_COEFFS = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)
_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _scratch_like(z: np.ndarray, scratch: np.ndarray | None) -> np.ndarray:
    return np.empty_like(z) if scratch is None else scratch


def selu_inplace(z: np.ndarray, scratch: np.ndarray | None = None) -> None:
    """``z = selu(z)`` in place; ``scratch`` (shaped like ``z``) avoids a temporary."""
    negative = _scratch_like(z, scratch)
    np.minimum(z, 0, out=negative)
    np.expm1(negative, out=negative)
    negative *= z.dtype.type(SELU_LAMBDA * SELU_ALPHA)
    np.maximum(z, 0, out=z)
    z *= z.dtype.type(SELU_LAMBDA)
    z += negative


def _tanh_softplus(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``out = tanh(log(1 + e^z))`` without overflow: ``n / (n + 2)``, ``n = e^z (e^z + 2)``."""
    np.minimum(z, z.dtype.type(_MISH_FLAT), out=out)
    np.exp(out, out=out)
    two = z.dtype.type(2)
    out *= out + two
    out /= out + two
    return out


def mish_inplace(z: np.ndarray, scratch: np.ndarray | None = None) -> None:
    """``z = z * tanh(softplus(z))`` in place (Misra, 2019)."""
    z *= _tanh_softplus(z, _scratch_like(z, scratch))


def erf(x: np.ndarray) -> np.ndarray:
    """The error function, element-wise (absolute error below 1.5e-7), dtype of ``x``."""
    x = np.asarray(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + x.dtype.type(_AS_P) * a)
    poly = np.zeros_like(a)
    for coefficient in reversed(_AS_COEFFS):
        poly += x.dtype.type(coefficient)
        poly *= t
    result = 1.0 - poly * np.exp(-(a * a))
    return np.copysign(result, x).astype(x.dtype, copy=False)


def _normal_cdf(z: np.ndarray) -> np.ndarray:
    cdf = erf(z * z.dtype.type(_INV_SQRT2))
    cdf += 1
    cdf *= z.dtype.type(0.5)
    return cdf


def gelu_inplace(z: np.ndarray, scratch: np.ndarray | None = None) -> None:
    """``z = z * Phi(z)`` in place (Hendrycks and Gimpel; the exact, erf form)."""
    z *= _normal_cdf(z)


def multiply_by_smooth_derivative(name: str, a: np.ndarray, delta: np.ndarray,
                                  z: np.ndarray | None = None,
                                  scratch: np.ndarray | None = None) -> None:
    """``delta *= f'(z)`` for ``selu``, ``mish`` or ``gelu``.

    Parameters
    ----------
    name : {"selu", "mish", "gelu"}
    a : ndarray, shape (n, h)
        The activation's output ``f(z)``.
    delta : ndarray, shape (n, h)
        Gradient with respect to ``a``; becomes the gradient with respect to ``z``.
    z : ndarray, shape (n, h), optional
        The pre-activation sums: needed for the names in :data:`NEEDS_PRE_ACTIVATION`.
    scratch : ndarray, shape (n, h), optional
        Work buffer of ``a``'s dtype.
    """
    if name in NEEDS_PRE_ACTIVATION and z is None:
        raise ValueError(f"the derivative of {name} needs the pre-activation sums z")
    s = _scratch_like(a, scratch)
    if name == "selu":
        # f'(z) = lambda where z > 0 (a > 0), else f(z) + lambda alpha.
        np.add(a, a.dtype.type(SELU_LAMBDA * SELU_ALPHA), out=s)
        np.copyto(s, a.dtype.type(SELU_LAMBDA), where=a > 0)
        delta *= s
    elif name == "mish":
        t = _tanh_softplus(z, s)
        # sigmoid(z) (1 - t^2) z + t; sigmoid from exp(-|z|), which never overflows.
        e = np.exp(-np.abs(z))
        sig = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype, copy=False)
        deriv = 1 - t * t
        deriv *= sig
        deriv *= z
        deriv += t
        delta *= deriv
    elif name == "gelu":
        density = np.exp(z * z * z.dtype.type(-0.5))
        density *= z.dtype.type(_INV_SQRT_2PI)
        density *= z
        density += _normal_cdf(z)
        delta *= density
    else:  # pragma: no cover - names are validated at construction
        raise ValueError(f"unknown smooth activation {name!r}")
