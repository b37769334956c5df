"""Training data on a Dask cluster: checked partitions kept on the workers, shards of them
for local training, and sums over them reduced in a fixed order.

Only row counts, weights and float64 sums come back to the client; the rows never do.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from typing import Any

import dask
import numpy as np

from .collections import RowBlocks, is_dask_collection, row_blocks, vector_blocks
from .tasks import (
    PartitionSums,
    concat_shard,
    loss_gradient_sums,
    partition_size,
    prepare_partition,
    split_part,
    sum_in_order,
)

__all__ = ["ClusterData", "WorkerLostError", "get_client", "gather", "template_future"]

#: Partial sums combined per task in the fixed-order reduction tree.
_FAN_IN = 8


class WorkerLostError(RuntimeError):
    """Training data was lost with a worker and Dask cannot recompute it."""


def get_client(client: Any = None) -> Any:
    """``client``, else the current ``distributed`` client; ValueError when there is none."""
    from distributed import Client
    from distributed import get_client as current_client

    if client is not None:
        if not isinstance(client, Client):
            raise TypeError(f"client must be a distributed.Client, got {type(client).__name__}")
        return client
    try:
        return current_client()
    except ValueError:
        raise ValueError("no Dask client: pass client=distributed.Client(...) or create one "
                         "first (numpynn.distributed.fit runs on a cluster)") from None


def gather(client: Any, futures: Sequence[Any], what: str) -> list[Any]:
    """``client.gather(futures)``, with a clear error when a lost worker took data that
    Dask cannot recompute (scattered data) or when tasks keep killing workers."""
    from concurrent.futures import CancelledError

    from distributed import KilledWorker

    try:
        return client.gather(list(futures))
    except KilledWorker as err:
        raise WorkerLostError(f"{what}: Dask gave up after workers died running it "
                              f"({err}); the network keeps its weights from before") from None
    except CancelledError as err:
        raise WorkerLostError(
            f"{what}: a worker was lost with data that Dask cannot recompute ({err}). Data "
            "sent with client.scatter has no recipe to rebuild it: build X and y from files "
            "or arrays Dask can read again (dask.dataframe.read_parquet, "
            "dask.array.from_array) to survive lost workers") from None


def _split_frame(X: Any, y: Any, sample_weight: Any) -> tuple[Any, Any, Any]:
    """A dataframe's target (and weight) columns, given by name, split off its features."""
    names = [n for n in (y, sample_weight) if isinstance(n, str)]
    for name in names:
        if name not in X.columns:
            raise ValueError(f"column {name!r} is not in X; its columns are {list(X.columns)}")
    features = X.drop(columns=names) if names else X
    return (features, X[y] if isinstance(y, str) else y,
            X[sample_weight] if isinstance(sample_weight, str) else sample_weight)


def _as_collection(v: Any, like: RowBlocks, name: str) -> Any:
    """In-memory ``y`` or weights for Dask ``X``: one Dask array with X's row blocks
    (it is sent to the workers once, in the graph)."""
    if v is None or is_dask_collection(v):
        return v
    import dask.array as da

    arr = np.asarray(v)
    if like.rows is None:
        raise ValueError(f"{name} is in memory but X's partitions have unknown lengths: "
                         f"give {name} as a Dask collection with X's partitions")
    if arr.shape[0] != sum(like.rows):
        raise ValueError(f"{name} has {arr.shape[0]} rows but X has {sum(like.rows)}")
    return da.from_array(arr, chunks=(like.rows,) + arr.shape[1:])


