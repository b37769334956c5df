"""numpynn.distributed.fit's options beyond the strategies: the network's dtype on the
workers (float64 networks train in float64), class_weight and validation_split, on the
LocalCluster of conftest.py (two worker processes, a time limit on every test)."""

import math

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

import numpynn  # noqa: E402
from numpynn import distributed as nd  # noqa: E402
from numpynn.distributed.tasks import prepare_partition  # noqa: E402
from numpynn.distributed.training_sets import training_sets  # noqa: E402


def _imbalanced(n, seed=0, dtype=np.float32):
    """Three classes of 60%, 30% and 10% of the rows, a little overlapped, in 5 features."""
    rng = np.random.default_rng(seed)
    y = rng.choice(3, size=n, p=[0.6, 0.3, 0.1])
    X = rng.normal(size=(n, 5)) + np.eye(3, 5)[y] * 1.5
    return X.astype(dtype), y.astype(np.int64)


def _dask(client, X, y, chunks):
    return (client.persist(da.from_array(X, chunks=(chunks, X.shape[1]))),
            client.persist(da.from_array(y, chunks=(chunks,))))


# ---------------------------------------------------------------------------- dtype
def test_a_partition_keeps_the_float64_networks_dtype_exactly():
    X = np.random.default_rng(0).normal(size=(6, 5))  # float64, not representable in float32
    net64 = numpynn.NeuralNetwork(5, 3, 2, dtype=np.float64)
    data = prepare_partition(net64, X, np.zeros(6, int))
    assert data.X.dtype == np.float64
    np.testing.assert_array_equal(data.X, X)
    data32 = prepare_partition(numpynn.NeuralNetwork(5, 3, 2), X, np.zeros(6, int))
    assert data32.X.dtype == np.float32


def test_float64_networks_train_and_predict_in_float64_on_the_workers(client):
    X, y = _imbalanced(1200, seed=1, dtype=np.float64)
    dx, dy = _dask(client, X, y, 400)
    net = numpynn.NeuralNetwork(5, 8, 3, seed=2, dtype=np.float64)
    loss, grad = nd.loss_and_gradient(net, dx, dy, client=client, l2=0.01)
    loss_mem, grad_mem = net.loss_and_gradient(X, y, l2=0.01)
    assert grad.dtype == np.float64
    # float64 sums: a float32 copy of the rows anywhere would be ~1e-7 off
    assert loss == pytest.approx(loss_mem, rel=1e-12)
    np.testing.assert_allclose(grad, grad_mem, rtol=1e-10, atol=1e-14)
    # one shard, one round: NeuralNetwork.fit in float64, bit for bit
    local = numpynn.NeuralNetwork(5, 8, 3, seed=2, dtype=np.float64)
    nd.fit(net, dx, dy, client=client, shards=1, epochs=2, sync_every=2, batch_size=64,
           seed=4)
    local.fit(X, y, epochs=2, batch_size=64, seed=4)
    assert net.theta.dtype == np.float64
    np.testing.assert_array_equal(net.theta, local.theta)
    outputs = client.compute(net.eval(dx)).result()
    assert outputs.dtype == np.float64
    np.testing.assert_array_equal(outputs, np.concatenate(
        [net.eval(X[i:i + 400]) for i in range(0, len(X), 400)]))


