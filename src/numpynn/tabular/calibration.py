"""Temperature scaling: the recipe's last step for classifiers.

Label smoothing (0.1) trains a network to say at most about 0.9 for the class it is sure
of, which costs log-loss on easy rows, and the best epoch can be over- or under-confident
for other reasons.  After training, one factor ``beta`` on the output sums (the inverse
temperature) is fitted on the member's own validation rows to the lowest cross-entropy.
It multiplies the last layer's weights and biases, so predictions, model files and ONNX
graphs need nothing new, and it never changes which class wins (``beta > 0``).

The validation targets are smoothed by one row's worth (``1 / n`` of the mass spread over
the classes): a validation set with no error cannot prove a model surer than "at most
one error in n rows", so ``beta`` stays finite where the rows are separable.  Bisection on
the derivative, which is increasing because the loss is convex in ``beta``: written here
because it is a dozen lines, and NumPy is all the core may need.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["fit_inverse_temperature", "scale_output_layer", "BETA_RANGE"]

#: The inverse temperatures considered: a fit at an end says the rows wanted more.
BETA_RANGE = (0.05, 20.0)
_BISECTIONS = 60


def _soft_targets(labels: np.ndarray, k: int) -> np.ndarray:
    n = labels.shape[0]
    eps = 1.0 / max(n, 1)
    targets = np.full((n, k), eps / k)
    targets[np.arange(n), labels] += 1.0 - eps
    return targets


def _slope(beta: float, logits: np.ndarray, targets: np.ndarray, weights: np.ndarray
           ) -> float:
    """d/d(beta) of the weighted mean cross-entropy of softmax(beta * logits)."""
    z = beta * logits
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    per_row = ((p - targets) * logits).sum(axis=1)
    return float(weights @ per_row)


def _check_inputs(logits: np.ndarray, labels: np.ndarray, sample_weight: object) -> None:
    """ValueError naming what is wrong, before any arithmetic that would turn it into NaN."""
    if logits.ndim != 2 or not np.isfinite(logits).all():
        raise ValueError(f"logits must be a finite (n, k) array, got shape {logits.shape}"
                         + ("" if logits.ndim != 2 else " with non-finite values"))
    n, k = logits.shape
    if labels.shape != (n,) or (n and (not np.issubdtype(labels.dtype, np.integer)
                                       or labels.min() < 0 or labels.max() >= k)):
        raise ValueError(f"labels must be {n} class indices in 0..{k - 1}, got shape "
                         f"{labels.shape} and dtype {labels.dtype}")
    if sample_weight is not None:
        w = np.asarray(sample_weight, dtype=np.float64)
        if w.shape != (n,) or not np.isfinite(w).all() or (w < 0).any() or (n and w.sum() <= 0):
            raise ValueError(f"sample_weight must be {n} finite weights >= 0 with a positive "
                             f"sum, got shape {w.shape}")


def fit_inverse_temperature(logits: np.ndarray, labels: np.ndarray,
                            sample_weight: np.ndarray | None = None) -> float:
    """The factor on the output sums that gives the lowest validation cross-entropy.

    Parameters
    ----------
    logits : ndarray, shape (n, k)
        The output sums (before softmax) of the validation rows.
    labels : ndarray of int, shape (n,)
        Their class indices in ``0..k-1``.
    sample_weight : ndarray, shape (n,), optional

    Returns
    -------
    float
        ``beta`` in :data:`BETA_RANGE`; 1.0 when there is nothing to fit (no rows, one
        class, or outputs that are equal for every class).
    """
    logits = np.asarray(logits, dtype=np.float64)  # (n, k) derived values, not user data
    labels = np.asarray(labels)
    _check_inputs(logits, labels, sample_weight)
    n, k = logits.shape
    if n == 0 or k < 2 or not np.ptp(logits, axis=1).any():
        return 1.0
    weights = np.ones(n) if sample_weight is None else np.asarray(sample_weight, np.float64)
    weights = weights / weights.sum()
    labels = labels.astype(np.int64)
    targets = _soft_targets(labels, k)
    low, high = (float(np.log(b)) for b in BETA_RANGE)
    if _slope(np.exp(low), logits, targets, weights) >= 0:
        return BETA_RANGE[0]
    if _slope(np.exp(high), logits, targets, weights) <= 0:
        return BETA_RANGE[1]
    for _ in range(_BISECTIONS):
        middle = 0.5 * (low + high)
        if _slope(np.exp(middle), logits, targets, weights) < 0:
            low = middle
        else:
            high = middle
    return float(np.exp(0.5 * (low + high)))


def scale_output_layer(network: Any, beta: float) -> None:
    """Multiply the last layer's weights and biases (views into ``theta``) by ``beta``."""
    factor = network.theta.dtype.type(beta)
    network.views.weights[-1][...] *= factor
    network.views.biases[-1][...] *= factor
