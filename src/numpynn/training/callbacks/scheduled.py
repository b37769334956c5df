"""Callbacks that follow a schedule at every step: the learning rate, the dropout rate
and decoupled weight decay (Holzmüller et al.'s RealMLP schedules them all).

Each is told the number of steps (batches) per epoch and computes the run's progress
``t = step / (epochs * steps_per_epoch)`` itself, so it needs nothing from the loop but
the hooks: the rate of the next step is set in ``on_epoch_begin`` and after every batch's
backward pass (``on_batch_end``, which the loop calls just before that batch's step).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...core.checks import check_int, check_number
from ..schedules import ProgressSchedule, get_schedule
from .base import Callback

__all__ = ["StepwiseLearningRate", "ScheduledDropout", "ScheduledWeightDecay"]


class _Stepwise(Callback):
    """Progress through the run, step by step."""

    def __init__(self, steps_per_epoch: int) -> None:
        self.steps_per_epoch = check_int("steps_per_epoch", steps_per_epoch, 1)
        self._epoch = 0

    def _progress(self, batch: int) -> float:
        """``t`` of step ``batch`` of the current epoch."""
        total = max(1, self.trainer.epochs * self.steps_per_epoch)
        return min(1.0, (self._epoch * self.steps_per_epoch + batch) / total)

    def on_epoch_begin(self, epoch: int) -> None:
        self._epoch = epoch
        self._set(self._progress(0))

    def on_batch_end(self, batch: int, loss: float) -> None:
        self._set(self._progress(batch + 1))

    def _set(self, t: float) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class _Constant(ProgressSchedule):
    """Factor 1 throughout: an unscheduled rate."""

    def factor(self, t: float) -> float:
        return 1.0


def _progress_schedule(schedule: Any, what: str) -> ProgressSchedule:
    if schedule in (None, "constant"):
        return _Constant()
    made = get_schedule(schedule, 1)
    if not isinstance(made, ProgressSchedule):
        raise ValueError(f"{what} needs a schedule of the run's progress (warmup_cosine, "
                         f"one_cycle, coslog4, flat_cos or a ProgressSchedule), "
                         f"got {schedule!r}")
    return made


class StepwiseLearningRate(_Stepwise):
    """Ask the optimizer's schedule for the learning rate at every step, not every epoch.

    The optimizer's schedule must be a :class:`~numpynn.training.schedules.ProgressSchedule`
    (``Adam(schedule="coslog4")``); the rate of each step is ``base_rate * factor(t)``.

    Parameters
    ----------
    steps_per_epoch : int >= 1
        ``ceil(training rows / batch_size)``.
    """

    requires = frozenset({"learning_rate"})

    def on_train_begin(self, trainer: Any) -> None:
        super().on_train_begin(trainer)
        if not isinstance(trainer.schedule, ProgressSchedule):
            raise ValueError("StepwiseLearningRate needs the optimizer's schedule to be one "
                             "of the run's progress (warmup_cosine, one_cycle, coslog4, "
                             f"flat_cos), got {type(trainer.schedule).__name__}")

    def _set(self, t: float) -> None:
        trainer = self.trainer
        trainer.learning_rate = trainer.base_learning_rate * trainer.schedule.factor(t)


class ScheduledDropout(_Stepwise):
    """Dropout whose rate follows a schedule: ``rate * factor(t)`` at each step.

    Parameters
    ----------
    rate : float in [0, 1)
        The rate where the schedule's factor is 1.
    steps_per_epoch : int >= 1
    schedule : str or ProgressSchedule, default "flat_cos"
        ``flat_cos``: the full rate for the first half of the run, then down to 0;
        ``"constant"`` (or None): the full rate throughout.
    """

    requires = frozenset({"dropout_schedule"})

    def __init__(self, rate: float, steps_per_epoch: int, schedule: Any = "flat_cos") -> None:
        super().__init__(steps_per_epoch)
        self.rate = check_number("rate", rate, 0.0, 1.0, high_inclusive=False)
        self.schedule = _progress_schedule(schedule, "ScheduledDropout")

    def _set(self, t: float) -> None:
        self.trainer.set_dropout(self.rate * self.schedule.factor(t))


class ScheduledWeightDecay(_Stepwise):
    """Decoupled weight decay whose strength follows a schedule.

    Before each step, ``theta *= 1 - learning_rate * strength * factor(t) * factors``
    (element-wise): the decay of AdamW (Loshchilov and Hutter), multiplied by the step's
    learning rate as there, and switched off gradually with the schedule.

    Parameters
    ----------
    strength : float >= 0
    steps_per_epoch : int >= 1
    schedule : str or ProgressSchedule, default "flat_cos"
        As for :class:`ScheduledDropout`.
    factors : ndarray, shape (num_weights,), optional
        Per-entry factors (0 for entries that never decay); default: the network's
        ``weight_mask()`` (weights decay, biases do not).

    Notes
    -----
    Its ``order`` is -10: after a batch it decays with the rate of that batch's step,
    before :class:`StepwiseLearningRate` sets the rate of the next one.
    """

    order = -10
    requires = frozenset({"learning_rate"})

    def __init__(self, strength: float, steps_per_epoch: int, schedule: Any = "flat_cos",
                 factors: np.ndarray | None = None) -> None:
        super().__init__(steps_per_epoch)
        self.strength = check_number("strength", strength, 0.0)
        self.schedule = _progress_schedule(schedule, "ScheduledWeightDecay")
        self.factors = factors

    def on_train_begin(self, trainer: Any) -> None:
        super().on_train_begin(trainer)
        theta = trainer.network.theta
        factors = trainer.network.weight_mask() if self.factors is None else self.factors
        factors = np.asarray(factors, dtype=theta.dtype)
        if factors.shape != theta.shape:
            raise ValueError(f"factors must have shape {theta.shape}, got {factors.shape}")
        self._factors = factors
        self._scratch = np.empty_like(theta)
        self._step_t = 0.0

    def on_epoch_begin(self, epoch: int) -> None:
        self._epoch = epoch
        self._step_t = self._progress(0)

    def on_batch_end(self, batch: int, loss: float) -> None:
        # Decay for this batch's step (at this step's progress), then move on.
        self._decay(self._step_t)
        self._step_t = self._progress(batch + 1)

    def _decay(self, t: float) -> None:
        amount = self.trainer.learning_rate * self.strength * self.schedule.factor(t)
        if amount == 0.0:
            return
        theta, scratch = self.trainer.network.theta, self._scratch
        np.multiply(theta, self._factors, out=scratch)
        scratch *= theta.dtype.type(amount)
        theta -= scratch
