"""Resuming from a damaged checkpoint (issue 16, item 1): every field of the training state
is checked before anything changes; a damaged newest checkpoint falls back to the previous
one with a one-line warning; when none is usable, one clear error and the network as it was.

Each damage below crashed the resume before (OverflowError, KeyError, TypeError, a
ZeroDivisionError, a cast of the wrong dtype) or made it report a divergence that the
training never had.
"""

from __future__ import annotations

import contextlib
import copy
import json
import warnings

import numpy as np
import pytest

pytest.importorskip("safetensors")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from numpynn import (  # noqa: E402
    SGD,
    Adam,
    EarlyStopping,
    NeuralNetwork,
    ReduceLROnPlateau,
    TrainingDivergedError,
)
from numpynn.errors import ModelFileError  # noqa: E402
from numpynn.io import DamagedCheckpointWarning, read_latest_checkpoint, write_checkpoint  # noqa: E402
from numpynn.training import Trainer, check_training_data  # noqa: E402
from numpynn.training.resume import check_resume_state  # noqa: E402

RNG = np.random.default_rng(1)
X = RNG.normal(size=(96, 3)).astype(np.float32)
Y = (X[:, 0] - X[:, 2] > 0).astype(np.int64)


def _fit(net, directory, epochs, resume=False, optimizer=None):
    return net.fit(X, Y, epochs=epochs, batch_size=16, seed=5, validation_split=0.25,
                   optimizer=optimizer or Adam(0.01, schedule="plateau"),
                   early_stopping=True, patience=50,
                   callbacks=[ReduceLROnPlateau(patience=1)],
                   checkpoint_dir=directory, resume=resume)


@pytest.fixture(scope="module")
def straight():
    """A run of 4 epochs without interruption: what every good resume must reproduce."""
    net = NeuralNetwork(3, 6, 2, seed=0)
    net.fit(X, Y, epochs=4, batch_size=16, seed=5, validation_split=0.25,
            optimizer=Adam(0.01, schedule="plateau"), early_stopping=True, patience=50,
            callbacks=[ReduceLROnPlateau(patience=1)])
    return net.theta.copy()


def _two_checkpoints(directory):
    """Epochs 0 and 1 written (the newest is epoch 1)."""
    _fit(NeuralNetwork(3, 6, 2, seed=0), directory, epochs=2)
    return read_latest_checkpoint(directory)


def _set(state, path, value):
    for key in path[:-1]:
        state = state[key]
    state[path[-1]] = value


# (where, value): each a damage of the newest checkpoint's training state
DAMAGED_STATES = {
    "huge best loss": (("callbacks", "early_stopping", "best"), 10**400),
    "generator state out of range": (("trainer", "rng", "state", "state"), -1),
    "generator state cut short": (("trainer", "rng"), {"bit_generator": "PCG64"}),
    "generator state of another kind": (("trainer", "rng", "bit_generator"), "MT19937"),
    "generator state a string": (("trainer", "rng"), "PCG64"),
    "even generator increment": (("trainer", "rng", "state", "inc"), 2),
    "negative step": (("optimizer", "step"), -1),
    "step as text": (("optimizer", "step"), "18"),
    "negative schedule scale": (("optimizer", "schedule", "scale"), -1.0),
    "huge plateau scale": (("callbacks", "reduce_lr_on_plateau", "scale"), 10**400),
    "patience counter negative": (("callbacks", "early_stopping", "bad_epochs"), -3),
    "history of text": (("history", "loss"), "low"),
    "history too short": (("history", "loss"), [0.5]),
    "best epoch beyond the run": (("history", "best_epoch"), 7),
    "epochs done as a float": (("trainer", "epochs_done"), 2.5),
    "optimizer state a list": (("optimizer",), [1, 2]),
    "callbacks state a number": (("callbacks", "early_stopping"), 4),
}


