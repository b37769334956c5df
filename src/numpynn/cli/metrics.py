"""Scores of a trained model, and the table ``numpynn train`` prints them in."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .common import TrainedModel, info


def _real(value: Any) -> float | None:
    """``value`` as a finite float, or None (a metric read from a file may be anything:
    a str, an int beyond float's range)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def format_score(value: float | None) -> str:
    """A metric for a table: 4 decimals, or 6 significant digits when tiny or huge."""
    value = _real(value)
    if value is None:
        return "nan"
    return f"{value:.6g}" if abs(value) >= 1e5 or (value != 0 and abs(value) < 1e-4) else \
        f"{value:.4f}"


def format_number(value: Any) -> str:
    """A number read from a model file, with 6 significant digits (its repr, shortened,
    when it is not a finite number)."""
    number = _real(value)
    if number is not None:
        return f"{number:.6g}"
    text = repr(value)
    return text if len(text) <= 24 else text[:21] + "..."



def classification_metrics(net, X: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Accuracy and log-loss of ``net`` on float32 ``X (n, n_features)``, int ``labels (n,)``."""
    from ..training import check_training_data, evaluate_loss

    with np.errstate(all="ignore"):  # an overflow is reported below, not as a NumPy warning
        loss, accuracy = evaluate_loss(net, check_training_data(net, X, labels))
    if not math.isfinite(loss):
        net.eval(X)  # the ValueError naming the row and the layer that overflow
        raise ValueError(f"the log-loss is {loss}: the network's outputs overflow float32")
    return {"accuracy": float(accuracy), "log_loss": float(loss)}


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
