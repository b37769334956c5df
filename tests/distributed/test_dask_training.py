"""Training on a LocalCluster of two worker processes on 127.0.0.1: the distributed loss and
gradient, local SGD, exact L-BFGS, predictions on the cluster and a worker killed
mid-training.  The cluster and the time limit are conftest.py's."""

import os
import signal
import threading

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

import numpynn  # noqa: E402
from numpynn import distributed as nd  # noqa: E402
from numpynn.distributed.tasks import prepare_partition  # noqa: E402


def _task(n, seed=0):
    """Two interleaved moons in 6 dimensions (4 of them noise): a small nonlinear task."""
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0, np.pi, n)
    label = rng.integers(0, 2, n)
    x = np.where(label, 1 - np.cos(angle), np.cos(angle))
    y = np.where(label, 0.5 - np.sin(angle), np.sin(angle))
    X = np.column_stack([x, y, rng.normal(scale=0.3, size=(n, 4))]).astype(np.float32)
    X[:, :2] += rng.normal(scale=0.1, size=(n, 2)).astype(np.float32)
    return X, label.astype(np.int64)


@pytest.fixture(scope="module")
def moons():
    X, y = _task(6000)
    return X[:5000], y[:5000], X[5000:], y[5000:]


def _on_cluster(client, X, y, rows):
    dx = da.from_array(X, chunks=(rows, X.shape[1]))
    dy = da.from_array(y, chunks=rows)
    return client.persist(dx), client.persist(dy)


def test_unaligned_partitions_are_realigned_once():
    raw = np.random.default_rng(0).standard_normal(41).astype(np.float32).tobytes()
    unaligned = np.frombuffer(b"x" + raw[:160], dtype=np.float32, offset=1).reshape(8, 5)
    assert not unaligned.flags.aligned
    data = prepare_partition(numpynn.NeuralNetwork(5, 3, 2), unaligned, np.zeros(8, int))
    assert data.X.flags.aligned and data.X.flags.c_contiguous
    np.testing.assert_array_equal(data.X, unaligned)
    # and in one process too (fit, eval): core.checks.as_float32_matrix realigns
    from numpynn.training import check_training_data

    checked = check_training_data(numpynn.NeuralNetwork(5, 3, 2), unaligned, np.zeros(8, int))
    assert checked.X.flags.aligned


def _relative_error(a, b):
    return float(np.linalg.norm(np.asarray(a, np.float64) - b) / np.linalg.norm(b))


def test_loss_and_gradient_equals_in_memory(client, moons):
    X, y, _, _ = moons
    dx, dy = _on_cluster(client, X, y, 700)
    net = numpynn.NeuralNetwork(6, 12, 2, seed=1)
    weights = np.random.default_rng(2).uniform(0.5, 2.0, len(y)).astype(np.float32)
    dw = da.from_array(weights, chunks=700)
    loss, grad = nd.loss_and_gradient(net, dx, dy, l2=0.01, sample_weight=dw, client=client)
    loss_mem, grad_mem = net.loss_and_gradient(X, y, l2=0.01, sample_weight=weights)
    assert grad.dtype == np.float32 and grad.shape == (net.num_weights,)
    np.testing.assert_allclose(loss, loss_mem, rtol=1e-6)
    # In-memory float32 sums over 5,000 rows are themselves ~1e-6 off (against float64
    # PyTorch: 1.1e-6; these sums: 1.3e-7), so the rtol 1e-6 is against in-memory
    # gradients of 50-row blocks added in float64, and the whole-data one gets 3e-6.
    reference = np.zeros(net.num_weights)
    for start in range(0, len(y), 50):
        part = slice(start, start + 50)
        _, g = net.loss_and_gradient(X[part], y[part], sample_weight=weights[part])
        reference += g.astype(np.float64) * float(weights[part].sum(dtype=np.float64))
    reference /= weights.sum(dtype=np.float64)
    reference += 0.01 * np.where(net.weight_mask(), net.theta, 0.0)
    assert _relative_error(grad, reference) <= 1e-6
    assert _relative_error(grad, grad_mem) <= 3e-6


