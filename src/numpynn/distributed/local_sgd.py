"""Local SGD: each round every shard trains with numpynn's own engine for a few epochs,
then the client averages the flat vectors weighted by rows.

A shard is a contiguous run of partitions (about equal rows), joined once on the worker
that holds most of them.  Only ``theta``, the optimizer's vectors and each shard's
generator state travel, once per round each way.  Every round's task is a pure function
of what it is sent, so when a worker is lost Dask runs the lost shards again elsewhere
(rebuilding their data from its recipe) and the round's result does not change.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.checks import as_generator
from .cluster_data import ClusterData, gather, template_future
from .tasks import LocalSettings, RoundJob, ShardResult, train_shard

__all__ = ["LocalSGDRounds", "average_results"]


def _initial_rng_states(seed: Any, count: int) -> list[dict[str, Any]]:
    """One generator state per shard; the first is the seed's own generator, so that one
    shard trains exactly as ``fit(seed=seed)`` does."""
    root = as_generator(seed)
    first = root.bit_generator.state
    draws = np.random.default_rng()
    draws.bit_generator.state = first
    seeds = draws.integers(0, 2**63 - 1, size=max(0, count - 1))
    return [first] + [np.random.default_rng(int(s)).bit_generator.state for s in seeds]


def average_results(results: list[ShardResult]) -> tuple[np.ndarray, dict[str, Any]]:
    """Row-weighted means (in float64) of the shards' ``theta`` and optimizer vectors; the
    step count is the rounded weighted mean.  One shard: its own values, unchanged."""
    first = results[0]
    if len(results) == 1:
        return first.theta.copy(), dict(first.optimizer_state)
    total = float(sum(r.rows for r in results))
    shares = [r.rows / total for r in results]

    def mean(values: list[np.ndarray]) -> np.ndarray:
        acc = np.zeros(values[0].shape, dtype=np.float64)
        for share, value in zip(shares, values):
            acc += share * value.astype(np.float64)
        return acc.astype(values[0].dtype)

    theta = mean([r.theta for r in results])
    state: dict[str, Any] = {}
    for key, value in first.optimizer_state.items():
        if isinstance(value, np.ndarray):
            state[key] = mean([r.optimizer_state[key] for r in results])
        else:
            state[key] = int(round(sum(s * r.optimizer_state[key]
                                       for s, r in zip(shares, results))))
    return theta, state


class LocalSGDRounds:
    """The rounds of local SGD over data on a cluster, one call per round.

    Parameters
    ----------
    network : NeuralNetwork
        Updated in place after each round.
    data : ClusterData
        Its partitions are joined into shards and then released.
    settings : LocalSettings
    shards : int
        How many shards train side by side (at most one per partition).
    seed : int, Generator or None

    Attributes
    ----------
    shard_rows : list of int
    optimizer_state : dict
        The averaged ``"step"`` and optimizer vectors (empty before the first round).
    rng_states : list of dict
        Each shard's generator state.
    start_work : int
        The network's ``training_work`` when the run began.
    shard_work : list of int
        Each shard's training work so far (``RoundJob.prior_work``), for the kernel switch.
    """

    def __init__(self, network: Any, data: ClusterData, settings: LocalSettings, *,
                 shards: int, seed: Any = None) -> None:
        self.network = network
        self.client = data.client
        self.settings = settings
        self.shard_futures, self.shard_rows = data.shards(shards)
        data.release()
        self.template = template_future(self.client, network)
        self.optimizer_state: dict[str, Any] = {}
        self.rng_states = _initial_rng_states(seed, len(self.shard_futures))
        # The network's training work when the run began, and each shard's so far, from
        # it (the kernel switch's count); the network's own is derived from both.
        self.start_work = int(getattr(network, "training_work", 0))
        self.shard_work = [self.start_work] * len(self.shard_futures)

    def run_round(self, rates: list[float]) -> dict[str, Any]:
        """Train every shard for ``len(rates)`` epochs from the current weights, then
        average.

        Returns
        -------
        dict
            ``loss`` and ``accuracy``: row-weighted means of the shards' last epoch
            (accuracy None for regression).
        """
        theta = self.network.theta.copy()
        jobs = [RoundJob(theta, self.optimizer_state, rng_state, list(rates), work)
                for rng_state, work in zip(self.rng_states, self.shard_work)]
        futures = [self.client.submit(train_shard, self.template, self.settings, job, shard,
                                      pure=False)
                   for job, shard in zip(jobs, self.shard_futures)]
        results: list[ShardResult] = gather(self.client, futures, "a local SGD round")
        theta, self.optimizer_state = average_results(results)
        self.network.theta[:] = theta
        self.rng_states = [r.rng_state for r in results]
        self.shard_work = [r.work for r in results]
        self.count_network_work()
        total = float(sum(r.rows for r in results))
        loss = sum(r.rows * r.loss for r in results) / total
        accuracy = None if results[0].accuracy is None else \
            sum(r.rows * r.accuracy for r in results) / total
        return {"loss": float(loss), "accuracy": None if accuracy is None else float(accuracy)}

    def count_network_work(self) -> None:
        """The network's ``training_work``: its start plus every shard's work since (one
        shard: ``fit``'s count, exactly)."""
        self.network.training_work = self.start_work + sum(
            w - self.start_work for w in self.shard_work)

    def release(self) -> None:
        for future in (*self.shard_futures, self.template):
            future.release()
        self.shard_futures = []
