"""Probabilities and log-probabilities of the classifier, from the network's logits.

Both come from the logits, so that they agree: ``predict_log_proba`` is log-softmax or
log-sigmoid of the logits (stable, in the network's dtype) below a probability of 1/2,
``log(predict_proba)`` itself from 1/2 up (0 where it rounds to 1), and ``-inf`` exactly
where ``predict_proba`` is 0 -- where the probability is below the smallest number the
dtype holds.  A binary model's
two columns are ``sigmoid(-z)`` and ``sigmoid(z)``, each computed directly: ``1 - p``
would round a logistic output above about 17 to exactly 1.0 in float32 (and 36 in
float64), and its complement and logarithm with it.
"""

from __future__ import annotations

import numpy as np

from ..core import activations as act

__all__ = ["log_sigmoid", "log_softmax", "probabilities", "log_probabilities"]


def log_sigmoid(z: np.ndarray) -> np.ndarray:
    """``log(1 / (1 + exp(-z)))`` = ``min(z, 0) - log1p(exp(-|z|))``, never overflowing.

    Parameters
    ----------
    z : ndarray, any shape, float32 or float64

    Returns
    -------
    ndarray, ``z``'s shape and dtype
    """
    out = np.minimum(z, 0)
    out -= np.log1p(np.exp(-np.abs(z)))
    return out


def log_softmax(z: np.ndarray) -> np.ndarray:
    """``z - logsumexp(z)`` along the last axis, with the row maximum shifted out.

    Parameters
    ----------
    z : ndarray, shape (n, k), float32 or float64

    Returns
    -------
    ndarray, shape (n, k), ``z``'s dtype
    """
    shifted = z - z.max(axis=-1, keepdims=True)
    shifted -= np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return shifted


def probabilities(output_activation: str, logits: np.ndarray) -> np.ndarray:
    """``predict_proba`` from the logits (n, k), which it overwrites.

    softmax and multi-label logistic: the network's output activation, in place (the
    network's own outputs, bit for bit); one logistic output: the columns
    ``sigmoid(-z), sigmoid(z)``, shape (n, 2).
    """
    if output_activation == "logistic" and logits.shape[1] == 1:
        z = logits[:, 0]
        return np.column_stack([act.logistic(-z), act.logistic(z)])
    act.apply_output(output_activation, logits)
    return logits


def log_probabilities(output_activation: str, logits: np.ndarray) -> np.ndarray:
    """``predict_log_proba`` from the logits (n, k): log-softmax or log-sigmoid, ``-inf``
    where :func:`probabilities` is 0."""
    if output_activation == "softmax":
        log_p = log_softmax(logits)
    elif logits.shape[1] == 1:  # log(1 - p) = log_sigmoid(-z), log p = log_sigmoid(z)
        z = logits[:, 0]
        log_p = np.column_stack([log_sigmoid(-z), log_sigmoid(z)])
    else:
        log_p = log_sigmoid(logits)
    proba = probabilities(output_activation, logits.copy())
    log_p[proba == 0] = -np.inf
    # From 1/2 up, log(p) of the rounded p is as exact as the dtype allows (its error is
    # at most eps), and where p rounds to exactly 1 it must be 0, as scikit-learn's
    # estimator checks demand of log(predict_proba) (atol 1e-9): log-softmax would give
    # the true -4e-8 there, which fails them on some machines' rounding.
    likely = proba >= 0.5
    log_p[likely] = np.log(proba[likely])
    return log_p
