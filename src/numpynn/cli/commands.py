"""The ``numpynn`` command: ``demo``, ``train``, ``predict``, ``evaluate``, ``inspect``.

A thin adapter over the library: :mod:`numpynn.tabular` turns CSV columns into float32
features, :class:`numpynn.NeuralNetwork` trains on them, and the preprocessing state travels
in the model file's metadata (``net.save(path, metadata=...)``), so ``predict`` and
``evaluate`` apply exactly the training-time encoding.

Errors the user can cause (missing files, unknown columns, bad values, damaged model files,
bad options) end as one line ``numpynn: error: ...`` on stderr with exit status 1 (2 for
command-line usage errors, 130 after Ctrl-C), never a traceback. Set the environment variable
``NUMPYNN_TRACEBACK=1`` to see the traceback of such an error. Every file the command writes
is written to a temporary file beside the target and renamed over it, so no output file is
ever left half-written.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import math
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._version import __version__
from ..errors import ModelFileError, TrainingDivergedError
from ..io.atomic import atomic_open
from ..training.progress import EpochProgress, _duration

__all__ = ["main", "build_parser"]

PROG = "numpynn"
#: Model file written by ``numpynn train`` when ``--out`` is not given.
DEFAULT_MODEL = "model.safetensors"
#: ``format`` / ``version`` of the metadata ``numpynn train`` stores in a model file.
METADATA_FORMAT = "numpynn.cli.train"
METADATA_VERSION = 1

_HIDDEN_ACTIVATIONS = ("relu", "leaky_relu", "tanh", "logistic", "identity")
_OPTIMIZERS = ("adam", "adamw", "sgd", "lbfgs")
#: A text column whose non-missing values are numbers except for at most this share is taken
#: to be a numeric column with bad values (an error), not a text column.
_STRAY_TEXT_SHARE = 0.1


class _CommandError(Exception):
    """An error in the user's request, reported as ``numpynn: error: <message>``."""


# --------------------------------------------------------------------------------------------
# Argument parsing
# --------------------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error message (``numpynn: error: ...``), exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{PROG}: error: {_one_line(message)} (see '{self.prog} --help')\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return value


