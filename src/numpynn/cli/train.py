"""``numpynn train``: train a network on a CSV file and save it with its preprocessing.

:func:`run` is a list of named steps: check the options and read the data, check every
output path, fit the target encoder and the preprocessor, build the network and the
metadata, check the checkpoints to resume from, fit, report and save. Every problem the
user can fix is found before training starts.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import TrainingDivergedError
from ..training.progress import EpochProgress, _duration
from . import options
from .checkpoints import check_checkpoint, refuse_old_checkpoints
from .cluster_train import add_cluster_options, wants_cluster
from .cluster_train import run as run_on_cluster
from .common import (
    METADATA_FORMAT,
    METADATA_VERSION,
    CommandError,
    TrainedModel,
    arch,
    check_output_path,
    check_plot_format,
    curve_units,
    info,
    require_column,
    transform,
)
from .metrics import model_metrics, print_results
from .training_data import check_numeric_columns, file_sha256, split_rows

#: Model file written by ``numpynn train`` when ``--out`` is not given.
DEFAULT_MODEL = "model.safetensors"

_HIDDEN_ACTIVATIONS = ("relu", "leaky_relu", "tanh", "logistic", "identity")
_OPTIMIZERS = ("adam", "adamw", "sgd", "lbfgs")

_EPILOG = """\
examples:
  numpynn train                                   # the bundled iris data set
  numpynn train houses.csv --target price --hidden 32,32 --epochs 200 --out price.safetensors
  numpynn train data.csv --target y --checkpoint-dir ckpt      # then, after a crash:
  numpynn train data.csv --target y --checkpoint-dir ckpt --resume

Text columns are one-hot encoded and numeric columns standardised with statistics from the
training rows; both are stored in the model file. A text target, or an integer target with
few distinct values, means classification (softmax output), anything else regression
(identity output). An existing model file is replaced only when --out names it.
"""


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``train`` to the ``numpynn`` command's subparsers; return its parser."""
    parser = subparsers.add_parser(
        "train", help="train a network on a CSV file and save it",
        description="Train a multi-layer perceptron on a CSV file with a header row and save\n"
                    "it, with its preprocessing, to a safetensors model file.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("data", nargs="?", metavar="DATA.csv",
                        help="CSV file with a header row (default: the bundled iris data set, "
                             "target species)")
    parser.add_argument("--target", metavar="COLUMN",
                        help="the column to predict (required with DATA.csv)")
    parser.add_argument("--task", choices=("auto", "classification", "regression"),
                        default="auto", help="override the task detection (default: auto)")
    net = parser.add_argument_group("network")
    net.add_argument("--hidden", type=options.hidden_sizes, default=(16, 16), metavar="SIZES",
                     help="hidden layer sizes, comma-separated, or 'none' (default: 16,16)")
    net.add_argument("--activation", choices=_HIDDEN_ACTIVATIONS, default="leaky_relu",
                     help="hidden activation (default: leaky_relu)")
    _add_training_options(parser.add_argument_group("training"))
    output = parser.add_argument_group("output")
    output.add_argument("--out", metavar="MODEL.safetensors",
                        help=f"model file to write (default: {DEFAULT_MODEL}, which is never "
                             "replaced unless named here)")
    output.add_argument("--plot", metavar="CURVES.png",
                        help="draw the training and validation loss and accuracy per epoch")
    output.add_argument("--checkpoint-dir", metavar="DIR",
                        help="write the model and optimizer state there after every epoch")
    output.add_argument("--resume", action="store_true",
                        help="continue from the last checkpoint in --checkpoint-dir")
    add_cluster_options(parser)  # --scheduler, --workers: see cluster_train.py
    return parser


