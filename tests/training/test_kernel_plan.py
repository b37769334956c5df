"""The kernel path is planned before a run's first batch (core/kernels/switch.py): a run
resumed from a checkpoint takes the path of the run it continues and ends in the same bits.
"""

from __future__ import annotations

import numpy as np
import pytest

from numpynn import Adam, NeuralNetwork
from numpynn.core.backprop import Workspace
from numpynn.core.kernels import switch
from numpynn.training import Callback, Trainer
from numpynn.training.fused_run import FusedEpoch

pytest.importorskip("numba")
pytest.importorskip("safetensors")

ROWS, BATCH, EPOCHS, KILLED_IN = 200, 32, 8, 4
RNG = np.random.default_rng(7)
X = RNG.normal(size=(ROWS, 6)).astype(np.float32)
Y = RNG.integers(0, 3, ROWS)


class _Kill(Callback):
    """Raises in epoch ``at`` before that epoch's checkpoint, like a kill."""

    def __init__(self, at: int) -> None:
        self.at = at

    def on_epoch_end(self, epoch, logs):
        if epoch == self.at:
            raise KeyboardInterrupt


class _BatchWatcher(Callback):
    """A per-batch callback: the trainer then takes the general path, batch by batch."""

    def on_batch_end(self, batch, loss):
        pass


def _recorded_paths(monkeypatch) -> list[str]:
    """Record each epoch of the fused loop ("fused") and each batch of the general path
    ("numba" or "numpy", by the workspace's kernels)."""
    paths: list[str] = []
    fused_run, forward_backward = FusedEpoch.run, Workspace.forward_backward

    def fused_epoch(self, kernel, *args, **kwargs):
        paths.append("fused")
        return fused_run(self, kernel, *args, **kwargs)

    def general_batch(self, *args, **kwargs):
        paths.append("numpy" if self.kernels is None else "numba")
        return forward_backward(self, *args, **kwargs)

    monkeypatch.setattr(FusedEpoch, "run", fused_epoch)
    monkeypatch.setattr(Workspace, "forward_backward", general_batch)
    return paths


def _fit(net, directory, extra=(), resume=False):
    return net.fit(X, Y, epochs=EPOCHS, batch_size=BATCH, optimizer=Adam(0.01), dropout=0.1,
                   seed=3, callbacks=list(extra), checkpoint_dir=directory, resume=resume)


@pytest.mark.parametrize("path", ["fused", "general"])
def test_a_resumed_run_past_the_switch_point_ends_in_the_same_bits(tmp_path, monkeypatch,
                                                                      path):
    monkeypatch.setenv(switch.ENVIRONMENT_VARIABLE, "auto")
    net = NeuralNetwork(6, 16, 3, seed=0)
    batches = -(-ROWS // BATCH)
    epoch_work = ROWS * net.num_weights + batches * switch.BATCH_WORK
    # The run passes the switch point in its third epoch: a run that counted the work it
    # had done (as numpynn once did) would switch there, and its resumed part 2.5 epochs
    # after the resume, at another batch, ending in other bits.
    monkeypatch.setattr(switch, "COMPILE_AFTER_WORK", int(2.5 * epoch_work))
    extra = [_BatchWatcher()] if path == "general" else []
    paths = _recorded_paths(monkeypatch)

    full = NeuralNetwork(6, 16, 3, seed=0)
    _fit(full, tmp_path / "full", extra)
    full_paths = paths[:]
    killed = NeuralNetwork(6, 16, 3, seed=0)
    with pytest.raises(KeyboardInterrupt):
        _fit(killed, tmp_path / "killed", [*extra, _Kill(at=KILLED_IN)])
    del paths[:]
    resumed = NeuralNetwork(6, 16, 3, seed=99)  # overwritten from the checkpoint
    history = _fit(resumed, tmp_path / "killed", extra, resume=True)
    assert history.epochs == EPOCHS
    np.testing.assert_array_equal(resumed.theta, full.theta)  # bit for bit

    # Both runs on the compiled loops from their first batch.
    expected = "fused" if path == "fused" else "numba"
    per_epoch = 1 if path == "fused" else batches
    assert full_paths == [expected] * (EPOCHS * per_epoch)
    assert paths == [expected] * ((EPOCHS - KILLED_IN) * per_epoch)


def test_a_run_below_the_switch_point_stays_on_numpy(monkeypatch):
    monkeypatch.setenv(switch.ENVIRONMENT_VARIABLE, "auto")
    net = NeuralNetwork(6, 16, 3, seed=0)
    planned = switch.planned_work(net.num_weights, ROWS, BATCH, EPOCHS)
    monkeypatch.setattr(switch, "COMPILE_AFTER_WORK", planned + 1)
    paths = _recorded_paths(monkeypatch)
    net.fit(X, Y, epochs=EPOCHS, batch_size=BATCH, seed=3)
    assert paths == ["numpy"] * (EPOCHS * -(-ROWS // BATCH))


def test_a_trainer_plans_what_run_asks_or_the_epochs_trained(monkeypatch):
    monkeypatch.setenv(switch.ENVIRONMENT_VARIABLE, "auto")
    net = NeuralNetwork(6, 16, 3, seed=0)
    trainer = Trainer(net, batch_size=BATCH)
    assert trainer.planned_epochs is None
    trainer.plan_kernels(5)
    assert trainer.planned_epochs == 5
    with pytest.raises(ValueError, match="epochs"):
        trainer.plan_kernels(0)
    trainer.plan_kernels(None)
    assert trainer.planned_epochs is None
