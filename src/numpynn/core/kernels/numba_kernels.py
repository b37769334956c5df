"""Fused loops for the training hot path, compiled by Numba.

Each kernel does in one pass over memory what the NumPy path does in several whole-array
calls: the bias add with the activation, the activation derivative with the bias gradient,
softmax with the cross-entropy, its delta, its bias gradient and the count of right answers,
and a whole optimizer step.  Import this module only through :mod:`numpynn._kernels`,
which falls back to NumPy when Numba is missing or switched off.

The element-wise arithmetic is the NumPy path's, in the same order and in the arrays'
dtype (no ``fastmath``, so no fused multiply-adds or reordering), so optimizer steps and
activations give the same bits; sums over rows and columns are accumulated in another
order than NumPy's and BLAS's, so losses and bias gradients agree to rounding.

Every kernel compiles once per dtype it meets (float32 and float64: the network's dtype),
with its scalars passed in that dtype; the only constant that depends on it, leaky ReLU's
slope, is taken in the arrays' dtype inside the kernel (``z.dtype.type``: a constant of
each compiled copy).

Shapes: ``z``, ``delta``, ``a`` are C-contiguous (n, k); ``bias``/``grad_bias`` (k,);
``labels`` integer (n,), already checked to lie in 0..k-1 (the kernels do no bounds
checks); ``weights`` (n,) sample weights, or an empty array for none; all float arrays of
one dtype.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from ..activations import LEAKY_SLOPE

# error_model="numpy": division by zero gives inf or nan as in NumPy instead of raising,
# which also lets LLVM vectorise the loops.  cache=True keeps the machine code on disk, so
# only the first run on a machine pays for compiling.
_jit = numba.njit(cache=True, nogil=True, error_model="numpy")


# -- hidden layers, forward: z = f(z + b) ----------------------------------------------
# Deliberately one kernel per activation (not one with a code): nopython mode has no cheap
# first-class functions, and callers call each as f(z, bias) with no Python in between.
@_jit
def bias_identity(z, bias):
    n, k = z.shape
    for i in range(n):
        for j in range(k):
            z[i, j] += bias[j]


@_jit
def bias_relu(z, bias):
    n, k = z.shape
    for i in range(n):
        for j in range(k):
            v = z[i, j] + bias[j]
            # "v < 0" is False for NaN, which passes through as with np.maximum.
            z[i, j] = np.float32(0) if v < 0 else v


@_jit
def bias_leaky_relu(z, bias):
    """The slope in z's dtype, as NumPy's ``z * 0.01`` (a constant of each compiled copy)."""
    slope = z.dtype.type(LEAKY_SLOPE)
    n, k = z.shape
    for i in range(n):
        for j in range(k):
            v = z[i, j] + bias[j]
            z[i, j] = v * slope if v < 0 else v


# -- hidden layers, backward: delta *= f'(z) from a = f(z); grad_bias = column sums --------
# Deliberately one kernel per activation, as above: only the derivative's line differs.
@_jit
def backward_identity(delta, a, grad_bias):
    n, k = delta.shape
    grad_bias[:] = 0
    for i in range(n):
        for j in range(k):
            grad_bias[j] += delta[i, j]


@_jit
def backward_relu(delta, a, grad_bias):
    n, k = delta.shape
    grad_bias[:] = 0
    for i in range(n):
        for j in range(k):
            # Multiply by 1 or 0 rather than select: a NaN delta stays NaN, as in NumPy.
            d = delta[i, j] * (np.float32(1) if a[i, j] > 0 else np.float32(0))
            delta[i, j] = d
            grad_bias[j] += d


@_jit
def backward_leaky_relu(delta, a, grad_bias):
    one, slope = delta.dtype.type(1), delta.dtype.type(LEAKY_SLOPE)  # in delta's dtype
    n, k = delta.shape
    grad_bias[:] = 0
    for i in range(n):
        for j in range(k):
            d = delta[i, j] * (one if a[i, j] > 0 else slope)
            delta[i, j] = d
            grad_bias[j] += d


@_jit
def backward_tanh(delta, a, grad_bias):
    n, k = delta.shape
    grad_bias[:] = 0
    for i in range(n):
        for j in range(k):
            x = a[i, j]
            d = delta[i, j] * (np.float32(1) - x * x)
            delta[i, j] = d
            grad_bias[j] += d


@_jit
def backward_logistic(delta, a, grad_bias):
    n, k = delta.shape
    grad_bias[:] = 0
    for i in range(n):
        for j in range(k):
            x = a[i, j]
            d = delta[i, j] * ((np.float32(1) - x) * x)
            delta[i, j] = d
            grad_bias[j] += d


@_jit
def column_sums(delta, grad_bias):
    """grad_bias = delta summed over rows (the output layer's bias gradient)."""
    backward_identity(delta, delta, grad_bias)


# -- output layer: softmax + cross-entropy on integer labels ----------------------------
@_jit
def softmax_labels_shift(z, bias, labels, picked):
    """z += bias, then each row minus its maximum; picked[i] = z[i, labels[i]] after the
    shift.  Returns the number of rows whose largest output is the label (first maximum
    wins ties, as with argmax).  The caller takes np.exp(z) next: NumPy's vectorised exp
    is several times faster than a scalar one in a loop."""
    n, k = z.shape
    correct = 0
    for i in range(n):
        top = np.float32(-np.inf)
        best = 0
        for j in range(k):
            v = z[i, j] + bias[j]
            z[i, j] = v
            if v > top:
                top = v
                best = j
        for j in range(k):
            z[i, j] -= top
        label = labels[i]
        picked[i] = z[i, label]
        if best == label:
            correct += 1
    return correct


@_jit
def softmax_labels_finish(e, labels, picked, weights, scale, grad_bias):
    """From e = exp(shifted z): e becomes the delta (P - Y) * w * scale, grad_bias its
    column sums; returns sum_i w_i * (log(sum_j e_ij) - picked_i), the summed loss."""
    n, k = e.shape
    weighted = weights.shape[0] > 0
    grad_bias[:] = 0
    loss = 0.0
    for i in range(n):
        total = np.float32(0)
        for j in range(k):
            total += e[i, j]
        w = weights[i] if weighted else np.float32(1)
        loss += w * (math.log(total) - picked[i])
        ws = w * scale
        for j in range(k):
            e[i, j] = (e[i, j] / total) * ws
        e[i, labels[i]] -= ws
        for j in range(k):
            grad_bias[j] += e[i, j]
    return loss


# -- output layer: identity + half squared error ----------------------------------------
@_jit
def identity_squared_error(z, bias, target, weights, scale, grad_bias):
    """z becomes the delta (z + bias - target) * w * scale, grad_bias its column sums;
    returns sum_i w_i * 0.5 * |z_i + bias - target_i|^2."""
    n, k = z.shape
    weighted = weights.shape[0] > 0
    grad_bias[:] = 0
    loss = 0.0
    for i in range(n):
        squares = np.float32(0)
        for j in range(k):
            d = z[i, j] + bias[j] - target[i, j]
            z[i, j] = d
            squares += d * d
        w = weights[i] if weighted else np.float32(1)
        loss += w * (0.5 * squares)
        ws = w * scale
        for j in range(k):
            d = z[i, j] * ws
            z[i, j] = d
            grad_bias[j] += d
    return loss


# -- optimizer steps over flat vectors ---------------------------------------------------
@_jit
def adam(theta, grad, m, v, c, beta_1, beta_2, eps):
    """Adam with scaled moments (see optimizers.Adam): m = b1 m + g, v = b2 v + g^2,
    theta -= c * m / (sqrt(v) + eps)."""
    for i in range(theta.shape[0]):
        g = grad[i]
        mi = m[i] * beta_1 + g
        vi = v[i] * beta_2 + g * g
        m[i] = mi
        v[i] = vi
        theta[i] -= (mi / (np.sqrt(vi) + eps)) * c


@_jit
def decay(theta, mask, factor):
    """theta -= (theta * mask) * factor: AdamW's decoupled weight decay."""
    for i in range(theta.shape[0]):
        theta[i] -= (theta[i] * mask[i]) * factor


@_jit
def sgd(theta, grad, lr):
    for i in range(theta.shape[0]):
        theta[i] -= grad[i] * lr


@_jit
def sgd_momentum(theta, grad, velocity, lr, momentum, nesterov):
    """velocity = momentum velocity - lr grad; theta += velocity, or with Nesterov
    theta += momentum velocity - lr grad."""
    if nesterov:
        for i in range(theta.shape[0]):
            step = grad[i] * lr
            vel = velocity[i] * momentum - step
            velocity[i] = vel
            theta[i] = (theta[i] - step) + vel * momentum
    else:
        for i in range(theta.shape[0]):
            vel = velocity[i] * momentum - grad[i] * lr
            velocity[i] = vel
            theta[i] += vel


# -- sparse first layer: CSR (data, indices, indptr) times dense --------------------------
@_jit
def csr_times_dense(data, indices, indptr, dense, out):
    """out = X @ dense for the CSR X (n, m): row by row, stored entries in order (the
    order of SciPy's csr_matvecs)."""
    n, k = out.shape
    for i in range(n):
        for j in range(k):
            out[i, j] = 0
        for p in range(indptr[i], indptr[i + 1]):
            v = data[p]
            row = indices[p]
            for j in range(k):
                out[i, j] += v * dense[row, j]


@_jit
def csr_transposed_times_dense(data, indices, indptr, delta, out):
    """out = X.T @ delta for the CSR X (n, m), delta (n, k), out (m, k): the first
    layer's weight gradient, written in place (SciPy's csc_matvecs order)."""
    m, k = out.shape
    for r in range(m):
        for j in range(k):
            out[r, j] = 0
    for i in range(indptr.shape[0] - 1):
        for p in range(indptr[i], indptr[i + 1]):
            v = data[p]
            row = indices[p]
            for j in range(k):
                out[row, j] += v * delta[i, j]


HIDDEN_FORWARD = {"identity": bias_identity, "relu": bias_relu, "leaky_relu": bias_leaky_relu}
HIDDEN_BACKWARD = {
    "identity": backward_identity,
    "relu": backward_relu,
    "leaky_relu": backward_leaky_relu,
    "tanh": backward_tanh,
    "logistic": backward_logistic,
}


def hidden_forward(name, dtype):
    """The fused bias + activation kernel ``f(z, bias)`` of ``name`` for arrays of
    ``dtype`` (each kernel compiles once per dtype), or None when there is none (tanh,
    logistic: NumPy's are faster)."""
    return HIDDEN_FORWARD.get(name)


def hidden_backward(name, dtype):
    """The fused derivative + bias-gradient kernel ``f(delta, a, grad_bias)`` of ``name``
    for arrays of ``dtype`` (each kernel compiles once per dtype), or None when there is
    none (selu, mish, gelu: NumPy's)."""
    return HIDDEN_BACKWARD.get(name)
