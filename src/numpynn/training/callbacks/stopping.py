"""Callbacks that watch the figures: early stopping, learning-rate reduction on a plateau
and the divergence guard."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...core.checks import check_int, check_number
from ...errors import TrainingDivergedError
from ..plateau import (
    Plateau,
    check_scaled_plateau_state,
    load_scaled_plateau_state,
    reduce_on_plateau,
    scaled_plateau_state,
)
from ..resume import check_count, check_plateau_state
from .base import Callback

__all__ = ["EarlyStopping", "ReduceLROnPlateau", "TerminateOnNaN"]

_MONITORS = ("loss", "val_loss", "accuracy", "val_accuracy")


def _check_monitor(monitor: str | None) -> str | None:
    if monitor is not None and monitor not in _MONITORS:
        raise ValueError(f"monitor must be one of {list(_MONITORS)} or None, got {monitor!r}")
    return monitor


def _resolve_monitor(owner: Callback, monitor: str | None, trainer: Any) -> str:
    """The monitored figure: the validation loss when there is validation data, else the
    training loss (for None); a validation figure without validation data is an error."""
    if monitor is None:
        return "val_loss" if trainer.has_validation else "loss"
    if monitor.startswith("val_") and not trainer.has_validation:
        raise ValueError(f"{type(owner).__name__}(monitor={monitor!r}) needs validation data: "
                         "give validation_data or validation_split, or monitor 'loss'")
    return monitor


def _mode(monitor: str) -> str:
    return "max" if monitor.endswith("accuracy") else "min"


class EarlyStopping(Callback):
    """Stop when the monitored figure has not improved for ``patience`` epochs.

    Parameters
    ----------
    patience : int >= 0, default 10
        Epochs without an improvement of more than ``min_delta`` before stopping (0 acts
        as 1).
    min_delta : float >= 0, default 0.0
    restore_best : bool, default True
        At the end of training, put back the weights of the best epoch.
    monitor : {"val_loss", "loss", "val_accuracy", "accuracy"}, optional
        Default: ``val_loss`` when there is validation data, else ``loss``.

    Attributes
    ----------
    best_epoch : int or None
        Epoch with the best monitored value so far.
    """

    state_name = "early_stopping"

    def __init__(self, patience: int = 10, min_delta: float = 0.0, restore_best: bool = True,
                 monitor: str | None = None) -> None:
        self.patience = check_int("patience", patience, 0)
        self.min_delta = check_number("min_delta", min_delta, 0.0)
        self.restore_best = bool(restore_best)
        self.monitor = _check_monitor(monitor)
        self.best_epoch: int | None = None

    def on_train_begin(self, trainer):
        super().on_train_begin(trainer)
        self._monitored = _resolve_monitor(self, self.monitor, trainer)
        self._plateau = Plateau(_mode(self._monitored), self.min_delta)
        self.best_epoch = None
        self._best_theta = trainer.network.theta.copy() if self.restore_best else None

    def on_epoch_end(self, epoch, logs):
        if self._plateau.update(logs[self._monitored]):
            self.best_epoch = epoch
            if self._best_theta is not None:
                self._best_theta[:] = self.trainer.network.theta
        if self._plateau.bad_epochs >= max(1, self.patience):
            self.trainer.history.stopped_early = True
            return True
        return None

    def on_train_end(self, logs):
        if self._best_theta is not None and self.best_epoch is not None:
            self.trainer.network.theta[:] = self._best_theta

    def state(self):
        state: dict[str, Any] = {"best_epoch": self.best_epoch, **self._plateau.state()}
        if self._best_theta is not None:
            state["best_theta"] = self._best_theta
        return state

    def check_state(self, state):
        check_plateau_state(state, "early stopping's state")
        if state.get("best_epoch") is not None:
            check_count("early stopping's best_epoch", state["best_epoch"])
        if self._best_theta is not None and "best_theta" in state:
            best = np.asarray(state["best_theta"])
            if best.shape != self._best_theta.shape or best.dtype != self._best_theta.dtype:
                raise ValueError(f"the checkpoint's best weights are {best.dtype} "
                                 f"{best.shape}, expected {self._best_theta.dtype} "
                                 f"{self._best_theta.shape}")

    def load_state(self, state):
        self.check_state(state)
        self._plateau.load_state(state)
        self.best_epoch = state.get("best_epoch")
        if self._best_theta is not None and "best_theta" in state:
            self._best_theta[:] = state["best_theta"]


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` after ``patience`` epochs without an
    improvement of the monitored figure (mini-batch optimizers only).

    The reduction multiplies whatever the optimizer's schedule gives for each epoch.

    Parameters
    ----------
    factor : float in (0, 1), default 0.5
    patience : int >= 1, default 5
    min_rate : float >= 0, default 0.0
        The rate is never reduced below this.
    min_delta : float >= 0, default 0.0
    monitor : {"val_loss", "loss", "val_accuracy", "accuracy"}, optional
        Default: ``val_loss`` when there is validation data, else ``loss``.
    """

    requires = frozenset({"learning_rate"})
    state_name = "reduce_lr_on_plateau"

    def __init__(self, factor: float = 0.5, patience: int = 5, min_rate: float = 0.0,
                 min_delta: float = 0.0, monitor: str | None = None) -> None:
        self.factor = check_number("factor", factor, 0.0, 1.0, low_inclusive=False,
                                   high_inclusive=False)
        self.patience = check_int("patience", patience, 1)
        self.min_rate = check_number("min_rate", min_rate, 0.0)
        self.min_delta = check_number("min_delta", min_delta, 0.0)
        self.monitor = _check_monitor(monitor)
        self.scale = 1.0

    def on_train_begin(self, trainer):
        super().on_train_begin(trainer)
        self._monitored = _resolve_monitor(self, self.monitor, trainer)
        self._plateau = Plateau(_mode(self._monitored), self.min_delta)
        self.scale = 1.0

    def on_epoch_begin(self, epoch):
        if self.scale != 1.0:
            trainer = self.trainer
            trainer.learning_rate = max(self.min_rate, trainer.learning_rate * self.scale)

    def on_epoch_end(self, epoch, logs):
        self.scale = reduce_on_plateau(self._plateau, logs[self._monitored], self.scale,
                                       self.factor, self.patience)

    def state(self):
        return scaled_plateau_state(self.scale, self._plateau)

    def check_state(self, state):
        check_scaled_plateau_state(state, "ReduceLROnPlateau")

    def load_state(self, state):
        self.check_state(state)
        self.scale = load_scaled_plateau_state(state, self._plateau)


class TerminateOnNaN(Callback):
    """The divergence guard: when a batch's loss or the weights become NaN or inf, put
    back the weights the epoch started from and raise
    :class:`~numpynn.TrainingDivergedError`.

    ``fit`` always runs it first.
    """

    order = -100

    def on_train_begin(self, trainer):
        super().on_train_begin(trainer)
        self._start = np.empty_like(trainer.network.theta)
        self._epoch = 0

    def on_epoch_begin(self, epoch):
        self._epoch = epoch
        self._start[:] = self.trainer.network.theta

    def on_batch_end(self, batch, loss):
        if not math.isfinite(loss):
            self._diverged(loss)

    def on_epoch_end(self, epoch, logs):
        if not np.isfinite(self.trainer.network.theta).all():
            self._diverged(math.nan)

    def _diverged(self, loss: float) -> None:
        self.trainer.network.theta[:] = self._start
        raise TrainingDivergedError(self._epoch, loss, getattr(self.trainer, "learning_rate",
                                                               None))
