"""Learning-rate schedules: the rate of each epoch from the base rate.

:class:`ProgressSchedule` subclasses are functions of the run's progress ``t`` in [0, 1]
(warm-up + cosine, one-cycle, coslog): asked per epoch they give the value at the epoch's
middle; :class:`numpynn.training.callbacks.StepwiseLearningRate` asks them at every step.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..core.checks import check_int
from ..core.checks import check_number as _check_number
from .plateau import (
    Plateau,
    check_scaled_plateau_state,
    load_scaled_plateau_state,
    reduce_on_plateau,
    scaled_plateau_state,
)

__all__ = ["Schedule", "ConstantSchedule", "StepSchedule", "CosineSchedule",
           "ReduceOnPlateau", "ProgressSchedule", "WarmupCosineSchedule", "OneCycleSchedule",
           "CosLogSchedule", "FlatCosineSchedule", "get_schedule"]


class Schedule:
    """Learning-rate schedule: ``rate(epoch, base_rate, monitored_loss)`` per epoch."""

    def rate(self, epoch: int, base_rate: float, last_loss: float | None) -> float:
        return base_rate

    def state(self) -> dict[str, Any]:
        return {}

    def check_state(self, state: Mapping[str, Any]) -> None:
        """ValueError unless :meth:`load_state` can take ``state`` (nothing changes)."""
        return None

    def load_state(self, state: Mapping[str, Any]) -> None:
        return None


class ConstantSchedule(Schedule):
    """The same rate every epoch."""


class StepSchedule(Schedule):
    """Multiply the rate by ``gamma`` every ``step_size`` epochs."""

    def __init__(self, step_size: int = 10, gamma: float = 0.5) -> None:
        if not isinstance(step_size, (int, np.integer)) or step_size < 1:
            raise ValueError(f"step_size must be an int >= 1, got {step_size!r}")
        self.step_size = int(step_size)
        self.gamma = _check_number("gamma", gamma, 0.0, 1.0, low_inclusive=False)

    def rate(self, epoch, base_rate, last_loss):
        return base_rate * self.gamma ** (epoch // self.step_size)


class CosineSchedule(Schedule):
    """Cosine decay from the base rate to ``min_rate`` over ``total_epochs``."""

    def __init__(self, total_epochs: int | None = None, min_rate: float = 0.0) -> None:
        self.total_epochs = total_epochs
        self.min_rate = _check_number("min_rate", min_rate, 0.0)

    def rate(self, epoch, base_rate, last_loss):
        total = max(1, self.total_epochs or 1)
        progress = min(1.0, epoch / total)
        cosine = 0.5 * (1 + math.cos(math.pi * progress))
        return self.min_rate + (base_rate - self.min_rate) * cosine


class ReduceOnPlateau(Schedule):
    """Multiply the rate by ``factor`` when the monitored loss has not improved by
    ``threshold`` (relative) for more than ``patience`` epochs.

    The callback :class:`numpynn.training.ReduceLROnPlateau` does the same with a choice
    of the monitored figure; this schedule sees the loss ``fit`` monitors (the validation
    loss when there is validation data).
    """

    def __init__(self, factor: float = 0.5, patience: int = 5, min_rate: float = 0.0,
                 threshold: float = 1e-4) -> None:
        self.factor = _check_number("factor", factor, 0.0, 1.0, low_inclusive=False,
                                    high_inclusive=False)
        self.patience = check_int("patience", patience, 0)
        self.min_rate = _check_number("min_rate", min_rate, 0.0)
        self.threshold = _check_number("threshold", threshold, 0.0)
        self._plateau = Plateau("min", self.threshold, relative=True)
        self._scale = 1.0

    def rate(self, epoch, base_rate, last_loss):
        if last_loss is not None:  # reduce after more than `patience` bad epochs
            self._scale = reduce_on_plateau(self._plateau, last_loss, self._scale,
                                            self.factor, self.patience + 1)
        return max(self.min_rate, base_rate * self._scale)

    def state(self):
        return scaled_plateau_state(self._scale, self._plateau)

    def check_state(self, state):
        check_scaled_plateau_state(state, "the schedule")

    def load_state(self, state):
        self._scale = load_scaled_plateau_state(state, self._plateau)


class ProgressSchedule(Schedule):
    """A factor of the base rate that depends on the run's progress ``t`` in [0, 1] only.

    Subclasses define :meth:`factor`.  Per epoch (``rate``) the factor is taken at the
    middle of the epoch, ``t = (epoch + 0.5) / total_epochs``.

    Parameters
    ----------
    total_epochs : int, optional
        The run's length; ``fit`` and the ``Trainer`` set it from their ``epochs``.
    """

    def __init__(self, total_epochs: int | None = None) -> None:
        self.total_epochs = total_epochs

    def factor(self, t: float) -> float:  # pragma: no cover - abstract
        """The multiplier of the base rate at progress ``t`` (0: start, 1: end)."""
        raise NotImplementedError

    def rate(self, epoch, base_rate, last_loss):
        total = max(1, self.total_epochs or 1)
        return base_rate * self.factor(min(1.0, (epoch + 0.5) / total))


def _cosine_between(start: float, end: float, t: float) -> float:
    """From ``start`` at t = 0 to ``end`` at t = 1 along half a cosine."""
    return end + (start - end) * 0.5 * (1.0 + math.cos(math.pi * min(max(t, 0.0), 1.0)))


class WarmupCosineSchedule(ProgressSchedule):
    """A linear warm-up from 0 over the first ``warmup`` share of the run, then cosine
    decay to ``min_factor`` times the base rate."""

    def __init__(self, total_epochs: int | None = None, warmup: float = 0.05,
                 min_factor: float = 0.0) -> None:
        super().__init__(total_epochs)
        self.warmup = _check_number("warmup", warmup, 0.0, 1.0, high_inclusive=False)
        self.min_factor = _check_number("min_factor", min_factor, 0.0, 1.0)

    def factor(self, t):
        if t < self.warmup:
            return t / self.warmup
        return _cosine_between(1.0, self.min_factor, (t - self.warmup) / (1.0 - self.warmup))


class OneCycleSchedule(ProgressSchedule):
    """One cycle (Smith): cosine up from ``start`` to 1 over the first ``peak`` share of
    the run, then cosine down to ``end`` (fastai's and RealMLP's one_cycle)."""

    def __init__(self, total_epochs: int | None = None, peak: float = 0.25,
                 start: float = 0.04, end: float = 1e-5) -> None:
        super().__init__(total_epochs)
        self.peak = _check_number("peak", peak, 0.0, 1.0, low_inclusive=False,
                                  high_inclusive=False)
        self.start = _check_number("start", start, 0.0, 1.0)
        self.end = _check_number("end", end, 0.0, 1.0)

    def factor(self, t):
        if t < self.peak:
            return _cosine_between(self.start, 1.0, t / self.peak)
        return _cosine_between(1.0, self.end, (t - self.peak) / (1.0 - self.peak))


class CosLogSchedule(ProgressSchedule):
    """Warm restarts on a log time scale (Holzmüller et al.'s coslog): ``cycles`` cosine
    cycles ``0.5 (1 - cos(2 pi log2(1 + (2^cycles - 1) t)))``, each twice as long as the
    one before; each starts and ends at 0, so the warm-up is built in."""

    def __init__(self, total_epochs: int | None = None, cycles: int = 4) -> None:
        super().__init__(total_epochs)
        self.cycles = check_int("cycles", cycles, 1)

    def factor(self, t):
        stretched = math.log2(1.0 + (2.0 ** self.cycles - 1.0) * min(max(t, 0.0), 1.0))
        return 0.5 * (1.0 - math.cos(2.0 * math.pi * stretched))


class FlatCosineSchedule(ProgressSchedule):
    """1 for the first half of the run, then half a cosine down to 0 (RealMLP's
    ``flat_cos``, for scheduled dropout and weight decay)."""

    def factor(self, t):
        return 1.0 if t < 0.5 else _cosine_between(1.0, 0.0, 2.0 * t - 1.0)


_SCHEDULES = {"constant": ConstantSchedule, "step": StepSchedule, "cosine": CosineSchedule,
              "plateau": ReduceOnPlateau, "reduce_on_plateau": ReduceOnPlateau,
              "warmup_cosine": WarmupCosineSchedule, "one_cycle": OneCycleSchedule,
              "coslog4": CosLogSchedule, "flat_cos": FlatCosineSchedule}
#: Names whose schedule takes the run's length.
_RUN_LENGTH = ("cosine", "warmup_cosine", "one_cycle", "coslog4", "flat_cos")


def get_schedule(schedule: Any, epochs: int) -> Schedule:
    """A schedule object from None, a name or a Schedule.

    Names: constant, step, cosine, plateau, warmup_cosine, one_cycle, coslog4, flat_cos;
    those that depend on the run's length get ``epochs``.  A :class:`ProgressSchedule`
    without a length is copied and the copy gets ``epochs``.
    """
    if schedule is None:
        return ConstantSchedule()
    if isinstance(schedule, ProgressSchedule) and schedule.total_epochs is None:
        schedule = copy.copy(schedule)  # the caller's object stays without a length
        schedule.total_epochs = epochs
    if isinstance(schedule, Schedule):
        return schedule
    if schedule in _RUN_LENGTH:
        return _SCHEDULES[schedule](total_epochs=epochs)
    if isinstance(schedule, str) and schedule in _SCHEDULES:
        return _SCHEDULES[schedule]()
    raise ValueError(f"schedule must be one of {sorted(_SCHEDULES)} or a Schedule, "
                     f"got {schedule!r}")
