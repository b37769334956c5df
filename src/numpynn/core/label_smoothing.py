"""Label smoothing: train a softmax classifier towards ``(1 - eps)`` on the right class
and ``eps / k`` spread over all ``k`` classes (Szegedy et al., 2016).

Smoothed labels are probability rows, which the softmax + cross-entropy pair of
:mod:`numpynn.core.losses` already takes: the loss is ``-sum_k y_k log p_k`` and its
gradient ``(P - Y) / n``, so smoothing is only a change of target.  It is the same loss
as ``torch.nn.functional.cross_entropy(..., label_smoothing=eps)``.
"""

from __future__ import annotations

import numpy as np

from .checks import check_number

__all__ = ["smoothed_rows", "check_label_smoothing"]


def check_label_smoothing(eps: object) -> float:
    """``eps`` as a float in [0, 1); ValueError/TypeError naming ``label_smoothing``."""
    return check_number("label_smoothing", eps, 0.0, 1.0, high_inclusive=False)


def smoothed_rows(labels: np.ndarray, num_classes: int, eps: float,
                  out: np.ndarray | None = None) -> np.ndarray:
    """Probability rows for integer labels, smoothed by ``eps``.

    Parameters
    ----------
    labels : ndarray, shape (n,), integer in ``[0, num_classes)``
    num_classes : int
        ``k``.
    eps : float in [0, 1)
    out : ndarray, shape (>= n, k), float32, optional
        Written in place (its first n rows) and returned.

    Returns
    -------
    ndarray, shape (n, k), float32
        ``eps / k`` everywhere, plus ``1 - eps`` at each row's label; rows sum to 1.
    """
    n = labels.shape[0]
    rows = np.empty((n, num_classes), dtype=np.float32) if out is None else out[:n]
    rows.fill(eps / num_classes)
    rows[np.arange(n), labels] += np.float32(1.0 - eps)
    return rows