def test_one_shard_one_round_is_fit_bit_for_bit(client, moons):
    X, y, _, _ = moons
    dx, dy = _on_cluster(client, X[:2000], y[:2000], 600)
    distributed_net = numpynn.NeuralNetwork(6, 12, 2, seed=3)
    local_net = numpynn.NeuralNetwork(6, 12, 2, seed=3)
    history = nd.fit(distributed_net, dx, dy, client=client, shards=1, epochs=3, sync_every=3,
                     batch_size=64, seed=7)
    local = local_net.fit(X[:2000], y[:2000], epochs=3, batch_size=64, seed=7)
    np.testing.assert_array_equal(distributed_net.theta, local_net.theta)
    assert history.loss == [local.loss[-1]]


def test_one_shard_many_rounds_is_fit_and_counts_the_same_work(client, moons):
    X, y, _, _ = moons
    dx, dy = _on_cluster(client, X[:2000], y[:2000], 600)
    distributed_net = numpynn.NeuralNetwork(6, 12, 2, seed=3)
    local_net = numpynn.NeuralNetwork(6, 12, 2, seed=3)
    nd.fit(distributed_net, dx, dy, client=client, shards=1, epochs=3, sync_every=1,
           batch_size=64, seed=7)
    local_net.fit(X[:2000], y[:2000], epochs=3, batch_size=64, seed=7)
    # the kernel switch's count of work (training_work) goes on across the rounds
    assert distributed_net.training_work == local_net.training_work > 0
    np.testing.assert_array_equal(distributed_net.theta, local_net.theta)


def _rounds_of_one_epoch(net, data, rounds, carry_work):
    """``rounds`` local SGD rounds of one epoch on one shard, in this process."""
    from numpynn.distributed.local_sgd import _initial_rng_states
    from numpynn.distributed.tasks import LocalSettings, RoundJob, train_shard

    settings = LocalSettings(numpynn.Adam(), batch_size=64, l2=0.0, dropout=0.0, shuffle=True)
    theta, state, rng_state, work = net.theta.copy(), {}, _initial_rng_states(7, 1)[0], 0
    for _ in range(rounds):
        result = train_shard(net, settings, RoundJob(theta, state, rng_state, [0.001],
                                                     work if carry_work else 0), data)
        theta, state, rng_state, work = (result.theta, result.optimizer_state,
                                         result.rng_state, result.work)
    return theta


def test_rounds_take_each_epochs_kernel_path_as_one_fit_does(monkeypatch, moons):
    pytest.importorskip("numba")
    from numpynn.core.kernels import switch

    X, y, _, _ = moons
    X, y = X[:640], y[:640]
    monkeypatch.setenv(switch.ENVIRONMENT_VARIABLE, "auto")
    net = numpynn.NeuralNetwork(6, 12, 2, seed=3)
    epoch_work = switch.training_work(net.num_weights, len(X), 64, 1)
    # NumPy for the first epoch, Numba's fused epoch (other rounding) from the second
    monkeypatch.setattr(switch, "COMPILE_AFTER_WORK", int(1.5 * epoch_work))
    local = numpynn.NeuralNetwork(6, 12, 2, seed=3)
    local.fit(X, y, epochs=3, batch_size=64, seed=7)
    data = prepare_partition(net, X, y)
    np.testing.assert_array_equal(_rounds_of_one_epoch(net, data, 3, True), local.theta)
    # counting each round from zero keeps the rounds on NumPy: other bits
    assert not np.array_equal(_rounds_of_one_epoch(net, data, 3, False), local.theta)


def test_two_workers_local_sgd_matches_one_process(client, moons):
    X, y, X_test, y_test = moons
    dx, dy = _on_cluster(client, X, y, 1250)
    one = numpynn.NeuralNetwork(6, 16, 2, seed=4)
    one.fit(X, y, epochs=8, optimizer="adam", learning_rate=0.01, seed=0)
    two = numpynn.NeuralNetwork(6, 16, 2, seed=4)
    history = nd.fit(two, dx, dy, client=client, shards=2, epochs=8, sync_every=2,
                     learning_rate=0.01,
                     seed=0)
    assert len(history.loss) == 4  # rounds
    accuracy_one = float((one.predict(X_test) == y_test).mean())
    accuracy_two = float((two.predict(X_test) == y_test).mean())
    assert accuracy_one > 0.9
    assert abs(accuracy_two - accuracy_one) <= 0.01


