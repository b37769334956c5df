"""The output layer of the fused epoch: outputs, loss, delta and right answers of a batch.

Every output activation with its loss, as :mod:`numpynn.core.losses` computes them
(softmax + cross-entropy on labels or probability rows, logistic + binary cross-entropy,
identity + half squared error, exp + Poisson half deviance), in float32.  The batch's
output sums are stored unit by unit (output ``j`` of row ``i`` at ``o + j * n + i``, see
:mod:`.fused_layers`) and become the delta ``(P - Y) * w_i * scale``; each loop runs along
the batch's rows (vectorised where no exp or log is in it), with per-row figures in
``rows`` (float32, (4, batch)) and ``row_ints`` (int64, (2, batch)).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .fused_math import exp32

_inline = numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")

_ZERO = np.float32(0.0)
_ONE = np.float32(1.0)
_HALF = np.float32(0.5)
_SOFTMAX, _SIGMOID_OUT, _IDENTITY_OUT, _EXP_OUT = 0, 1, 2, 3
# rows of the per-row scratch: float32 ...
_TOP, _LOSS, _SUM, _WEIGHT = 0, 1, 2, 3
# ... and int64
_LABEL, _BEST = 0, 1


@_inline
def softmax_rows(s, o, n, k, order, start, labels, targets, use_labels, rows, row_ints):
    """Softmax + cross-entropy: ``s`` becomes ``P - Y``; per-row losses in
    ``rows[_LOSS]``; returns the rows whose first largest output is the label (or the
    first largest target)."""
    top, loss, row_sum = rows[_TOP, :n], rows[_LOSS, :n], rows[_SUM, :n]
    label, best = row_ints[_LABEL, :n], row_ints[_BEST, :n]
    top[:] = s[o:o + n]
    for j in range(1, k):
        z = s[o + j * n:o + (j + 1) * n]
        for i in range(n):
            top[i] = z[i] if z[i] > top[i] else top[i]
    best[:] = -1
    for j in range(k - 1, -1, -1):  # the first largest wins, as with argmax
        z = s[o + j * n:o + (j + 1) * n]
        for i in range(n):
            best[i] = j if z[i] == top[i] else best[i]
    if use_labels:
        for i in range(n):
            label[i] = labels[order[start + i]]
            loss[i] = -(s[o + label[i] * n + i] - top[i])
    else:
        loss[:] = _ZERO
        for i in range(n):
            t = targets[order[start + i]]
            label[i] = 0
            for j in range(k):
                loss[i] -= (s[o + j * n + i] - top[i]) * t[j]
                label[i] = j if t[j] > t[label[i]] else label[i]
    row_sum[:] = _ZERO
    for j in range(k):
        z = s[o + j * n:o + (j + 1) * n]
        for i in range(n):
            e = exp32(z[i] - top[i])
            z[i] = e
            row_sum[i] += e
    for i in range(n):
        loss[i] += np.float32(math.log(row_sum[i]))
    for j in range(k):
        z = s[o + j * n:o + (j + 1) * n]
        if use_labels:
            for i in range(n):
                z[i] = z[i] / row_sum[i] - (_ONE if label[i] == j else _ZERO)
        else:
            for i in range(n):
                z[i] = z[i] / row_sum[i] - targets[order[start + i], j]
    right = 0
    for i in range(n):
        right += 1 if best[i] == label[i] else 0
    return right


@_inline
def elementwise_rows(code, s, o, n, k, order, start, targets, rows):
    """Logistic, identity or exp outputs with their loss: ``s`` becomes ``P - Y``,
    per-row losses in ``rows[_LOSS]``; returns the rows right for one logistic output
    (P >= 0.5 matching Y >= 0.5), else 0."""
    loss = rows[_LOSS, :n]
    loss[:] = _ZERO
    right = 0
    for j in range(k):
        z = s[o + j * n:o + (j + 1) * n]
        for i in range(n):
            y = targets[order[start + i], j]
            v = z[i]
            if code == _SIGMOID_OUT:
                e = exp32(-abs(v))  # exp(-|z|) never overflows
                loss[i] += ((v if v > _ZERO else _ZERO) + np.float32(math.log1p(e))) - v * y
                p = (_ONE if v >= _ZERO else e) / (_ONE + e)
                right += 1 if (p >= _HALF) == (y >= _HALF) else 0
            elif code == _IDENTITY_OUT:
                p = v
                loss[i] += (v - y) * (v - y)
            else:
                p = exp32(v)
                y_log_y = y * np.float32(math.log(y)) if y > _ZERO else _ZERO
                loss[i] += ((y_log_y - y * v) - y) + p
            z[i] = p - y
    if code == _IDENTITY_OUT:
        for i in range(n):
            loss[i] *= _HALF
    return right if k == 1 else 0


@_inline
def output_rows(code, s, o, n, k, order, start, labels, targets, use_labels, weights,
                weighted, scale, rows, row_ints):
    """Loss, delta ``(P - Y) * w * scale`` and right answers of the batch's ``n`` output
    rows (unit ``j`` of row ``i`` at ``s[o + j n + i]``; the rows are
    ``order[start:start + n]`` of ``labels``/``targets``/``weights``).

    Returns (sum_i w_i loss_i as float64, rows right).
    """
    if code == _SOFTMAX:
        right = softmax_rows(s, o, n, k, order, start, labels, targets, use_labels, rows,
                             row_ints)
    else:
        right = elementwise_rows(code, s, o, n, k, order, start, targets, rows)
    w, loss = rows[_WEIGHT, :n], rows[_LOSS, :n]
    for i in range(n):
        w[i] = weights[order[start + i]] if weighted else _ONE
    loss_sum = 0.0
    for i in range(n):
        loss_sum += float(w[i]) * float(loss[i])
    for j in range(k):
        z = s[o + j * n:o + (j + 1) * n]
        for i in range(n):
            z[i] = (z[i] * w[i]) * scale
    return loss_sum, right
