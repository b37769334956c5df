"""``numpynn.distributed.fit`` and ``loss_and_gradient``: training on data that stays on a
Dask cluster.  Only ``theta`` (and the optimizer's state) travels between the client and
the workers; the rows never come to the client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.checks import as_generator, check_int, check_number
from ..training import History, TerminateOnNaN, get_optimizer
from ..training.fit import _option_callbacks, refuse_full_batch_options
from ..training.lbfgs import LBFGS
from ..training.loop import check_callbacks_for
from ..training.trainer import resolve_learning_rate
from .cluster_data import ClusterData, get_client, template_future
from .lbfgs import DistributedObjective
from .local_sgd import LocalSGDRounds
from .loops import DistributedLBFGSRun, LocalSGDRun
from .tasks import LocalSettings
from .training_sets import TrainingSets, check_validation_split, training_sets

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
    gradient : ndarray, shape (num_weights,), the network's dtype
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
    grad = (sums.gradient / sums.weight).astype(network.theta.dtype)
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
    if strategy == "lbfgs" and not isinstance(solver, LBFGS):
        raise ValueError(f"strategy='lbfgs' needs optimizer='lbfgs' (or an LBFGS), got "
                         f"{solver!r}")
    return strategy


_FIT_DOC = """Train ``network`` on data that lives on a Dask cluster.

Parameters
----------
network : NeuralNetwork
    Trained in place, in its own dtype (float32 or float64: the workers convert each
    partition to it once, and to nothing else).
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
    - ``lbfgs``: exact full-batch L-BFGS-B, numpynn's one L-BFGS bridge (the restarts
      and budgets of ``fit(optimizer="lbfgs")``); every evaluation sums the partitions'
      loss and gradient in float64, in partition order: the same bits on every run.
epochs : int, default 100
    Epochs in all (local SGD: ``ceil(epochs / sync_every)`` rounds); iterations for
    L-BFGS.
sync_every : int, default 1
    Epochs per round.  More: fewer exchanges, shards drift further apart.
shards : int, optional
    Shards trained side by side; default the number of workers.
