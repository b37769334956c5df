"""Output activation + loss pairs, computed stably from the output layer's sums.

Each pair gives the same gradient with respect to the output pre-activation ``z``:
``(P - Y) * w_i / sum(w)`` for the sample-weighted mean loss.  One line of backprop
serves all three:

================  ======================  =========================================
output            loss                    per-sample value
================  ======================  =========================================
``softmax``       cross-entropy           ``-log p[label]`` (log-sum-exp)
``logistic``      binary cross-entropy    ``sum_k softplus(z) - y z`` (from logits)
``identity``      squared error           ``0.5 * sum_k (p_k - y_k) ** 2``
``exp``           Poisson (half deviance) ``sum_k y log(y / p) - y + p``, ``p = e^z``
================  ======================  =========================================
"""

from __future__ import annotations

import numpy as np

from .activations import SHARED_SHIFT_RANGE, logistic_from_exp_neg_abs
from .checks import cast_checked

__all__ = [
    "LOSS_NAMES", "prepare_target", "label_positions", "output_and_loss", "delta_in_place",
    "predictions_from_outputs",
]

#: The loss that goes with each output activation.
LOSS_NAMES = {
    "softmax": "cross_entropy",
    "logistic": "binary_cross_entropy",
    "identity": "squared_error",
    "exp": "poisson",
}


def prepare_target(output_activation: str, y, num_outputs: int, n_rows: int,
                   dtype=np.float32) -> np.ndarray:
    """Validate ``y`` and bring it to the form the losses use.

    Parameters
    ----------
    output_activation : {"softmax", "logistic", "identity", "exp"}
    y : array_like
        softmax: integer labels, shape (n,), or probability / one-hot rows, shape (n, k).
        logistic: 0/1 (or probability) targets, shape (n, k), or (n,) when k == 1.
        identity: real targets, shape (n, k), or (n,) when k == 1.
        exp: non-negative targets (counts, rates), shape (n, k), or (n,) when k == 1.
    num_outputs : int
        ``k``, the size of the output layer.
    n_rows : int
        Number of rows of X; ``y`` must have as many.
    dtype : np.float32 or np.float64, default np.float32
        The network's dtype, that of target rows.

    Returns
    -------
    ndarray
        ``intp`` labels of shape (n,) (softmax with labels) or rows of shape (n, k) in
        ``dtype``.

    Raises
    ------
    ValueError, TypeError
        On a wrong shape or length, NaN/inf, a value beyond float32's range, or labels
        outside ``[0, k)``.
    """
    arr = np.asarray(y)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"y must be numeric, got an array of dtype {arr.dtype}")
    if arr.ndim == 0 or arr.ndim > 2:
        raise ValueError(f"y must be 1-D or 2-D, got an array of shape {arr.shape}")
    if arr.shape[0] != n_rows:
        raise ValueError(
            f"X and y have different lengths: X has {n_rows} rows, y has {arr.shape[0]}"
        )
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError("y contains NaN or inf")
    k = num_outputs
    if output_activation == "softmax" and arr.ndim == 1:
        return _class_labels(arr, k)
    if arr.ndim == 1:
        if k != 1:
            raise ValueError(
                f"y must have shape (n, {k}) for a network with {k} "
                f"{output_activation} outputs, got shape {arr.shape}"
            )
        arr = arr.reshape(-1, 1)
    if arr.shape[1] != k:
        raise ValueError(f"y must have {k} columns (one per output), got {arr.shape[1]}")
    target = cast_checked("y", arr, dtype, contiguous=True)
    _check_target_rows(output_activation, target)
    return target


def _class_labels(arr: np.ndarray, k: int) -> np.ndarray:
    """Labels ``arr`` (n,) as ``intp``, each a whole number in ``[0, k)``."""
    # Both checks on the given values: a cast first would wrap huge ones (with a warning).
    if arr.dtype.kind == "f" and not np.array_equal(np.floor(arr), arr):
        raise ValueError("class labels in y must be whole numbers 0..k-1")
    outside = (arr < 0) | (arr >= k)
    if outside.any():
        bad = arr[outside][0]
        bad = int(bad) if arr.dtype.kind != "f" or abs(bad) < 2**63 else float(bad)
        raise ValueError(
            f"label {bad} in y is outside the output range 0..{k - 1} "
            f"(the network has {k} outputs)"
        )
    return arr.astype(np.intp)