def _add_training_options(group) -> None:
    group.add_argument("--epochs", type=options.positive_int, default=100,
                       help="passes over the training rows (default: 100)")
    group.add_argument("--batch-size", type=options.positive_int, default=32, metavar="N",
                       help="rows per gradient step (default: 32)")
    group.add_argument("--lr", type=options.number(0.0, None, low_ok=False), default=0.01,
                       metavar="RATE", help="learning rate (default: 0.01)")
    group.add_argument("--optimizer", choices=_OPTIMIZERS, default="adam",
                       help="default: adam; lbfgs is full-batch and needs SciPy")
    group.add_argument("--l2", type=options.number(0.0, None, low_ok=True), default=0.0,
                       metavar="LAMBDA", help="L2 penalty on the weights (default: 0)")
    group.add_argument("--dropout", type=options.number(0.0, 1.0, low_ok=True), default=0.0,
                       metavar="P", help="dropout rate of hidden units, in [0, 1) "
                                         "(default: 0)")
    group.add_argument("--patience", type=options.positive_int, metavar="N",
                       help="stop early after N epochs without a lower validation loss and "
                            "keep the best weights (default: train all epochs)")
    group.add_argument("--validation-split", type=options.number(0.0, 1.0, low_ok=True),
                       default=0.2, metavar="FRACTION",
                       help="share of rows held out for validation, in [0, 1) "
                            "(default: 0.2)")
    group.add_argument("--seed", type=options.seed, default=42,
                       help="seed of the split, the initial weights and the shuffling; "
                            "the same seed gives the same model on the same kernel path "
                            "(NumPy, or Numba for large runs; NUMPYNN_KERNELS=numpy|numba "
                            "fixes it) (default: 42)")
    group.add_argument("--quiet", "-q", action="store_true",
                       help="no progress bar")


# ------------------------------------------------------------------------------ the steps


@dataclass
class _Source:
    """The training data: its file, its name in the report, the target column."""

    path: Path
    name: str
    target: str


@dataclass
class _Outputs:
    """The files the run writes, each checked before training."""

    model: Path
    plot: str | None  # as given: the messages name it so
    checkpoint_dir: Path | None


@dataclass
class _Features:
    """The fitted encodings and the encoded rows: float32 features, encoded targets."""

    enc: Any  # tabular.TargetEncoder
    pre: Any  # tabular.Preprocessor
    train_rows: np.ndarray  # int64 (n_train,)
    val_rows: np.ndarray  # int64 (n_validation,)
    X_train: np.ndarray  # float32 (n_train, n_features)
    y_train: np.ndarray  # int labels (n_train,) or float32 (n_train, 1)
    validation: tuple[np.ndarray, np.ndarray] | None


def run(args: argparse.Namespace) -> int:
    """Train, report and save; exit status 0."""
    if wants_cluster(args):
        return run_on_cluster(args)
    source = _data_source(args)
    table = _read_data(source)
    outputs = _check_outputs(args, source)
    features = _fit_features(table, source.target, args)
    net = _build_network(features, args)
    metadata = _training_metadata(source, table, features, args)
    net.metadata = metadata  # fit's checkpoints store it: they carry the preprocessing too
    start_epoch = _start_epoch(outputs.checkpoint_dir, metadata, net, args)
    _describe_training(source, table, features, net, args)
    if args.resume:
        _describe_resume(outputs.checkpoint_dir, start_epoch, args.epochs)
    history, seconds = _fit(net, features, outputs.checkpoint_dir, start_epoch, args)
    results = _results(TrainedModel(outputs.model, net, features.pre, features.enc),
                       features, history)
    _report(history, results, seconds, start_epoch, features, args)
    _save(net, {**metadata, "results": results}, history, outputs, source)
    return 0


def _data_source(args: argparse.Namespace) -> _Source:
    """Check the combinations of options; the data file (iris by default) and target."""
    parser: argparse.ArgumentParser = args.parser
    if args.resume and not args.checkpoint_dir:
        parser.error("--resume needs --checkpoint-dir DIR")
    if args.optimizer == "lbfgs" and args.checkpoint_dir:
        parser.error("--checkpoint-dir does not work with --optimizer lbfgs (a full-batch "
                     "method run by SciPy)")
    if args.data is None:
        from ..tabular.datasets import iris_path

        return _Source(Path(iris_path()), "iris (bundled with numpynn)",
                       args.target or "species")
    if not args.target:
        parser.error("--target COLUMN is required with DATA.csv")
    return _Source(Path(args.data), args.data, args.target)


def _read_data(source: _Source):
    """The table of ``source``; problems with the data first, before the outputs."""
    from ..io.model_files import _import_safetensors
    from ..tabular import read_csv

    _import_safetensors()  # the model is saved at the end: fail now if it cannot be
    table = read_csv(source.path)
    require_column(table, source.target, "--target")  # names the columns, "did you mean"
    check_numeric_columns(table, table.columns)
    return table


