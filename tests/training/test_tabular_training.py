"""The tabular recipe's training parts: per-entry learning-rate factors (and the NTK
parametrisation they stand for, against PyTorch), the run-progress schedules, the
step-wise callbacks, BestEpoch and the TableTrainer."""

import math
from types import SimpleNamespace

import numpy as np
import pytest

from numpynn import NeuralNetwork
from numpynn.tabular_network import TabularNetwork
from numpynn.training import (
    SGD,
    Adam,
    BestEpoch,
    Callback,
    Checkpoint,
    CosLogSchedule,
    FlatCosineSchedule,
    OneCycleSchedule,
    ScheduledDropout,
    ScheduledWeightDecay,
    StepwiseLearningRate,
    TableTrainer,
    WarmupCosineSchedule,
    check_training_data,
    evaluate_loss,
    get_schedule,
    set_lr_factors,
)


def _problem(n=120, seed=0):
    rng = np.random.default_rng(seed)
    X = np.concatenate([rng.standard_normal((n, 3)), rng.integers(0, 5, (n, 1))], axis=1)
    y = ((X[:, 0] + (X[:, 3] > 2)) > 0.5).astype(int)
    return X.astype(np.float32), y


def _net(seed=0):
    return TabularNetwork(3, (8, 8), 2, embeddings=[(5, 2)], seed=seed)


# ----------------------------------------------------------------- learning-rate factors
def test_lr_factors_scale_each_entrys_step():
    theta = np.ones(4, np.float32)
    grad = np.array([1.0, 1.0, -2.0, 0.5], np.float32)
    for opt in (SGD(), Adam()):
        plain, scaled = theta.copy(), theta.copy()
        s1, s2 = opt.init(plain), opt.init(scaled)
        set_lr_factors(s2, np.array([1.0, 0.5, 0.0, 2.0]))
        opt.step(plain, grad.copy(), s1, 0.1)
        opt.step(scaled, grad.copy(), s2, 0.1)
        np.testing.assert_allclose(scaled - 1, (plain - 1) * [1.0, 0.5, 0.0, 2.0], rtol=1e-6)
        assert scaled.dtype == np.float32


def test_lr_factors_are_checked():
    state = Adam().init(np.ones(3, np.float32))
    with pytest.raises(ValueError, match="shape"):
        set_lr_factors(state, np.ones(2))
    with pytest.raises(ValueError, match="non-negative"):
        set_lr_factors(state, np.array([1.0, -1.0, 1.0]))


torch = pytest.importorskip("torch")


def test_ntk_factors_train_as_an_ntk_parametrised_network_in_pytorch():
    """Adam on plain weights V with rates lr / sqrt(fan_in) takes the steps of Adam on NTK
    weights W = V sqrt(fan_in) (forward x W / sqrt(fan_in)); biases at lr x 0.1."""
    rng = np.random.default_rng(0)
    net = NeuralNetwork(5, 16, 3, hidden_activation="selu", output_activation="softmax",
                        seed=0)
    X = rng.standard_normal((40, 5)).astype(np.float32)
    y = rng.integers(0, 3, 40)
    fan_ins = [w.shape[0] for w in net.weights]
    raw = [torch.tensor(w * math.sqrt(f), dtype=torch.float64, requires_grad=True)
           for w, f in zip(net.weights, fan_ins)]
    biases = [torch.tensor(b, dtype=torch.float64, requires_grad=True) for b in net.biases]
    lr = 0.04
    opt_t = torch.optim.Adam([{"params": raw, "lr": lr}, {"params": biases, "lr": lr * 0.1}],
                             betas=(0.9, 0.95))
    factors = np.zeros(net.num_weights, np.float32)
    wv, bv = net.views_of(factors)
    for w, f in zip(wv, fan_ins):
        w[...] = 1 / math.sqrt(f)
    for b in bv:
        b[...] = 0.1
    opt = Adam(beta_2=0.95)
    state = opt.init(net.theta)
    set_lr_factors(state, factors)
    for _ in range(5):
        _, grad = net.loss_and_gradient(X, y)
        opt.step(net.theta, grad, state, lr)
        opt_t.zero_grad()
        h = torch.tensor(X, dtype=torch.float64) @ raw[0] / math.sqrt(fan_ins[0]) + biases[0]
        logits = torch.nn.functional.selu(h) @ raw[1] / math.sqrt(fan_ins[1]) + biases[1]
        torch.nn.functional.cross_entropy(logits, torch.tensor(y)).backward()
        opt_t.step()
    for w, r, f in zip(net.weights, raw, fan_ins):
        np.testing.assert_allclose(w, r.detach().numpy() / math.sqrt(f), rtol=1e-4, atol=1e-5)
    for b, t in zip(net.biases, biases):
        np.testing.assert_allclose(b, t.detach().numpy(), rtol=1e-4, atol=1e-6)