def test_float64_lbfgs_on_the_cluster_follows_the_one_in_memory(client):
    X, y = _imbalanced(900, seed=3, dtype=np.float64)
    dx, dy = _dask(client, X, y, 300)
    on_cluster = numpynn.NeuralNetwork(5, 6, 3, seed=5, dtype=np.float64)
    in_memory = numpynn.NeuralNetwork(5, 6, 3, seed=5, dtype=np.float64)
    history = nd.fit(on_cluster, dx, dy, client=client, optimizer="lbfgs", epochs=8, l2=1e-3)
    local = in_memory.fit(X, y, optimizer="lbfgs", epochs=8, l2=1e-3)
    assert on_cluster.theta.dtype == np.float64 and len(history.loss) == len(local.loss) == 8
    # the same bridge on float64 sums in another order: the same path to ~1e-9
    np.testing.assert_allclose(on_cluster.theta, in_memory.theta, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(history.loss, local.loss, rtol=1e-9)


# ---------------------------------------------------------------------------- class_weight
@pytest.mark.parametrize("class_weight", ["balanced", {0: 0.5, 2: 4.0}])
def test_class_weight_on_one_shard_is_fit_bit_for_bit(client, class_weight):
    X, y = _imbalanced(1500, seed=6)
    dx, dy = _dask(client, X, y, 500)
    weights = np.random.default_rng(7).uniform(0.5, 2.0, len(y)).astype(np.float32)
    dw = da.from_array(weights, chunks=500)
    on_cluster = numpynn.NeuralNetwork(5, 8, 3, seed=8)
    in_memory = numpynn.NeuralNetwork(5, 8, 3, seed=8)
    history = nd.fit(on_cluster, dx, dy, client=client, shards=1, epochs=2, sync_every=2,
                     batch_size=64, seed=9, sample_weight=dw, class_weight=class_weight)
    local = in_memory.fit(X, y, epochs=2, batch_size=64, seed=9, sample_weight=weights,
                          class_weight=class_weight)
    np.testing.assert_array_equal(on_cluster.theta, in_memory.theta)
    assert history.loss == [local.loss[-1]]


def test_class_weight_in_distributed_lbfgs_and_its_errors(client):
    X, y = _imbalanced(900, seed=10)
    dx, dy = _dask(client, X, y, 300)
    net = numpynn.NeuralNetwork(5, 6, 3, seed=11)
    start = net.theta.copy()
    history = nd.fit(net, dx, dy, client=client, optimizer="lbfgs", epochs=1,
                     class_weight="balanced")
    # the first iterate's objective is the class-weighted loss there
    assert history.loss[0] == pytest.approx(
        net.loss_and_gradient(X, y, sample_weight=_balanced(y))[0], rel=1e-5)
    regression = numpynn.NeuralNetwork(5, 4, 1, output_activation="identity")
    with pytest.raises(ValueError, match="class_weight applies to classification"):
        nd.fit(regression, dx, dy.astype(np.float32), client=client, class_weight="balanced")
    with pytest.raises(ValueError, match="class_weight key 5"):
        nd.fit(net, dx, dy, client=client, class_weight={5: 1.0})
    with pytest.raises(ValueError, match="every sample at weight 0"):
        nd.fit(net, dx, dy, client=client, class_weight={0: 0, 1: 0, 2: 0})
    assert not np.array_equal(net.theta, start)


def _balanced(y):
    counts = np.bincount(y)
    return (len(y) / (len(counts) * counts))[y]


# ---------------------------------------------------------------------------- validation_split
def test_validation_split_holds_rows_out_on_the_workers(client):
    n = 1000
    X = np.column_stack([np.arange(n), np.zeros((n, 4))]).astype(np.float32)  # row numbers
    y = np.arange(n) % 2
    dx = da.from_array(X, chunks=((300, 500, 200), (5,)))
    dy = da.from_array(y, chunks=((300, 500, 200),))
    net = numpynn.NeuralNetwork(5, 3, 2)

    def split(seed):
        sets = training_sets(client, net, dx, dy, validation_split=0.25,
                             rng=np.random.default_rng(seed))
        try:
            train = [p.X[:, 0].astype(int) for p in client.gather(sets.data.partitions)]
            held = [p.X[:, 0].astype(int)
                    for p in client.gather(sets.validation._cluster.partitions)]
        finally:
            sets.release()
        return train, held

    train, held = split(3)
    assert [len(h) for h in held] == [75, 125, 50]  # ceil(0.25 * n), in proportion
    rows = np.concatenate(train + held)
    assert len(rows) == n and set(rows.tolist()) == set(range(n))
    assert all((np.diff(part) > 0).all() for part in train + held)  # row order kept
    assert all(h.min() >= lo and h.max() < lo + size
               for h, lo, size in zip(held, (0, 300, 800), (300, 500, 200)))
    again, other = split(3), split(4)
    assert all(np.array_equal(a, b) for a, b in zip(held, again[1]))
    assert not all(np.array_equal(a, b) for a, b in zip(held, other[1]))


def test_fit_with_validation_split_is_fit_on_the_training_rows(client):
    X, y = _imbalanced(1200, seed=12)
    dx, dy = _dask(client, X, y, 400)
    net = numpynn.NeuralNetwork(5, 8, 3, seed=13)
    history = nd.fit(net, dx, dy, client=client, shards=1, epochs=3, sync_every=3,
                     batch_size=32, seed=14, validation_split=0.2)
    # the split fit made: the same seed's first draws (three partition seeds)
    rng = np.random.default_rng(14)
    seeds = rng.integers(0, 2**63 - 1, size=3)
    held_rows, train_rows = [], []
    for part, seed in enumerate(seeds):
        order = np.random.default_rng(int(seed)).permutation(400)
        held_rows.append(400 * part + np.sort(order[:80]))
        train_rows.append(400 * part + np.sort(order[80:]))
    held, train = np.concatenate(held_rows), np.concatenate(train_rows)
    assert len(held) == math.ceil(0.2 * len(y))
    local = numpynn.NeuralNetwork(5, 8, 3, seed=13)
    local.fit(X[train], y[train], epochs=3, batch_size=32, seed=rng)
    np.testing.assert_array_equal(net.theta, local.theta)
    assert history.val_loss[-1] == pytest.approx(net.loss_and_gradient(X[held], y[held])[0],
                                                 rel=1e-6)
    assert history.val_accuracy[-1] == pytest.approx(
        float((net.predict(X[held]) == y[held]).mean()))


def test_validation_split_with_lbfgs_and_its_errors(client):
    X, y = _imbalanced(600, seed=15)
    dx, dy = _dask(client, X, y, 200)
    net = numpynn.NeuralNetwork(5, 4, 3, seed=16)
    history = nd.fit(net, dx, dy, client=client, optimizer="lbfgs", epochs=3,
                     validation_split=0.1, seed=0, early_stopping=True, patience=1)
    assert len(history.val_loss) == len(history.loss) and history.val_loss[0] is not None
    with pytest.raises(ValueError, match="validation_data or validation_split"):
        nd.fit(net, dx, dy, client=client, validation_split=0.2, validation_data=(X, y))
    with pytest.raises(ValueError, match="validation_split"):
        nd.fit(net, dx, dy, client=client, validation_split=1.0)
    tiny_x, tiny_y = _dask(client, X[:1], y[:1], 1)
    with pytest.raises(ValueError, match="leaves no rows"):
        nd.fit(net, tiny_x, tiny_y, client=client, validation_split=0.5)


# ---------------------------------------------------------------------------- what L-BFGS refuses
@pytest.mark.parametrize("option, match", [
    ({"learning_rate": 0.1}, "cannot honour learning_rate=0.1"),
    ({"batch_size": 64}, "cannot honour batch_size=64"),
    ({"dropout": 0.2}, "cannot honour dropout=0.2"),
    ({"sync_every": 2}, "cannot honour sync_every=2"),
    ({"shards": 2}, "cannot honour shards=2"),
    ({"checkpoint_dir": "ckpt"}, "Checkpoint cannot be used with optimizer='lbfgs'"),
    ({"shuffle": False}, "cannot honour shuffle=False"),
])
def test_lbfgs_refuses_what_it_cannot_honour_before_any_work(client, option, match, tmp_path,
                                                            monkeypatch):
    import sys

    fit_module = sys.modules["numpynn.distributed.fit"]  # the package's `fit` hides it

    def no_cluster_work(*args, **kwargs):
        raise AssertionError("the data were touched before the options were checked")

    monkeypatch.setattr(fit_module, "training_sets", no_cluster_work)
    if "checkpoint_dir" in option:
        option = {"checkpoint_dir": tmp_path / "ckpt"}
    X, y = _imbalanced(60)
    dx, dy = _dask(client, X, y, 30)
    net = numpynn.NeuralNetwork(5, 4, 3, seed=0)
    start = net.theta.copy()
    with pytest.raises(ValueError, match=match):
        nd.fit(net, dx, dy, client=client, optimizer="lbfgs", **option)
    assert np.array_equal(net.theta, start)
    assert not (tmp_path / "ckpt").exists()
