"""Callbacks: the hooks, each behaviour, their state in checkpoints, resume bit for bit."""

import csv

import numpy as np
import pytest

import numpynn
from numpynn import (
    SGD,
    Adam,
    Callback,
    Checkpoint,
    CSVLogger,
    EarlyStopping,
    NeuralNetwork,
    ReduceLROnPlateau,
    TrainingDivergedError,
)
from numpynn.training import Trainer, check_training_data

RNG = np.random.default_rng(0)
X = RNG.normal(size=(120, 3)).astype(np.float32)
Y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)


class Recorder(Callback):
    """Records every hook; stops after ``stop_at`` with ``self.stop()``."""

    def __init__(self, stop_at=None):
        self.events = []
        self.stop_at = stop_at

    def on_train_begin(self, trainer):
        super().on_train_begin(trainer)
        self.events.append(("train_begin", trainer.epochs, trainer.has_validation))

    def on_epoch_begin(self, epoch):
        self.events.append(("epoch_begin", epoch))

    def on_batch_end(self, batch, loss):
        self.events.append(("batch", batch))

    def on_epoch_end(self, epoch, logs):
        self.events.append(("epoch_end", epoch, logs["learning_rate"]))
        if epoch == self.stop_at:
            self.stop()

    def on_train_end(self, logs):
        self.events.append(("train_end", logs["epoch"]))

    def close(self):
        self.events.append(("close",))


def test_hooks_run_in_order_and_stop_ends_training():
    recorder = Recorder(stop_at=1)
    net = NeuralNetwork(3, 4, 2, seed=0)
    history = net.fit(X, Y, epochs=5, batch_size=60, learning_rate=0.01,
                      callbacks=[recorder], validation_split=0.5, seed=0)
    assert history.epochs == 2
    assert recorder.events == [
        ("train_begin", 5, True),
        ("epoch_begin", 0), ("batch", 0), ("epoch_end", 0, 0.01),
        ("epoch_begin", 1), ("batch", 0), ("epoch_end", 1, 0.01),
        ("train_end", 1), ("close",),
    ]
    assert recorder.trainer.network is net


def test_close_runs_when_training_fails():
    recorder = Recorder()

    def explode(logs):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        NeuralNetwork(3, 4, 2, seed=0).fit(X, Y, epochs=3, callbacks=[recorder, explode])
    assert recorder.events[-1] == ("close",)
    assert ("train_end", 0) not in recorder.events


def test_early_stopping_counts_min_delta_and_can_keep_the_last_weights():
    Xn = RNG.normal(size=(200, 8)).astype(np.float32)
    yn = RNG.integers(0, 2, size=200)
    kept = {}
    for restore in (True, False):
        stopper = EarlyStopping(patience=2, min_delta=0.05, restore_best=restore)
        net = NeuralNetwork(8, 64, 2, seed=0)
        last = []

        def keep(logs, net=net, last=last):
            last.append(net.get_weights())

        history = net.fit(Xn, yn, epochs=200, learning_rate=0.01, validation_split=0.5,
                          seed=0, callbacks=[stopper, keep])
        assert history.stopped_early
        kept[restore] = (net.get_weights(), last[-1], last[stopper.best_epoch], history)
    weights, last, best, history = kept[False]
    assert np.array_equal(weights, last)
    weights, last, best, history = kept[True]
    assert np.array_equal(weights, best) and not np.array_equal(weights, last)
    # patience counts epochs without a 0.05 improvement on the best so far
    losses, best_loss, bad = history.val_loss, np.inf, 0
    for loss in losses:
        bad = 0 if loss < best_loss - 0.05 else bad + 1
        best_loss = min(best_loss, loss)
    assert bad == 2 and history.epochs == len(losses)


def test_reduce_lr_on_plateau_multiplies_the_scheduled_rate():
    net = NeuralNetwork(3, 4, 2, seed=0)
    # min_delta=1: no epoch improves enough, so the rate halves every 2 epochs
    reduce = ReduceLROnPlateau(factor=0.5, patience=2, min_delta=1.0, min_rate=0.0015)
    history = net.fit(X, Y, epochs=7, learning_rate=0.01, callbacks=[reduce])
    np.testing.assert_allclose(history.learning_rate,
                               [0.01, 0.01, 0.01, 0.005, 0.005, 0.0025, 0.0025])
    reduce = ReduceLROnPlateau(factor=0.5, patience=1, min_delta=1.0, min_rate=0.003)
    history = net.fit(X, Y, epochs=5, optimizer=Adam(0.01), callbacks=[reduce])
    assert history.learning_rate[-1] == 0.003  # never below min_rate


def test_csv_logger_writes_the_history_once_per_epoch(tmp_path):
    path = tmp_path / "log.csv"
    net = NeuralNetwork(3, 4, 2, seed=0)
    history = net.fit(X, Y, epochs=4, validation_split=0.25, seed=0,
                      callbacks=[CSVLogger(path)])
    rows = list(csv.DictReader(path.open()))
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3, 4]
    assert [float(r["val_loss"]) for r in rows] == history.val_loss
    assert [float(r["accuracy"]) for r in rows] == history.accuracy
    regression = NeuralNetwork(3, 4, 1, output_activation="identity", seed=0)
    regression.fit(X, X[:, :1], epochs=2, callbacks=[CSVLogger(path)])
    assert {r["accuracy"] for r in csv.DictReader(path.open())} == {""}


