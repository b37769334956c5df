"""The fused epoch: every batch of an epoch of a small network in one compiled loop.

:func:`train_batches` gathers each batch's rows, runs the forward pass, the loss, the
backward pass, the L2 penalty, gradient clipping and the optimizer step, batch after batch,
with no Python or BLAS call in between (:mod:`.fused` says when it applies, and holds the
codes and the layer table; :mod:`.fused_layers` the per-layer loops).  Import it only
through :func:`numpynn.core.kernels.fused.load`.

The optimizer steps are the kernels of :mod:`.numba_kernels` (the NumPy path's steps,
operation for operation), so they give the same bits for the same gradient; the gradient
itself agrees with the general path's to float32 rounding (sums in another order than
BLAS's).

Numba caches the compiled kernel on disk and checks only this file for changes: the
helpers of .fused_layers, .fused_outputs and .fused_math are inlined into it (and the
optimizer steps of .numba_kernels linked in), so after editing them touch this file (or
delete __pycache__/fused_epoch*.nb*) -- an installed package rewrites every file, so
this concerns development only.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .fused_layers import (
    affine,
    affine_blas,
    back,
    back_blas,
    derivative,
    gather,
    gather_rows,
    gradient,
    gradient_blas,
    make_masks,
    multiply,
)
from .fused_outputs import output_rows
from .numba_kernels import adam, decay, sgd, sgd_momentum

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")
_inline = numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")

# Layer table columns and codes of numpynn.core.kernels.fused.
(_FAN_IN, _FAN_OUT, _W_START, _B_START, _SOURCE, _VALUES, _DROPPED, _MASK, _DELTAS,
 _MASK_PREFIX) = range(10)
_SGD, _MOMENTUM, _NESTEROV, _ADAM, _ADAMW = 0, 1, 2, 3, 4
_NO_PENALTY, _L2, _BATCH_SCALED_L2 = 0, 1, 2


@_inline
def forward(flat_X, order, start, n, theta, layers, hidden, s, masks, m, dropping, rate,
            keep_scale, blas):
    """Every layer's values for the batch's rows ``order[start:start + n]``; the output
    layer's pre-activation sums are left in its values."""
    last = layers.shape[0] - 1
    if blas:
        gather_rows(flat_X, order, start, n, layers[0, _FAN_IN], s, layers[0, _SOURCE])
    else:
        gather(flat_X, order, start, n, layers[0, _FAN_IN], s, layers[0, _SOURCE])
    for layer in range(last + 1):
        fan_in, fan_out = layers[layer, _FAN_IN], layers[layer, _FAN_OUT]
        values = layers[layer, _VALUES]
        code = hidden[layer] if layer < last else 0  # the output layer's sums stay sums
        if blas:
            affine_blas(s, layers[layer, _SOURCE], fan_in, fan_out, n, theta,
                        layers[layer, _W_START], layers[layer, _B_START], values, code,
                        layer == 0)
        else:
            affine(s, layers[layer, _SOURCE], fan_in, fan_out, n, theta,
                   layers[layer, _W_START], layers[layer, _B_START], values, code)
        if layer < last and dropping:
            mask = layers[layer, _MASK]
            make_masks(masks, m + n * layers[layer, _MASK_PREFIX], fan_out, n, rate,
                       keep_scale, s, mask)
            multiply(s, values, mask, layers[layer, _DROPPED], n * fan_out)


@_inline
def backward(n, theta, grad, layers, hidden, s, dropping, blas):
    """The gradient of the batch, from the output delta in the output layer's values."""
    last = layers.shape[0] - 1
    for layer in range(last, -1, -1):
        fan_in, fan_out = layers[layer, _FAN_IN], layers[layer, _FAN_OUT]
        w0 = layers[layer, _W_START]
        delta = layers[layer, _VALUES if layer == last else _DELTAS]
        if blas:
            gradient_blas(s, layers[layer, _SOURCE], delta, fan_in, fan_out, n, grad, w0,
                          layers[layer, _B_START], layer == 0)
        else:
            gradient(s, layers[layer, _SOURCE], delta, fan_in, fan_out, n, grad, w0,
                     layers[layer, _B_START])
        if layer:
            # the delta of the layer below: times its dropout mask, times f'
            below = layers[layer - 1, _DELTAS]
            if blas:
                back_blas(s, delta, fan_in, fan_out, n, theta, w0, below)
            else:
                back(s, delta, fan_in, fan_out, n, theta, w0, below)
            if dropping:
                multiply(s, below, layers[layer - 1, _MASK], below, n * fan_in)
            derivative(hidden[layer - 1], s, below, layers[layer - 1, _VALUES], n * fan_in)


@_inline
def add_penalty(theta, grad, weight_mask, code, strength, batch_weight, with_loss):
    """Add the L2 penalty's gradient to ``grad``; return its loss term (0.0 unless
    ``with_loss``), as numpynn.training.penalty computes them."""
    if code == _L2:
        coefficient = np.float32(strength)
    else:
        coefficient = np.float32(strength / batch_weight)
    squares = 0.0
    for p in range(theta.shape[0]):
        v = theta[p] * weight_mask[p]
        if with_loss:
            squares += float(v) * float(theta[p])
        grad[p] += v * coefficient
    if not with_loss:
        return 0.0
    term = 0.5 * strength * squares
    return term / batch_weight if code == _BATCH_SCALED_L2 else term


