"""The kernel path of each epoch is chosen before its first batch, by the run's work up to
that epoch's end (core/kernels/switch.py): a run resumed from a checkpoint takes each epoch
on the path of the run it continues and ends in the same bits.
"""

from __future__ import annotations

import numpy as np
import pytest

from numpynn import Adam, NeuralNetwork
from numpynn.core.backprop import Workspace
from numpynn.core.kernels import switch
from numpynn.training import Callback
from numpynn.training.fused_run import FusedEpoch

pytest.importorskip("numba")
pytest.importorskip("safetensors")

ROWS, BATCH, EPOCHS, KILLED_IN = 200, 32, 8, 4
BATCHES = -(-ROWS // BATCH)
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

    def fused_epoch(self, *args, **kwargs):
        paths.append("fused")
        return fused_run(self, *args, **kwargs)

    def general_batch(self, *args, **kwargs):
        paths.append("numpy" if self.kernels is None else "numba")
        return forward_backward(self, *args, **kwargs)

    monkeypatch.setattr(FusedEpoch, "run", fused_epoch)
    monkeypatch.setattr(Workspace, "forward_backward", general_batch)
    return paths


def _network(seed=0):
    return NeuralNetwork(6, 16, 3, seed=seed)


def _fit(net, directory=None, extra=(), resume=False, epochs=EPOCHS):
    return net.fit(X, Y, epochs=epochs, batch_size=BATCH, optimizer=Adam(0.01), dropout=0.1,
                   seed=3, callbacks=list(extra), checkpoint_dir=directory, resume=resume)


def _expected_paths(path, epochs, threshold_epochs):
    """What :func:`_recorded_paths` records for ``epochs``: compiled for the epochs by
    whose end the run's work reaches the threshold (one entry a fused epoch, one a batch on
    the general path), NumPy batch by batch before them."""
    compiled = ["fused"] if path == "fused" else ["numba"] * BATCHES
    return [entry for epoch in epochs
            for entry in (compiled if epoch + 1 >= threshold_epochs else ["numpy"] * BATCHES)]


@pytest.mark.parametrize("threshold_epochs", [0.5, 2.5])  # in the first epoch, the third
@pytest.mark.parametrize("path", ["fused", "general"])
def test_a_resumed_run_past_the_switch_point_ends_in_the_same_bits(tmp_path, monkeypatch,
                                                                      path, threshold_epochs):
    monkeypatch.setenv(switch.ENVIRONMENT_VARIABLE, "auto")
    epoch_work = switch.training_work(_network().num_weights, ROWS, BATCH, 1)
    # Past the switch point in the first epoch (compiled from every run's first batch), or
    # in the third: a run that counted the work it had done itself (as numpynn once did)
    # would switch inside the third epoch, and its resumed part 2.5 epochs after the
    # resume, at another batch, and end in other bits.
    monkeypatch.setattr(switch, "COMPILE_AFTER_WORK", int(threshold_epochs * epoch_work))
    extra = [_BatchWatcher()] if path == "general" else []
    paths = _recorded_paths(monkeypatch)

    full = _network()
    _fit(full, tmp_path / "full", extra)
    full_paths = paths[:]
    with pytest.raises(KeyboardInterrupt):
        _fit(_network(), tmp_path / "killed", [*extra, _Kill(at=KILLED_IN)])
    del paths[:]
    resumed = _network(seed=99)  # overwritten from the checkpoint
    history = _fit(resumed, tmp_path / "killed", extra, resume=True)
    assert history.epochs == EPOCHS
    np.testing.assert_array_equal(resumed.theta, full.theta)  # bit for bit

    assert full_paths == _expected_paths(path, range(EPOCHS), threshold_epochs)
    # the resumed run's first batch already compiled: the work before the resume counts
    assert paths == _expected_paths(path, range(KILLED_IN, EPOCHS), threshold_epochs)
    assert paths[0] != "numpy"


def test_a_run_resumed_with_fewer_epochs_than_it_asked_for_matches_a_run_of_that_many(
        tmp_path, monkeypatch):
    """The path never depends on the epochs asked for (command line: a long run killed,
    then resumed with --epochs N, matches a run of N epochs)."""
    monkeypatch.setenv(switch.ENVIRONMENT_VARIABLE, "auto")
    epoch_work = switch.training_work(_network().num_weights, ROWS, BATCH, 1)
    monkeypatch.setattr(switch, "COMPILE_AFTER_WORK", int(2.5 * epoch_work))
    straight = _network()
    _fit(straight)
    with pytest.raises(KeyboardInterrupt):
        _fit(_network(), tmp_path, [_Kill(at=KILLED_IN)], epochs=1000)
    resumed = _network(seed=99)
    _fit(resumed, tmp_path, resume=True)
    np.testing.assert_array_equal(resumed.theta, straight.theta)


def test_a_run_below_the_switch_point_stays_on_numpy(monkeypatch):
    monkeypatch.setenv(switch.ENVIRONMENT_VARIABLE, "auto")
    net = _network()
    total = switch.training_work(net.num_weights, ROWS, BATCH, EPOCHS)
    monkeypatch.setattr(switch, "COMPILE_AFTER_WORK", total + 1)
    paths = _recorded_paths(monkeypatch)
    net.fit(X, Y, epochs=EPOCHS, batch_size=BATCH, seed=3)
    assert paths == ["numpy"] * (EPOCHS * BATCHES)


def test_a_loop_of_short_fits_counts_the_networks_earlier_work(tmp_path, monkeypatch):
    """fit(epochs=1) in a loop (as partial_fit does) reaches the compiled path after the
    same work as one long run, and a resume of such a network still ends in the same bits
    as the run it continues: the earlier work travels in the checkpoint."""
    monkeypatch.setenv(switch.ENVIRONMENT_VARIABLE, "auto")
    epoch_work = switch.training_work(_network().num_weights, ROWS, BATCH, 1)
    monkeypatch.setattr(switch, "COMPILE_AFTER_WORK", int(2.5 * epoch_work))
    paths = _recorded_paths(monkeypatch)
    net = _network()
    for _ in range(4):
        _fit(net, epochs=1)
    assert paths == ["numpy"] * BATCHES * 2 + ["fused"] * 2  # epochs 3 and 4 compiled
    assert net.training_work == 4 * epoch_work

    # a network trained twice before, then a checkpointed run killed and resumed
    def trained_twice():
        n = _network()
        _fit(n, epochs=1)
        _fit(n, epochs=1)
        return n

    full = trained_twice()
    _fit(full, tmp_path / "full", epochs=4)
    killed = trained_twice()
    with pytest.raises(KeyboardInterrupt):
        _fit(killed, tmp_path / "killed", [_Kill(at=1)], epochs=4)
    del paths[:]
    resumed = _network(seed=99)  # a fresh object: the earlier work comes from the file
    _fit(resumed, tmp_path / "killed", resume=True, epochs=4)
    np.testing.assert_array_equal(resumed.theta, full.theta)
    assert paths == ["fused"] * 3  # epochs 2..4 of the run, past the point as before