def _number(low: float, high: float | None, *, low_ok: bool, high_ok: bool = False,
            ) -> Callable[[str], float]:
    """A parser of finite floats in the interval (low or [low, high) or high])."""
    lo = "[" if low_ok else "("
    if high is None:
        wanted = f"a number {'>=' if low_ok else '>'} {low:g}"
    else:
        wanted = f"a number in {lo}{low:g}, {high:g}{']' if high_ok else ')'}"

    def parse(text: str) -> float:
        try:
            value = float(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {wanted}, got {text!r}") from None
        ok = math.isfinite(value) and (value >= low if low_ok else value > low)
        if high is not None:
            ok = ok and (value <= high if high_ok else value < high)
        if not ok:
            raise argparse.ArgumentTypeError(f"expected {wanted}, got {text!r}")
        return value

    return parse


def _hidden_sizes(text: str) -> tuple[int, ...]:
    """``"16,16"`` -> ``(16, 16)``; ``"none"`` or ``""`` -> ``()`` (no hidden layer)."""
    stripped = text.strip()
    if stripped.lower() in ("", "none"):
        return ()
    sizes = []
    for part in stripped.split(","):
        part = part.strip()
        if not part.isdigit() or int(part) < 1:
            raise argparse.ArgumentTypeError(
                f"expected hidden layer sizes as whole numbers >= 1 separated by commas "
                f"(e.g. 16,16), or 'none', got {text!r}"
            )
        sizes.append(int(part))
    return tuple(sizes)


_TRAIN_EPILOG = """\
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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``numpynn`` command and its subcommands."""
    parser = _Parser(
        prog=PROG,
        description="Modern neural networks in Python and NumPy: train multi-layer perceptrons "
                    "on CSV files, predict, evaluate and inspect them.",
        epilog="Run 'numpynn COMMAND --help' for the options of a command. "
               "'numpynn train' with no arguments trains on the bundled iris data set.",
    )
    parser.add_argument("--version", action="version", version=f"numpynn {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    demo = commands.add_parser(
        "demo", help="the article's 3-4-2 input-output demo, step by step",
        description="Run the article's 3-4-2 leaky-ReLU/softmax demo: weights 0.01..0.26, "
                    "inputs (3.0, 4.0, -4.5), outputs (0.4973, 0.5027).",
    )
    demo.set_defaults(handler=_cmd_demo, parser=demo)

    train = commands.add_parser(
        "train", help="train a network on a CSV file and save it",
        description="Train a multi-layer perceptron on a CSV file with a header row and save\n"
                    "it, with its preprocessing, to a safetensors model file.",
        epilog=_TRAIN_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    train.add_argument("data", nargs="?", metavar="DATA.csv",
                       help="CSV file with a header row (default: the bundled iris data set, "
                            "target species)")
    train.add_argument("--target", metavar="COLUMN",
                       help="the column to predict (required with DATA.csv)")
    train.add_argument("--task", choices=("auto", "classification", "regression"),
                       default="auto", help="override the task detection (default: auto)")
    net = train.add_argument_group("network")
    net.add_argument("--hidden", type=_hidden_sizes, default=(16, 16), metavar="SIZES",
                     help="hidden layer sizes, comma-separated, or 'none' (default: 16,16)")
    net.add_argument("--activation", choices=_HIDDEN_ACTIVATIONS, default="leaky_relu",
                     help="hidden activation (default: leaky_relu)")
    fitting = train.add_argument_group("training")
    fitting.add_argument("--epochs", type=_positive_int, default=100,
                         help="passes over the training rows (default: 100)")
    fitting.add_argument("--batch-size", type=_positive_int, default=32, metavar="N",
                         help="rows per gradient step (default: 32)")
    fitting.add_argument("--lr", type=_number(0.0, None, low_ok=False), default=0.01,
                         metavar="RATE", help="learning rate (default: 0.01)")
    fitting.add_argument("--optimizer", choices=_OPTIMIZERS, default="adam",
                         help="default: adam; lbfgs is full-batch and needs SciPy")
    fitting.add_argument("--l2", type=_number(0.0, None, low_ok=True), default=0.0,
                         metavar="LAMBDA", help="L2 penalty on the weights (default: 0)")
    fitting.add_argument("--dropout", type=_number(0.0, 1.0, low_ok=True), default=0.0,
                         metavar="P", help="dropout rate of hidden units, in [0, 1) "
                                           "(default: 0)")
    fitting.add_argument("--patience", type=_positive_int, metavar="N",
                         help="stop early after N epochs without a lower validation loss and "
                              "keep the best weights (default: train all epochs)")
    fitting.add_argument("--validation-split", type=_number(0.0, 1.0, low_ok=True),
                         default=0.2, metavar="FRACTION",
                         help="share of rows held out for validation, in [0, 1) "
                              "(default: 0.2)")
    fitting.add_argument("--seed", type=_seed, default=42,
                         help="seed of the split, the initial weights and the shuffling; "
                              "same seed, same model (default: 42)")
    fitting.add_argument("--quiet", "-q", action="store_true",
                         help="no progress bar")
    output = train.add_argument_group("output")
    output.add_argument("--out", metavar="MODEL.safetensors",
                        help=f"model file to write (default: {DEFAULT_MODEL}, which is never "
                             "replaced unless named here)")
    output.add_argument("--plot", metavar="CURVES.png",
                        help="draw the training and validation loss and accuracy per epoch")
    output.add_argument("--checkpoint-dir", metavar="DIR",
                        help="write the model and optimizer state there after every epoch")
    output.add_argument("--resume", action="store_true",
                        help="continue from the last checkpoint in --checkpoint-dir")
    train.set_defaults(handler=_cmd_train, parser=train)

    predict = commands.add_parser(
        "predict", help="predict with a trained model; writes CSV",
        description="Apply a model from 'numpynn train' to the rows of a CSV file and write one "
                    "prediction per row as CSV (to stdout unless --out). The stored "
                    "preprocessing is applied; a target column, if present, is ignored.",
    )
    predict.add_argument("model", metavar="MODEL")
    predict.add_argument("data", metavar="DATA.csv")
    predict.add_argument("--proba", action="store_true",
                         help="classification: write one probability column per class")
    predict.add_argument("--out", metavar="FILE",
                         help="write the CSV to FILE (replaced if it exists) instead of "
                              "stdout ('-')")
    predict.set_defaults(handler=_cmd_predict, parser=predict)

    evaluate = commands.add_parser(
        "evaluate", help="score a trained model on labelled CSV data",
        description="Score a model on labelled rows: accuracy, log-loss and the confusion "
                    "matrix for classification; RMSE, MAE and R^2 (in the target's units) "
                    "for regression.",
    )
    evaluate.add_argument("model", metavar="MODEL")
    evaluate.add_argument("data", metavar="DATA.csv")
    evaluate.add_argument("--target", metavar="COLUMN",
                          help="the column with the true values (default: the model's target "
                               "column)")
    evaluate.set_defaults(handler=_cmd_evaluate, parser=evaluate)

    inspect = commands.add_parser(
        "inspect", help="show a model's architecture, parameters and weights",
        description="Print a model file's architecture, parameter counts, preprocessing and "
                    "the weights and biases of every layer.",
    )
    inspect.add_argument("model", metavar="MODEL")
    inspect.add_argument("--diagram", metavar="NET.png",
                         help="also draw the network (nodes and weighted connections)")
    inspect.add_argument("--no-weights", action="store_true",
                         help="leave out the weight values")
    inspect.set_defaults(handler=_cmd_inspect, parser=inspect)
    from . import export  # numpynn export (cli/export.py); moves to cli/main.py in the split
    export.add_parser(commands)
    return parser


# --------------------------------------------------------------------------------------------
# Small helpers: messages, files
# --------------------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _message(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror and exc.filename is not None:
        return _one_line(f"{exc.filename}: {exc.strerror}")
    if isinstance(exc, MemoryError):
        return "out of memory"
    return _one_line(str(exc) or type(exc).__name__)


def _info(text: str = "") -> None:
    print(text, flush=True)


def _warn(text: str) -> None:
    print(f"{PROG}: warning: {_one_line(text)}", file=sys.stderr, flush=True)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    _warn(str(message))


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _check_output_path(path: Path, what: str, *, protect: Iterable[tuple[Path, str]] = ()
                       ) -> None:
    """Fail early (before any work) when ``path`` cannot be written or names an input."""
    if path.is_dir():
        raise _CommandError(f"{what} {str(path)!r} is a directory")
    parent = path.parent
    if not parent.is_dir():
        raise _CommandError(f"cannot write {what} {str(path)!r}: directory {str(parent)!r} "
                            "does not exist")
    for other, name in protect:
        if _same_file(path, other):
            raise _CommandError(f"{what} {str(path)!r} is the {name}; refusing to overwrite it")


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_plot_format(path: Path) -> None:
    """Fail before training when matplotlib is missing or cannot write this suffix."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise _CommandError("--plot and --diagram need matplotlib: "
                            "pip install 'numpynn[plot]'") from None
    fmt = path.suffix[1:].lower() or "png"
    supported = Figure().canvas.get_supported_filetypes()
    if fmt not in supported:
        raise _CommandError(f"cannot draw {str(path)!r}: unknown image format {fmt!r}; use one "
                            f"of {', '.join(sorted(supported))}")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _check_numeric_columns(table, columns: Sequence[str]) -> None:
    """Reject a column of numbers with a few text values: a typo, not a text column.

    ``Preprocessor`` treats any column holding a non-number as text; a numeric column with
    one bad cell would then be one-hot encoded value by value without a word.
    """
    from ..tabular import is_missing

    for name in columns:
        values = table.column(name)
        present = [i for i, v in enumerate(values) if not is_missing(v)]
        bad = [i for i in present if not _is_number(values[i])]
        if bad and len(bad) < len(present) and len(bad) <= _STRAY_TEXT_SHARE * len(present):
            first = bad[0]
            more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
            raise _CommandError(
                f"numeric column {name!r}: {table.where(first)} holds {values[first]!r}, which "
                f"is not a number{more}; fix it, or leave the cell empty (or NA) for a missing "
                "value"
            )


# --------------------------------------------------------------------------------------------
# What a trained model carries
# --------------------------------------------------------------------------------------------


@dataclass
class _TrainedModel:
    path: Path
    net: Any  # NeuralNetwork
    pre: Any  # tabular.Preprocessor
    enc: Any  # tabular.TargetEncoder

    @property
    def classification(self) -> bool:
        return self.enc.classes is not None


def _load_trained(path_text: str) -> _TrainedModel:
    """Load a model written by ``numpynn train``; ModelFileError if it is anything else."""
    from ..network import load
    from ..tabular import Preprocessor, TargetEncoder

    path = Path(path_text)
    net = load(path)
    meta = net.metadata
    if meta.get("format") != METADATA_FORMAT or "preprocessor" not in meta:
        raise ModelFileError(
            f"{path}: this model file has no preprocessing (it was not written by "
            "'numpynn train'); predict and evaluate need one that was"
        )
    try:
        pre = Preprocessor.from_dict(meta["preprocessor"])
        enc = TargetEncoder.from_dict(meta["target_encoder"])
    except (KeyError, ValueError, TypeError) as exc:
        raise ModelFileError(f"{path}: damaged preprocessing metadata: {_message(exc)}") from None
    if enc.classes is not None:
        consistent = (net.output_activation == "softmax"
                      and net.sizes[-1] == len(enc.classes))
    else:
        consistent = net.output_activation == "identity" and net.sizes[-1] == 1
    if not consistent or net.sizes[0] != pre.n_features:
        raise ModelFileError(
            f"{path}: the preprocessing metadata ({pre.n_features} features, "
            f"{enc.n_outputs} outputs) does not match the network {_arch(net)}"
        )
    return _TrainedModel(path, net, pre, enc)


def _arch(net) -> str:
    return "-".join(str(s) for s in net.sizes)


def _transform(pre, table) -> np.ndarray:
    """Features of ``table``; unseen categories are reported as warnings on stderr."""
    from ..tabular import UnseenCategoryWarning

    with warnings.catch_warnings():
        warnings.simplefilter("always", UnseenCategoryWarning)
        return pre.transform(table)


# --------------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------------


def _classification_metrics(net, X: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    from ..training import check_training_data, evaluate_loss

    loss, accuracy = evaluate_loss(net, check_training_data(net, X, labels))
    return {"accuracy": float(accuracy), "log_loss": float(loss)}


def _regression_metrics(predicted: np.ndarray, true: np.ndarray) -> dict[str, float]:
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


def _metrics(model: _TrainedModel, X: np.ndarray, y: np.ndarray) -> dict[str, float]:
    if model.classification:
        return _classification_metrics(model.net, X, y)
    predicted = model.enc.inverse_transform(model.net.eval(X))
    return _regression_metrics(predicted, model.enc.inverse_transform(y))


def _fmt(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "nan"
    return f"{value:.6g}" if abs(value) >= 1e5 or (value != 0 and abs(value) < 1e-4) else \
        f"{value:.4f}"


# --------------------------------------------------------------------------------------------
# Progress
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# demo
# --------------------------------------------------------------------------------------------


def _cmd_demo(args: argparse.Namespace) -> int:
    from ..display import run_demo

    run_demo()
    return 0


# --------------------------------------------------------------------------------------------
# train
# --------------------------------------------------------------------------------------------


def _split(n_rows: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    from ..tabular import train_validation_split

    if fraction == 0:
        return np.arange(n_rows, dtype=np.int64), np.empty(0, dtype=np.int64)
    if n_rows < 2:
        raise _CommandError(f"{n_rows} data row cannot be split into training and validation "
                            "rows; add rows or pass --validation-split 0")
    return train_validation_split(n_rows, fraction, seed=seed)


def _check_checkpoint(directory: Path, metadata: dict, net, args) -> int:
    """Before ``fit(resume=True)``: the epoch to resume from (0: no checkpoint yet).

    The checkpoint must come from the same data, split, preprocessing and network; otherwise
    resuming would quietly continue a different model.
    """
    from ..io.model_files import read_latest_checkpoint

    found = read_latest_checkpoint(directory)
    if found is None:
        return 0
    contents, _, state = found
    extra = contents.extra
    if extra.get("format") != METADATA_FORMAT:
        raise _CommandError(f"the checkpoint in {str(directory)!r} was not written by "
                            "'numpynn train'; cannot resume from it")
    old = extra.get("training", {})
    new = metadata["training"]
    for key, option in (("data_sha256", "DATA.csv"), ("target", "--target"),
                        ("validation_split", "--validation-split"), ("seed", "--seed"),
                        ("optimizer", "--optimizer"), ("task", "--task")):
        if old.get(key) != new.get(key):
            was = old.get(key)
            detail = "different data" if key == "data_sha256" else \
                f"{option} {was}" if was is not None else f"a different {option}"
            raise _CommandError(
                f"the checkpoint in {str(directory)!r} was made with {detail}; resume with the "
                f"same {option} as that run, or use a new --checkpoint-dir"
            )
    if (tuple(contents.sizes) != net.sizes
            or tuple(contents.hidden_activations) != net.hidden_activations
            or contents.output_activation != net.output_activation):
        raise _CommandError(
            f"the checkpoint in {str(directory)!r} is for a {'-'.join(map(str, contents.sizes))} "
            f"network ({', '.join(contents.hidden_activations) or 'no'} hidden activation), "
            f"this run builds {_arch(net)} ({args.activation}); check --hidden and --activation"
        )
    if extra.get("preprocessor") != metadata["preprocessor"] or \
            extra.get("target_encoder") != metadata["target_encoder"]:
        raise _CommandError(f"the checkpoint in {str(directory)!r} used a different "
                            "preprocessing of the data; use a new --checkpoint-dir")
    return int(state["epoch"]) + 1


def _cmd_train(args: argparse.Namespace) -> int:
    from ..network import NeuralNetwork
    from ..tabular import Preprocessor, TargetEncoder, read_csv

    parser: argparse.ArgumentParser = args.parser
    if args.resume and not args.checkpoint_dir:
        parser.error("--resume needs --checkpoint-dir DIR")
    if args.optimizer == "lbfgs" and args.checkpoint_dir:
        parser.error("--checkpoint-dir does not work with --optimizer lbfgs (a full-batch "
                     "method run by SciPy)")
    if args.data is None:
        from ..tabular.datasets import iris_path

        data_path = Path(iris_path())
        data_name = "iris (bundled with numpynn)"
        target = args.target or "species"
    else:
        if not args.target:
            parser.error("--target COLUMN is required with DATA.csv")
        data_path = Path(args.data)
        data_name = args.data
        target = args.target

    # problems with DATA first, then with the outputs, all before any training
    from ..io.model_files import _import_safetensors

    _import_safetensors()  # the model is saved at the end: fail now if it cannot be
    table = read_csv(data_path)
    table.column(target)  # ValueError naming the columns there are
    _check_numeric_columns(table, table.columns)
    out = Path(args.out if args.out is not None else DEFAULT_MODEL)
    protect = [(data_path, "training data")]
    _check_output_path(out, "model file", protect=protect)
    if args.out is None and out.exists():
        raise _CommandError(f"{str(out)!r} already exists; pass --out {out} to replace it, or "
                            "--out with another name")
    if args.plot:
        plot_path = Path(args.plot)
        _check_output_path(plot_path, "plot file",
                           protect=[*protect, (out, "model file (--out)")])
        if plot_path.resolve() == out.resolve():
            raise _CommandError("--plot and --out name the same file")
        _check_plot_format(plot_path)
    checkpoint_dir = Path(args.checkpoint_dir) if args.checkpoint_dir else None
    if checkpoint_dir is not None and checkpoint_dir.exists() and not checkpoint_dir.is_dir():
        raise _CommandError(f"--checkpoint-dir {str(checkpoint_dir)!r} is not a directory")

    # -- data -> features
    task = None if args.task == "auto" else args.task
    enc = TargetEncoder.fit(table, target, task=task)  # task and every class label
    train_rows, val_rows = _split(table.n_rows, args.validation_split, args.seed)
    train_table = table.take(train_rows)
    pre = Preprocessor.fit(train_table, target)
    if not enc.is_classification:  # regression: mean and std of the training rows only
        enc = TargetEncoder.fit(train_table, target, task="regression")
    X = _transform(pre, table)
    y = enc.transform(table)
    X_train, y_train = X[train_rows], y[train_rows]
    validation = (X[val_rows], y[val_rows]) if val_rows.size else None

    classification = enc.is_classification
    net = NeuralNetwork(
        pre.n_features, *args.hidden, enc.n_outputs,
        hidden_activation=args.activation,
        output_activation="softmax" if classification else "identity",
        seed=args.seed,
    )
    metadata: dict[str, Any] = {
        "format": METADATA_FORMAT,
        "version": METADATA_VERSION,
        "task": enc.task,
        "target": target,
        "classes": list(enc.classes) if classification else None,
        "feature_names": pre.feature_names,
        "preprocessor": pre.to_dict(),
        "target_encoder": enc.to_dict(),
        "training": {
            "data": data_path.name, "data_sha256": _file_sha256(data_path),
            "rows": table.n_rows, "training_rows": int(train_rows.size),
            "validation_rows": int(val_rows.size), "target": target, "task": args.task,
            "validation_split": args.validation_split, "seed": args.seed,
            "hidden": list(args.hidden), "activation": args.activation,
            "optimizer": args.optimizer, "learning_rate": args.lr,
            "batch_size": args.batch_size, "l2": args.l2, "dropout": args.dropout,
        },
    }
    net.metadata = metadata  # fit's checkpoints store it: they carry the preprocessing too

    start_epoch = 0
    if checkpoint_dir is not None:
        if args.resume:
            start_epoch = _check_checkpoint(checkpoint_dir, metadata, net, args)
        elif checkpoint_dir.is_dir() and any(checkpoint_dir.glob("checkpoint-epoch*")):
            raise _CommandError(
                f"{str(checkpoint_dir)!r} already holds checkpoints; pass --resume to continue "
                "from them, or choose another --checkpoint-dir"
            )

    _describe_training(data_name, table, target, enc, pre, net, train_rows, val_rows, args)
    if args.resume:
        if start_epoch:
            _info(f"resuming from epoch {start_epoch} (the last checkpoint in "
                  f"{checkpoint_dir}); training epochs {start_epoch + 1} to {args.epochs}")
        else:
            _info(f"no checkpoint in {checkpoint_dir} yet; starting from epoch 1")
        if start_epoch >= args.epochs:
            _info(f"the checkpoint has all {args.epochs} epochs already; pass a larger "
                  "--epochs to train longer")

    progress = EpochProgress(args.epochs, min(start_epoch, args.epochs),
                              enabled=not args.quiet)
    started = time.monotonic()
    try:
        # overflow on the way to a NaN loss is reported once, as TrainingDivergedError
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            history = net.fit(
                X_train, y_train,
                epochs=args.epochs, batch_size=args.batch_size, optimizer=args.optimizer,
                learning_rate=args.lr, l2=args.l2, dropout=args.dropout, seed=args.seed,
                validation_data=validation, callbacks=[progress], progress=False,
                early_stopping=args.patience is not None, patience=args.patience or 10,
                checkpoint_dir=checkpoint_dir, resume=args.resume,
            )
    except TrainingDivergedError as exc:  # the library counts epochs from 0
        where = f" (the last checkpoint in {checkpoint_dir} is intact)" if checkpoint_dir else ""
        raise _CommandError(
            f"training diverged in epoch {exc.epoch + 1}: the loss became {exc.loss}; try a "
            f"smaller --lr than {args.lr:g}; no model was saved{where}"
        ) from None
    finally:
        progress.close()
    seconds = time.monotonic() - started

    model = _TrainedModel(out, net, pre, enc)
    results = {"epochs": history.epochs, "best_epoch": history.best_epoch,
               "stopped_early": history.stopped_early,
               "training": _metrics(model, X_train, y_train)}
    if validation is not None:
        results["validation"] = _metrics(model, *validation)
    ran = max(0, history.epochs - start_epoch)
    _info(f"trained {ran} epoch{'s' if ran != 1 else ''} in {_duration(seconds)}"
          + (f" ({history.epochs} in all)" if start_epoch else ""))
    if history.stopped_early and history.best_epoch is not None:
        monitored = "validation" if validation is not None else "training"
        _info(f"stopped early: no lower {monitored} loss for {args.patience} epochs; kept the "
              f"weights of epoch {history.best_epoch + 1}")
    _print_results(results, classification)

    net.save(out, metadata={**metadata, "results": results})
    _info(f"saved the model to {out}")
    if args.plot:
        from ..plots import plot_history

        plot_history(history, args.plot,
                     title=f"{data_name}: {target}, network {_arch(net)}")
        _info(f"saved the training curves to {args.plot}")
    return 0


def _describe_training(data_name, table, target, enc, pre, net, train_rows, val_rows, args
                       ) -> None:
    if enc.is_classification:
        classes = list(enc.classes)
        shown = ", ".join(classes[:8]) + (f", ... ({len(classes)} in all)"
                                          if len(classes) > 8 else "")
        task = f"classification into {len(classes)} classes ({shown})"
    else:
        task = "regression"
    _info(f"data: {data_name}, {table.n_rows} rows; target {target!r}: {task}")
    numeric, text = pre.numeric_columns, pre.categorical_columns
    _info(f"features: {pre.n_features} from {len(numeric)} numeric column"
          f"{'s' if len(numeric) != 1 else ''} (standardised) and {len(text)} text column"
          f"{'s' if len(text) != 1 else ''} (one-hot)")
    hidden = f"{args.activation} hidden, " if net.num_layers > 1 else ""
    how = "lbfgs (full batch)" if args.optimizer == "lbfgs" else \
        f"{args.optimizer}, learning rate {args.lr:g}, batch size {args.batch_size}"
    _info(f"network: {_arch(net)}, {hidden}{net.output_activation} output, "
          f"{net.num_weights} parameters; {how}")
    _info(f"split: {train_rows.size} training rows, {val_rows.size} validation rows "
          f"(seed {args.seed})")


def _print_results(results: Mapping[str, Any], classification: bool) -> None:
    names = ("accuracy", "log_loss") if classification else ("rmse", "mae", "r2")
    _info(f"{'':12}" + "".join(f"{n:>12}" for n in names))
    for part in ("training", "validation"):
        if part in results:
            row = results[part]
            _info(f"{part:12}" + "".join(f"{_fmt(row[n]):>12}" for n in names))


# --------------------------------------------------------------------------------------------
# predict
# --------------------------------------------------------------------------------------------


def _cmd_predict(args: argparse.Namespace) -> int:
    from ..tabular import read_csv

    out = Path(args.out) if args.out and args.out != "-" else None
    if out is not None:
        _check_output_path(out, "output file", protect=[(Path(args.data), "input data"),
                                                        (Path(args.model), "model file")])
    model = _load_trained(args.model)
    if args.proba and not model.classification:
        raise _CommandError(f"--proba needs a classification model; {args.model} is a "
                            "regression model")
    table = read_csv(args.data)
    X = _transform(model.pre, table)
    outputs = model.net.eval(X)
    target = model.enc.name
    if model.classification and args.proba:
        header = [f"P({c})" for c in model.enc.classes]
        rows: Iterable[Sequence[str]] = (
            [format(float(p), ".6g") for p in row] for row in outputs.tolist())
    elif model.classification:
        header = [target]
        rows = ([label] for label in model.enc.to_strings(outputs.argmax(axis=1)))
    else:
        header = [target]
        rows = ([value] for value in model.enc.to_strings(outputs))
    if out is None:
        _write_csv(sys.stdout, header, rows)
        sys.stdout.flush()
    else:
        with atomic_open(out, "w", encoding="utf-8", newline="") as fh:
            _write_csv(fh, header, rows)
    return 0


def _write_csv(fh, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)


# --------------------------------------------------------------------------------------------
# evaluate
# --------------------------------------------------------------------------------------------


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from ..tabular import TargetEncoder, read_csv

    model = _load_trained(args.model)
    enc = model.enc
    if args.target and args.target != enc.name:
        if args.target in model.pre.input_columns:
            raise _CommandError(f"--target {args.target!r} is an input column of the model, "
                                f"not its target (the model predicts {enc.name!r})")
        enc = TargetEncoder.from_dict({**enc.to_dict(), "name": args.target})
    table = read_csv(args.data)
    y = enc.transform(table)
    X = _transform(model.pre, table)
    if model.classification:
        scores = _classification_metrics(model.net, X, y)
        _info(f"accuracy {scores['accuracy']:.6f}")
        _info(f"log-loss {scores['log_loss']:.6f}")
        predicted = model.net.predict(X)
        _print_confusion(list(enc.classes), y, predicted, enc.name)
    else:
        true = enc.inverse_transform(y)
        predicted = enc.inverse_transform(model.net.eval(X))
        scores = _regression_metrics(predicted, true)
        _info(f"rmse {scores['rmse']:.6g}")
        _info(f"mae {scores['mae']:.6g}")
        _info(f"r2 {scores['r2']:.6f}" if math.isfinite(scores["r2"]) else
              "r2 nan (the target is constant in these rows)")
    _info(f"rows {table.n_rows}")
    return 0


def _print_confusion(classes: list[str], true: np.ndarray, predicted: np.ndarray,
                     target: str) -> None:
    k = len(classes)
    matrix = np.bincount(true * k + predicted, minlength=k * k).reshape(k, k)
    _info(f"confusion matrix (rows: true {target}, columns: predicted):")
    width = max(6, *(len(c) for c in classes), len(str(int(matrix.max(initial=0)))))
    label_width = max(len(c) for c in classes)
    _info(" " * (label_width + 2) + " ".join(f"{c:>{width}}" for c in classes))
    for c, row in zip(classes, matrix.tolist(), strict=True):
        _info(f"  {c:<{label_width}}" + " ".join(f"{v:>{width}}" for v in row))


# --------------------------------------------------------------------------------------------
# inspect
# --------------------------------------------------------------------------------------------


def _cmd_inspect(args: argparse.Namespace) -> int:
    from ..display import show_vec
    from ..network import load

    diagram = Path(args.diagram) if args.diagram else None
    if diagram is not None:
        _check_output_path(diagram, "diagram file", protect=[(Path(args.model), "model file")])
        _check_plot_format(diagram)
    net = load(args.model)
    meta = net.metadata
    if diagram is not None:  # first, so that `numpynn inspect ... | head` still draws it
        from ..plots import draw_network

        draw_network(net.sizes, net.weights, net.biases, diagram,
                     title=f"{Path(args.model).name}: {_arch(net)}")
    _info(f"model: {args.model}")
    _info(f"network: {_arch(net)} ({len(net.sizes) - 2} hidden layer"
          f"{'s' if len(net.sizes) != 3 else ''}), output {net.output_activation}")
    total_weights = 0
    for i, (fan_in, fan_out) in enumerate(zip(net.sizes[:-1], net.sizes[1:], strict=True)):
        source = "input" if i == 0 else f"hidden {i}"
        dest = "output" if i == net.num_layers - 1 else f"hidden {i + 1}"
        total_weights += fan_in * fan_out
        _info(f"  layer {i + 1}: {source} ({fan_in}) -> {dest} ({fan_out}), "
              f"{net.activations[i]}: {fan_in} x {fan_out} weights + {fan_out} biases = "
              f"{fan_in * fan_out + fan_out} parameters")
    _info(f"parameters: {net.num_weights} ({total_weights} weights, "
          f"{net.num_weights - total_weights} biases), float32")
    feature_names = None
    if meta.get("format") == METADATA_FORMAT:
        feature_names = _describe_metadata(meta)
    elif meta:
        _info(f"metadata keys: {', '.join(sorted(meta))}")
    if not args.no_weights:
        for i, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
            _info()
            _info(f"layer {i + 1} weights ({w.shape[0]} x {w.shape[1]}; row = node it comes "
                  "from, column = node it goes to):")
            per_line = min(w.shape[1], 8)
            for r in range(w.shape[0]):
                name = feature_names[r] if i == 0 and feature_names else None
                if w.shape[1] > per_line or name:
                    _info(f"  [{r}]" + (f" {name}" if name else ""))
                show_vec(w[r], 9, 4, per_line)
            _info(f"layer {i + 1} biases ({b.shape[0]}):")
            show_vec(b, 9, 4, min(b.shape[0], 8))
    if diagram is not None:
        _info()
        _info(f"saved the diagram to {diagram}")
    return 0


def _describe_metadata(meta: Mapping[str, Any]) -> list[str] | None:
    """Print what ``numpynn train`` stored; return the feature names."""
    target = meta.get("target")
    classes = meta.get("classes")
    if meta.get("task") == "classification" and isinstance(classes, list):
        _info(f"task: classification of {target!r} into {len(classes)} classes: "
              f"{', '.join(map(str, classes))}")
    else:
        _info(f"task: regression of {target!r}")
    pre = meta.get("preprocessor", {})
    columns = pre.get("columns", []) if isinstance(pre, Mapping) else []
    _info(f"inputs: {len(columns)} columns -> {len(meta.get('feature_names') or [])} features")
    for col in columns:
        if not isinstance(col, Mapping):
            continue
        if col.get("kind") == "numeric":
            _info(f"  {col.get('name')}: numeric, standardised with mean {col.get('mean'):.6g},"
                  f" std {col.get('std'):.6g}")
        else:
            cats = col.get("categories") or []
            shown = ", ".join(map(str, cats[:10])) + (", ..." if len(cats) > 10 else "")
            _info(f"  {col.get('name')}: text, one-hot over {len(cats)} categories ({shown})")
    training = meta.get("training")
    results = meta.get("results")
    if isinstance(training, Mapping):
        _info(f"trained on: {training.get('data')} ({training.get('training_rows')} training "
              f"rows, {training.get('validation_rows')} validation rows, seed "
              f"{training.get('seed')}), {training.get('optimizer')}, learning rate "
              f"{training.get('learning_rate')}, batch size {training.get('batch_size')}")
    if isinstance(results, Mapping):
        for part in ("training", "validation"):
            scores = results.get(part)
            if isinstance(scores, Mapping):
                figures = ", ".join(f"{k} {_fmt(v)}" for k, v in scores.items()
                                    if isinstance(v, (int, float)))
                _info(f"{part} after {results.get('epochs')} epochs: {figures}")
    names = meta.get("feature_names")
    return list(names) if isinstance(names, list) else None


# --------------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------------

#: Exceptions that are the user's input, not a bug: one line on stderr, exit status 1.
_USER_ERRORS = (_CommandError, ModelFileError, ValueError, TypeError, OSError,
                TrainingDivergedError, ImportError, MemoryError)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``numpynn`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return 2
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        try:
            return int(args.handler(args))
        except KeyboardInterrupt:
            hint = ""
            if getattr(args, "checkpoint_dir", None):
                hint = "; continue with the same command and --resume"
            print(f"\n{PROG}: interrupted{hint}", file=sys.stderr, flush=True)
            return 130
        except BrokenPipeError:
            # the reader of stdout went away (`numpynn predict ... | head`): stop quietly
            with contextlib.suppress(OSError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
            return 141
        except _USER_ERRORS as exc:
            if os.environ.get("NUMPYNN_TRACEBACK"):
                raise
            print(f"{PROG}: error: {_message(exc)}", file=sys.stderr, flush=True)
            return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
