"""``numpynn evaluate``: score a trained model on labelled rows of a CSV file."""

from __future__ import annotations

import argparse
import math

import numpy as np

from .common import CommandError, TrainedModel, add_model_parser, info, load_trained, transform
from .metrics import classification_metrics, regression_metrics


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``evaluate`` to the ``numpynn`` command's subparsers; return its parser."""
    parser = add_model_parser(
        subparsers, "evaluate", data=True, help="score a trained model on labelled CSV data",
        description="Score a model on labelled rows: accuracy, log-loss and the confusion matrix "
                    "for classification; RMSE, MAE and R^2 (in the target's units) for regression.",
    )
    parser.add_argument("--target", metavar="COLUMN",
                        help="the column with the true values (default: the model's target "
                             "column)")
    return parser


def run(args: argparse.Namespace) -> int:
    """Print the scores of ``args.model`` on ``args.data``; exit status 0."""
    from ..tabular import read_csv

    model = load_trained(args.model)
    enc = _target_encoder(model, args.target)
    table = read_csv(args.data)
    y = enc.transform(table)
    X = transform(model.pre, table)
    if model.classification:
        _report_classification(model, enc, X, y)
    else:
        _report_regression(model, enc, X, y)
    info(f"rows {table.n_rows}")
    return 0


def _target_encoder(model: TrainedModel, target: str | None):
    """The model's target encoder, reading the true values from ``target`` when given."""
    from ..tabular import TargetEncoder

    enc = model.enc
    if target and target != enc.name:
        if target in model.pre.input_columns:
            raise CommandError(f"--target {target!r} is an input column of the model, "
                               f"not its target (the model predicts {enc.name!r})")
        enc = TargetEncoder.from_dict({**enc.to_dict(), "name": target})
    return enc


def _report_classification(model: TrainedModel, enc, X: np.ndarray, y: np.ndarray) -> None:
    scores = classification_metrics(model.net, X, y)
    info(f"accuracy {scores['accuracy']:.6f}")
    info(f"log-loss {scores['log_loss']:.6f}")
    _print_confusion(list(enc.classes), y, model.net.predict(X), enc.name)


def _report_regression(model: TrainedModel, enc, X: np.ndarray, y: np.ndarray) -> None:
    true = enc.inverse_transform(y)
    predicted = enc.inverse_transform(model.net.eval(X))
    scores = regression_metrics(predicted, true)
    info(f"rmse {scores['rmse']:.6g}")
    info(f"mae {scores['mae']:.6g}")
    info(f"r2 {scores['r2']:.6f}" if math.isfinite(scores["r2"]) else
         "r2 nan (the target is constant in these rows)")


def _print_confusion(classes: list[str], true: np.ndarray, predicted: np.ndarray,
                     target: str) -> None:
    """The confusion matrix: int labels ``true`` and ``predicted``, ``(n_rows,)`` each."""
    k = len(classes)
    matrix = np.bincount(true * k + predicted, minlength=k * k).reshape(k, k)
    info(f"confusion matrix (rows: true {target}, columns: predicted):")
    width = max(6, *(len(c) for c in classes), len(str(int(matrix.max(initial=0)))))
    label_width = max(len(c) for c in classes)
    info(" " * (label_width + 2) + " ".join(f"{c:>{width}}" for c in classes))
    for c, row in zip(classes, matrix.tolist(), strict=True):
        info(f"  {c:<{label_width}}" + " ".join(f"{v:>{width}}" for v in row))
