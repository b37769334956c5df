"""Training: it learns, it is reproducible, it keeps the network's dtype (float32 by
default), it rejects bad input."""

import math
import tracemalloc

import numpy as np
import pytest

import numpynn
from numpynn import SGD, Adam, AdamW, NeuralNetwork, TrainingDivergedError
from numpynn.training import (
    CosineSchedule,
    ReduceOnPlateau,
    StepSchedule,
    Trainer,
    check_training_data,
)

# Every training test runs with NumPy alone and with the Numba kernels.
pytestmark = pytest.mark.usefixtures("kernel_mode")


def spirals(n=500, seed=0):
    """Two interleaved spirals, 1.5 turns each."""
    rng = np.random.default_rng(seed)
    t = np.sqrt(rng.random(n)) * 3 * np.pi
    arm = np.c_[t * np.cos(t), t * np.sin(t)] / 10
    X = np.r_[arm, -arm] + rng.normal(0, 0.02, (2 * n, 2))
    y = np.r_[np.zeros(n), np.ones(n)].astype(np.int64)
    return X.astype(np.float32), y


@pytest.fixture(scope="module")
def spiral_data():
    return spirals()


@pytest.mark.parametrize("optimizer, lr", [
    ("adam", 0.01),
    ("adamw", 0.01),
    (SGD(momentum=0.9), 0.05),
    (SGD(momentum=0.9, nesterov=True), 0.05),
])
def test_spirals_learned_by_minibatch_optimizers(spiral_data, optimizer, lr):
    X, y = spiral_data
    net = NeuralNetwork(2, 32, 32, 2, hidden_activation="relu", seed=0)
    history = net.fit(X, y, epochs=200, optimizer=optimizer, learning_rate=lr, batch_size=32,
                      seed=0)
    assert (net.predict(X) == y).mean() >= 0.95
    assert history.loss[-1] < history.loss[0] / 5
    assert len(history.accuracy) == 200


def test_spirals_learned_by_lbfgs(spiral_data):
    X, y = spiral_data
    net = NeuralNetwork(2, 32, 32, 2, hidden_activation="tanh", seed=0)
    history = net.fit(X, y, epochs=400, optimizer="lbfgs")
    assert (net.predict(X) == y).mean() >= 0.95
    assert history.loss[-1] < 0.1


def test_sin_regression_rmse():
    rng = np.random.default_rng(0)
    X = rng.uniform(-np.pi, np.pi, size=(1000, 1)).astype(np.float32)
    y = np.sin(2 * X)
    net = NeuralNetwork(1, 32, 32, 1, hidden_activation="tanh", output_activation="identity",
                        seed=0)
    net.fit(X, y, epochs=300, learning_rate=0.01, batch_size=32, seed=0)
    grid = np.linspace(-np.pi, np.pi, 500, dtype=np.float32)[:, None]
    rmse = float(np.sqrt(np.mean((net.eval(grid) - np.sin(2 * grid)) ** 2)))
    assert rmse < 0.1


def test_early_stopping_on_noisy_labels_restores_best():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 10)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    flip = rng.random(600) < 0.3  # noisy labels: a big net overfits them
    y[flip] = 1 - y[flip]
    net = NeuralNetwork(10, 128, 128, 2, hidden_activation="relu", seed=0)
    history = net.fit(X, y, epochs=500, learning_rate=0.01, validation_split=0.3,
                      early_stopping=True, patience=10, seed=0)
    assert history.stopped_early and history.epochs < 500
    best = history.best_epoch
    assert history.val_loss[best] == min(history.val_loss)
    assert history.epochs == best + 11  # stopped `patience` epochs after the best one
    # the restored weights give the best validation loss again
    val_rows = check_training_data(net, X, y)
    assert val_rows.n == 600  # sanity: data unchanged
    from numpynn.training import _split_validation

    _, val = _split_validation(check_training_data(net, X, y), 0.3, np.random.default_rng(0))
    from numpynn.training import evaluate_loss

    assert evaluate_loss(net, val)[0] == pytest.approx(history.val_loss[best], rel=1e-5)


