"""Scores of a trained model, and the table ``numpynn train`` prints them in.

The classification scores for imbalanced classes (:func:`class_scores`,
:func:`balanced_accuracy`, :func:`roc_auc`) are NumPy only, so the command line needs no
scikit-learn; they agree with scikit-learn's functions of the same names (the tests check).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .common import TrainedModel, info


def format_score(value: float | None) -> str:
    """A metric for a table: 4 decimals, or 6 significant digits when tiny or huge."""
    if value is None or not math.isfinite(value):
        return "nan"
    return f"{value:.6g}" if abs(value) >= 1e5 or (value != 0 and abs(value) < 1e-4) else \
        f"{value:.4f}"


def classification_metrics(net, X: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Accuracy and log-loss of ``net`` on float32 ``X (n, n_features)``, int ``labels (n,)``."""
    from ..training import check_training_data, evaluate_loss

    loss, accuracy = evaluate_loss(net, check_training_data(net, X, labels))
    return {"accuracy": float(accuracy), "log_loss": float(loss)}


def confusion_matrix(true: np.ndarray, predicted: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts of (true, predicted) label pairs, int64 ``(n_classes, n_classes)``.

    ``true`` and ``predicted`` are int labels in ``[0, n_classes)``, shape ``(n,)`` each;
    row = true class, column = predicted class (scikit-learn's layout).
    """
    t = np.asarray(true, dtype=np.int64)
    p = np.asarray(predicted, dtype=np.int64)
    return np.bincount(t * n_classes + p, minlength=n_classes * n_classes).reshape(
        n_classes, n_classes)


def class_scores(matrix: np.ndarray) -> dict[str, np.ndarray]:
    """Per-class precision, recall, F1 and support of a confusion matrix.

    Parameters
    ----------
    matrix : ndarray of int, shape (k, k)
        Row = true class, column = predicted class.

    Returns
    -------
    dict of str -> ndarray, shape (k,)
        ``precision``, ``recall``, ``f1`` (float64; NaN where undefined: precision of a class
        never predicted, recall of a class absent from the rows, F1 of a class neither
        present nor predicted) and ``support`` (int64: rows of each true class).
    """
    m = np.asarray(matrix, dtype=np.int64)
    tp = np.diag(m).astype(np.float64)
    predicted = m.sum(axis=0).astype(np.float64)
    support = m.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, tp / predicted, np.nan)
        recall = np.where(support > 0, tp / support, np.nan)
        both = predicted + support  # 2 tp + fp + fn
        f1 = np.where(both > 0, 2 * tp / both, np.nan)
    return {"precision": precision, "recall": recall, "f1": f1, "support": support}


def balanced_accuracy(matrix: np.ndarray) -> float:
    """The mean recall over the classes present in the rows (NaN when there are none)."""
    recall = class_scores(matrix)["recall"]
    present = recall[np.isfinite(recall)]
    return float(present.mean()) if present.size else math.nan


def roc_auc(positive: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve by the rank (Mann-Whitney) formula, ties counted half.

    Parameters
    ----------
    positive : ndarray of bool, shape (n,)
        Whether each row belongs to the positive class.
    scores : ndarray of float, shape (n,)
        Higher means more likely positive (a class probability), finite.

    Returns
    -------
    float
        The probability that a random positive row scores above a random negative one
        (ties count one half); NaN when the rows hold only one of the two classes.
    """
    pos = np.asarray(positive, dtype=bool).reshape(-1)
    s = np.asarray(scores).reshape(-1)
    n_pos = int(np.count_nonzero(pos))
    n_neg = pos.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return math.nan
    order = np.argsort(s, kind="stable")
    ordered = s[order]
    starts_group = np.concatenate(([True], ordered[1:] != ordered[:-1]))
    starts = np.flatnonzero(starts_group)
    counts = np.diff(np.append(starts, s.size))
    mean_rank = starts + (counts + 1) / 2.0  # 1-based: the mean rank of each group of ties
    ranks = np.empty(s.size, dtype=np.float64)
    ranks[order] = mean_rank[np.cumsum(starts_group) - 1]
    rank_sum = float(ranks[pos].sum())
    return (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def regression_metrics(predicted: np.ndarray, true: np.ndarray) -> dict[str, float]:
    """RMSE, MAE and R^2 of float32 values (summed in float64: these are reports)."""
    p = np.asarray(predicted, dtype=np.float64).reshape(-1)
    t = np.asarray(true, dtype=np.float64).reshape(-1)
    err = p - t
    ss_res = float(np.dot(err, err))
    centred = t - t.mean()
    ss_tot = float(np.dot(centred, centred))
    return {
        "rmse": math.sqrt(ss_res / t.size),
        "mae": float(np.abs(err).mean()),
        "r2": 1.0 - ss_res / ss_tot if ss_tot > 0 else math.nan,
    }


def model_metrics(model: TrainedModel, X: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """The scores of ``model`` on features ``X`` and encoded targets ``y``.

    Classification: accuracy and log-loss; regression: RMSE, MAE and R^2 in the target's
    units (``y`` is standardised, as ``enc.transform`` returns it).
    """
    if model.classification:
        return classification_metrics(model.net, X, y)
    predicted = model.enc.inverse_transform(model.net.eval(X))
    return regression_metrics(predicted, model.enc.inverse_transform(y))


def print_results(results: Mapping[str, Any], classification: bool) -> None:
    """The table of training (and validation) scores ``numpynn train`` prints at the end."""
    names = ("accuracy", "log_loss") if classification else ("rmse", "mae", "r2")
    info(f"{'':12}" + "".join(f"{n:>12}" for n in names))
    for part in ("training", "validation"):
        if part in results:
            row = results[part]
            info(f"{part:12}" + "".join(f"{format_score(row[n]):>12}" for n in names))