def _check_target_rows(output_activation: str, target: np.ndarray) -> None:
    """The value range each output/loss pair needs of target rows (n, k)."""
    if output_activation in ("softmax", "logistic") and (
        target.size and (target.min() < 0 or target.max() > 1)
    ):
        raise ValueError(
            f"targets for {output_activation} outputs must lie in [0, 1] "
            "(one-hot or probability rows)"
        )
    if output_activation == "exp" and target.size and target.min() < 0:
        raise ValueError("targets for exp (Poisson) outputs must be non-negative")
    if output_activation == "softmax" and target.size:
        row_sums = target.sum(axis=1)
        worst = int(np.argmax(np.abs(row_sums - 1)))
        if abs(row_sums[worst] - 1) > 1e-3:
            raise ValueError(
                f"rows of y for softmax outputs must sum to 1 (one-hot or probabilities); "
                f"row {worst} sums to {row_sums[worst]:.4g}"
            )


def class_indices(target: np.ndarray) -> np.ndarray:
    """Class index per sample: labels, argmax of one-hot rows, or 0/1 of one logistic output.

    Parameters
    ----------
    target : ndarray
        From :func:`prepare_target`: labels (n,) or float32 rows (n, k).
    """
    if target.ndim == 1:
        return target
    if target.shape[1] == 1:
        return (target[:, 0] >= 0.5).astype(np.intp)
    return target.argmax(axis=1)


def predictions_from_outputs(output_activation: str, outputs: np.ndarray) -> np.ndarray:
    """What a network predicts from its outputs: ``predict`` of both network types.

    Parameters
    ----------
    output_activation : {"softmax", "logistic", "identity", "exp"}
    outputs : ndarray, shape (k,) or (n, k)

    Returns
    -------
    ndarray
        softmax: int64 class indices, shape () or (n,); logistic: int64 0/1, shape (k,)
        or (n, k), 1 where the output is >= 0.5; identity and exp: ``outputs`` itself.
    """
    if output_activation == "softmax":
        return np.argmax(outputs, axis=-1).astype(np.int64)
    if output_activation == "logistic":
        return (outputs >= 0.5).astype(np.int64)
    return outputs


def label_positions(labels: np.ndarray, num_outputs: int,
                    row_offsets: np.ndarray | None = None) -> np.ndarray:
    """Flat positions ``i * k + labels[i]`` of each row's label in an (n, k) array.

    Parameters
    ----------
    labels : ndarray, shape (n,), integer
    num_outputs : int
        ``k``.
    row_offsets : ndarray, shape (>= n,), optional
        A kept ``np.arange(rows) * k`` to reuse.
    """
    n = labels.shape[0]
    offsets = np.arange(n) * num_outputs if row_offsets is None else row_offsets[:n]
    return offsets + labels


# Its signature looks like activations.multiply_by_derivative's (a name, arrays, optional
# buffers): two different kernels of the backward pass, nothing to share.
def output_and_loss(
    output_activation: str,
    z: np.ndarray,
    target: np.ndarray,
    sample_weight: np.ndarray | None = None,
    positions: np.ndarray | None = None,
    precise: bool = False,
) -> float:
    """Turn the output sums ``z`` into outputs ``P`` in place and return the summed loss.

    Parameters
    ----------
    output_activation : str
    z : ndarray, shape (n, k), float32 or float64, C-contiguous
        Output layer pre-activation sums; overwritten with the outputs ``P``.
    target : ndarray
        From :func:`prepare_target`, rows matching ``z``.
    sample_weight : ndarray, shape (n,), the dtype of ``z``, optional
    positions : ndarray, shape (n,), optional
        :func:`label_positions` of integer targets, when the caller already has them.
    precise : bool, default False
        Keep full relative precision for tiny cross-entropy values (confident,
        right predictions) at the cost of a few more passes: for full-batch methods such
        as L-BFGS, whose line searches need it, not for noisy mini-batch steps.

    Returns
    -------
    float
        ``sum_i w_i * loss_i`` (``w_i = 1`` when no weights are given).
    """
    per_sample = _PER_SAMPLE_LOSS[output_activation](z, target, positions, precise)
    if sample_weight is not None:
        return float(np.dot(per_sample, sample_weight))
    return float(per_sample.sum(dtype=np.float64))


