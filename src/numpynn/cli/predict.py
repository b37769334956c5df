"""``numpynn predict``: apply a trained model to the rows of a CSV file, write CSV."""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..io.atomic import atomic_open
from .common import (
    CommandError,
    TrainedModel,
    add_model_parser,
    check_output_path,
    load_trained,
    transform,
)


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``predict`` to the ``numpynn`` command's subparsers; return its parser."""
    parser = add_model_parser(
        subparsers, "predict", data=True, help="predict with a trained model; writes CSV",
        description="Apply a model from 'numpynn train' to the rows of a CSV file and write one "
                    "prediction per row as CSV (to stdout unless --out). The stored "
                    "preprocessing is applied; a target column, if present, is ignored.",
    )
    parser.add_argument("--proba", action="store_true",
                        help="classification: write one probability column per class")
    parser.add_argument("--out", metavar="FILE",
                        help="write the CSV to FILE (replaced if it exists) instead of "
                             "stdout ('-')")
    return parser


def run(args: argparse.Namespace) -> int:
    """Write the predictions of ``args.model`` for ``args.data``; exit status 0."""
    from ..tabular import read_csv

    out = Path(args.out) if args.out and args.out != "-" else None
    if out is not None:
        check_output_path(out, "output file", protect=[(Path(args.data), "input data"),
                                                       (Path(args.model), "model file")])
    model = load_trained(args.model)
    if args.proba and not model.classification:
        raise CommandError(f"--proba needs a classification model; {args.model} is a "
                           "regression model")
    table = read_csv(args.data)
    header, rows = _prediction_rows(model, transform(model.pre, table), args.proba)
    if out is None:
        _write_csv(sys.stdout, header, rows)
        sys.stdout.flush()
    else:
        with atomic_open(out, "w", encoding="utf-8", newline="") as fh:
            _write_csv(fh, header, rows)
    return 0


def _prediction_rows(model: TrainedModel, X, proba: bool
                     ) -> tuple[list[str], Iterable[Sequence[str]]]:
    """The CSV header and rows for features ``X`` (float32, ``(n_rows, n_features)``).

    One column with the predicted label or value, or with ``proba`` one column of
    probabilities per class.
    """
    outputs = model.net.eval(X)
    if model.classification and proba:
        header = [f"P({c})" for c in model.enc.classes]
        return header, ([format(float(p), ".6g") for p in row] for row in outputs.tolist())
    if model.classification:
        return [model.enc.name], ([label] for label in
                                  model.enc.to_strings(outputs.argmax(axis=1)))
    return [model.enc.name], ([value] for value in model.enc.to_strings(outputs))


def _write_csv(fh, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