optimizer, learning_rate, batch_size, l2, dropout, shuffle
    As for :func:`numpynn.training.fit` (the optimizer's schedule is asked once per
    epoch, with the last round's monitored loss).
seed : int or Generator, optional
    The validation split's draws come first; then the first shard's shuffling and
    dropout follow the generator exactly, and the others' are drawn from it.
sample_weight : like ``y``, optional
class_weight : "balanced" or dict {class index: weight}, optional
    As for :func:`numpynn.training.fit`: multiplies into the sample weights, on the
    workers; "balanced" counts the classes over all partitions (only the counts come
    to the client).
validation_data : (X_val, y_val), optional
    In memory (evaluated on the client) or Dask collections (summed on the workers),
    once a round (L-BFGS: once an iteration).
validation_split : float in [0, 1), default 0.0
    Hold out ``ceil(validation_split * n)`` rows at random instead, on the workers:
    every partition holds out its share (proportional to its rows), chosen by a
    permutation from a seed drawn from ``seed``; the held-out rows keep their sample
    (and class) weights and are summed on the workers like Dask ``validation_data``.
    Not the rows ``NeuralNetwork.fit`` would hold out (that draw is over all rows at
    once, which would gather them): the same seed and partitions give the same split.
callbacks, progress, early_stopping, patience, checkpoint_dir, resume
    As for :func:`numpynn.training.fit`, on the client, once a round: callbacks see
    one epoch per round (their logs also hold ``epochs_done``); checkpoints are
    written after every complete round, atomically, so a round lost with a worker
    leaves the last one intact.  Checkpoints need local SGD.

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
TrainingDivergedError
    The loss became NaN or inf.
"""


@dataclass(frozen=True)
class _LocalSGDPlan:
    """Local SGD's checked options."""

    settings: LocalSettings
    sync_every: int
    shards: int
    learning_rate: float


def _local_sgd_plan(client: Any, solver: Any, *, sync_every: Any, shards: Any,
                    batch_size: Any, l2: float, dropout: Any, shuffle: Any,
                    learning_rate: Any) -> _LocalSGDPlan:
    """Check local SGD's options (before any work on the cluster)."""
    sync_every = check_int("sync_every", sync_every, 1)
    n_shards = len(client.scheduler_info()["workers"]) if shards is None else \
        check_int("shards", shards, 1)
    batch_size = 32 if batch_size is None else batch_size
    settings = LocalSettings(solver, check_int("batch_size", batch_size, 1), l2,
                             check_number("dropout", dropout, 0.0, 1.0, high_inclusive=False),
                             bool(shuffle))
    return _LocalSGDPlan(settings, sync_every, n_shards,
                         resolve_learning_rate(solver, learning_rate))


def _run_local_sgd(network: Any, sets: TrainingSets, plan: _LocalSGDPlan, epochs: int,
                   callbacks: list[Any], rng: np.random.Generator) -> History:
    """Rounds of local SGD over ``sets`` (the shards are built, and released, here)."""
    rounds = LocalSGDRounds(network, sets.data, plan.settings, shards=plan.shards, seed=rng)
    try:
        loop = LocalSGDRun(rounds, sync_every=plan.sync_every,
                           base_learning_rate=plan.learning_rate, callbacks=callbacks)
        return loop.run(epochs=epochs, validation=sets.validation)
    finally:
        rounds.release()


def _run_lbfgs(network: Any, sets: TrainingSets, solver: LBFGS, epochs: int, l2: float,
               callbacks: list[Any]) -> History:
    """Distributed L-BFGS over ``sets``, callbacks and validation once an iteration."""
    objective = DistributedObjective(network, sets.data, l2)
    try:
        loop = DistributedLBFGSRun(objective, solver, callbacks)
        return loop.run(epochs=epochs, validation=sets.validation)
    finally:
        objective.release()


def fit(network: Any, X: Any, y: Any = None, *, client: Any = None, strategy: str | None = None,
        epochs: int = 100, sync_every: int = 1, shards: int | None = None,
        optimizer: Any = "adam", learning_rate: float | None = None,
        batch_size: int | None = None,
        l2: float = 0.0, dropout: float = 0.0, shuffle: bool = True, seed: Any = None,
        sample_weight: Any = None, class_weight: Any = None, validation_data: Any = None,
        validation_split: float = 0.0, callbacks: Any = (), progress: bool = False,
        early_stopping: bool = False, patience: int = 10, checkpoint_dir: Any = None,
        resume: bool = False) -> History:
    # The docstring is _FIT_DOC (assigned below).  Every option is checked first, then
    # the data on the workers, then the chosen strategy runs.
    client = get_client(client)
    epochs = check_int("epochs", epochs, 1)
    solver = get_optimizer(optimizer)
    strategy = _check_strategy(strategy, solver)
    l2 = check_number("l2", l2, 0.0)
    validation_split = check_validation_split(validation_split, validation_data)
    rng = as_generator(seed)
    callback_list = [TerminateOnNaN(), *_option_callbacks(
        callbacks, progress, early_stopping, patience, checkpoint_dir, resume)]
    if strategy == "lbfgs":
        # fit(optimizer="lbfgs")'s own refusals, before any work on the cluster
        refuse_full_batch_options(solver, epochs, batch_size, shuffle, dropout, learning_rate)
        check_callbacks_for(DistributedLBFGSRun, callback_list)
        for name, value, default in (("sync_every", sync_every, 1), ("shards", shards, None)):
            if value != default:
                raise ValueError(f"strategy='lbfgs' cannot honour {name}={value!r}: it is "
                                 "an option of strategy='local_sgd'")
    else:
        plan = _local_sgd_plan(client, solver, sync_every=sync_every, shards=shards,
                               batch_size=batch_size, l2=l2, dropout=dropout, shuffle=shuffle,
                               learning_rate=learning_rate)
    sets = training_sets(client, network, X, y, sample_weight=sample_weight,
                         class_weight=class_weight, validation_data=validation_data,
                         validation_split=validation_split, l2=l2, rng=rng)
    try:
        if strategy == "lbfgs":
            return _run_lbfgs(network, sets, solver, epochs, l2, callback_list)
        return _run_local_sgd(network, sets, plan, epochs, callback_list, rng)
    finally:
        sets.release()


fit.__doc__ = _FIT_DOC