def _softmax_cross_entropy(z: np.ndarray, target: np.ndarray, positions: np.ndarray | None,
                           precise: bool) -> np.ndarray:
    """Softmax of ``z`` in place; per-sample cross-entropy, shape (n,)."""
    top = z.max()
    if z.min() >= top - SHARED_SHIFT_RANGE:  # see activations.SHARED_SHIFT_RANGE
        z -= top
    else:
        z -= z.max(axis=1, keepdims=True)
    if target.ndim == 1:
        if positions is None:
            positions = label_positions(target, z.shape[1])
        picked = z.reshape(-1)[positions]
    else:
        picked = np.einsum("ij,ij->i", z, target)
    np.exp(z, out=z)
    ones = np.ones(z.shape[1], dtype=z.dtype)
    if precise and target.ndim == 1:
        # loss = log1p(others / e_label), exact also when it is tiny: log(row_sum) of a
        # row sum near 1 would round small losses away in float32.
        flat = z.reshape(-1)
        e_label = flat[positions]
        flat[positions] = 0
        others = z @ ones
        row_sums = others + e_label
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            per_sample = np.log1p(others / e_label)
        if not np.isfinite(per_sample).all():  # e_label underflowed: a huge loss
            per_sample = np.log(row_sums) - picked
        z /= row_sums[:, None]
        flat[positions] = e_label / row_sums
    else:
        # Row sums as a matrix-vector product: faster than a reduction over a short axis.
        row_sums = z @ ones
        z /= row_sums[:, None]
        per_sample = np.log(row_sums)
        per_sample -= picked
    return per_sample


def _binary_cross_entropy(z: np.ndarray, target: np.ndarray, positions: np.ndarray | None,
                          precise: bool) -> np.ndarray:
    """Logistic of ``z`` in place; per-sample binary cross-entropy, shape (n,)."""
    # softplus(z) - y*z = max(z, 0) + log1p(exp(-|z|)) - y*z, then P = logistic(z).
    e = np.abs(z)
    np.negative(e, out=e)
    np.exp(e, out=e)
    per_element = np.maximum(z, 0)
    per_element += np.log1p(e)
    per_element -= z * target
    per_sample = per_element @ np.ones(z.shape[1], dtype=z.dtype)
    logistic_from_exp_neg_abs(z, e)
    return per_sample


def _poisson_deviance(z: np.ndarray, target: np.ndarray, positions: np.ndarray | None,
                      precise: bool) -> np.ndarray:
    """exp of ``z`` in place; per-sample half Poisson deviance, shape (n,)."""
    # Half Poisson deviance y log(y / p) - y + p with p = exp(z), from z directly.
    per_element = np.where(target > 0, target * np.log(np.where(target > 0, target, 1)),
                           target.dtype.type(0))
    per_element -= target * z
    per_element -= target
    np.exp(z, out=z)
    per_element += z
    return per_element @ np.ones(z.shape[1], dtype=z.dtype)


def _squared_error(z: np.ndarray, target: np.ndarray, positions: np.ndarray | None,
                   precise: bool) -> np.ndarray:
    """``z`` stays (identity); per-sample half squared error, shape (n,)."""
    diff = z - target
    per_sample = np.einsum("ij,ij->i", diff, diff)
    per_sample *= 0.5
    return per_sample


_PER_SAMPLE_LOSS = {
    "softmax": _softmax_cross_entropy,
    "logistic": _binary_cross_entropy,
    "exp": _poisson_deviance,
    "identity": _squared_error,
}


def delta_in_place(
    p: np.ndarray,
    target: np.ndarray,
    sample_weight: np.ndarray | None,
    scale: float,
    positions: np.ndarray | None = None,
    precise: bool = False,
) -> None:
    """Overwrite the outputs ``P`` with ``(P - Y) * w * scale``: dLoss/dz for every pair.

    Parameters
    ----------
    p : ndarray, shape (n, k), float32 or float64, C-contiguous
        Outputs from :func:`output_and_loss`.
    target : ndarray
        Integer labels (n,) or rows (n, k) of ``p``'s dtype.
    sample_weight : ndarray, shape (n,), ``p``'s dtype, optional
    scale : float
        ``1 / sum(w)`` of the batch (``1 / n`` without weights).
    positions : ndarray, shape (n,), optional
        :func:`label_positions` of integer targets, when the caller already has them.
    precise : bool, default False
        Compute ``p_label - 1`` without cancellation (see :func:`output_and_loss`).
    """
    if target.ndim == 1:
        if positions is None:
            positions = label_positions(target, p.shape[1])
        flat = p.reshape(-1)
        if precise:
            # p_label - 1 = -(sum of the other outputs), without the cancellation.
            flat[positions] = 0
            flat[positions] = -(p @ np.ones(p.shape[1], dtype=p.dtype))
        else:
            flat[positions] -= 1
    else:
        p -= target
    if sample_weight is not None:
        p *= sample_weight[:, None]
    p *= p.dtype.type(scale)
