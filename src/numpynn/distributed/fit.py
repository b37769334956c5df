"""``numpynn.distributed.fit`` and ``loss_and_gradient``: training on data that stays on a
Dask cluster.  Only ``theta`` (and the optimizer's state) travels between the client and
the workers; the rows never come to the client."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.checks import check_int, check_number
from ..training import History, get_optimizer, get_schedule
from ..training.optimizers import LBFGS
from ..training.progress import EpochProgress
from .cluster_data import ClusterData, get_client, template_future
from .lbfgs import DistributedObjective, minimize_distributed
from .local_sgd import LocalSGDRounds
from .rounds_run import RoundsRun
from .tasks import LocalSettings
from .validation import Validation

__all__ = ["fit", "loss_and_gradient", "STRATEGIES"]

STRATEGIES = ("local_sgd", "lbfgs")


def loss_and_gradient(network: Any, X: Any, y: Any, *, client: Any = None, l2: float = 0.0,
                      sample_weight: Any = None) -> tuple[float, np.ndarray]:
    """``network.loss_and_gradient`` over data on a cluster: per-partition sums in float64,
    added in partition order.

    Parameters
    ----------
    network : NeuralNetwork
    X : dask.array.Array (n, sizes[0]) or dask.dataframe.DataFrame
    y : Dask array or series, or a column name of a dataframe ``X``
    client : distributed.Client, optional
        Default: the current client.
    l2 : float, default 0.0
    sample_weight : Dask array or series, or a column name, optional

    Returns
    -------
    loss : float
    gradient : ndarray, shape (num_weights,), float32
    """
    client = get_client(client)
    l2 = check_number("l2", l2, 0.0)
    data = ClusterData(client, network, X, y, sample_weight)
    template = template_future(client, network)
    try:
        sums = data.sums(template, network.theta.copy())
    finally:
        template.release()
        data.release()
    grad = (sums.gradient / sums.weight).astype(np.float32)
    loss = network._add_l2(sums.loss / sums.weight, grad, l2)
    return loss, grad


def _check_strategy(strategy: str | None, solver: Any) -> str:
    if strategy is None:
        return "lbfgs" if isinstance(solver, LBFGS) else "local_sgd"
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
    if strategy == "local_sgd" and isinstance(solver, LBFGS):
        raise ValueError("strategy='local_sgd' needs a mini-batch optimizer (sgd, adam, "
                         "adamw), not lbfgs")
    return strategy


def fit(network: Any, X: Any, y: Any = None, *, client: Any = None, strategy: str | None = None,
        epochs: int = 100, sync_every: int = 1, shards: int | None = None,
        optimizer: Any = "adam", learning_rate: float = 0.001, schedule: Any = None,
        batch_size: int = 32, l2: float = 0.0, dropout: float = 0.0, shuffle: bool = True,
        seed: Any = None, sample_weight: Any = None, validation_data: Any = None,
        callbacks: Any = (), early_stopping: bool = False, patience: int = 10,
        checkpoint_dir: Any = None, resume: bool = False, progress: bool = False) -> History:
    """Train ``network`` on data that lives on a Dask cluster.

    Parameters
    ----------
    network : NeuralNetwork
        Trained in place.
    X : dask.array.Array, shape (n, sizes[0]), or dask.dataframe.DataFrame
        Its partitions stay on the workers; only row counts and sums come back.
    y : Dask array or series with X's partitions, an in-memory array (sent once), or the
        name of a column of a dataframe ``X``
    client : distributed.Client, optional
        Default: the current client.
    strategy : {"local_sgd", "lbfgs"}, optional
        Default: "lbfgs" for ``optimizer="lbfgs"``, else "local_sgd".

        - ``local_sgd``: each round, every shard (a contiguous run of partitions, one per
          worker by default) trains with numpynn's own engine for ``sync_every`` epochs
          from the same weights; the client averages the flat vectors (and the
          optimizer's) weighted by rows.  One shard, one round of E epochs is
          ``network.fit(epochs=E)`` bit for bit.
        - ``lbfgs``: exact full-batch L-BFGS-B; every evaluation sums the partitions' loss
          and gradient in float64, in partition order: the same bits on every run.
    epochs : int, default 100
        Epochs in all (local SGD: ``ceil(epochs / sync_every)`` rounds); iterations for
        L-BFGS.
    sync_every : int, default 1
        Epochs per round.  More: fewer exchanges, shards drift further apart.
    shards : int, optional
        Shards trained side by side; default the number of workers.
    optimizer, learning_rate, schedule, batch_size, l2, dropout, shuffle
        As for :func:`numpynn.training.fit`; the schedule is asked once per epoch, with
        the last round's monitored loss.
    seed : int or Generator, optional
        The first shard's shuffling and dropout follow it exactly; the others' are drawn
        from it.
    sample_weight : like ``y``, optional
    validation_data : (X_val, y_val), optional
        In memory (evaluated on the client) or Dask collections (on the workers), once a
        round (L-BFGS: once an iteration).
    callbacks : list of callables
        ``callback(logs)`` once a round, with the logs of ``fit`` (``epoch`` is the round)
        plus ``epochs_done``; returning True stops.
    early_stopping, patience : bool, int
        Stop after ``patience`` rounds without a lower monitored loss (validation loss, else
        training loss) and keep the best round's weights.  Local SGD only.
    checkpoint_dir, resume
        Local SGD: a checkpoint after every round, written on the client atomically (a
        round lost with a worker never leaves half a checkpoint); ``resume=True``
        continues from the newest.
    progress : bool, default False

    Returns
    -------
    History
        One entry per round (L-BFGS: per iteration).

    Raises
    ------
    ValueError, TypeError
        Bad input or options, before any training.
    numpynn.distributed.WorkerLostError
        A lost worker took data that Dask cannot recompute (scattered data), or workers
        kept dying; the network keeps its weights from before the failed round.
    """
    client = get_client(client)
    epochs = check_int("epochs", epochs, 1)
    solver = get_optimizer(optimizer)
    strategy = _check_strategy(strategy, solver)
    patience = check_int("patience", patience, 0)
    if resume and checkpoint_dir is None:
        raise ValueError("resume=True needs checkpoint_dir")
    callbacks = list(callbacks)
    for cb in callbacks:
        if not callable(cb):
            raise TypeError(f"callbacks must be callables, got {cb!r}")
    if strategy == "lbfgs":
        if dropout or checkpoint_dir is not None or early_stopping:
            raise ValueError("strategy='lbfgs' takes full-batch steps: it cannot honour "
                             "dropout, checkpoint_dir or early_stopping")
        return _fit_lbfgs(client, network, X, y, solver, epochs, l2, sample_weight,
                          validation_data, callbacks, progress)
    sync_every = check_int("sync_every", sync_every, 1)
    n_shards = len(client.scheduler_info()["workers"]) if shards is None else \
        check_int("shards", shards, 1)
    settings = LocalSettings(solver, check_int("batch_size", batch_size, 1),
                             check_number("l2", l2, 0.0), dropout, bool(shuffle))
    data = ClusterData(client, network, X, y, sample_weight)
    validation = None if validation_data is None else \
        Validation(client, network, validation_data, settings.l2)
    rounds = LocalSGDRounds(network, data, settings, shards=n_shards, seed=seed)
    try:
        rate = solver.learning_rate or check_number("learning_rate", learning_rate, 0.0,
                                                    low_inclusive=False)
        return RoundsRun(rounds, epochs=epochs, sync_every=sync_every, base_rate=rate,
                         schedule=get_schedule(schedule, epochs), validation=validation,
                         callbacks=callbacks, early_stopping=early_stopping,
                         patience=patience, checkpoint_dir=checkpoint_dir, resume=resume,
                         progress=progress).run()
    finally:
        rounds.release()
        if validation is not None:
            validation.release()


def _fit_lbfgs(client, network, X, y, solver, epochs, l2, sample_weight, validation_data,
               callbacks, progress) -> History:
    """Distributed L-BFGS with a history, validation and callbacks once an iteration."""
    solver = solver if isinstance(solver, LBFGS) else LBFGS()
    l2 = check_number("l2", l2, 0.0)
    data = ClusterData(client, network, X, y, sample_weight)
    validation = None if validation_data is None else \
        Validation(client, network, validation_data, l2)
    objective = DistributedObjective(network, data, l2)
    history = History()
    max_iter = solver.max_iter or epochs
    bar = EpochProgress(max_iter, 0, enabled=bool(progress))

    def after_iteration(loss: float) -> bool:
        logs = {"epoch": len(history.loss), "loss": loss, "accuracy": None, "val_loss": None,
                "val_accuracy": None, "learning_rate": None}
        if validation is not None:
            logs.update(validation.logs())
            history.val_loss.append(logs["val_loss"])
            if logs["val_accuracy"] is not None:
                history.val_accuracy.append(logs["val_accuracy"])
        history.loss.append(loss)
        monitored = logs["val_loss"] if validation is not None else loss
        best = history.val_loss if validation is not None else history.loss
        if monitored <= min(best):
            history.best_epoch = logs["epoch"]
        bar(logs)
        return any([cb(dict(logs)) is True for cb in callbacks])

    try:
        minimize_distributed(objective, solver, max_iter, after_iteration)
    finally:
        bar.close()
        objective.release()
        data.release()
        if validation is not None:
            validation.release()
    return history
