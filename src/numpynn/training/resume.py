"""The checks of a checkpoint's training state, made before a resume changes anything.

A checkpoint that reads well (:func:`numpynn.io.read_latest_checkpoint` has checked the
container, the model and the finiteness of every array) may still hold a training state
that would crash a resume, or quietly spoil it: a bit flip in a step count, a negative
second moment, a generator state NumPy half accepts.  :func:`check_resume_state` checks
every field :meth:`Trainer.checkpoint_state <numpynn.training.Trainer.checkpoint_state>`
writes -- types, ranges, lengths, shapes, dtypes, the generator's state -- against the
checkpoint alone, so that the reader can skip a damaged newest checkpoint for the previous
one (:data:`resume_check` is the reader's ``check``).  What depends on the run that
resumes (its optimizer, its callbacks) the Trainer checks next, still before it assigns
anything.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["MAX_COUNT", "check_resume_state", "resume_check", "resume_check_for",
           "check_adam_moments", "check_count",
           "check_rng_state", "check_plateau_state", "check_scale"]

#: Largest epoch, step or count a checkpoint may hold (a float counts exactly up to here).
MAX_COUNT = 2**53
#: Optimizer arrays laid out like theta, and the callback arrays that are.
_THETA_LIKE = ("optimizer.m", "optimizer.v", "optimizer.velocity")
_THETA_LIKE_SUFFIX = ".best_theta"
_HISTORY_FIGURES = ("loss", "learning_rate", "accuracy", "val_loss", "val_accuracy")
#: Generators whose state NumPy validates only in part: checked field by field.
_PCG_GENERATORS = ("PCG64", "PCG64DXSM")
_OTHER_GENERATORS = ("MT19937", "Philox", "SFC64")


def check_count(name: str, value: Any, low: int = 0, high: int = MAX_COUNT) -> int:
    """``value`` if it is an int (not a bool) in ``[low, high]``; ValueError otherwise."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be an int in [{low}, {high}], got {_short(value)}")
    return value


