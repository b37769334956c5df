"""``numpynn.distributed.fit`` and ``loss_and_gradient``: training on data that stays on a
Dask cluster."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..core.checks import check_int, check_number
from ..training import History, get_optimizer
from ..training.optimizers import LBFGS
from .cluster_data import ClusterData, get_client, template_future
from .lbfgs import DistributedObjective, minimize_distributed
from .local_sgd import LocalSGDRounds
from .tasks import LocalSettings

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


def _default_strategy(optimizer: Any) -> str:
    return "lbfgs" if isinstance(optimizer, LBFGS) else "local_sgd"


def fit(network: Any, X: Any, y: Any = None, *, client: Any = None, strategy: str | None = None,
        epochs: int = 100, sync_every: int = 1, shards: int | None = None,
        optimizer: Any = "adam", learning_rate: float | None = None, batch_size: int = 32,
        l2: float = 0.0, dropout: float = 0.0, shuffle: bool = True, seed: Any = None,
        sample_weight: Any = None, validation_data: Any = None, callbacks: Any = (),
        ) -> History:
    """Train ``network`` on data that lives on a Dask cluster (see the module docs)."""
    client = get_client(client)
    epochs = check_int("epochs", epochs, 1)
    solver = get_optimizer(optimizer)
    strategy = _default_strategy(solver) if strategy is None else strategy
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
    data = ClusterData(client, network, X, y, sample_weight)
    history = History()
    if strategy == "lbfgs":
        if not isinstance(solver, LBFGS):
            solver = LBFGS()
        objective = DistributedObjective(network, data, check_number("l2", l2, 0.0))
        try:
            def after(loss: float) -> bool:
                history.loss.append(loss)
                return any(cb({"epoch": len(history.loss) - 1, "loss": loss}) is True
                           for cb in callbacks)

            minimize_distributed(objective, solver, solver.max_iter or epochs, after)
        finally:
            objective.release()
            data.release()
        return history
    sync_every = check_int("sync_every", sync_every, 1)
    n_shards = len(client.scheduler_info()["workers"]) if shards is None else \
        check_int("shards", shards, 1)
    rate = 0.001 if learning_rate is None else learning_rate
    settings = LocalSettings(solver, batch_size, l2, dropout, shuffle)
    rounds = LocalSGDRounds(network, data, settings, shards=n_shards, seed=seed)
    try:
        done = 0
        for r in range(math.ceil(epochs / sync_every)):
            count = min(sync_every, epochs - done)
            logs = rounds.run_round([rate] * count)
            done += count
            history.loss.append(logs["loss"])
            if logs["accuracy"] is not None:
                history.accuracy.append(logs["accuracy"])
            if any(cb({"epoch": r, **logs}) is True for cb in callbacks):
                break
    finally:
        rounds.release()
    return history