def test_lbfgs_gives_the_same_answer_twice(client, moons):
    X, y, _, _ = moons
    dx, dy = _on_cluster(client, X, y, 600)
    answers = []
    for _ in range(2):
        net = numpynn.NeuralNetwork(6, 8, 2, seed=5)
        nd.fit(net, dx, dy, client=client, optimizer="lbfgs", epochs=15, l2=1e-3)
        answers.append(net.theta.copy())
    np.testing.assert_array_equal(answers[0], answers[1])
    start = numpynn.NeuralNetwork(6, 8, 2, seed=5)
    assert net.loss_and_gradient(X, y)[0] < start.loss_and_gradient(X, y)[0]


def test_predictions_on_the_cluster_equal_in_memory(client, moons):
    X, _, _, _ = moons
    dx = client.persist(da.from_array(X, chunks=(1000, 6)))
    net = numpynn.NeuralNetwork(6, 8, 2, seed=6)
    lazy = net.predict(dx)
    expected = np.concatenate([net.predict(X[i:i + 1000]) for i in range(0, len(X), 1000)])
    np.testing.assert_array_equal(client.compute(lazy).result(), expected)


def test_engine_callbacks_run_once_a_round(client, moons, tmp_path):
    from numpynn.training import Checkpoint, CSVLogger, ReduceLROnPlateau

    X, y, _, _ = moons
    dx, dy = _on_cluster(client, X[:1000], y[:1000], 250)
    net = numpynn.NeuralNetwork(6, 4, 2, seed=0)
    log = tmp_path / "rounds.csv"
    history = nd.fit(net, dx, dy, client=client, shards=2, epochs=6, sync_every=2,
                     learning_rate=0.05, seed=0,
                     callbacks=[ReduceLROnPlateau(patience=1, factor=0.5), CSVLogger(log)])
    assert len(history.loss) == 3
    assert len(log.read_text().splitlines()) == 4  # a header and a line per round
    with pytest.raises(ValueError, match="Checkpoint"):
        nd.fit(net, dx, dy, client=client, optimizer="lbfgs", epochs=2,
               callbacks=[Checkpoint(tmp_path / "ckpt")])
    with pytest.raises(ValueError, match="strategy"):
        nd.fit(net, dx, dy, client=client, strategy="gossip")


def _kill_a_worker_mid_round(client, killed):
    """In a thread: wait until a worker runs a shard's round, then SIGKILL it."""
    pids = client.run(os.getpid)

    def watch():
        for _ in range(2000):
            for address, keys in client.processing().items():
                if any(str(key).startswith("train_shard") for key in keys):
                    os.kill(pids[address], signal.SIGKILL)
                    killed.append(address)
                    return
            threading.Event().wait(0.002)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_a_worker_killed_mid_training_is_survived(client, moons, tmp_path):
    from numpynn.io.model_files import read_latest_checkpoint

    X, y, _, _ = moons
    dx, dy = _on_cluster(client, X, y, 1000)
    options = dict(client=client, shards=2, epochs=4, sync_every=2, batch_size=4, seed=1)
    reference = numpynn.NeuralNetwork(6, 16, 2, seed=8)
    nd.fit(reference, dx, dy, **options)
    net = numpynn.NeuralNetwork(6, 16, 2, seed=8)
    killed, watchers = [], []

    def kill_during_the_next_round(logs):
        if logs["epoch"] == 0:
            watchers.append(_kill_a_worker_mid_round(client, killed))

    history = nd.fit(net, dx, dy, callbacks=[kill_during_the_next_round],
                     checkpoint_dir=tmp_path, **options)
    watchers[0].join(5)
    assert killed, "no worker was killed during the round"
    assert len(history.loss) == 2
    # The lost shard ran again from the same inputs: the weights of a run without the kill.
    np.testing.assert_array_equal(net.theta, reference.theta)
    contents, _, state = read_latest_checkpoint(tmp_path)  # every round's, complete
    assert state["epoch"] == 1
    np.testing.assert_array_equal(contents.theta, net.theta)
    client.wait_for_workers(2, timeout=30)  # the nanny starts a new worker