# ----------------------------------------------------------------- schedules
def test_coslog4_restarts_at_log_times():
    s = CosLogSchedule(cycles=4)
    assert s.factor(0.0) == 0.0
    for end in (1 / 15, 3 / 15, 7 / 15, 1.0):  # each cycle ends at 0
        assert s.factor(end) == pytest.approx(0.0, abs=1e-12)
    assert s.factor((math.sqrt(2) - 1) / 15) == pytest.approx(1.0)  # first peak
    assert s.factor((2 ** 3.5 - 1) / 15) == pytest.approx(1.0)  # last peak


def test_the_other_progress_schedules():
    flat = FlatCosineSchedule()
    assert flat.factor(0.3) == 1.0 and flat.factor(0.75) == pytest.approx(0.5)
    assert flat.factor(1.0) == pytest.approx(0.0)
    one = OneCycleSchedule()
    assert one.factor(0.0) == pytest.approx(0.04) and one.factor(0.25) == pytest.approx(1.0)
    assert one.factor(1.0) == pytest.approx(1e-5)
    warm = WarmupCosineSchedule(warmup=0.1, min_factor=0.01)
    assert warm.factor(0.05) == pytest.approx(0.5) and warm.factor(0.1) == pytest.approx(1)
    assert warm.factor(1.0) == pytest.approx(0.01)


def test_progress_schedules_by_name_and_per_epoch():
    s = get_schedule("coslog4", 10)
    assert isinstance(s, CosLogSchedule) and s.total_epochs == 10
    assert s.rate(3, 2.0, None) == pytest.approx(2.0 * s.factor(0.35))
    mine = FlatCosineSchedule()
    assert get_schedule(mine, 8).total_epochs == 8 and mine.total_epochs is None
    with pytest.raises(ValueError, match="peak"):
        OneCycleSchedule(peak=1.0)


# ----------------------------------------------------------------- step-wise callbacks
class _Recorder(Callback):
    """Records, before every step, the rate and the dropout that step uses (it runs before
    the schedules' callbacks, which set the next step's)."""

    order = -50

    def __init__(self):
        self.rates, self.dropouts = [], []

    def on_batch_end(self, batch, loss):
        self.rates.append(self.trainer.learning_rate)
        self.dropouts.append(self.trainer._workspace.dropout)


def test_rate_and_dropout_follow_their_schedules_at_every_step():
    X, y = _problem(100)
    net = _net()
    steps = 4  # 100 rows, batches of 25
    recorder = _Recorder()
    trainer = TableTrainer(net, Adam(0.01, schedule="coslog4"), batch_size=25, dropout=0.2,
                           seed=0, callbacks=[StepwiseLearningRate(steps),
                                              ScheduledDropout(0.2, steps), recorder])
    trainer.run(check_training_data(net, X, y), epochs=3)
    total = 3 * steps
    coslog, flat = CosLogSchedule(), FlatCosineSchedule()
    expected_rates = [0.01 * coslog.factor(i / total) for i in range(total)]
    np.testing.assert_allclose(recorder.rates, expected_rates, rtol=1e-12, atol=1e-15)
    expected_dropout = [0.2 * flat.factor(i / total) for i in range(total)]
    np.testing.assert_allclose(recorder.dropouts, expected_dropout, atol=1e-12)


def test_stepwise_rate_needs_a_progress_schedule():
    X, y = _problem(40)
    net = _net()
    trainer = TableTrainer(net, Adam(0.01, schedule="step"), callbacks=[StepwiseLearningRate(2)])
    with pytest.raises(ValueError, match="progress"):
        trainer.run(check_training_data(net, X, y), epochs=1)