def test_same_seed_same_weights_bit_for_bit(spiral_data):
    X, y = spiral_data

    def run(seed):
        net = NeuralNetwork(2, 16, 16, 2, seed=1)
        net.fit(X, y, epochs=3, dropout=0.2, seed=seed, validation_split=0.1,
                batch_size=50)
        return net.theta.copy()

    assert np.array_equal(run(7), run(7))
    assert not np.array_equal(run(7), run(8))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adamw", SGD(momentum=0.9),
                                       SGD(momentum=0.9, nesterov=True), "lbfgs"])
@pytest.mark.parametrize("hidden", ["relu", "leaky_relu", "tanh", "logistic", "identity"])
def test_network_dtype_throughout(optimizer, hidden, dtype):
    """Parameters, gradients, optimizer state and outputs keep the network's dtype, for
    every optimizer and activation; float32 is the default."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))  # float64 data: converted to the network's dtype once
    y = rng.integers(0, 2, 64)
    kwargs = {} if dtype == np.float32 else {"dtype": dtype}  # float32: the default
    net = NeuralNetwork(3, 5, 2, hidden_activation=hidden, seed=0, **kwargs)
    assert net.dtype == dtype and net.theta.dtype == dtype
    batches = {} if optimizer == "lbfgs" else {"batch_size": 16}  # lbfgs: full batch
    history = net.fit(X, y, epochs=2, optimizer=optimizer, l2=0.01, seed=0, **batches)
    assert all(isinstance(v, float) for v in history.loss)
    assert net.theta.dtype == dtype
    assert all(w.dtype == dtype for w in net.weights + net.biases)
    assert net.eval(X).dtype == dtype and net.eval(X[0]).dtype == dtype
    assert net.eval(X.astype(np.float32)).dtype == dtype
    assert net.loss_and_gradient(X, y)[1].dtype == dtype
    if optimizer != "lbfgs":
        trainer = Trainer(net, optimizer if not isinstance(optimizer, str) else optimizer,
                          batch_size=16, l2=0.01, dropout=0.1, seed=0)
        trainer.train_epoch(check_training_data(net, X, y))
        assert trainer.grad.dtype == dtype
        for key, value in trainer.optimizer_state.items():
            if isinstance(value, np.ndarray):
                assert value.dtype == dtype, key
        assert net.theta.dtype == dtype
    assert np.shares_memory(net.weights[0], net.theta)  # views never rebound


def test_x_used_in_place_and_no_float64_copy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200_000, 32)).astype(np.float32)
    y = rng.integers(0, 3, len(X))
    net = NeuralNetwork(32, 32, 3, seed=0)
    assert check_training_data(net, X, y).X is X
    for options in ({}, {"validation_split": 0.2}):  # the split copies no rows of X either
        tracemalloc.start()
        net.fit(X, y, epochs=1, batch_size=256, seed=0, **options)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        # index arrays only: a float32 copy of the training rows would be 0.8x, of X 1x
        assert peak < 0.5 * X.nbytes


def test_dropout_only_in_training():
    X = np.random.default_rng(0).normal(size=(50, 4)).astype(np.float32)
    y = np.random.default_rng(1).integers(0, 2, 50)
    net = NeuralNetwork(4, 64, 2, seed=0)
    net.fit(X, y, epochs=2, dropout=0.5, seed=0)
    assert np.array_equal(net.eval(X), net.eval(X))  # eval is deterministic
    # dropout changes the training trajectory
    other = NeuralNetwork(4, 64, 2, seed=0)
    other.fit(X, y, epochs=2, dropout=0.0, seed=0)
    assert not np.array_equal(net.theta, other.theta)


def test_dropout_gradient_is_masked_consistently():
    """With dropout the step equals the gradient of the masked network (finite check)."""
    net = NeuralNetwork(3, 8, 2, hidden_activation="tanh", seed=0)
    X = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    y = np.array([0, 1, 1, 0])
    trainer = Trainer(net, "sgd", learning_rate=1.0, batch_size=4, dropout=0.5, shuffle=False,
                      seed=3)
    before = net.theta.copy()
    trainer.train_epoch(check_training_data(net, X, y))
    # the mask of the one batch: the seed's first draws, kept where >= 0.5, scaled by 2
    # (the same on either path: the fused epoch draws the same masks)
    draws = np.random.default_rng(3).random((4, 8), dtype=np.float32)
    mask = (draws >= np.float32(0.5)) * np.float32(2.0)
    step = before - net.theta
    # reference: the same network with hidden values multiplied by the mask, float64
    net.theta[:] = before
    W1, b1, W2, b2 = (a.astype(np.float64) for a in (*net.weights[:1], net.biases[0],
                                                     net.weights[1], net.biases[1]))

    def loss(theta):
        w1 = theta[:24].reshape(3, 8)
        bb1 = theta[24:32]
        w2 = theta[32:48].reshape(8, 2)
        bb2 = theta[48:]
        h = np.tanh(X @ w1 + bb1) * mask
        z = h @ w2 + bb2
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return -logp[np.arange(4), y].mean()

    theta64 = before.astype(np.float64)
    numeric = np.array([(loss(theta64 + e) - loss(theta64 - e)) / 2e-6
                        for e in np.eye(theta64.size) * 1e-6])
    np.testing.assert_allclose(step, numeric, rtol=1e-3, atol=1e-6)


def test_l2_shrinks_weights():
    X, y = spirals(200)
    plain = NeuralNetwork(2, 16, 2, seed=0)
    plain.fit(X, y, epochs=20, seed=0)
    decayed = NeuralNetwork(2, 16, 2, seed=0)
    decayed.fit(X, y, epochs=20, seed=0, l2=0.1)
    norm = lambda net: sum(float((w**2).sum()) for w in net.weights)  # noqa: E731
    assert norm(decayed) < norm(plain)


def test_adamw_decays_weights_not_biases():
    net = NeuralNetwork(2, 4, 2, seed=0)
    net.biases[0][:] = 1.0
    opt = AdamW(weight_decay=0.5)
    trainer = Trainer(net, opt, learning_rate=0.1, batch_size=4)
    before = net.theta.copy()
    trainer.optimizer.update(net.theta, np.zeros_like(net.theta), trainer.optimizer_state, 0.1)
    w_before, b_before = net.views_of(before)
    np.testing.assert_allclose(net.weights[0], w_before[0] * (1 - 0.05), rtol=1e-6)
    np.testing.assert_allclose(net.biases[0], b_before[0])


def test_schedules():
    assert StepSchedule(10, 0.5).rate(25, 0.1, None) == pytest.approx(0.025)
    cos = CosineSchedule(total_epochs=10)
    assert cos.rate(0, 0.1, None) == pytest.approx(0.1)
    assert cos.rate(5, 0.1, None) == pytest.approx(0.05)
    assert cos.rate(10, 0.1, None) == pytest.approx(0.0)
    plateau = ReduceOnPlateau(factor=0.5, patience=1)
    rates = [plateau.rate(e, 1.0, loss) for e, loss in enumerate([1.0, 0.5, 0.5, 0.5, 0.5])]
    assert rates == [1.0, 1.0, 1.0, 0.5, 0.5]
    X, y = spirals(100)
    net = NeuralNetwork(2, 8, 2, seed=0)
    history = net.fit(X, y, epochs=6, optimizer=Adam(schedule="step"), learning_rate=0.01)
    assert history.learning_rate == [0.01] * 6
    history = net.fit(X, y, epochs=4, optimizer=Adam(0.01, schedule=StepSchedule(2, 0.1)))
    np.testing.assert_allclose(history.learning_rate, [0.01, 0.01, 0.001, 0.001])
    history = net.fit(X, y, epochs=5, optimizer=Adam(schedule="cosine"), learning_rate=0.01)
    assert history.learning_rate[0] == 0.01 and history.learning_rate[-1] < 0.002


def test_callbacks_see_figures_and_can_stop():
    X, y = spirals(100)
    net = NeuralNetwork(2, 8, 2, seed=0)
    seen = []

    def callback(logs):
        seen.append(logs)
        return logs["epoch"] == 2

    history = net.fit(X, y, epochs=50, validation_split=0.2, callbacks=[callback], seed=0)
    assert history.epochs == 3 and len(seen) == 3
    assert set(seen[0]) >= {"epoch", "loss", "val_loss", "accuracy", "val_accuracy",
                            "learning_rate"}
    assert seen[1]["loss"] == history.loss[1]


def test_class_weight_and_sample_weight():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 2)).astype(np.float32)
    y = (X[:, 0] > 1.0).astype(np.int64)  # ~16% positives
    plain = NeuralNetwork(2, 8, 2, seed=0)
    plain.fit(X, y, epochs=30, seed=0, learning_rate=0.01)
    balanced = NeuralNetwork(2, 8, 2, seed=0)
    balanced.fit(X, y, epochs=30, seed=0, learning_rate=0.01, class_weight="balanced")
    # balancing moves predictions towards the rare class
    assert balanced.eval(X)[:, 1].mean() > plain.eval(X)[:, 1].mean()
    data = check_training_data(balanced, X, y, class_weight="balanced")
    n1 = y.sum()
    assert data.sample_weight[y == 1][0] == pytest.approx(400 / (2 * n1))
    data = check_training_data(balanced, X, y, sample_weight=np.full(400, 2.0),
                               class_weight={1: 3.0})
    assert set(np.unique(data.sample_weight)) == {2.0, 6.0}


def test_clip_norm_limits_the_step():
    net = NeuralNetwork(2, 4, 1, output_activation="identity", seed=0)
    X = np.array([[100.0, 100.0]], dtype=np.float32)
    y = np.array([[1e4]], dtype=np.float32)
    before = net.theta.copy()
    trainer = Trainer(net, SGD(learning_rate=1.0, clip_norm=0.5), batch_size=1)
    trainer.train_epoch(check_training_data(net, X, y))
    assert np.linalg.norm(net.theta - before) == pytest.approx(0.5, rel=1e-4)


def test_divergence_raises_and_keeps_finite_weights():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3)).astype(np.float32) * 100
    y = rng.normal(size=(100, 1)).astype(np.float32) * 1e4
    net = NeuralNetwork(3, 16, 1, hidden_activation="relu", output_activation="identity",
                        seed=0)
    with pytest.raises(TrainingDivergedError, match="epoch .*learning rate") as info:
        net.fit(X, y, epochs=50, optimizer="sgd", learning_rate=10.0, batch_size=10)
    assert np.isfinite(net.theta).all()
    assert info.value.epoch >= 0


@pytest.mark.parametrize("X, y, match", [
    (np.full((4, 2), np.nan), [0, 1, 0, 1], "X contains NaN"),
    (np.ones((4, 2)), [0, 1, np.nan, 1], "y contains NaN"),
    (np.ones((4, 2)), [0, 1, 0], "different lengths"),
    (np.ones((4, 2)), [0, 1, 2, 1], "outside the output range"),
    (np.ones((4, 2)), [0, 1, -1, 1], "outside the output range"),
    (np.ones((4, 3)), [0, 1, 0, 1], "2 values per row"),
    (np.ones((0, 2)), [], "empty"),
    (np.ones(4), [0, 1, 0, 1], "2-D"),
    (np.ones((4, 2)), [0, 1, 0.5, 1], "whole numbers"),
])
def test_bad_training_input_leaves_weights_untouched(X, y, match):
    net = NeuralNetwork(2, 3, 2, seed=0)
    before = net.theta.copy()
    with pytest.raises(ValueError, match=match):
        net.fit(X, y, epochs=1)
    assert np.array_equal(net.theta, before)


@pytest.mark.parametrize("kwargs, match", [
    ({"epochs": 0}, "epochs"),
    ({"batch_size": 0}, "batch_size"),
    ({"learning_rate": -1}, "learning_rate"),
    ({"learning_rate": math.nan}, "learning_rate"),
    ({"dropout": 1.0}, "dropout"),
    ({"optimizer": "adagrad"}, "optimizer must be one of"),
    ({"validation_split": 1.5}, "validation_split"),
    ({"class_weight": "auto"}, "balanced"),
    ({"sample_weight": [1, 2]}, "sample_weight must have shape"),
    ({"sample_weight": [1, -1, 1, 1]}, "non-negative"),
    ({"resume": True}, "checkpoint_dir"),
])
def test_bad_options(kwargs, match):
    net = NeuralNetwork(2, 3, 2, seed=0)
    before = net.theta.copy()
    with pytest.raises((ValueError, TypeError), match=match):
        net.fit(np.ones((4, 2)), [0, 1, 0, 1], **kwargs)
    assert np.array_equal(net.theta, before)


def test_bad_optimizer_settings():
    with pytest.raises(ValueError, match="schedule must be one of"):
        Adam(schedule="linear")
    with pytest.raises(ValueError, match="clip_norm"):
        SGD(clip_norm=0.0)
    with pytest.raises(ValueError, match="learning_rate"):
        AdamW(learning_rate=-1.0)


def test_validation_data_and_history_fields():
    X, y = spirals(200)
    net = NeuralNetwork(2, 16, 2, seed=0)
    history = net.fit(X[:300], y[:300], epochs=5, validation_data=(X[300:], y[300:]), seed=0)
    assert len(history.loss) == len(history.val_loss) == len(history.accuracy) == 5
    assert len(history.val_accuracy) == 5
    assert 0 <= history.best_epoch < 5
    assert history["loss"] is history.loss
    assert set(history.as_dict()) >= {"loss", "val_loss", "accuracy", "val_accuracy",
                                      "best_epoch"}
    reg = NeuralNetwork(2, 4, 1, output_activation="identity", seed=0)
    h = reg.fit(X, y.astype(np.float32), epochs=2)
    assert h.accuracy == [] and len(h.loss) == 2


def test_multilabel_logistic_training():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 4)).astype(np.float32)
    Y = np.c_[X[:, 0] > 0, X[:, 1] > 0, X[:, 0] + X[:, 1] > 0].astype(np.float32)
    net = NeuralNetwork(4, 16, 3, output_activation="logistic", seed=0)
    history = net.fit(X, Y, epochs=60, learning_rate=0.01, seed=0)
    assert (net.predict(X) == Y).mean() > 0.95
    assert history.accuracy[-1] > 0.85


def test_progress_bar_runs(capsys):
    X, y = spirals(50)
    net = NeuralNetwork(2, 4, 2, seed=0)
    net.fit(X, y, epochs=3, progress=True)
    err = capsys.readouterr().err
    assert "3/3" in err


def test_checkpoint_and_resume_continue_the_same_run(tmp_path):
    pytest.importorskip("safetensors")
    X, y = spirals(100)
    full = NeuralNetwork(2, 8, 2, seed=0)
    full.fit(X, y, epochs=6, seed=3, dropout=0.1)
    first = NeuralNetwork(2, 8, 2, seed=0)
    first.fit(X, y, epochs=3, seed=3, dropout=0.1, checkpoint_dir=tmp_path)
    resumed = NeuralNetwork(2, 8, 2, seed=99)  # different initial weights: overwritten
    history = resumed.fit(X, y, epochs=6, seed=3, dropout=0.1, checkpoint_dir=tmp_path,
                          resume=True)
    assert history.epochs == 6
    np.testing.assert_array_equal(resumed.theta, full.theta)


def test_adam_matches_torch_over_steps():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    theta = rng.normal(size=50).astype(np.float32)
    for ours, theirs, kwargs in [
        (Adam(), torch.optim.Adam, {}),
        (AdamW(weight_decay=0.1), torch.optim.AdamW, {"weight_decay": 0.1}),
        (SGD(momentum=0.9, nesterov=True), torch.optim.SGD, {"momentum": 0.9,
                                                               "nesterov": True}),
    ]:
        mine = theta.copy()
        param = torch.tensor(theta.astype(np.float64), requires_grad=True)
        state = ours.init(mine)
        reference = theirs([param], lr=0.01, **kwargs)
        for _ in range(20):
            g = rng.normal(size=50).astype(np.float32)
            ours.update(mine, g, state, 0.01)
            param.grad = torch.tensor(g.astype(np.float64))
            reference.step()
        np.testing.assert_allclose(mine, param.detach().numpy(), atol=2e-6)


def test_numpynn_exports():
    for name in ["NeuralNetwork", "gradcheck", "TrainingDivergedError", "Adam", "History"]:
        assert hasattr(numpynn, name)


def test_chunked_numpy_adam_equals_the_whole_vector_formula(monkeypatch):
    # The NumPy path updates a long vector chunk by chunk (chunked_updates.CHUNK values at
    # a time); every chunk must get exactly the whole-vector update, the last short one too.
    from numpynn.training import chunked_updates

    monkeypatch.setenv("NUMPYNN_KERNELS", "numpy")
    rng = np.random.default_rng(0)
    size = 3 * chunked_updates.CHUNK + 123
    theta = rng.normal(size=size).astype(np.float32)
    grads = [rng.normal(size=size).astype(np.float32) for _ in range(3)]
    ours, state = theta.copy(), Adam().init(theta)
    for g in grads:
        Adam().update(ours, g, state, 0.01)
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    expected = theta.astype(np.float64)
    for t, g in enumerate(grads, start=1):
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g.astype(np.float64) ** 2
        step = 0.01 * np.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        expected -= step * m / (np.sqrt(v) + 1e-8)  # scikit-learn's form of epsilon
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-6)
    assert len(chunked_updates.chunks(size)) == 4


def test_poisson_regression_with_exp_output():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(3000, 1)).astype(np.float32)
    rate = np.exp(0.5 + 0.8 * X[:, 0])
    y = rng.poisson(rate).astype(np.float32)
    net = NeuralNetwork(1, 8, 1, hidden_activation="tanh", output_activation="exp", seed=0)
    history = net.fit(X, y, epochs=40, learning_rate=0.01, seed=0)
    grid = np.linspace(-0.9, 0.9, 19, dtype=np.float32)[:, None]
    predicted = net.predict(grid)[:, 0]
    assert predicted.dtype == np.float32 and (predicted > 0).all()
    np.testing.assert_allclose(predicted, np.exp(0.5 + 0.8 * grid[:, 0]), rtol=0.15)
    assert history.accuracy == [] and history.loss[-1] < history.loss[0]
    with pytest.raises(ValueError, match="non-negative"):
        net.fit(X[:4], [1.0, -1.0, 0.0, 2.0], epochs=1)


def test_validation_data_errors_say_so():
    net = NeuralNetwork(3, 4, 2, seed=0)
    with pytest.raises(ValueError, match="validation_data: X must have 3 values"):
        net.fit(np.ones((4, 3)), [0, 1, 0, 1], validation_data=(np.ones((2, 2)), [0, 1]))
    with pytest.raises(TypeError, match="seed must be an int"):
        net.fit(np.ones((4, 3)), [0, 1, 0, 1], seed=1.5)


def test_one_adamw_object_serves_networks_of_different_sizes():
    opt = AdamW(weight_decay=0.1)
    X = np.random.default_rng(0).normal(size=(20, 3)).astype(np.float32)
    y = np.arange(20) % 2
    for hidden in (4, 8):
        net = NeuralNetwork(3, hidden, 2, seed=0)
        net.fit(X, y, epochs=1, optimizer=opt)
        assert np.isfinite(net.theta).all()
    with pytest.raises(ValueError, match="weight_mask must have shape"):
        opt.init(np.zeros(5, dtype=np.float32), weight_mask=np.ones(4, dtype=bool))


def test_train_epoch_wants_checked_data():
    net = NeuralNetwork(2, 3, 2, seed=0)
    with pytest.raises(TypeError, match="check_training_data"):
        Trainer(net).train_epoch(np.ones((4, 2)))


def test_training_data_refuses_bad_row_numbers():
    # the trainer's batch gather trusts TrainingData.rows (np.take mode="clip")
    from numpynn.training import TrainingData

    X = np.zeros((5, 2), dtype=np.float32)
    y = np.zeros(5, dtype=np.int64)
    assert TrainingData(X, y, None, np.array([0, 4])).n == 2
    for rows, error in ((np.array([0, 5]), ValueError), (np.array([-1]), ValueError),
                        (np.array([0.0, 1.0]), TypeError), ([0, 1], TypeError)):
        with pytest.raises(error, match="TrainingData.rows"):
            TrainingData(X, y, None, rows)
    with pytest.raises(ValueError, match="TrainingData.rows"):
        TrainingData(X, y, None, np.arange(5)).subset(np.array([0, 7]))