@_inline
def clip(grad, clip_norm):
    """Rescale ``grad`` to the global L2 norm ``clip_norm`` when it is longer."""
    squares = 0.0
    for p in range(grad.shape[0]):
        squares += float(grad[p]) * float(grad[p])
    norm = math.sqrt(squares)
    if norm > clip_norm:
        factor = np.float32(clip_norm / norm)
        for p in range(grad.shape[0]):
            grad[p] *= factor


@_inline
def optimizer_step(code, theta, grad, first, second, decay_mask, settings, step_scale):
    """One step of sgd / momentum / nesterov / adam / adamw on the flat vectors (``first``,
    ``second``: velocity, or Adam's scaled moments m and v): the general path's kernels,
    called with float32 scalars as its optimizers pass them."""
    lr = np.float32(settings[0])
    if code == _SGD:
        sgd(theta, grad, lr)
    elif code == _MOMENTUM or code == _NESTEROV:
        sgd_momentum(theta, grad, first, lr, np.float32(settings[1]), code == _NESTEROV)
    else:
        if code == _ADAMW:
            decay(theta, decay_mask, np.float32(settings[5]))
        adam(theta, grad, first, second, step_scale, np.float32(settings[2]),
             np.float32(settings[3]), np.float32(settings[4]))


@_inline
def gradient_step(n, theta, grad, first, second, weight_mask, decay_mask, layers, hidden, s,
                  dropping, blas, ints, settings, batch_weight, step_scales, step):
    """The batch's backward pass, penalty, clipping and optimizer step number ``step`` of
    the block (after its forward pass and loss); returns the penalty's loss term (0.0
    without one)."""
    backward(n, theta, grad, layers, hidden, s, dropping, blas)
    term = 0.0
    if ints[2] != _NO_PENALTY:
        term = add_penalty(theta, grad, weight_mask, ints[2], settings[6], batch_weight,
                           ints[3] != 0)
    if settings[7] > 0:
        clip(grad, settings[7])
    step_scale = step_scales[step] if step_scales.shape[0] > 0 else np.float32(0)
    optimizer_step(ints[1], theta, grad, first, second, decay_mask, settings, step_scale)
    return term


@_jit
def train_batches(X, order, labels, targets, weights, batch_weights, theta, grad, first,
                  second, weight_mask, decay_mask, step_scales, masks, s, rows_scratch,
                  row_ints, layers, hidden, ints, settings, results):
    """Batches ``ints[6]:ints[7]`` of an epoch, each a full gradient step.

    Parameters
    ----------
    X : float32 (m, n_in); order : int64 (rows,), the epoch's rows in batch order
    labels : int64 (m,) or (0,); targets : float32 (m, k) or, with labels, (1, k)
    weights : float32 (m,) sample weights or (0,); batch_weights : float64 (batches,)
    theta, grad, first, second, weight_mask, decay_mask : float32 (num_weights,)
        (``first``/``second``: the optimizer's vectors, or (0,) where it has none)
    step_scales : float32, one per step: Adam's bias-corrected rate
    masks : float32, the uniform draws of the steps' dropout masks (or (0,))
    s : float32 scratch; rows_scratch : float32 (4, batch); row_ints : int64 (2, batch)
    layers : int64 layer table; hidden : int64 activation codes
    ints, settings : the settings of numpynn.core.kernels.fused.INT_FIELDS, FLOAT_FIELDS
    results : float64 (batches, 2): each batch's summed loss and penalty term (written)

    Returns
    -------
    (stopped, right, steps) : the batch whose loss was not finite when
    ``stop_on_nonfinite`` (-1: none), rows classified right, steps taken.
    """
    output, stop_on_nonfinite, first_batch, last_batch = ints[0], ints[5] != 0, ints[6], ints[7]
    batch, rows, dropping, use_labels = ints[8], ints[9], ints[10] != 0, ints[11] != 0
    blas = ints[12] != 0
    rate, keep_scale = np.float32(settings[8]), np.float32(settings[9])
    weighted = weights.shape[0] > 0
    flat_X = X.reshape(-1)  # row r at r * n_in: one view for every row of every batch
    k = layers[layers.shape[0] - 1, _FAN_OUT]
    out0 = layers[layers.shape[0] - 1, _VALUES]
    hidden_units = layers[layers.shape[0] - 1, _MASK_PREFIX]
    right, steps, m = 0, 0, 0  # rows right, steps taken, dropout draws used
    for b in range(first_batch, last_batch):
        start = b * batch
        n = min(rows, start + batch) - start
        batch_weight = batch_weights[b]
        if not batch_weight > 0:
            continue
        forward(flat_X, order, start, n, theta, layers, hidden, s, masks, m, dropping, rate,
                keep_scale, blas)
        loss, batch_right = output_rows(output, s, out0, n, k, order, start, labels,
                                        targets, use_labels, weights, weighted,
                                        np.float32(1.0 / batch_weight), rows_scratch,
                                        row_ints)
        results[b, 0] = loss
        if stop_on_nonfinite and not math.isfinite(loss):
            return b, right, steps
        right += batch_right
        if dropping:
            m += n * hidden_units
        results[b, 1] = gradient_step(
            n, theta, grad, first, second, weight_mask, decay_mask, layers, hidden, s,
            dropping, blas, ints, settings, batch_weight, step_scales, steps)
        steps += 1
    return -1, right, steps