def test_trainer_alone_keeps_the_divergence_guard():
    net = NeuralNetwork(3, 16, 1, hidden_activation="relu", output_activation="identity",
                        seed=0)
    data = check_training_data(net, X * 100, (X[:, :1] * 1e4))
    trainer = Trainer(net, SGD(learning_rate=10.0), batch_size=10)
    before = net.theta.copy()
    with pytest.raises(TrainingDivergedError, match="epoch 1"):
        trainer.train_epoch(data)
    assert np.array_equal(net.theta, before)  # the epoch's starting weights


def test_checkpoints_hold_the_optimizer_state_and_the_callbacks_state(tmp_path):
    pytest.importorskip("safetensors")
    from numpynn.io import read_latest_checkpoint

    net = NeuralNetwork(3, 4, 2, seed=0)
    net.fit(X, Y, epochs=3, validation_split=0.25, seed=0, early_stopping=True,
            callbacks=[ReduceLROnPlateau(patience=1)], checkpoint_dir=tmp_path)
    contents, arrays, state = read_latest_checkpoint(tmp_path)
    arrays = {k: v for k, v in arrays.items() if isinstance(v, np.ndarray)}
    assert sorted(arrays) == ["early_stopping.best_theta", "optimizer.m", "optimizer.v"]
    assert all(a.dtype == np.float32 and a.shape == net.theta.shape for a in arrays.values())
    assert state["epoch"] == 2 and state["optimizer"]["step"] == 3 * 3  # 3 batches an epoch
    assert set(state["callbacks"]) == {"early_stopping", "reduce_lr_on_plateau"}
    assert state["callbacks"]["early_stopping"]["best_epoch"] is not None
    np.testing.assert_array_equal(contents.theta, net.theta)
    plain = tmp_path / "sgd"
    NeuralNetwork(3, 4, 2, seed=0).fit(X, Y, epochs=1, optimizer="sgd", checkpoint_dir=plain)
    _, arrays, _ = read_latest_checkpoint(plain)
    assert not [k for k, v in arrays.items() if isinstance(v, np.ndarray)]  # no scratch


class Kill(Callback):
    """Raises in epoch ``at`` before that epoch's checkpoint, like a kill."""

    def __init__(self, at):
        self.at = at

    def on_epoch_end(self, epoch, logs):
        if epoch == self.at:
            raise KeyboardInterrupt


def test_a_killed_run_resumes_bit_for_bit_with_every_callback(tmp_path):
    pytest.importorskip("safetensors")
    noisy = np.where(np.random.default_rng(5).random(len(Y)) < 0.3, 1 - Y, Y)

    def run(net, directory, extra=(), resume=False):
        return net.fit(X, noisy, epochs=30, batch_size=16, dropout=0.1, validation_split=0.25,
                       seed=3, optimizer=Adam(0.02, schedule="plateau"),
                       early_stopping=True, patience=4,
                       callbacks=[ReduceLROnPlateau(patience=1, min_delta=0.01),
                                  CSVLogger(directory / "log.csv"), *extra],
                       checkpoint_dir=directory / "ck", resume=resume)

    full_net = NeuralNetwork(3, 8, 2, seed=0)
    (tmp_path / "a").mkdir()
    full = run(full_net, tmp_path / "a")
    # the state of every callback matters after the kill: rates fall, and it stops early
    assert full.stopped_early and full.epochs > 7 and full.learning_rate[6] < 0.02
    killed = NeuralNetwork(3, 8, 2, seed=0)
    (tmp_path / "b").mkdir()
    with pytest.raises(KeyboardInterrupt):
        run(killed, tmp_path / "b", extra=[Kill(at=6)])
    resumed = NeuralNetwork(3, 8, 2, seed=99)  # overwritten from the checkpoint
    history = run(resumed, tmp_path / "b", resume=True)
    np.testing.assert_array_equal(resumed.theta, full_net.theta)
    assert history.as_dict() == full.as_dict()
    assert (tmp_path / "a" / "log.csv").read_text() == (tmp_path / "b" / "log.csv").read_text()


def test_callbacks_are_exported_at_the_root():
    for name in ("Callback", "EarlyStopping", "Checkpoint", "ProgressBar",
                 "ReduceLROnPlateau", "CSVLogger", "TerminateOnNaN"):
        assert getattr(numpynn, name) is getattr(numpynn.training, name)
        assert name in numpynn.__all__
    with pytest.raises(TypeError, match="Callback objects or callables"):
        NeuralNetwork(3, 4, 2).fit(X, Y, epochs=1, callbacks=[42])
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=-1)
    with pytest.raises(ValueError, match="monitor"):
        EarlyStopping(monitor="score")
    assert isinstance(Checkpoint("ck"), Callback)