def _check_outputs(args: argparse.Namespace, source: _Source) -> _Outputs:
    """The model file, plot and checkpoint directory, each checked before any work."""
    out = Path(args.out if args.out is not None else DEFAULT_MODEL)
    protect = [(source.path, "training data")]
    check_output_path(out, "model file", protect=protect)
    if args.out is None and out.exists():
        raise CommandError(f"{str(out)!r} already exists; pass --out {out} to replace it, or "
                           "--out with another name")
    if args.plot:
        plot_path = Path(args.plot)
        check_output_path(plot_path, "plot file",
                          protect=[*protect, (out, "model file (--out)")])
        if plot_path.resolve() == out.resolve():
            raise CommandError("--plot and --out name the same file")
        check_plot_format(plot_path)
    checkpoint_dir = Path(args.checkpoint_dir) if args.checkpoint_dir else None
    if checkpoint_dir is not None and checkpoint_dir.exists() and not checkpoint_dir.is_dir():
        raise CommandError(f"--checkpoint-dir {str(checkpoint_dir)!r} is not a directory")
    return _Outputs(out, args.plot or None, checkpoint_dir)


def _fit_features(table, target: str, args: argparse.Namespace) -> _Features:
    """Split the rows, fit the encodings on the training rows, encode every row."""
    from ..tabular import Preprocessor, TargetEncoder

    task = None if args.task == "auto" else args.task
    enc = TargetEncoder.fit(table, target, task=task)  # task and every class label
    train_rows, val_rows = split_rows(table.n_rows, args.validation_split, args.seed)
    train_table = table.take(train_rows)
    pre = Preprocessor.fit(train_table, target)
    if not enc.is_classification:  # regression: mean and std of the training rows only
        enc = TargetEncoder.fit(train_table, target, task="regression")
    X = transform(pre, table)
    y = enc.transform(table)
    validation = (X[val_rows], y[val_rows]) if val_rows.size else None
    return _Features(enc, pre, train_rows, val_rows, X[train_rows], y[train_rows], validation)


def _build_network(features: _Features, args: argparse.Namespace):
    from ..network import NeuralNetwork

    return NeuralNetwork(
        features.pre.n_features, *args.hidden, features.enc.n_outputs,
        hidden_activation=args.activation,
        output_activation="softmax" if features.enc.is_classification else "identity",
        seed=args.seed,
    )


def _training_metadata(source: _Source, table, features: _Features, args: argparse.Namespace
                       ) -> dict[str, Any]:
    """What the model file (and every checkpoint) stores beside the weights."""
    enc, pre = features.enc, features.pre
    return {
        "format": METADATA_FORMAT,
        "version": METADATA_VERSION,
        "task": enc.task,
        "target": source.target,
        "classes": list(enc.classes) if enc.is_classification else None,
        "feature_names": pre.feature_names,
        "preprocessor": pre.to_dict(),
        "target_encoder": enc.to_dict(),
        "training": {
            "data": source.path.name, "data_sha256": file_sha256(source.path),
            "rows": table.n_rows, "training_rows": int(features.train_rows.size),
            "validation_rows": int(features.val_rows.size), "target": source.target,
            "task": args.task, "validation_split": args.validation_split, "seed": args.seed,
            "hidden": list(args.hidden), "activation": args.activation,
            "optimizer": args.optimizer, "learning_rate": args.lr,
            "batch_size": args.batch_size, "l2": args.l2, "dropout": args.dropout,
        },
    }


def _start_epoch(checkpoint_dir: Path | None, metadata: dict, net, args: argparse.Namespace
                 ) -> int:
    """The epoch fit resumes from: 0 without --resume or without a checkpoint yet."""
    if checkpoint_dir is None:
        return 0
    if args.resume:
        return check_checkpoint(checkpoint_dir, metadata, net, args.activation)
    refuse_old_checkpoints(checkpoint_dir)
    return 0