def _check_real(name: str, value: Any, low: float = -math.inf, high: float = math.inf,
                low_inclusive: bool = True) -> float:
    """``value`` if it is a finite JSON number in the interval; ValueError otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number, got {_short(value)}")
    try:
        number = float(value)
    except OverflowError:  # an int beyond any float
        number = math.inf
    above = number >= low if low_inclusive else number > low
    if not (math.isfinite(number) and above and number <= high):
        bracket = "[" if low_inclusive else "("
        raise ValueError(f"{name} must be a finite number in {bracket}{low}, {high}], "
                         f"got {_short(value)}")
    return number


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _mapping(name: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{name} must be a JSON object, got {_short(value)}")
    return value


def check_rng_state(state: Any, name: str = "trainer.rng") -> str:
    """The generator's name, if ``state`` is a ``bit_generator.state`` NumPy takes back
    exactly; ValueError otherwise (NumPy's own setter raises OverflowError, KeyError or
    TypeError for some damage, and silently accepts other)."""
    state = _mapping(name, state)
    kind = state.get("bit_generator")
    if kind in _PCG_GENERATORS:
        inner = _mapping(f"{name}['state']", state.get("state"))
        check_count(f"{name}['state']['state']", inner.get("state"), 0, 2**128 - 1)
        inc = check_count(f"{name}['state']['inc']", inner.get("inc"), 0, 2**128 - 1)
        if inc % 2 == 0:
            raise ValueError(f"{name}['state']['inc'] must be odd (a PCG increment), got {inc}")
        check_count(f"{name}['has_uint32']", state.get("has_uint32"), 0, 1)
        check_count(f"{name}['uinteger']", state.get("uinteger"), 0, 2**32 - 1)
        if set(state) != {"bit_generator", "state", "has_uint32", "uinteger"} or \
                set(inner) != {"state", "inc"}:
            raise ValueError(f"{name} has unexpected fields for a {kind} state")
        return kind
    if kind not in _OTHER_GENERATORS:
        raise ValueError(f"{name}['bit_generator'] must be one of "
                         f"{list(_PCG_GENERATORS + _OTHER_GENERATORS)}, got {_short(kind)}")
    probe = getattr(np.random, kind)()
    try:
        probe.state = state
        same = _same_json(probe.state, state)
    except (TypeError, ValueError, KeyError, OverflowError, IndexError) as exc:
        raise ValueError(f"{name} is not a valid {kind} state ({type(exc).__name__}: "
                         f"{exc})") from None
    if not same:
        raise ValueError(f"{name} is not a valid {kind} state (NumPy does not take it back "
                         "exactly)")
    return kind


def _same_json(numpy_state: Any, saved: Any) -> bool:
    """Whether a generator state as NumPy gives it equals its JSON copy (arrays as lists)."""
    if isinstance(numpy_state, np.ndarray):
        return isinstance(saved, list) and numpy_state.tolist() == saved
    if isinstance(numpy_state, Mapping):
        return isinstance(saved, Mapping) and set(numpy_state) == set(saved) and all(
            _same_json(numpy_state[k], saved[k]) for k in numpy_state)
    return type(numpy_state) is type(saved) and numpy_state == saved


def check_adam_moments(m: np.ndarray, v: np.ndarray, beta_1: float, beta_2: float) -> None:
    """ValueError unless Adam's scaled moments ``m = sum b1^k g_k`` and ``v = sum b2^k
    g_k^2`` (see :class:`numpynn.training.Adam`) keep what every update keeps: ``v >= 0``
    and, when ``b1^2 < b2``, ``m^2 <= v / (1 - b1^2 / b2)`` (Cauchy-Schwarz), with room
    for float32 rounding and for squares that underflow."""
    if m.shape != v.shape:
        return  # a shape the state cannot take: the optimizer's shape check says so
    if v.size and v.min() < 0:
        raise ValueError("optimizer state 'v' (sums of squared gradients) holds a negative "
                         f"value, {float(v.min()):.6g}")
    ratio = beta_1**2 / beta_2
    if ratio >= 1 or not m.size:
        return
    bound = 1.0 / (1.0 - ratio)
    flat_m, flat_v = m.reshape(-1), v.reshape(-1)
    for start in range(0, flat_m.size, 1 << 16):  # float64 a chunk at a time: little memory
        m64 = flat_m[start : start + (1 << 16)].astype(np.float64)
        v64 = flat_v[start : start + (1 << 16)].astype(np.float64)
        beyond = m64 * m64 > v64 * bound * (1 + 1e-3) + 1e-38
        if beyond.any():
            at = start + int(np.argmax(beyond))
            raise ValueError(f"optimizer state 'm' holds {float(flat_m[at]):.6g} at index {at}, "
                             f"more than its 'v' ({float(flat_v[at]):.6g}) allows: the moments "
                             "are damaged")


def check_scale(name: str, value: Any) -> float:
    """A learning-rate factor: a finite number in (0, 1]."""
    return _check_real(name, value, 0.0, 1.0, low_inclusive=False)


def check_plateau_state(state: Mapping[str, Any], where: str) -> None:
    """The fields of :meth:`numpynn.training.plateau.Plateau.state`: ``best`` (a finite
    number or None) and ``bad_epochs`` (a count)."""
    if state.get("best") is not None:
        _check_real(f"{where}['best']", state["best"])
    check_count(f"{where}['bad_epochs']", state.get("bad_epochs", 0))


def _check_history(history: Mapping[str, Any], epoch: int) -> None:
    """Every figure list holds epoch + 1 finite numbers (accuracies and validation figures
    may be absent: empty); ``best_epoch`` names one of the epochs."""
    for figure in _HISTORY_FIGURES:
        values = history.get(figure, [])
        where = f"history['{figure}']"
        if not isinstance(values, list):
            raise ValueError(f"{where} must be a list of numbers, got {_short(values)}")
        required = figure in ("loss", "learning_rate")
        if len(values) != epoch + 1 and (required or values):
            raise ValueError(f"{where} holds {len(values)} values; a checkpoint of epoch "
                             f"{epoch} has {epoch + 1}")
        high = 1.0 if figure.endswith("accuracy") else math.inf
        low = 0.0 if figure != "val_loss" and figure != "loss" else -math.inf
        for i, value in enumerate(values):
            _check_real(f"{where}[{i}]", value, low, high)
    best = history.get("best_epoch")
    if best is not None:
        check_count("history['best_epoch']", best, 0, epoch)
    if not isinstance(history.get("stopped_early", False), bool):
        raise ValueError(f"history['stopped_early'] must be true or false, got "
                         f"{_short(history['stopped_early'])}")


def _check_arrays(arrays: Mapping[str, np.ndarray], theta: np.ndarray) -> None:
    """Float arrays in theta's dtype; those laid out like theta with its shape; Adam's
    second moments (``optimizer.v``) never negative."""
    for name, array in arrays.items():
        if array.dtype.kind == "f" and array.dtype != theta.dtype:
            raise ValueError(f"array {name!r} has dtype {array.dtype}, not {theta.dtype} "
                             "(the network's dtype)")
        if (name in _THETA_LIKE or name.endswith(_THETA_LIKE_SUFFIX)) and \
                array.shape != theta.shape:
            raise ValueError(f"array {name!r} has shape {array.shape}, expected "
                             f"{theta.shape} (one value per parameter)")
    second = arrays.get("optimizer.v")
    if second is not None and second.size and second.min() < 0:
        raise ValueError("array 'optimizer.v' (Adam's second moments, sums of squares) "
                         f"holds a negative value, {float(second.min()):.6g}")


def _check_trainer(trainer: Mapping[str, Any]) -> None:
    """The loop's own state: the Trainer's generator and epoch count, or the generators
    of the shards of :func:`numpynn.distributed.fit`'s local SGD rounds."""
    if trainer.get("strategy") == "local_sgd":
        shards = check_count("trainer['shards']", trainer.get("shards"), 1)
        check_count("trainer['sync_every']", trainer.get("sync_every"), 1)
        states = trainer.get("rng_states")
        if not isinstance(states, list) or len(states) != shards:
            raise ValueError(f"trainer['rng_states'] must be a list of {shards} generator "
                             f"states (one per shard), got {_short(states)}")
        for i, state in enumerate(states):
            check_rng_state(state, f"trainer['rng_states'][{i}]")
        return
    check_rng_state(trainer.get("rng"))
    check_count("trainer['epochs_done']", trainer.get("epochs_done"))
    if "prior_work" in trainer:
        check_count("trainer['prior_work']", trainer.get("prior_work"), 0, 2**62)