@pytest.mark.parametrize("case", sorted(DAMAGED_STATES))
def test_a_damaged_newest_state_falls_back_to_the_previous_checkpoint(tmp_path, straight,
                                                                     case):
    contents, arrays, state = _two_checkpoints(tmp_path)
    where, value = DAMAGED_STATES[case]
    _set(state, where, value)
    write_checkpoint(tmp_path, contents, arrays, state)  # replaces epoch 1, keeps epoch 0
    resumed = NeuralNetwork(3, 6, 2, seed=9)
    with pytest.warns(DamagedCheckpointWarning, match="checkpoint-epoch000001.*damaged.*"
                      "trying checkpoint-epoch000000") as caught:
        history = _fit(resumed, tmp_path, epochs=4, resume=True)
    assert len([w for w in caught if w.category is DamagedCheckpointWarning]) == 1
    assert "\n" not in str(caught[0].message)
    assert history.epochs == 4
    np.testing.assert_array_equal(resumed.theta, straight)  # as if never interrupted


DAMAGED_ARRAYS = {  # array, damage, what the warning says
    "negative second moment": ("optimizer.v", lambda a: -a - 1e-3,
                               r"'optimizer\.v' .* holds a negative value"),
    "moment far beyond its second moment": ("optimizer.m", lambda a: a + 1e30,
                                            r"'m' holds 1e\+30 .* moments are damaged"),
    "second moment of float64": ("optimizer.v", lambda a: a.astype(np.float64),
                                 r"'optimizer\.v' has dtype float64, not float32"),
    "best weights of another shape": ("early_stopping.best_theta", lambda a: a[:-1],
                                      r"'early_stopping\.best_theta' has shape \(37,\)"),
}


@pytest.mark.parametrize("case", sorted(DAMAGED_ARRAYS))
def test_damaged_optimizer_arrays_fall_back_too(tmp_path, straight, case):
    contents, arrays, state = _two_checkpoints(tmp_path)
    name, damage, message = DAMAGED_ARRAYS[case]
    arrays[name] = damage(arrays[name])
    write_checkpoint(tmp_path, contents, arrays, state)
    resumed = NeuralNetwork(3, 6, 2, seed=9)
    with pytest.warns(DamagedCheckpointWarning, match=message):
        _fit(resumed, tmp_path, epochs=4, resume=True)
    np.testing.assert_array_equal(resumed.theta, straight)


def test_no_usable_checkpoint_is_one_error_and_the_network_untouched(tmp_path):
    contents, arrays, state = _two_checkpoints(tmp_path)
    for epoch in (0, 1):
        damaged = copy.deepcopy(state)
        damaged["epoch"] = epoch
        damaged["history"]["loss"] = damaged["history"]["loss"][: epoch + 1]
        damaged["history"]["learning_rate"] = damaged["history"]["learning_rate"][: epoch + 1]
        damaged["optimizer"]["step"] = -5
        write_checkpoint(tmp_path, contents, arrays, damaged)
    net = NeuralNetwork(3, 6, 2, seed=9)
    before = net.theta.copy()
    with pytest.warns(DamagedCheckpointWarning), \
            pytest.raises(ModelFileError, match=r"no valid checkpoint among 2 file\(s\).*step"):
        _fit(net, tmp_path, epochs=4, resume=True)
    np.testing.assert_array_equal(net.theta, before)


def test_a_resume_that_does_not_fit_this_run_changes_nothing(tmp_path):
    _two_checkpoints(tmp_path)  # written with Adam: moments m and v
    net = NeuralNetwork(3, 6, 2, seed=9)
    before = net.theta.copy()
    with pytest.raises(ValueError, match="lacks the optimizer's 'velocity' array"):
        _fit(net, tmp_path, epochs=4, resume=True, optimizer=SGD(0.1, momentum=0.9))
    np.testing.assert_array_equal(net.theta, before)


def test_load_checkpoint_state_checks_everything_before_it_assigns():
    net = NeuralNetwork(3, 6, 2, seed=0)
    early = EarlyStopping(patience=3)
    trainer = Trainer(net, Adam(0.01), batch_size=16, seed=1, callbacks=[early])
    data = check_training_data(net, X, Y)
    trainer.run(data, epochs=2)
    state, arrays = trainer.checkpoint_state(1)
    state = json.loads(json.dumps(state))  # as it comes back from a file
    fresh_net = NeuralNetwork(3, 6, 2, seed=3)
    fresh = Trainer(fresh_net, Adam(0.01), batch_size=16, seed=1,
                    callbacks=[EarlyStopping(patience=3)])
    fresh._begin()
    before = (fresh_net.theta.copy(), fresh.optimizer_state["m"].copy(),
              fresh.rng.bit_generator.state, fresh.callbacks[-1].state())
    damaged = copy.deepcopy(state)
    damaged["trainer"]["rng"]["has_uint32"] = 7  # the last field checked: all else is fine
    with pytest.raises(ValueError, match="has_uint32"):
        fresh.load_checkpoint_state(damaged, arrays, theta=net.theta)
    after = (fresh_net.theta, fresh.optimizer_state["m"], fresh.rng.bit_generator.state,
             fresh.callbacks[-1].state())
    np.testing.assert_array_equal(after[0], before[0])
    np.testing.assert_array_equal(after[1], before[1])
    assert after[2] == before[2] and after[3]["best"] == before[3]["best"]
    fresh.load_checkpoint_state(state, arrays, theta=net.theta)  # the good one loads
    np.testing.assert_array_equal(fresh_net.theta, net.theta)