def _describe_training(source: _Source, table, features: _Features, net,
                       args: argparse.Namespace) -> None:
    enc, pre = features.enc, features.pre
    if enc.is_classification:
        classes = list(enc.classes)
        shown = ", ".join(classes[:8]) + (f", ... ({len(classes)} in all)"
                                          if len(classes) > 8 else "")
        task = f"classification into {len(classes)} classes ({shown})"
    else:
        task = "regression"
    info(f"data: {source.name}, {table.n_rows} rows; target {source.target!r}: {task}")
    numeric, text = pre.numeric_columns, pre.categorical_columns
    info(f"features: {pre.n_features} from {len(numeric)} numeric column"
         f"{'s' if len(numeric) != 1 else ''} (standardised) and {len(text)} text column"
         f"{'s' if len(text) != 1 else ''} (one-hot)")
    hidden = f"{args.activation} hidden, " if net.num_layers > 1 else ""
    how = "lbfgs (full batch)" if args.optimizer == "lbfgs" else \
        f"{args.optimizer}, learning rate {args.lr:g}, batch size {args.batch_size}"
    info(f"network: {arch(net)}, {hidden}{net.output_activation} output, "
         f"{net.num_weights} parameters; {how}")
    info(f"split: {features.train_rows.size} training rows, {features.val_rows.size} "
         f"validation rows (seed {args.seed})")


def _describe_resume(checkpoint_dir: Path | None, start_epoch: int, epochs: int) -> None:
    if start_epoch:
        info(f"resuming from epoch {start_epoch} (the last checkpoint in "
             f"{checkpoint_dir}); training epochs {start_epoch + 1} to {epochs}")
    else:
        info(f"no checkpoint in {checkpoint_dir} yet; starting from epoch 1")
    if start_epoch >= epochs:
        info(f"the checkpoint has all {epochs} epochs already; pass a larger "
             "--epochs to train longer")


def _fit(net, features: _Features, checkpoint_dir: Path | None, start_epoch: int,
         args: argparse.Namespace):
    """Train ``net`` in place with a progress bar; the history and the seconds it took."""
    progress = EpochProgress(args.epochs, min(start_epoch, args.epochs),
                             enabled=not args.quiet)
    started = time.monotonic()
    try:
        # overflow on the way to a NaN loss is reported once, as TrainingDivergedError
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            history = net.fit(
                features.X_train, features.y_train,
                epochs=args.epochs, batch_size=args.batch_size, optimizer=args.optimizer,
                learning_rate=args.lr, l2=args.l2, dropout=args.dropout, seed=args.seed,
                validation_data=features.validation, callbacks=[progress], progress=False,
                early_stopping=args.patience is not None, patience=args.patience or 10,
                checkpoint_dir=checkpoint_dir, resume=args.resume,
            )
    except TrainingDivergedError as exc:  # the library counts epochs from 0
        where = f" (the last checkpoint in {checkpoint_dir} is intact)" if checkpoint_dir else ""
        raise CommandError(
            f"training diverged in epoch {exc.epoch + 1}: the loss became {exc.loss}; try a "
            f"smaller --lr than {args.lr:g}; no model was saved{where}"
        ) from None
    finally:
        progress.close()
    return history, time.monotonic() - started


def _results(model: TrainedModel, features: _Features, history) -> dict[str, Any]:
    """The run's epochs and the scores on the training (and validation) rows."""
    results = {"epochs": history.epochs, "best_epoch": history.best_epoch,
               "stopped_early": history.stopped_early,
               "training": model_metrics(model, features.X_train, features.y_train)}
    if features.validation is not None:
        results["validation"] = model_metrics(model, *features.validation)
    return results


def _report(history, results: dict[str, Any], seconds: float, start_epoch: int,
            features: _Features, args: argparse.Namespace) -> None:
    ran = max(0, history.epochs - start_epoch)
    info(f"trained {ran} epoch{'s' if ran != 1 else ''} in {_duration(seconds)}"
         + (f" ({history.epochs} in all)" if start_epoch else ""))
    if history.stopped_early and history.best_epoch is not None:
        monitored = "validation" if features.validation is not None else "training"
        info(f"stopped early: no lower {monitored} loss for {args.patience} epochs; kept the "
             f"weights of epoch {history.best_epoch + 1}")
    print_results(results, features.enc.is_classification)


def _save(net, metadata: dict[str, Any], history, outputs: _Outputs, source: _Source
          ) -> None:
    """Write the model file, then draw the training curves if asked for."""
    net.save(outputs.model, metadata=metadata)
    info(f"saved the model to {outputs.model}")
    if outputs.plot is not None:
        from ..plots import plot_history

        plot_history(history, outputs.plot, **curve_units(metadata),
                     title=f"{source.name}: {source.target}, network {arch(net)}")
        info(f"saved the training curves to {outputs.plot}")
