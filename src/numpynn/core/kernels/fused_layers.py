"""One batch through a small network, compiled by Numba: the layers of the fused epoch.

Loops written for narrow layers (see :mod:`.fused`).  A batch's values are stored unit by
unit (transposed: unit ``j`` of row ``i`` at ``j * n + i``), so that every product runs
along the batch's rows -- long loops that the compiler vectorises -- however narrow the
layer is: ``z_j = b_j + sum_k W_kj x_k`` and the delta below as scaled row vectors
added up, the weight gradients as dot products over the rows.

The element-wise arithmetic follows the NumPy path's, in float32 and in the same order
(no ``fastmath``); products and sums run in another order than BLAS's, so results agree
with the general path to float32 rounding, and are the same bits from run to run on one
machine.

Buffers are flat float32 vectors at the offsets of the layer table of
:func:`numpynn.core.kernels.fused.layer_table`; ``theta`` and ``grad`` are laid out by
:class:`numpynn.core.layout.Layout`.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from ..activations import LEAKY_SLOPE
from .fused_math import exp32

# Inlined into the epoch loop at Numba's level: a call would pass every array as a
# reference-counted struct, which costs more than a narrow layer's arithmetic.
_inline = numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")

_SLOPE = np.float32(LEAKY_SLOPE)
_ZERO = np.float32(0.0)
_ONE = np.float32(1.0)
_HALF = np.float32(0.5)

# The codes of numpynn.core.kernels.fused (repeated here as compile-time constants).
_RELU, _LEAKY, _TANH, _LOGISTIC = 1, 2, 3, 4
_SOFTMAX, _SIGMOID_OUT, _IDENTITY_OUT, _EXP_OUT = 0, 1, 2, 3


@_inline
def gather(X, order, start, n, n_in, s, o):
    """The batch's input rows ``X[order[start:start + n]]`` (``X`` flat), transposed into
    ``s[o:]``: sixteen rows at a time, which stay in the L1 cache while their columns
    are written out (four times faster than column by column over the batch)."""
    for i0 in range(0, n, 16):
        rows = min(16, n - i0)
        for k in range(n_in):
            out = s[o + k * n + i0:o + k * n + i0 + rows]
            for q in range(rows):
                out[q] = X[order[start + i0 + q] * n_in + k]


# Each loop below runs over a view (s[a:a + n]) indexed from 0: with offsets into s, the
# index could be negative for all the compiler knows, and its wrap-around test keeps the
# loop from being vectorised (18 times slower, measured).
@_inline
def weighted_sum(s, x, count, n, theta, w, stride, out):
    """``out = sum_k theta[w + k stride] * s[x + k n:x + (k + 1) n]`` over ``count`` rows
    of the batch (``k`` in order), into the row ``out`` (n,): one unit's row of a product
    with W (stride fan_out, along a column) or W.T (stride 1, along a row)."""
    out[:] = _ZERO
    for k in range(count):
        weight = theta[w + k * stride]
        xk = s[x + k * n:x + (k + 1) * n]
        for i in range(n):
            out[i] += weight * xk[i]


@_inline
def affine(s, x, fan_in, fan_out, n, theta, w0, b0, o, code):
    """``z = f(x @ W + b)`` for the batch, ``f`` the hidden activation ``code`` (0 for
    the output layer: none): unit ``j``'s row ``s[o + j n:]`` from the input units' rows
    at ``s[x:]``."""
    for j in range(fan_out):
        z = s[o + j * n:o + (j + 1) * n]
        weighted_sum(s, x, fan_in, n, theta, w0 + j, fan_out, z)
        bias_activate(code, z, theta[b0 + j], n)


@_inline
def bias_activate(code, z, b, n):
    """``z = f(z + b)`` for one unit's row ``z`` (n,), ``f`` the hidden activation
    ``code`` (0: identity), in one pass."""
    if code == _RELU:
        for i in range(n):
            v = z[i] + b
            z[i] = _ZERO if v < _ZERO else v  # NaN passes, as with np.maximum
    elif code == _LEAKY:
        for i in range(n):
            v = z[i] + b
            z[i] = v * _SLOPE if v < _ZERO else v
    elif code == _TANH:
        for i in range(n):
            z[i] = math.tanh(z[i] + b)
    elif code == _LOGISTIC:
        for i in range(n):
            v = z[i] + b
            e = exp32(-abs(v))  # exp(-|v|) never overflows
            z[i] = (_ONE if v >= _ZERO else e) / (_ONE + e)
    else:
        for i in range(n):
            z[i] += b


@_inline
def make_masks(masks, m, width, n, rate, keep_scale, s, o):
    """The batch's dropout mask of one layer, transposed into ``s[o:]``: 0 or
    ``keep_scale`` from the uniform draws ``masks[m:]`` (row by row, as NumPy draws)."""
    draws = masks[m:m + n * width]
    for j in range(width):
        mask = s[o + j * n:o + (j + 1) * n]
        for i in range(n):
            mask[i] = keep_scale if draws[i * width + j] >= rate else _ZERO


@_inline
def multiply(s, a, b, out, size):
    """``s[out:out + size] = s[a:] * s[b:]``."""
    x, y, z = s[a:a + size], s[b:b + size], s[out:out + size]
    for q in range(size):
        z[q] = x[q] * y[q]


@_inline
def derivative(code, s, d, a, size):
    """``s[d:d + size] *= f'(z)``, from the activation's output ``s[a:a + size]``."""
    delta, values = s[d:d + size], s[a:a + size]
    if code == _RELU:
        for q in range(size):
            # Multiply by 1 or 0 rather than select: a NaN delta stays NaN, as in NumPy.
            delta[q] *= _ONE if values[q] > _ZERO else _ZERO
    elif code == _LEAKY:
        for q in range(size):
            delta[q] *= _ONE if values[q] > _ZERO else _SLOPE
    elif code == _TANH:
        for q in range(size):
            x = values[q]
            delta[q] *= _ONE - x * x
    elif code == _LOGISTIC:
        for q in range(size):
            x = values[q]
            delta[q] *= (_ONE - x) * x


# The sums over a batch's rows may be reassociated (vectorised): the order is then fixed by
# the compiled code, so a machine gives the same bits from run to run (as BLAS does), six
# times faster than one running sum (measured).
_sums = numba.njit(cache=True, nogil=True, error_model="numpy", fastmath={"reassoc"})


@_sums
def dot(x, y):
    """``sum_i x[i] * y[i]`` over two float32 views of one length, float32."""
    acc = _ZERO
    for i in range(x.shape[0]):
        acc += x[i] * y[i]
    return acc


@_sums
def total(x):
    """``sum_i x[i]`` of a float32 view, float32."""
    acc = _ZERO
    for i in range(x.shape[0]):
        acc += x[i]
    return acc


@_inline
def gradient(s, x, d, fan_in, fan_out, n, grad, w0, b0):
    """The layer's gradient: ``dW_kj = sum_i x_ki d_ji``, ``db_j = sum_i d_ji``."""
    for k in range(fan_in):
        xk = s[x + k * n:x + (k + 1) * n]
        for j in range(fan_out):
            grad[w0 + k * fan_out + j] = dot(xk, s[d + j * n:d + (j + 1) * n])
    for j in range(fan_out):
        grad[b0 + j] = total(s[d + j * n:d + (j + 1) * n])


