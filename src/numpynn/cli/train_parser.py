"""The options of ``numpynn train``: data, columns, network, training, output."""

from __future__ import annotations

import argparse

from . import options
from .cluster_train import add_cluster_options

#: Model file written by ``numpynn train`` when ``--out`` is not given.
DEFAULT_MODEL = "model.safetensors"

_HIDDEN_ACTIVATIONS = ("relu", "leaky_relu", "tanh", "logistic", "identity", "selu", "mish",
                       "gelu")
_OPTIMIZERS = ("adam", "adamw", "sgd", "lbfgs")
#: Options (argparse dest -> flag) of the mini-batch optimizers: --optimizer lbfgs takes
#: full-batch steps of lengths its line search chooses, so given with it they are errors.
_MINI_BATCH_OPTIONS = {"lr": "--lr", "batch_size": "--batch-size", "dropout": "--dropout"}

_EPILOG = """\
examples:
  numpynn train                                   # the bundled iris data set
  numpynn train houses.csv --target price         # the tabular recipe, sized to the data
  numpynn train houses.csv --target price --hidden 32,32 --epochs 200 --out price.safetensors
  numpynn train survey.csv --target y --drop name --id respondent --na-values '?'
  numpynn train data.parquet --target y --class-weight balanced
  numpynn train data.csv --target y --checkpoint-dir ckpt      # then, after a crash:
  numpynn train data.csv --target y --checkpoint-dir ckpt --resume

Reading: CSV (delimiter and decimal comma detected; UTF-8 unless --encoding), Parquet and
Feather files. A numeric column with a few '?' or '-' markers is numeric with those cells
missing; "3,750" is a number. A pandas index column (no name, or 'Unnamed: 0') is left out.

Columns: every column but the target is a feature, except what --drop and --id leave out
and what the rules leave out with a note: an empty column, an identifier (a whole number
or text different in every row, or a row number), and text with more than
--max-categories values. --keep overrides the rules.

Encoding: numbers are standardised, text is one-hot encoded (so are --categorical number
columns), with statistics from the training rows; a number gap is filled with the training
median plus a 'COLUMN (missing)' feature, a text gap is a category of its own; rows without
a target value are left out. All of it is stored in the model file. A text target, or an
integer target with few distinct values, means classification, anything else regression.

The recipe (--recipe realmlp, the default for a DATA file) encodes numbers by robust
scaling and smooth clipping instead, gives text columns of many values an embedding, and
trains RealMLP-TD's network (Holzmüller et al., 2024) as a bagged ensemble whose size fits
--time-budget; --validation-split rows are then only reported on.

The plain network holds out --validation-split of the rows and keeps the epoch with the
lowest validation loss, stopping after --patience epochs without a lower one
(--no-early-stopping trains every epoch and keeps the last). The same --seed gives the same
model on the same machine and kernel path. An existing model file is replaced only when
--out names it.
"""


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``train`` to the ``numpynn`` command's subparsers; return its parser."""
    parser = subparsers.add_parser(
        "train", help="train a network on a table (CSV, Parquet, Feather) and save it",
        description="Train a multi-layer perceptron on a table with a header row (CSV, "
                    "Parquet or Feather)\nand save it, with its preprocessing, to a "
                    "safetensors model file.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("data", nargs="?", metavar="DATA",
                        help="CSV, Parquet (.parquet) or Feather (.feather) file with a header "
                             "(default: the bundled iris data set, target species)")
    parser.add_argument("--target", metavar="COLUMN",
                        help="the column to predict (required with DATA)")
    parser.add_argument("--task", choices=("auto", "classification", "regression"),
                        default="auto", help="override the task detection (default: auto)")
    options.add_reading_options(parser.add_argument_group("reading"))
    _add_column_options(parser.add_argument_group("columns"))
    recipe = parser.add_argument_group("recipe")
    recipe.add_argument("--recipe", choices=("auto", "realmlp", "plain"), default="auto",
                        help="realmlp: the tabular recipe (RealMLP-TD: robust scaling, "
                             "embeddings, a bagged ensemble sized to the data); plain: the "
                             "network of the options below; auto (default): realmlp for a "
                             "DATA file, plain when network or training options below are "
                             "given or for the bundled iris tour")
    recipe.add_argument("--time-budget", type=options.number(0.0, None, low_ok=False),
                        default=20.0, metavar="SECONDS",
                        help="realmlp: CPU seconds the size plan aims at (default: 20)")
    net = parser.add_argument_group("network")
    net.add_argument("--hidden", type=options.hidden_sizes, default=(16, 16), metavar="SIZES",
                     help="hidden layer sizes, comma-separated, or 'none' (default: 16,16)")
    net.add_argument("--activation", choices=_HIDDEN_ACTIVATIONS, default="leaky_relu",
                     help="hidden activation (default: leaky_relu)")
    _add_training_options(parser.add_argument_group("training"))
    _add_output_options(parser.add_argument_group("output"))
    add_cluster_options(parser)  # --scheduler, --workers: see cluster_train.py
    return parser


