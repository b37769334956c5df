"""``numpynn predict``: apply a trained model to the rows of a data file; write CSV or Parquet.

Each output row holds the input row's ID columns (``--id``, or those the model file names),
the predicted label or value and, with ``--proba``, one probability per class. Numbers are
written at full float32 precision: the shortest text that reads back as the same float32,
and each row's probabilities sum to 1 as written (the largest one absorbs the rounding).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..io.atomic import atomic_open
from .common import (
    CLI_INSTALL,
    CommandError,
    TrainedModel,
    add_model_parser,
    check_output_path,
    load_trained,
    read_input,
    require_column,
    transform,
    warn,
)


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``predict`` to the ``numpynn`` command's subparsers; return its parser."""
    parser = add_model_parser(
        subparsers, "predict", data=True,
        help="predict with a trained model; writes CSV (or Parquet)",
        description="Apply a model from 'numpynn train' to the rows of a data file and write "
                    "one prediction per row (to stdout unless --out): the ID columns first, "
                    "then the predicted label or value, then with --proba one probability "
                    "column per class. The stored preprocessing is applied; a target column, "
                    "if present, is ignored.",
    )
    parser.add_argument("--proba", action="store_true",
                        help="classification: also write one probability column per class, "
                             "at full float32 precision (each row sums to 1)")
    parser.add_argument("--id", metavar="COL[,COL]", type=_column_list,
                        help="copy these input columns into the output, first (default: the "
                             "ID columns the model file names, when the data has them)")
    parser.add_argument("--no-id", action="store_true",
                        help="copy no ID columns, not even the model's")
    parser.add_argument("--out", metavar="FILE",
                        help="write to FILE (replaced if it exists) instead of stdout ('-'); "
                             "a name ending in .parquet writes Parquet (needs pyarrow)")
    return parser


def _column_list(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(f"expected column names separated by commas, got "
                                         f"{text!r}")
    return names


@dataclass
class _Predictions:
    """The output, column by column: names and values (str lists or float32 arrays)."""

    names: list[str]
    columns: list[Sequence[str] | np.ndarray]


def run(args: argparse.Namespace) -> int:
    """Write the predictions of ``args.model`` for ``args.data``; exit status 0."""
    if args.id and args.no_id:
        args.parser.error("--id and --no-id exclude each other")
    out = Path(args.out) if args.out and args.out != "-" else None
    parquet = out is not None and out.suffix.lower() == ".parquet"
    if out is not None:
        check_output_path(out, "output file", protect=[(Path(args.data), "input data"),
                                                       (Path(args.model), "model file")])
    pq = _import_parquet() if parquet else None
    model = load_trained(args.model)
    if args.proba and not model.classification:
        raise CommandError(f"--proba needs a classification model; {args.model} is a "
                           "regression model")
    stored_ids = model.net.metadata.get("id_columns")
    text = args.id or (stored_ids if isinstance(stored_ids, list) and not args.no_id else [])
    table = read_input(args.data, args, model, [t for t in text if isinstance(t, str)])
    ids = _id_columns(model, table, args)
    predictions = _predictions(model, transform(model.pre, table), args.proba)
    for name in reversed(ids):
        predictions.names.insert(0, name)
        predictions.columns.insert(0, table.strings(name))
    if pq is not None:
        _write_parquet(pq, out, predictions)
    elif out is None:
        _write_csv(sys.stdout, predictions)
        sys.stdout.flush()
    else:
        with atomic_open(out, "w", encoding="utf-8", newline="") as fh:
            _write_csv(fh, predictions)
    return 0


def _import_parquet():
    """``pyarrow.parquet``, or a CommandError that says how to install it."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise CommandError(f"writing Parquet (--out *.parquet) needs pyarrow: {CLI_INSTALL} "
                           "(or pip install pyarrow)") from None
    return pq


def _id_columns(model: TrainedModel, table, args: argparse.Namespace) -> list[str]:
    """The input columns to copy: ``--id``, else the model's stored ID columns present."""
    if args.no_id:
        return []
    if args.id:
        for name in args.id:
            require_column(table, name, "--id")
        return list(dict.fromkeys(args.id))
    stored = model.net.metadata.get("id_columns")
    if not isinstance(stored, list):
        return []
    names = [n for n in stored if isinstance(n, str)]
    absent = [n for n in names if n not in table.columns]
    if absent:
        warn(f"the model's ID column{'s' if len(absent) > 1 else ''} "
             f"{', '.join(map(repr, absent))} not in {table.source}: not copied")
    return [n for n in names if n in table.columns]


def _predictions(model: TrainedModel, X: np.ndarray, proba: bool) -> _Predictions:
    """The predicted label (or value) of each row of float32 ``X (n, n_features)`` and,
    with ``proba``, each class's probability (float32, rows summing to 1)."""
    outputs = model.net.eval(X)
    name = model.enc.name
    if not model.classification:
        return _Predictions([name], [model.enc.inverse_transform(outputs).reshape(-1)])
    labels = model.enc.to_strings(outputs.argmax(axis=1))
    if not proba:
        return _Predictions([name], [labels])
    probabilities = rows_summing_to_one(outputs)
    names = [name, *(f"P({c})" for c in model.enc.classes)]
    return _Predictions(names, [labels, *probabilities.T])


def rows_summing_to_one(p: np.ndarray) -> np.ndarray:
    """Float32 probabilities ``(n, k)`` whose rows sum to 1 as written.

    Each row's largest value becomes ``1 - (the sum of the others)``, rounded once to
    float32, so the exact sum of the float32 values is 1 within half a float32 step of the
    largest one (at most 2**-25 for values in [0.5, 1)); the others are kept bit for bit.
    """
    out = np.array(p, dtype=np.float32, copy=True)
    rows = np.arange(out.shape[0])
    top = out.argmax(axis=1)
    others = out.sum(axis=1, dtype=np.float64) - out[rows, top].astype(np.float64)
    out[rows, top] = (1.0 - others).astype(np.float32)
    return out


def _cell_text(column: Sequence[str] | np.ndarray) -> list[str]:
    """A column as CSV cells: float32 numbers in their shortest exact form."""
    if isinstance(column, np.ndarray) and column.dtype.kind == "f":
        # NumPy writes each float32 as the shortest text that reads back as the same value
        return column.astype(np.float32).astype(str).tolist()
    return list(column)


def _write_csv(fh, predictions: _Predictions) -> None:
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(predictions.names)
    writer.writerows(zip(*(_cell_text(c) for c in predictions.columns), strict=True))


def _write_parquet(pq, out: Path, predictions: _Predictions) -> None:
    """One Parquet column per output column: text as strings, numbers as float32."""
    import pyarrow as pa

    arrays = [pa.array(c, type=pa.float32()) if isinstance(c, np.ndarray) else
              pa.array(list(c), type=pa.string()) for c in predictions.columns]
    table = pa.Table.from_arrays(arrays, names=predictions.names)
    with atomic_open(out, "wb") as fh:
        pq.write_table(table, fh)
