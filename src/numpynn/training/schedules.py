"""Learning-rate schedules: the rate of each epoch from the base rate."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..core.checks import check_int
from ..core.checks import check_number as _check_number
from .plateau import Plateau
from .resume import check_plateau_state, check_scale

__all__ = ["Schedule", "ConstantSchedule", "StepSchedule", "CosineSchedule",
           "ReduceOnPlateau", "get_schedule"]


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
        if last_loss is not None:
            self._plateau.update(last_loss)
            if self._plateau.bad_epochs > self.patience:
                self._scale *= self.factor
                self._plateau.bad_epochs = 0
        return max(self.min_rate, base_rate * self._scale)

    def state(self):
        return {"scale": self._scale, **self._plateau.state()}

    def check_state(self, state):
        check_plateau_state(state, "the schedule's state")
        check_scale("the schedule's scale", state.get("scale", 1.0))

    def load_state(self, state):
        self._scale = float(state.get("scale", 1.0))
        self._plateau.load_state(state)


_SCHEDULES = {"constant": ConstantSchedule, "step": StepSchedule, "cosine": CosineSchedule,
              "plateau": ReduceOnPlateau, "reduce_on_plateau": ReduceOnPlateau}


def get_schedule(schedule: Any, epochs: int) -> Schedule:
    """A schedule object from None, a name (constant, step, cosine, plateau) or a Schedule."""
    if schedule is None:
        return ConstantSchedule()
    if isinstance(schedule, Schedule):
        return schedule
    if schedule == "cosine":
        return CosineSchedule(total_epochs=epochs)
    if isinstance(schedule, str) and schedule in _SCHEDULES:
        return _SCHEDULES[schedule]()
    raise ValueError(f"schedule must be one of {sorted(_SCHEDULES)} or a Schedule, "
                     f"got {schedule!r}")