def test_scheduled_weight_decay_shrinks_by_rate_times_strength():
    theta = np.full(4, 2.0, np.float32)
    network = SimpleNamespace(theta=theta, weight_mask=lambda: np.array([1, 1, 0, 1], bool))
    trainer = SimpleNamespace(network=network, learning_rate=0.5, epochs=2)
    decay = ScheduledWeightDecay(0.1, steps_per_epoch=2,
                                 factors=np.array([1.0, 6.0, 0.0, 1.0]))
    decay.on_train_begin(trainer)
    decay.on_epoch_begin(0)
    decay.on_batch_end(0, 0.0)  # t = 0: flat part of flat_cos
    np.testing.assert_allclose(theta, 2 * (1 - 0.5 * 0.1 * np.array([1, 6, 0, 1])), rtol=1e-6)
    decay.on_epoch_begin(1)
    before = theta.copy()
    decay.on_batch_end(0, 0.0)  # t = 0.5: still factor 1
    np.testing.assert_allclose(theta, before * (1 - 0.05 * np.array([1, 6, 0, 1])), rtol=1e-6)


def test_best_epoch_breaks_accuracy_ties_by_loss_and_restores():
    net = SimpleNamespace(theta=np.zeros(2, np.float32))
    trainer = SimpleNamespace(network=net, has_validation=True,
                              history=SimpleNamespace(best_epoch=None))
    best = BestEpoch(("val_accuracy", "val_loss"))
    best.on_train_begin(trainer)
    for epoch, (acc, loss) in enumerate([(0.8, 0.5), (0.9, 0.4), (0.9, 0.3), (0.85, 0.2)]):
        net.theta[:] = epoch
        assert best.on_epoch_end(epoch, {"val_accuracy": acc, "val_loss": loss}) is None
    best.on_train_end({})
    assert best.best_epoch == 2 and trainer.history.best_epoch == 2
    assert best.best_values == (0.9, 0.3) and (net.theta == 2).all()
    with pytest.raises(ValueError, match="monitor"):
        BestEpoch(("val_error",))


def test_table_trainer_trains_and_refuses_what_it_cannot_do(tmp_path):
    X, y = _problem(200)
    net = _net()
    net.initialize_from_data(X, seed=0)
    data = check_training_data(net, X[:150], y[:150])
    val = check_training_data(net, X[150:], y[150:])
    best = BestEpoch(("val_accuracy", "val_loss"))
    trainer = TableTrainer(net, Adam(0.01), batch_size=32, seed=0, label_smoothing=0.1,
                           lr_factors=net.per_group({"weight": 1.0, "bias": 0.1,
                                                     "embedding": 1.0, "scale": 6.0}),
                           callbacks=[best])
    history = trainer.run(data, epochs=20, validation=val)
    assert history.loss[-1] < history.loss[0] and max(history.val_accuracy) > 0.8
    assert history.best_epoch == best.best_epoch
    with pytest.raises(TypeError, match="make_workspace"):
        TableTrainer(NeuralNetwork(3, 2))
    ckpt = TableTrainer(net, callbacks=[Checkpoint(tmp_path)])
    with pytest.raises(ValueError, match="TableTrainer"):
        ckpt.run(data, epochs=1)


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_val_loss_is_the_training_loss_smoothed_alike(smoothing):
    """With label smoothing the best epoch is chosen by the loss that training lowers:
    cross-entropy against smoothed rows, on the validation rows (weighted, a subset)."""
    X, y = _problem(200)
    net = _net()
    data = check_training_data(net, X[:120], y[:120])
    weights = np.random.default_rng(1).uniform(0.5, 2.0, 200).astype(np.float32)
    val = check_training_data(net, X, y, weights).subset(np.arange(120, 200))
    trainer = TableTrainer(net, Adam(0.01), batch_size=32, seed=0, label_smoothing=smoothing)
    history = trainer.run(data, epochs=2, validation=val)
    p = net.eval(X[120:]).astype(np.float64)
    targets = np.full((80, 2), smoothing / 2)
    targets[np.arange(80), y[120:]] += 1 - smoothing
    per_row = -(targets * np.log(p)).sum(axis=1)
    expected = float((per_row * weights[120:]).sum() / weights[120:].sum())
    assert history.val_loss[-1] == pytest.approx(expected, rel=1e-5)
    assert history.val_accuracy[-1] == pytest.approx(np.mean(p.argmax(axis=1) == y[120:]))


@pytest.mark.parametrize("bad, error", [(1.0, ValueError), (-0.1, ValueError),
                                        ("0.1", TypeError)])
def test_evaluate_loss_refuses_a_bad_label_smoothing(bad, error):
    X, y = _problem(20)
    net = _net()
    data = check_training_data(net, X, y)
    assert evaluate_loss(net, data, label_smoothing=0.1)[0] > 0
    with pytest.raises(error, match="label_smoothing"):
        evaluate_loss(net, data, label_smoothing=bad)