class ClusterData:
    """Checked training partitions held on the workers.

    Parameters
    ----------
    client : distributed.Client
    network : NeuralNetwork
        Its sizes and output activation decide how the targets are checked.
    X : dask.array.Array or dask.dataframe.DataFrame
    y : Dask array or series, in-memory array, or a column name of a dataframe ``X``
    sample_weight : same kinds as ``y``, optional

    Attributes
    ----------
    partitions : list of distributed.Future
        One checked :class:`~numpynn.training.TrainingData` per non-empty partition.
    rows : list of int
    weights : list of float
        Total sample weight of each partition.
    """

    def __init__(self, client: Any, network: Any, X: Any, y: Any, sample_weight: Any = None,
                 name: str = "X") -> None:
        if y is None:
            raise ValueError(f"y is required: a Dask collection, an array or a column of {name}")
        if hasattr(X, "columns"):
            X, y, sample_weight = _split_frame(X, y, sample_weight)
        blocks = row_blocks(X, name, network.sizes[0])
        y_blocks = vector_blocks(_as_collection(y, blocks, "y"), "y", blocks)
        w = _as_collection(sample_weight, blocks, "sample_weight")
        w_blocks = [None] * len(blocks.blocks) if w is None else \
            vector_blocks(w, "sample_weight", blocks)
        template = dask.delayed(_template_of(network), pure=True)
        prepare = dask.delayed(prepare_partition, pure=True)
        tasks = [prepare(template, xb, yb, wb)
                 for xb, yb, wb in zip(blocks.blocks, y_blocks, w_blocks)]
        self.client = client
        self._hold(client.compute(tasks), f"checking {name}")
        if not self.partitions:
            raise ValueError(f"{name} is empty: its partitions have 0 rows")
        if sum(self.weights) <= 0:
            raise ValueError("sample_weight sums to 0")

    def _hold(self, futures: list[Any], what: str) -> None:
        """Hold the prepared partitions of ``futures`` that have rows (Dask frames often
        have empty ones), with their row counts and weights."""
        sizes = gather(self.client, self.client.map(partition_size, futures, pure=False),
                       what)
        keep = [i for i, (rows, _) in enumerate(sizes) if rows > 0]
        for i in sorted(set(range(len(futures))) - set(keep)):
            futures[i].release()
        self.partitions = [futures[i] for i in keep]
        self.rows = [sizes[i][0] for i in keep]
        self.weights = [sizes[i][1] for i in keep]

    def _derived(self, futures: list[Any], what: str) -> ClusterData:
        """A ClusterData holding ``futures``, prepared partitions made from these (whose
        recipes they keep, so that Dask can rebuild them after a lost worker)."""
        derived = copy.copy(self)
        derived._hold(futures, what)
        return derived

    def map(self, function: Any, what: str, **kwargs: Any) -> ClusterData:
        """``function(partition, **kwargs)`` on every partition, as a new ClusterData
        (this one keeps its own partitions: release it when done)."""
        futures = self.client.map(function, self.partitions, pure=False, **kwargs)
        return self._derived(futures, what)

    def gather_each(self, function: Any, what: str, **kwargs: Any) -> list[Any]:
        """``function(partition, **kwargs)`` of every partition, in partition order, on
        the client (small results only: counts, not rows)."""
        return gather(self.client, self.client.map(function, self.partitions, pure=False,
                                                   **kwargs), what)

    def split(self, fraction: float, rng: np.random.Generator
              ) -> tuple[ClusterData, ClusterData]:
        """``(training, validation)``: ``ceil(fraction * n)`` rows held out at random, on
        the workers.

        Every partition holds out its share (proportional to its rows, the remainders
        going to the largest fractions), chosen by a permutation drawn from a seed that
        ``rng`` gives each partition; nothing comes to the client.  This set keeps its
        partitions (release it when done).
        """
        held = math.ceil(self.n * fraction)
        if held < 1 or held >= self.n:
            raise ValueError(f"validation_split={fraction} leaves no rows for training or "
                             f"for validation with {self.n} samples")
        shares = _shares(self.rows, held)
        seeds = [int(s) for s in rng.integers(0, 2**63 - 1, size=len(self.rows))]
        parts: list[ClusterData] = []
        try:
            for validation in (False, True):
                futures = self.client.map(split_part, self.partitions, shares, seeds,
                                          validation=validation, pure=False)
                parts.append(self._derived(futures, "splitting off the validation rows"))
        except BaseException:
            for part in parts:
                part.release()
            raise
        return parts[0], parts[1]

    @property
    def n(self) -> int:
        return sum(self.rows)

    def release(self) -> None:
        """Let the workers drop the checked partitions."""
        for future in self.partitions:
            future.release()
        self.partitions = []

    # ------------------------------------------------------------------ shards
    def shard_ranges(self, count: int) -> list[range]:
        """``count`` contiguous runs of partitions with about equal rows (fewer when there
        are fewer partitions); the same for the same partitions, wherever they live."""
        count = max(1, min(count, len(self.rows)))
        bounds = np.cumsum(self.rows) / self.n
        ranges, start = [], 0
        for g in range(1, count + 1):
            # The last partition of shard g: where the cumulative rows pass g / count,
            # leaving at least one partition for each shard after it.
            stop = int(np.searchsorted(bounds, g / count - 1e-12)) + 1
            stop = min(max(stop, start + 1), len(self.rows) - (count - g))
            ranges.append(range(start, stop))
            start = stop
        return ranges

    def shards(self, count: int) -> tuple[list[Any], list[int]]:
        """Futures of the shards (checked partitions joined, on the worker holding most of
        their rows) and their row counts."""
        where = self.client.who_has(self.partitions)
        futures, rows = [], []
        for run in self.shard_ranges(count):
            parts = [self.partitions[i] for i in run]
            holders: dict[str, int] = {}
            for i in run:
                for address in where.get(self.partitions[i].key, ()):
                    holders[address] = holders.get(address, 0) + self.rows[i]
            workers = [max(holders, key=holders.get)] if holders else None
            futures.append(self.client.submit(concat_shard, *parts, workers=workers,
                                              allow_other_workers=True))
            rows.append(sum(self.rows[i] for i in run))
        return futures, rows

    # ------------------------------------------------------------------ sums
    def sums(self, template: Any, theta: np.ndarray, with_gradient: bool = True,
             what: str = "the loss and gradient") -> PartitionSums:
        """Loss (and gradient) sums over every partition at ``theta``, added in partition
        order through a fixed tree, so that the bits do not depend on timing or placement.
        """
        client = self.client
        level = [client.submit(loss_gradient_sums, template, theta, part, with_gradient,
                               pure=False) for part in self.partitions]
        while len(level) > _FAN_IN:
            level = [client.submit(sum_in_order, *level[i:i + _FAN_IN], pure=False)
                     for i in range(0, len(level), _FAN_IN)]
        return sum_in_order(*gather(client, level, what))


def _shares(rows: Sequence[int], total: int) -> list[int]:
    """``total`` split in proportion to ``rows`` (largest remainders, ties to the first),
    each share at most its rows when ``total < sum(rows)``."""
    exact = np.asarray(rows, dtype=np.float64) * (total / sum(rows))
    shares = np.floor(exact).astype(np.int64)
    extra = total - int(shares.sum())
    shares[np.argsort(shares - exact, kind="stable")[:extra]] += 1
    return [int(s) for s in shares]


def _template_of(network: Any) -> Any:
    """A copy of ``network`` to send to the workers (without user metadata)."""
    template = copy.deepcopy(network)
    template.metadata = {}
    return template


def _identity(value: Any) -> Any:
    return value


def template_future(client: Any, network: Any) -> Any:
    """A future of a copy of ``network`` on the cluster, made by a task (not scattered), so
    that Dask can make it again when the worker holding it is lost."""
    return client.submit(_identity, _template_of(network), pure=False)