@_inline
def back(s, d, fan_in, fan_out, n, theta, w0, below):
    """The delta of the layer below (before its activation's derivative): ``d @ W.T``,
    row ``k`` at ``s[below + k n:]``."""
    for k in range(fan_in):
        weighted_sum(s, d, fan_out, n, theta, w0 + k * fan_out, 1,
                     s[below + k * n:below + (k + 1) * n])


# -- the same three products through BLAS, for layers too wide for the loops above ------
# (np.dot in compiled code calls scipy's BLAS directly: no Python between the calls).  The
# batch's input rows stay rows (BLAS reads them transposed): copying them is twice as
# fast as transposing them.
@_inline
def gather_rows(X, order, start, n, n_in, s, o):
    """The batch's input rows ``X[order[start:start + n]]`` (``X`` flat) into ``s[o:]``,
    row after row."""
    for i in range(n):
        r = order[start + i] * n_in
        row, source = s[o + i * n_in:o + (i + 1) * n_in], X[r:r + n_in]
        for k in range(n_in):
            row[k] = source[k]


@_inline
def affine_blas(s, x, fan_in, fan_out, n, theta, w0, b0, o, code, input_rows):
    """``z = f(x @ W + b)`` as ``Z^T = W^T X^T`` (one BLAS call), then the biases and the
    activation ``code``; ``input_rows``: the input at ``s[x:]`` is stored row by row."""
    weights = theta[w0:w0 + fan_in * fan_out].reshape(fan_in, fan_out)
    z = s[o:o + fan_out * n].reshape(fan_out, n)
    if input_rows:
        np.dot(weights.T, s[x:x + fan_in * n].reshape(n, fan_in).T, z)
    else:
        np.dot(weights.T, s[x:x + fan_in * n].reshape(fan_in, n), z)
    for j in range(fan_out):
        bias_activate(code, s[o + j * n:o + (j + 1) * n], theta[b0 + j], n)


@_inline
def gradient_blas(s, x, d, fan_in, fan_out, n, grad, w0, b0, input_rows):
    """``dW = X^T D`` as ``(X^T)(D^T)^T`` (one BLAS call), ``db`` the rows' sums."""
    deltas = s[d:d + fan_out * n].reshape(fan_out, n)
    out = grad[w0:w0 + fan_in * fan_out].reshape(fan_in, fan_out)
    if input_rows:
        np.dot(s[x:x + fan_in * n].reshape(n, fan_in).T, deltas.T, out)
    else:
        np.dot(s[x:x + fan_in * n].reshape(fan_in, n), deltas.T, out)
    for j in range(fan_out):
        grad[b0 + j] = total(s[d + j * n:d + (j + 1) * n])


@_inline
def back_blas(s, d, fan_in, fan_out, n, theta, w0, below):
    """The delta below, ``(D W^T)^T = W D^T`` (one BLAS call)."""
    np.dot(theta[w0:w0 + fan_in * fan_out].reshape(fan_in, fan_out),
           s[d:d + fan_out * n].reshape(fan_out, n),
           s[below:below + fan_in * n].reshape(fan_in, n))
