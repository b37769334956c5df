"""``numpynn train``: train a network on a table and save it with its preprocessing.

The work is :class:`numpynn.tabular.TableModel`'s (so a model trained here and one trained
in Python are the same kind of file); :func:`run` is a list of named steps around it:
check the options and read the data, check every output path, prepare the model (column
roles, encodings, the network and its metadata), check the checkpoints to resume from, fit,
report and save. Every problem the user can fix is found before training starts.
"""

from __future__ import annotations

import argparse
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import TrainingDivergedError
from ..io.checkpoints import DamagedCheckpointWarning, has_checkpoints
from ..training.progress import EpochProgress, _duration
from .checkpoints import check_checkpoint, refuse_old_checkpoints
from .cluster_train import run as run_on_cluster
from .cluster_train import wants_cluster
from .common import (
    CommandError,
    TrainedModel,
    arch,
    check_output_path,
    check_plot_format,
    curve_units,
    info,
    looks_like_model,
)
from .interrupts import InterruptGuard
from .metrics import model_metrics, print_results
from .train_parser import DEFAULT_MODEL, add_parser, refuse_lbfgs_options
from .train_recipe import recipe_of, run_recipe
from .training_data import FileHash, check_numeric_columns, describe_data

__all__ = ["add_parser", "run", "DEFAULT_MODEL"]


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


def run(args: argparse.Namespace) -> int:
    """Train, report and save; exit status 0."""
    if wants_cluster(args):
        return run_on_cluster(args)
    source = _data_source(args)
    recipe = recipe_of(args)  # realmlp unless plain-network options: train_recipe.py
    table = _read_data(source, args)
    outputs = _check_outputs(args, source)
    if recipe == "realmlp":
        return run_recipe(args, table, source, outputs)
    model, prepared = _prepare(table, source, args)
    metadata = model.metadata_
    metadata["training"].update(data=source.path.name, task=args.task)
    # the hash: for checkpoints now, else on the core training leaves idle, for the file
    digest = FileHash(source.path)
    if outputs.checkpoint_dir is not None:
        metadata["training"]["data_sha256"] = digest.hexdigest()
    start_epoch = _start_epoch(outputs.checkpoint_dir, metadata, model.network_, args)
    _describe_training(source, model, prepared, args)
    if args.resume:
        _describe_resume(outputs.checkpoint_dir, start_epoch, args.epochs)
    history, seconds = _fit(model, prepared, outputs.checkpoint_dir, start_epoch, args)
    trained = TrainedModel(outputs.model, model.network_, model.preprocessor_,
                           model.target_encoder_)
    results = _results(trained, prepared, history)
    metadata["training"]["data_sha256"] = digest.hexdigest()
    _report(history, results, seconds, start_epoch, prepared, args)
    _save(model.network_, {**metadata, "results": results}, history, outputs, source)
    return 0


def _data_source(args: argparse.Namespace) -> _Source:
    """Check the combinations of options; the data file (iris by default) and target."""
    parser: argparse.ArgumentParser = args.parser
    if args.resume and not args.checkpoint_dir:
        parser.error("--resume needs --checkpoint-dir DIR")
    if args.optimizer == "lbfgs" and args.checkpoint_dir:
        parser.error("--checkpoint-dir does not work with --optimizer lbfgs (a full-batch "
                     "method run by SciPy)")
    refuse_lbfgs_options(args)
    if args.data is None:
        from ..tabular.datasets import iris_path

        return _Source(Path(iris_path()), "iris (bundled with numpynn)",
                       args.target or "species")
    if not args.target:
        parser.error("--target COLUMN is required with DATA")
    return _Source(Path(args.data), args.data, args.target)


def _read_data(source: _Source, args: argparse.Namespace):
    """The table of ``source``; problems with the data first, before the outputs."""
    from ..io.model_files import _import_safetensors
    from ..tabular import read_table
    from ..tabular.roles import check_present

    _import_safetensors()  # the model is saved at the end: fail now if it cannot be
    if looks_like_model(source.path):  # not "not UTF-8 ...: pass --encoding latin-1"
        raise CommandError(f"{source.name} is a model file, not a data table; train reads "
                           "a CSV, Parquet or Feather file")
    table = read_table(source.path, delimiter=args.delimiter, encoding=args.encoding,
                       na_values=args.na_values)
    check_present(table, [source.target], "--target")
    left_out = {*args.drop, *args.id_columns}
    used = args.features if args.features is not None else \
        [c for c in table.columns if c not in left_out]
    check_present(table, [c for c in used if c != source.target], "--features")
    check_numeric_columns(table, [source.target, *used])
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
    if checkpoint_dir is not None:
        for path, option in ((out, "--out"), (Path(args.plot) if args.plot else None, "--plot")):
            if path is not None and checkpoint_dir.resolve() in path.resolve().parents:
                raise CommandError(f"{option} {str(path)!r} is inside --checkpoint-dir "
                                   f"{str(checkpoint_dir)!r}, whose files the checkpoints "
                                   "replace; write it elsewhere")
    return _Outputs(out, args.plot or None, checkpoint_dir)


def _prepare(table, source: _Source, args: argparse.Namespace):
    """The TableModel of the options and its prepared data (encoded rows, fresh network)."""
    from ..tabular import TableModel

    model = TableModel(
        hidden=args.hidden, activation=args.activation,
        task=None if args.task == "auto" else args.task, epochs=args.epochs,
        batch_size=args.batch_size, learning_rate=args.lr, optimizer=args.optimizer,
        l2=args.l2, dropout=args.dropout, early_stopping=args.early_stopping,
        patience=args.patience, validation_split=args.validation_split,
        class_weight=args.class_weight, max_categories=args.max_categories, seed=args.seed)
    with warnings.catch_warnings():  # every unseen category of the validation rows, once
        warnings.simplefilter("always")
        prepared = model.prepare(table, source.target, features=args.features,
                                 drop=args.drop, id_columns=args.id_columns,
                                 categorical=args.categorical, keep=args.keep,
                                 na_values=args.na_values)
    return model, prepared


