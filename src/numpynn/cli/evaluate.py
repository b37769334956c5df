"""``numpynn evaluate``: score a trained model on labelled rows of a data file."""

from __future__ import annotations

import argparse
import math

import numpy as np

from ..tabular import rows_with_target
from .common import (
    CommandError,
    TrainedModel,
    add_model_parser,
    info,
    load_trained,
    read_input,
    require_column,
    transform,
)
from .metrics import (
    balanced_accuracy,
    class_scores,
    classification_metrics,
    confusion_matrix,
    regression_metrics,
    roc_auc,
)


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``evaluate`` to the ``numpynn`` command's subparsers; return its parser."""
    parser = add_model_parser(
        subparsers, "evaluate", data=True, help="score a trained model on labelled CSV data",
        description="Score a model on labelled rows. Classification: accuracy, balanced "
                    "accuracy (the mean recall over the classes), log-loss, ROC AUC for two "
                    "classes, precision / recall / F1 / support per class, and the confusion "
                    "matrix. Regression: RMSE, MAE and R^2 in the target's units. Rows whose "
                    "target is missing are left out (and counted).",
    )
    parser.add_argument("--target", metavar="COLUMN",
                        help="the column with the true values (default: the model's target "
                             "column)")
    return parser


def run(args: argparse.Namespace) -> int:
    """Print the scores of ``args.model`` on ``args.data``; exit status 0."""
    model = load_trained(args.model)
    enc = _target_encoder(model, args.target)
    table = read_input(args.data, args, model)
    require_column(table, enc.name, "--target" if args.target else
                   "the model's target column")
    kept = rows_with_target(table, enc.name)
    left_out = table.n_rows - kept.size
    if kept.size == 0:
        raise CommandError(f"{args.data}: every row's {enc.name!r} is missing; nothing to "
                           "score")
    if left_out:
        table = table.take(kept)
    y = enc.transform(table)
    X = transform(model.pre, table)
    if model.classification:
        _report_classification(model, enc, X, y)
    else:
        _report_regression(model, enc, X, y)
    info(f"rows {table.n_rows}" + (f" ({left_out} more with no {enc.name!r} value were left "
                                   "out)" if left_out else ""))
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
    """Overall scores, one line each (``name value``), the per-class table and the
    confusion matrix; ``y`` holds int labels ``(n,)``."""
    classes = list(enc.classes)
    probabilities = model.net.eval(X)  # float32 (n, k)
    predicted = probabilities.argmax(axis=1)
    scores = classification_metrics(model.net, X, y)
    matrix = confusion_matrix(y, predicted, len(classes))
    info(f"accuracy {scores['accuracy']:.6f}")
    info(f"balanced-accuracy {balanced_accuracy(matrix):.6f}")
    info(f"log-loss {scores['log_loss']:.6f}")
    if len(classes) == 2:
        auc = roc_auc(y == 1, probabilities[:, 1])
        info(f"roc-auc {auc:.6f}" if math.isfinite(auc) else
             "roc-auc nan (these rows hold only one of the two classes)")
    _print_class_table(classes, class_scores(matrix), enc.name)
    _print_confusion(classes, matrix, enc.name)


def _report_regression(model: TrainedModel, enc, X: np.ndarray, y: np.ndarray) -> None:
    true = enc.inverse_transform(y)
    predicted = enc.inverse_transform(model.net.eval(X))
    scores = regression_metrics(predicted, true)
    info(f"rmse {scores['rmse']:.6g}")
    info(f"mae {scores['mae']:.6g}")
    info(f"r2 {scores['r2']:.6f}" if math.isfinite(scores["r2"]) else
         "r2 nan (the target is constant in these rows)")


def _score_cell(value: float) -> str:
    """A score for the per-class table: 4 decimals, ``-`` where it is undefined."""
    return f"{value:.4f}" if math.isfinite(value) else "-"


def _print_class_table(classes: list[str], per: dict[str, np.ndarray], target: str) -> None:
    """Precision, recall, F1 and support of each class, and their unweighted means."""
    width = max(len("macro avg"), *(len(c) for c in classes))
    info(f"per class of {target!r} (-: undefined):")
    info(f"  {'class':<{width}} {'precision':>9} {'recall':>9} {'f1':>9} {'support':>9}")
    for k, name in enumerate(classes):
        info(f"  {name:<{width}} {_score_cell(per['precision'][k]):>9} "
             f"{_score_cell(per['recall'][k]):>9} {_score_cell(per['f1'][k]):>9} "
             f"{int(per['support'][k]):>9}")
    means = [_nan_mean(per[name]) for name in ("precision", "recall", "f1")]
    info(f"  {'macro avg':<{width}} " + " ".join(f"{_score_cell(m):>9}" for m in means)
         + f" {int(per['support'].sum()):>9}")


def _nan_mean(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else math.nan


def _print_confusion(classes: list[str], matrix: np.ndarray, target: str) -> None:
    """The confusion matrix ``(k, k)``: row = true class, column = predicted class."""
    info(f"confusion matrix (rows: true {target}, columns: predicted):")
    width = max(6, *(len(c) for c in classes), len(str(int(matrix.max(initial=0)))))
    label_width = max(len(c) for c in classes)
    info(" " * (label_width + 2) + " ".join(f"{c:>{width}}" for c in classes))
    for c, row in zip(classes, matrix.tolist(), strict=True):
        info(f"  {c:<{label_width}}" + " ".join(f"{v:>{width}}" for v in row))
