"""No option is silently ignored: what a solver cannot honour raises before any work."""

import numpy as np
import pytest

import numpynn
from numpynn import (
    LBFGS,
    SGD,
    Adam,
    Checkpoint,
    EarlyStopping,
    NeuralNetwork,
    Optimizer,
    ProgressBar,
    ReduceLROnPlateau,
)
from numpynn.training import BatchScaledL2Penalty, Trainer

X = np.random.default_rng(0).normal(size=(40, 2)).astype(np.float32)
Y = (X[:, 0] > 0).astype(np.int64)


@pytest.mark.parametrize("options, named", [
    ({"optimizer": "lbfgs", "learning_rate": 0.1},
     ["optimizer='lbfgs'", "learning_rate=0.1", "learning rate"]),
    ({"optimizer": LBFGS(), "learning_rate": 0.5}, ["optimizer='lbfgs'", "learning_rate=0.5"]),
    ({"optimizer": "lbfgs", "batch_size": 64}, ["lbfgs", "batch_size=64"]),
    ({"optimizer": "lbfgs", "shuffle": False}, ["lbfgs", "shuffle=False"]),
    ({"optimizer": "lbfgs", "dropout": 0.2}, ["lbfgs", "dropout=0.2"]),
    ({"optimizer": "lbfgs", "checkpoint_dir": "ck"}, ["Checkpoint", "lbfgs"]),
    ({"optimizer": LBFGS(), "callbacks": [Checkpoint("ck")]}, ["Checkpoint", "lbfgs"]),
    ({"optimizer": "lbfgs", "callbacks": [ReduceLROnPlateau()]},
     ["ReduceLROnPlateau", "lbfgs", "learning rate"]),
    ({"optimizer": LBFGS(max_iter=20), "epochs": 50}, ["epochs=50", "max_iter=20"]),
    ({"resume": True}, ["resume", "checkpoint_dir"]),
    ({"patience": 5}, ["patience=5", "early_stopping"]),
    ({"early_stopping": True, "callbacks": [EarlyStopping()]},
     ["early_stopping=True", "EarlyStopping"]),
    ({"checkpoint_dir": "ck", "callbacks": [Checkpoint("other")]},
     ["checkpoint_dir", "Checkpoint"]),
    ({"progress": True, "callbacks": [ProgressBar()]}, ["progress=True", "ProgressBar"]),
    ({"optimizer": Adam(learning_rate=0.01), "learning_rate": 0.1},
     ["learning_rate=0.1", "Adam", "learning_rate=0.01"]),
    ({"callbacks": [EarlyStopping(monitor="val_loss")]}, ["EarlyStopping", "validation"]),
    ({"callbacks": [ReduceLROnPlateau(monitor="val_accuracy")]},
     ["ReduceLROnPlateau", "validation"]),
])
def test_options_a_solver_cannot_honour_raise_before_any_work(options, named, tmp_path,
                                                               monkeypatch):
    monkeypatch.chdir(tmp_path)
    net = NeuralNetwork(2, 3, 2, seed=0)
    before = net.theta.copy()
    with pytest.raises(ValueError) as info:
        net.fit(X, Y, epochs=options.pop("epochs", 3), **options)
    for name in named:
        assert name in str(info.value)
    assert np.array_equal(net.theta, before)
    assert not (tmp_path / "ck").exists()  # no checkpoint written either


def test_the_command_lines_call_keeps_working_with_every_optimizer():
    """``numpynn train`` passes its defaults (batch size, patience) to every optimizer: at
    their defaults they are no conflict; its learning rate (0.01) to the mini-batch ones,
    None to lbfgs, which has none."""
    for optimizer in ("adam", "adamw", "sgd", "lbfgs"):
        net = NeuralNetwork(2, 3, 2, seed=0)
        seen = []
        history = net.fit(X, Y, epochs=3, batch_size=32, optimizer=optimizer,
                          learning_rate=None if optimizer == "lbfgs" else 0.01, l2=0.0,
                          dropout=0.0, seed=42,
                          validation_data=(X[:10], Y[:10]), callbacks=[seen.append],
                          progress=False, early_stopping=False, patience=10,
                          checkpoint_dir=None, resume=False)
        assert len(seen) == history.epochs >= 1


def test_lbfgs_honours_early_stopping_and_progress(capsys):
    rng = np.random.default_rng(1)
    Xn = rng.normal(size=(200, 6)).astype(np.float32)
    yn = rng.integers(0, 2, size=200)  # noise: the validation loss soon rises
    net = NeuralNetwork(6, 32, 2, seed=0)
    history = net.fit(Xn, yn, epochs=300, optimizer="lbfgs", validation_split=0.5,
                      early_stopping=True, patience=3, seed=0)
    assert history.stopped_early and history.epochs == history.best_epoch + 4
    from numpynn.training import _split_validation, check_training_data, evaluate_loss

    _, val = _split_validation(check_training_data(net, Xn, yn), 0.5,
                               np.random.default_rng(0))
    assert evaluate_loss(net, val)[0] == pytest.approx(min(history.val_loss), rel=1e-5)
    net.fit(Xn, yn, epochs=3, optimizer="lbfgs", progress=True)
    assert "epoch 1/3" in capsys.readouterr().err


def test_lbfgs_is_a_solver_not_an_optimizer():
    assert not issubclass(LBFGS, Optimizer) and not hasattr(LBFGS, "update")
    assert numpynn.LBFGS is LBFGS
    from numpynn.optimizers import LBFGS as old_path  # the 0.1 module path

    assert old_path is LBFGS
    with pytest.raises(TypeError):
        LBFGS(schedule="cosine")  # no schedule, clipping or learning rate to set
    with pytest.raises(ValueError, match="max_iter"):
        LBFGS(max_iter=0)
    with pytest.raises(ValueError, match="full-batch"):
        Trainer(NeuralNetwork(2, 3, 2), "lbfgs")
    net = NeuralNetwork(2, 8, 2, seed=0)
    history = net.fit(X, Y, optimizer=LBFGS(max_iter=15, tol=0.0))
    assert 1 <= history.epochs <= 15


def test_schedule_and_clipping_belong_to_the_optimizer():
    net = NeuralNetwork(2, 4, 2, seed=0)
    history = net.fit(X, Y, epochs=4, optimizer=SGD(0.1, schedule="cosine", clip_norm=1.0))
    assert history.learning_rate[0] == 0.1 and history.learning_rate[-1] < 0.1
    for dropped in ("schedule", "clip_norm", "min_delta"):
        with pytest.raises(TypeError, match=dropped):
            net.fit(X, Y, epochs=1, **{dropped: 1.0})
    with pytest.raises(ValueError, match="l2 or penalty"):
        Trainer(net, l2=0.1, penalty=BatchScaledL2Penalty(0.1, net.weight_mask()))
