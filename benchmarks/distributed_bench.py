"""What training on a Dask cluster costs: one epoch-equivalent, one process against a
LocalCluster of worker processes, for both strategies of ``numpynn.distributed.fit``.

    python benchmarks/distributed_bench.py                 # 1,000,000 rows, 2 workers
    python benchmarks/distributed_bench.py --rows 100000   # a quick run

The data are made on the workers (``dask.array`` random blocks, persisted), so the
distributed figures include no transfer from the client; the one-process baseline gets
the same rows in memory.  Reported, as medians over ``--repeats``:

- local SGD: one epoch of Adam in one process (``net.fit(epochs=1)``) against one round
  of one epoch on the workers (``sync_every=1``): each worker trains on its shard, the
  client averages; that is the time per round.  Apart: the one-off cost (per ``fit``)
  of checking and sharding the partitions.
- L-BFGS: one full-batch loss and gradient in memory against one distributed evaluation
  (per-partition float64 sums, reduced in a fixed order): one L-BFGS iteration costs
  one or a few of these.

On a machine with few cores the workers share them with each other and the client, so
expect little speed-up: the point is what it costs and that it works.  Each worker runs
one BLAS thread; the lines "one process on 1 thread" compare per core.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=3)
    return parser.parse_args()


def _median_seconds(function, repeats: int) -> float:
    """Median of ``repeats`` timed calls after one untimed call (Numba compiles its kernels
    once per process: in this process and on each worker)."""
    function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _one_thread(measure):
    """``measure()`` with BLAS and OpenMP held to one thread, as on each worker (None
    without threadpoolctl).  On a loaded machine many BLAS threads can cost more than
    they give; this line shows how much of a ratio is that."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    with threadpool_limits(1):
        return measure()


def _labels(block: np.ndarray) -> np.ndarray:
    return (block[:, 0] * block[:, 1] + block[:, 2] > 0).astype(np.int64)


def _cluster_data(client, args):
    import dask.array as da

    rows_per_block = -(-args.rows // args.partitions)
    X = da.random.default_rng(0).standard_normal((args.rows, args.features),
                                                 chunks=(rows_per_block, args.features),
                                                 dtype=np.float32)
    y = X.map_blocks(_labels, drop_axis=1, dtype=np.int64)
    return client.persist(X), client.persist(y)


def _report(name: str, one: float, cluster: float, args) -> None:
    print(f"{name:<34} one process {one:8.3f} s   {args.workers} workers {cluster:8.3f} s   "
          f"ratio {cluster / one:5.2f}x")


def main() -> None:
    args = _options()
    from distributed import Client, LocalCluster

    import numpynn
    from numpynn.distributed.cluster_data import ClusterData, template_future
    from numpynn.distributed.local_sgd import LocalSGDRounds
    from numpynn.distributed.tasks import LocalSettings
    from numpynn.training import get_optimizer

    cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address=None, silence_logs=40)
    client = Client(cluster)
    try:
        X, y = _cluster_data(client, args)
        # The baseline's copy, realigned: arrays from the cluster arrive unaligned.
        X_mem, y_mem = (np.array(a) for a in client.compute([X, y], sync=True))
        sizes = (args.features, args.hidden, args.hidden, 2)
        print(f"{args.rows} rows x {args.features} features, network "
              f"{'-'.join(map(str, sizes))}, {args.partitions} partitions, "
              f"{args.workers} worker processes, {os.cpu_count()} cores")

        def one_epoch():
            numpynn.NeuralNetwork(*sizes, seed=0).fit(X_mem, y_mem, epochs=1, seed=0,
                                                      batch_size=args.batch_size)

        net = numpynn.NeuralNetwork(*sizes, seed=0)
        start = time.perf_counter()
        data = ClusterData(client, net, X, y)
        settings = LocalSettings(get_optimizer("adam"), args.batch_size, 0.0, 0.0, True)
        rounds = LocalSGDRounds(net, data, settings, shards=args.workers, seed=0)
        client.gather(rounds.shard_futures)
        setup = time.perf_counter() - start
        one = _median_seconds(one_epoch, args.repeats)
        per_round = _median_seconds(lambda: rounds.run_round([0.001]), args.repeats)
        _report("local SGD: one epoch (Adam)", one, per_round, args)
        one_thread = _one_thread(lambda: _median_seconds(one_epoch, args.repeats))
        if one_thread is not None:  # each worker has one BLAS thread: the per-core view
            _report("  same, one process on 1 thread", one_thread, per_round, args)
        print(f"{'':<34} once per fit: checking and sharding the partitions {setup:.3f} s")
        rounds.release()
        data = ClusterData(client, net, X, y)
        template = template_future(client, net)
        evaluation = _median_seconds(lambda: data.sums(template, net.theta), args.repeats)
        _report("L-BFGS: one loss + gradient",
                _median_seconds(lambda: net.loss_and_gradient(X_mem, y_mem), args.repeats),
                evaluation, args)
        one_thread = _one_thread(lambda: _median_seconds(
            lambda: net.loss_and_gradient(X_mem, y_mem), args.repeats))
        if one_thread is not None:
            _report("  same, one process on 1 thread", one_thread, evaluation, args)
    finally:
        client.close()
        cluster.close()


if __name__ == "__main__":
    main()
