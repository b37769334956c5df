"""``numpynn train --workers N`` / ``--scheduler ADDRESS``: train on a Dask cluster.

The data (a folder or glob of Parquet or CSV files, or one file) is read as a Dask
dataframe on the workers.  The target encoder and the preprocessor are fitted on a random
sample of the rows (``--sample-rows``, the only rows that come to this process); then
every partition is encoded on its worker, a random share is held out for validation, and
:func:`numpynn.distributed.fit` trains there.  The model file is the one ``numpynn train``
writes, so ``numpynn predict`` and ``evaluate`` take it.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path
from typing import Any

from ..training.progress import _duration
from . import options
from .common import (
    METADATA_FORMAT,
    METADATA_VERSION,
    CommandError,
    arch,
    check_output_path,
    info,
)
from .interrupts import InterruptGuard
from .metrics import print_results

__all__ = ["add_cluster_options", "wants_cluster", "run"]

DEFAULT_MODEL = "model.safetensors"
#: ``numpynn train`` options (argparse dest -> flag) that training on a cluster does not
#: have: the data is read as it is (the column options and rules do apply, on the sample).
_NOT_ON_A_CLUSTER = {
    "task": "--task", "plot": "--plot", "class_weight": "--class-weight",
    "na_values": "--na-values",
    "time_budget": "--time-budget",
}


def add_cluster_options(parser: argparse.ArgumentParser) -> None:
    """The ``cluster`` option group of ``numpynn train``."""
    group = parser.add_argument_group(
        "cluster", "train on Dask (pip install numpynn[dask]); DATA may then be a folder "
                   "or glob of Parquet/CSV files, read on the workers")
    where = group.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="connect to a running Dask scheduler (tcp://host:8786)")
    where.add_argument("--workers", type=options.positive_int, metavar="N",
                       help="start a local Dask cluster of N worker processes")
    group.add_argument("--sync-every", type=options.positive_int, default=1, metavar="E",
                       help="epochs each worker trains between averages (default: 1)")
    group.add_argument("--sample-rows", type=options.positive_int, default=100_000,
                       metavar="N", help="rows sampled to fit the preprocessing "
                                         "(default: 100000)")


def wants_cluster(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "scheduler", None) or getattr(args, "workers", None))


def _client(args: argparse.Namespace):
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise CommandError("--scheduler and --workers need Dask: pip install "
                           "numpynn[dask]") from None
    if args.scheduler:
        try:
            return Client(args.scheduler, timeout=30), None
        except OSError as exc:
            raise CommandError(f"cannot reach the Dask scheduler at {args.scheduler}: "
                               f"{exc}") from None
    # ":0": any free port for the scheduler's HTTP server, which starts even without a
    # dashboard (None means 8787, and a second run at once would warn that it is taken).
    cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address=":0", silence_logs=40)
    return Client(cluster), cluster


def _check_options(args: argparse.Namespace) -> Path:
    parser: argparse.ArgumentParser = args.parser
    if args.data is None or not args.target:
        parser.error("--scheduler/--workers need DATA (files) and --target COLUMN")
    if args.resume and not args.checkpoint_dir:
        parser.error("--resume needs --checkpoint-dir DIR")
    if args.optimizer == "lbfgs" and args.checkpoint_dir:
        parser.error("--optimizer lbfgs on a cluster takes no --checkpoint-dir")
    from .train_parser import refuse_lbfgs_options  # train_parser imports this module

    refuse_lbfgs_options(args, {"sync_every": "--sync-every", "patience": "--patience"},
                         why="no learning rate, mini-batches or dropout, and on a cluster "
                             "no rounds or early stopping")
    given = [flag for dest, flag in _NOT_ON_A_CLUSTER.items()
             if getattr(args, dest) != parser.get_default(dest)]
    if args.recipe == "realmlp":
        given.append("--recipe realmlp")
    if given:  # the cluster trains the plain network: refused, not ignored
        parser.error(f"{', '.join(given)} {'is' if len(given) == 1 else 'are'} not "
                     "available with --scheduler/--workers")
    try:
        from ..distributed.table_files import table_files
    except ImportError:
        raise CommandError("--scheduler and --workers need Dask: pip install "
                           "numpynn[dask]") from None
    table_files(args.data)  # ValueError (a one-line message) before any cluster
    out = Path(args.out if args.out is not None else DEFAULT_MODEL)
    check_output_path(out, "model file")
    if args.out is None and out.exists():
        raise CommandError(f"{str(out)!r} already exists; pass --out {out} to replace it")
    return out


def _prepare(client, args: argparse.Namespace) -> dict[str, Any]:
    """Read, sample, fit the encodings, split and encode: everything before fit."""
    from ..distributed.table_files import encoded_arrays, read_table_files, sample_table
    from ..tabular import Preprocessor, TargetEncoder

    notes: list[str] = []
    frame = read_table_files(args.data, delimiter=args.delimiter, encoding=args.encoding,
                             notes=notes)
    for note in notes:
        info(note)
    if args.target not in frame.columns:
        raise CommandError(f"the data has no column {args.target!r}; its columns are "
                           f"{list(frame.columns)}")
    sample, rows = sample_table(frame, args.sample_rows, args.seed)
    labelled = _labelled_rows(sample, args.target)
    roles = _roles(sample, labelled, args)
    enc = TargetEncoder.fit(sample, args.target, rows=labelled)
    pre = Preprocessor.fit(sample, args.target, roles.features, max_categories=None,
                           categorical_columns=roles.categorical, rows=labelled)
    f = args.validation_split
    parts = frame.random_split([1 - f, f], random_state=args.seed) if f > 0 else [frame]
    train = encoded_arrays(parts[0], pre, enc)
    validation = encoded_arrays(parts[1], pre, enc) if f > 0 else None
    return {"frame": frame, "rows": rows, "sample_rows": sample.n_rows, "enc": enc,
            "pre": pre, "id_columns": roles.id_columns, "train": train,
            "validation": validation}


def _labelled_rows(sample, target: str):
    """The sample's rows with a target value; a note when some have none (the workers
    leave such rows out of training and validation too)."""
    from ..tabular import rows_with_target

    rows = rows_with_target(sample, target)
    if rows.size == 0:
        raise CommandError(f"no sampled row has a value in the target column {target!r}")
    if rows.size < sample.n_rows:
        info(f"leaving out the rows whose target {target!r} is missing "
             f"({sample.n_rows - rows.size} of the {sample.n_rows} sampled rows)")
    return rows


def _roles(sample, rows, args: argparse.Namespace):
    """The column roles of ``numpynn train`` (the user's options, then the rules that
    leave out identifiers, empty columns and free text), decided on the sample's rows
    ``rows``."""
    from ..tabular.roles import choose_columns

    roles = choose_columns(sample, args.target, features=args.features, drop=args.drop,
                           id_columns=args.id_columns, categorical=args.categorical,
                           keep=args.keep, max_categories=args.max_categories, rows=rows)
    for note in roles.notes:
        info(note)
    return roles


def _network(prepared: dict[str, Any], args: argparse.Namespace):
    from ..network import NeuralNetwork

    enc, pre = prepared["enc"], prepared["pre"]
    net = NeuralNetwork(pre.n_features, *args.hidden, enc.n_outputs,
                        hidden_activation=args.activation,
                        output_activation="softmax" if enc.is_classification else "identity",
                        seed=args.seed)
    net.metadata = {
        "format": METADATA_FORMAT, "version": METADATA_VERSION, "task": enc.task,
        "target": args.target, "classes": list(enc.classes) if enc.is_classification else None,
        "feature_names": pre.feature_names, "preprocessor": pre.to_dict(),
        "target_encoder": enc.to_dict(), "id_columns": list(prepared["id_columns"]),
        "training": {"data": str(args.data), "rows": prepared["rows"],
                     "preprocessing_sample_rows": prepared["sample_rows"],
                     "validation_split": args.validation_split, "seed": args.seed,
                     "hidden": list(args.hidden), "activation": args.activation,
                     "optimizer": args.optimizer, "learning_rate": _learning_rate(args),
                     "batch_size": args.batch_size, "l2": args.l2, "dropout": args.dropout,
                     "cluster": {"sync_every": args.sync_every}},
    }
    return net


def _learning_rate(args: argparse.Namespace) -> float | None:
    """--lr, else 0.01 (the plain network's default); None for lbfgs, which takes none."""
    from ..tabular.model import MINI_BATCH_LEARNING_RATE

    if args.lr is not None:
        return args.lr
    return None if args.optimizer == "lbfgs" else MINI_BATCH_LEARNING_RATE


def _scores(client, net, enc, arrays) -> dict[str, float]:
    """Loss and accuracy (classification) or RMSE (regression) summed on the workers."""
    from ..distributed.validation import Validation

    validation = Validation(client, net, arrays, 0.0)
    try:
        logs = validation.logs()
    finally:
        validation.release()
    if enc.is_classification:
        return {"accuracy": logs["val_accuracy"], "log_loss": logs["val_loss"]}
    # identity's loss is half the mean squared error of the standardised target
    rmse = math.sqrt(2.0 * logs["val_loss"]) * float(enc.std)
    return {"rmse": rmse, "mae": math.nan, "r2": math.nan}


def _fit(nd, net, prepared: dict[str, Any], client, args: argparse.Namespace,
         interrupted: InterruptGuard):
    """``numpynn.distributed.fit`` with the command's options; the History."""
    local = args.optimizer != "lbfgs"
    return nd.fit(net, *prepared["train"], client=client, epochs=args.epochs,
                  sync_every=args.sync_every, batch_size=args.batch_size if local else None,
                  optimizer=args.optimizer, learning_rate=_learning_rate(args),
                  l2=args.l2, dropout=args.dropout, seed=args.seed,
                  validation_data=prepared["validation"], progress=not args.quiet,
                  early_stopping=args.early_stopping and local,
                  patience=args.patience if args.early_stopping and local else 10,
                  checkpoint_dir=args.checkpoint_dir, resume=args.resume,
                  callbacks=[interrupted])


def run(args: argparse.Namespace) -> int:
    """Train on the cluster, report and save; exit status 0."""
    from .. import distributed as nd

    out = _check_options(args)
    client, cluster = _client(args)
    try:
        info(f"cluster: {len(client.scheduler_info()['workers'])} workers "
             f"({args.scheduler or 'local, 127.0.0.1'})")
        prepared = _prepare(client, args)
        net = _network(prepared, args)
        info(f"data: {args.data}, {prepared['rows']} rows; network {arch(net)}; "
             f"preprocessing fitted on {prepared['sample_rows']} sampled rows")
        started = time.monotonic()
        with InterruptGuard() as interrupted:  # ^C that CPython drops: raised at a round's end
            history = _fit(nd, net, prepared, client, args, interrupted)
        info(f"trained {history.epochs} rounds in {_duration(time.monotonic() - started)}")
        results = {"rounds": history.epochs, "best_round": history.best_epoch,
                   "training": _scores(client, net, prepared["enc"], prepared["train"])}
        if prepared["validation"] is not None:
            results["validation"] = _scores(client, net, prepared["enc"],
                                            prepared["validation"])
        print_results(results, prepared["enc"].is_classification)
        net.save(out, metadata={**net.metadata, "results": results})
        info(f"saved the model to {out}")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return 0