def _start_epoch(checkpoint_dir: Path | None, metadata: dict, net, args: argparse.Namespace
                 ) -> int:
    """The epoch fit resumes from: 0 without --resume or without a checkpoint yet."""
    if checkpoint_dir is None:
        return 0
    if args.resume:
        return check_checkpoint(checkpoint_dir, metadata, net, args.activation, args.optimizer)
    refuse_old_checkpoints(checkpoint_dir)
    return 0


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _describe_training(source: _Source, model, prepared, args: argparse.Namespace) -> None:
    pre, net = model.preprocessor_, model.network_
    describe_data(model, prepared, source)
    numeric, text = pre.numeric_columns, pre.categorical_columns
    info(f"features: {pre.n_features} from {_plural(len(numeric), 'numeric column')} "
         f"(standardised) and {_plural(len(text), 'text column')} (one-hot)")
    hidden = f"{args.activation} hidden, " if net.num_layers > 1 else ""
    how = "lbfgs (full batch)" if args.optimizer == "lbfgs" else \
        f"{args.optimizer}, learning rate {model.fit_learning_rate:g}, batch size " \
        f"{args.batch_size}"
    weights = ", balanced class weights" if args.class_weight else ""
    info(f"network: {arch(net)}, {hidden}{net.output_activation} output, "
         f"{net.num_weights} parameters; {how}{weights}")
    info(f"split: {prepared.train_rows.size} training rows, {prepared.val_rows.size} "
         f"validation rows (seed {args.seed})")
    monitored = "validation" if prepared.val_rows.size else "training"
    if args.early_stopping:  # lbfgs too: its iterations are the epochs
        info(f"early stopping: keeps the epoch with the lowest {monitored} loss and stops "
             f"after {args.patience} epochs without a lower one (--patience, "
             "--no-early-stopping)")


def _describe_resume(checkpoint_dir: Path | None, start_epoch: int, epochs: int) -> None:
    if not start_epoch:
        info(f"no checkpoint in {checkpoint_dir} yet; starting from epoch 1")
    elif start_epoch < epochs:
        info(f"resuming from epoch {start_epoch} (the last checkpoint in "
             f"{checkpoint_dir}); training epochs {start_epoch + 1} to {epochs}")
    else:  # nothing to train: no "epochs 21 to 20"
        info(f"resuming from epoch {start_epoch} (the last checkpoint in "
             f"{checkpoint_dir}), which has all {epochs} epochs of --epochs already; pass "
             "a larger --epochs to train longer")


def _fit(model, prepared, checkpoint_dir: Path | None, start_epoch: int,
         args: argparse.Namespace):
    """Train in place with a progress bar; the history and the seconds it took."""
    progress = EpochProgress(args.epochs, min(start_epoch, args.epochs),
                             enabled=not args.quiet)
    started = time.monotonic()
    try:
        # overflow on the way to a NaN loss is reported once, as TrainingDivergedError; a
        # damaged checkpoint was reported once, when it was skipped before training
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"), \
                warnings.catch_warnings(), InterruptGuard() as interrupted:
            warnings.simplefilter("ignore", DamagedCheckpointWarning)
            history = model.train(prepared, callbacks=[progress, interrupted],
                                  checkpoint_dir=checkpoint_dir, resume=args.resume)
    except TrainingDivergedError as exc:  # the library counts epochs from 0
        where = f" (the last checkpoint in {checkpoint_dir} is intact)" \
            if checkpoint_dir is not None and has_checkpoints(checkpoint_dir) else ""
        rate = model.fit_learning_rate  # None for lbfgs
        hint = f"; try a smaller --lr than {rate:g}" if rate is not None else ""
        raise CommandError(
            f"training diverged in epoch {exc.epoch + 1}: the loss became {exc.loss}{hint}; "
            f"no model was saved{where}"
        ) from None
    finally:
        progress.close()
    return history, time.monotonic() - started


def _results(model: TrainedModel, prepared, history) -> dict[str, Any]:
    """The run's epochs and the scores on the training (and validation) rows."""
    results = {"epochs": history.epochs, "best_epoch": history.best_epoch,
               "stopped_early": history.stopped_early,
               "training": model_metrics(model, prepared.X_train, prepared.y_train)}
    if prepared.validation is not None:
        results["validation"] = model_metrics(model, *prepared.validation)
    return results


def _report(history, results: dict[str, Any], seconds: float, start_epoch: int,
            prepared, args: argparse.Namespace) -> None:
    ran = max(0, history.epochs - start_epoch)
    info(f"trained {_plural(ran, 'epoch')} in {_duration(seconds)}"
         + (f" ({history.epochs} in all)" if start_epoch else ""))
    monitored = "validation" if prepared.validation is not None else "training"
    best = history.best_epoch
    if args.early_stopping and best is not None:
        if history.stopped_early:
            info(f"stopped early: no lower {monitored} loss for {args.patience} epochs; kept "
                 f"the weights of epoch {best + 1}")
        elif best + 1 < history.epochs:
            info(f"kept the weights of epoch {best + 1} (the lowest {monitored} loss)")
    print_results(results, classification=prepared.y_train.ndim == 1)


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