def _check_callbacks(callbacks: Mapping[str, Any], epoch: int) -> None:
    """Each callback's state is a JSON object; the built-in ones' fields are checked."""
    for name, state in callbacks.items():
        state = _mapping(f"callbacks[{name!r}]", state)
        where = f"callbacks[{name!r}]"
        base = name.rsplit("_", 1)[0] if name.rsplit("_", 1)[-1].isdigit() else name
        if base == "early_stopping":
            check_plateau_state(state, where)
            if state.get("best_epoch") is not None:
                check_count(f"{where}['best_epoch']", state["best_epoch"], 0, epoch)
        elif base == "reduce_lr_on_plateau":
            check_plateau_state(state, where)
            check_scale(f"{where}['scale']", state.get("scale", 1.0))


def check_resume_state(training_state: Mapping[str, Any], arrays: Mapping[str, np.ndarray],
                       theta: np.ndarray) -> None:
    """Check every field of a checkpoint's training state against the checkpoint alone.

    Parameters
    ----------
    training_state : dict
        As :meth:`Trainer.checkpoint_state` writes it (read back as JSON).
    arrays : dict of str to ndarray
        The checkpoint's state arrays (finite: the reader checked).
    theta : ndarray, shape (num_weights,)
        The checkpoint's weights.

    Raises
    ------
    ValueError
        Naming the first field that is missing, of the wrong type, out of range, of the
        wrong length, shape or dtype.
    """
    epoch = check_count("epoch", training_state.get("epoch"))
    for key in ("optimizer", "trainer", "history", "callbacks"):
        if not isinstance(training_state.get(key), Mapping):
            raise ValueError(f"the checkpoint has no {key!r} state: it was written by "
                             "another version of numpynn; start a new run")
    _check_history(training_state["history"], epoch)
    _check_trainer(training_state["trainer"])
    optimizer = training_state["optimizer"]
    check_count("optimizer['step']", optimizer.get("step"))
    schedule = _mapping("optimizer['schedule']", optimizer.get("schedule", {}))
    if schedule:
        check_plateau_state(schedule, "optimizer['schedule']")
        check_scale("optimizer['schedule']['scale']", schedule.get("scale", 1.0))
    _check_callbacks(training_state["callbacks"], epoch)
    _check_arrays(arrays, theta)


def resume_check(contents: Any, arrays: Mapping[str, np.ndarray],
                 training_state: Mapping[str, Any]) -> None:
    """:func:`check_resume_state` as the ``check`` of
    :func:`numpynn.io.read_latest_checkpoint` (which passes the contents first)."""
    check_resume_state(training_state, arrays, contents.theta)


def resume_check_for(optimizer: Any) -> Any:
    """:func:`resume_check` and ``optimizer.check_moments``: a reader's ``check`` that also
    skips a checkpoint whose moments this optimizer would take as damaged.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer of the run that resumes (mini-batch; its settings, Adam's betas say,
        define what a damaged moment is).
    """

    def check(contents: Any, arrays: Mapping[str, np.ndarray],
              training_state: Mapping[str, Any]) -> None:
        resume_check(contents, arrays, training_state)
        optimizer.check_moments({name[len("optimizer."):]: array
                                 for name, array in arrays.items()
                                 if name.startswith("optimizer.")})

    return check