def _add_column_options(group) -> None:
    names = {"type": options.column_names, "action": "extend", "metavar": "COLS"}
    group.add_argument("--features", **names,
                       help="use only these columns as features (comma-separated)")
    group.add_argument("--drop", **names, default=[], help="leave these columns out")
    group.add_argument("--id", **names, default=[], dest="id_columns",
                       help="identifier columns: not features; stored in the model so that "
                            "'numpynn predict' can copy them to its output")
    group.add_argument("--categorical", **names, default=[],
                       help="number columns that are codes (1, 2, 3 = categories): one-hot "
                            "encode them")
    group.add_argument("--keep", **names, default=[],
                       help="use these columns even if they look like identifiers or have "
                            "many text values")
    group.add_argument("--max-categories", type=options.positive_int, default=100,
                       metavar="N", help="leave out text columns with more distinct values "
                                         "(default: 100)")


def _add_training_options(group) -> None:
    group.add_argument("--epochs", type=options.positive_int, default=100,
                       help="most passes over the training rows (default: 100)")
    group.add_argument("--batch-size", type=options.positive_int, default=32, metavar="N",
                       help="rows per gradient step (default: 32)")
    group.add_argument("--lr", type=options.number(0.0, None, low_ok=False), default=None,
                       metavar="RATE", help="learning rate of adam, adamw and sgd (default: "
                                            "0.01); lbfgs takes none")
    group.add_argument("--optimizer", choices=_OPTIMIZERS, default="adam",
                       help="default: adam; lbfgs is full-batch and needs SciPy")
    group.add_argument("--l2", type=options.number(0.0, None, low_ok=True), default=0.0,
                       metavar="LAMBDA", help="L2 penalty on the weights (default: 0)")
    group.add_argument("--dropout", type=options.number(0.0, 1.0, low_ok=True), default=0.0,
                       metavar="P", help="dropout rate of hidden units, in [0, 1) "
                                         "(default: 0)")
    group.add_argument("--patience", type=options.positive_int, default=10, metavar="N",
                       help="early stopping: stop after N epochs without a lower validation "
                            "loss (default: 10)")
    group.add_argument("--no-early-stopping", action="store_false", dest="early_stopping",
                       help="train every epoch and keep the last one")
    group.add_argument("--class-weight", type=options.class_weight, metavar="balanced",
                       help="classification: weigh rows inversely to their class's frequency "
                            "(for imbalanced classes)")
    group.add_argument("--validation-split", type=options.number(0.0, 1.0, low_ok=True),
                       default=0.2, metavar="FRACTION",
                       help="share of rows held out for validation, in [0, 1) "
                            "(default: 0.2)")
    group.add_argument("--seed", type=options.seed, default=42,
                       help="seed of the split, the initial weights and the shuffling; "
                            "same seed, same model on the same kernel path (default: 42)")
    group.add_argument("--quiet", "-q", action="store_true",
                       help="no progress bar")


def _add_output_options(group) -> None:
    group.add_argument("--out", metavar="MODEL.safetensors",
                       help=f"model file to write (default: {DEFAULT_MODEL}, which is never "
                            "replaced unless named here)")
    group.add_argument("--plot", metavar="CURVES.png",
                       help="draw the training and validation loss and accuracy per epoch")
    group.add_argument("--checkpoint-dir", metavar="DIR",
                       help="write the model and optimizer state there after every epoch")
    group.add_argument("--resume", action="store_true",
                       help="continue from the last checkpoint in --checkpoint-dir")


def refuse_lbfgs_options(args: argparse.Namespace, more: dict[str, str] | None = None,
                         why: str = "no learning rate, mini-batches or dropout") -> None:
    """With ``--optimizer lbfgs``, a usage error naming the mini-batch options given (and
    those of ``more``, dest -> flag): they would be ignored."""
    if args.optimizer != "lbfgs":
        return
    parser: argparse.ArgumentParser = args.parser
    given = [flag for dest, flag in {**_MINI_BATCH_OPTIONS, **(more or {})}.items()
             if getattr(args, dest) != parser.get_default(dest)]
    if given:
        parser.error(f"{', '.join(given)} {'does' if len(given) == 1 else 'do'} not work with "
                     f"--optimizer lbfgs (full-batch steps of lengths its line search "
                     f"chooses: {why})")