def test_the_file_name_and_the_state_agree_on_the_epoch(tmp_path):
    contents, arrays, state = _two_checkpoints(tmp_path)
    (tmp_path / "checkpoint-epoch000001.safetensors").rename(
        tmp_path / "checkpoint-epoch000007.safetensors")
    with pytest.warns(DamagedCheckpointWarning, match="of epoch 1, its name of epoch 7"):
        assert read_latest_checkpoint(tmp_path)[2]["epoch"] == 0


# ------------------------------------------------------------------ a fuzzer of the state
def _leaf_paths(value, prefix=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaf_paths(item, (*prefix, key))
    elif isinstance(value, list) and value and not isinstance(value[0], (int, float)):
        for i, item in enumerate(value):
            yield from _leaf_paths(item, (*prefix, i))
    else:
        yield prefix


_HOSTILE = st.sampled_from([None, True, -1, 0, 2**64, 10**400, -(10**400), 1e308, -0.5,
                            1.5, "x", [], [1.0], {}, {"a": 1}, [0.1] * 40])


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_fuzzed_training_states_resume_cleanly_or_fail_cleanly(tmp_path_factory, data):
    """Any damage of the JSON state or the moments: the resume either continues (without a
    false divergence) or stops with one ValueError / ModelFileError, the network as it was."""
    directory = tmp_path_factory.mktemp("fuzz")
    contents, arrays, state = _two_checkpoints(directory)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(sorted(_leaf_paths(state), key=str)))
        try:
            _set(state, path, data.draw(_HOSTILE))
        except (KeyError, IndexError, TypeError):
            pass
    if data.draw(st.booleans()):
        name = data.draw(st.sampled_from(["optimizer.m", "optimizer.v"]))
        flat = arrays[name].reshape(-1)
        flat[data.draw(st.integers(0, flat.size - 1))] *= data.draw(
            st.sampled_from([-1.0, 1e20, 1e-20, 0.0]))
    # the newest checkpoint (epoch 1) damaged, the one before damaged alike
    for epoch in (0, 1):
        damaged = copy.deepcopy(state)
        damaged["epoch"] = epoch
        try:
            write_checkpoint(directory, contents, arrays, damaged)
        except (TypeError, ValueError):
            return  # not even writable (not JSON): nothing to resume from
    net = NeuralNetwork(3, 6, 2, seed=9)
    before = net.theta.copy()
    try:
        with _quiet():
            _fit(net, directory, epochs=4, resume=True)
    except (ValueError, ModelFileError) as exc:
        assert not isinstance(exc, TrainingDivergedError)
        np.testing.assert_array_equal(net.theta, before)


@contextlib.contextmanager
def _quiet():
    """Fallback notes ignored; a raw NumPy warning is an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DamagedCheckpointWarning)
        warnings.simplefilter("error", RuntimeWarning)
        yield


def test_check_resume_state_names_the_field():
    net = NeuralNetwork(3, 6, 2, seed=0)
    trainer = Trainer(net, Adam(0.01), batch_size=16, seed=1)
    trainer.run(check_training_data(net, X, Y), epochs=1)
    state, arrays = trainer.checkpoint_state(0)
    state = json.loads(json.dumps(state))
    check_resume_state(state, arrays, net.theta)
    state["history"]["accuracy"] = [1.5]
    with pytest.raises(ValueError, match=r"history\['accuracy'\]\[0\] must be a finite "
                                         r"number in \[0.0, 1.0\], got 1.5"):
        check_resume_state(state, arrays, net.theta)