def test_validation_early_stopping_and_resume(client, moons, tmp_path):
    X, y, X_val, y_val = moons
    dx, dy = _on_cluster(client, X[:2000], y[:2000], 500)
    dxv, dyv = _on_cluster(client, X_val, y_val, 500)
    options = dict(client=client, shards=2, sync_every=1, batch_size=64, learning_rate=0.01,
                   seed=2)
    straight = numpynn.NeuralNetwork(6, 8, 2, seed=9)
    whole = nd.fit(straight, dx, dy, epochs=5, validation_data=(dxv, dyv), **options)
    assert len(whole.val_loss) == len(whole.val_accuracy) == 5
    first = numpynn.NeuralNetwork(6, 8, 2, seed=9)
    nd.fit(first, dx, dy, epochs=3, validation_data=(X_val, y_val), checkpoint_dir=tmp_path,
           **options)
    resumed = numpynn.NeuralNetwork(6, 8, 2, seed=9)
    history = nd.fit(resumed, dx, dy, epochs=5, validation_data=(X_val, y_val),
                     checkpoint_dir=tmp_path, resume=True, **options)
    # theta, the averaged optimizer state and every shard's generator come back exactly
    np.testing.assert_array_equal(resumed.theta, straight.theta)
    # and so do the kernel switch's counts (the shards' and, derived, the network's)
    assert resumed.training_work == straight.training_work > 0
    assert history.loss == whole.loss
    np.testing.assert_allclose(history.val_loss, whole.val_loss, rtol=1e-6)
    stopped = numpynn.NeuralNetwork(6, 8, 2, seed=9)
    history = nd.fit(stopped, dx, dy, epochs=40, validation_data=(dxv, dyv),
                     early_stopping=True, patience=1, **{**options, "learning_rate": 0.5})
    assert history.stopped_early and len(history.loss) < 40
    assert history.val_loss[history.best_epoch] == min(history.val_loss)


def test_lost_scattered_data_is_a_clear_error(client, moons):
    """Last in the module: it kills every worker (any copy of the data would rescue it)."""
    X, y, _, _ = moons
    x_future, y_future = client.scatter([X, y])
    dx = da.from_delayed(_delayed(x_future), shape=X.shape, dtype=X.dtype)
    dy = da.from_delayed(_delayed(y_future), shape=y.shape, dtype=y.dtype)
    watcher = threading.Thread(target=_kill_every_worker_when_training,
                               args=(client, client.run(os.getpid)), daemon=True)
    net = numpynn.NeuralNetwork(6, 8, 2, seed=0)
    watcher.start()
    with pytest.raises(nd.WorkerLostError, match="cannot recompute"):
        nd.fit(net, dx, dy, client=client, shards=1, epochs=50, batch_size=4, seed=0)
    watcher.join(5)
    assert np.isfinite(net.theta).all()  # the weights from before the failed round
    client.wait_for_workers(2, timeout=30)


def _delayed(future):
    import dask

    return dask.delayed(lambda value: value, pure=True)(future)


def _kill_every_worker_when_training(client, pids):
    for _ in range(5000):
        if any(str(k).startswith("train_shard") for keys in client.processing().values()
               for k in keys):
            for pid in pids.values():
                os.kill(pid, signal.SIGKILL)
            return
        threading.Event().wait(0.002)


def test_damaged_work_counts_in_a_checkpoint_are_refused():
    from types import SimpleNamespace

    from numpynn.distributed.loops import _work_counts

    rounds = SimpleNamespace(start_work=0, shard_work=[0, 0], shard_rows=[10, 10])
    assert _work_counts({}, rounds) == (0, [0, 0])  # written before the counts were kept
    assert _work_counts({"start_work": 5, "shard_work": [7, 9]}, rounds) == (5, [7, 9])
    for damaged in ({"shard_work": [1]}, {"shard_work": [1, -2]}, {"shard_work": "12"},
                    {"start_work": True}, {"shard_work": [1, 2.5]}):
        with pytest.raises(ValueError, match="shard_work"):
            _work_counts(damaged, rounds)
