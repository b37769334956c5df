"""Keep the weights of the best epoch on the validation rows, judged by several figures in
turn: the first decides, the next breaks ties (classification error, then log-loss)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .base import Callback

__all__ = ["BestEpoch"]

_FIGURES = ("val_loss", "val_accuracy", "loss", "accuracy")


class BestEpoch(Callback):
    """Remember the weights of the best epoch and put them back when training ends.

    Unlike :class:`EarlyStopping` it never stops training (a warm-restart schedule makes
    later epochs worth waiting for) and compares epochs by a sequence of figures:
    ``("val_accuracy", "val_loss")`` takes the most accurate epoch and, among equally
    accurate ones, the one with the lowest validation loss.

    Parameters
    ----------
    monitor : sequence of str, default ("val_loss",)
        Figures of the logs: ``val_loss``, ``val_accuracy``, ``loss``, ``accuracy``
        (accuracies are maximised, losses minimised).

    Attributes
    ----------
    best_epoch : int or None
    best_values : tuple of float or None
        The monitored figures at the best epoch.
    """

    state_name = "best_epoch"

    def __init__(self, monitor: Sequence[str] = ("val_loss",)) -> None:
        if isinstance(monitor, str):
            monitor = (monitor,)
        monitor = tuple(monitor)
        if not monitor or any(m not in _FIGURES for m in monitor):
            raise ValueError(f"monitor must be a sequence of {list(_FIGURES)}, got {monitor!r}")
        self.monitor = monitor
        self.best_epoch: int | None = None
        self.best_values: tuple[float, ...] | None = None

    def on_train_begin(self, trainer: Any) -> None:
        super().on_train_begin(trainer)
        if any(m.startswith("val_") for m in self.monitor) and not trainer.has_validation:
            raise ValueError(f"BestEpoch(monitor={self.monitor!r}) needs validation data")
        self.best_epoch, self.best_values, self._best_key = None, None, None
        self._best_theta = trainer.network.theta.copy()

    def _key(self, values: Sequence[float]) -> tuple[float, ...]:
        """What is compared: lower is better (accuracies negated)."""
        return tuple(-v if name.endswith("accuracy") else v
                     for name, v in zip(self.monitor, values))

    def on_epoch_end(self, epoch: int, logs: Any) -> None:
        values = tuple(logs.get(name) for name in self.monitor)
        if any(v is None or not np.isfinite(v) for v in values):
            return None
        key = self._key([float(v) for v in values])
        if self._best_key is None or key < self._best_key:
            self.best_epoch, self.best_values, self._best_key = epoch, values, key
            self._best_theta[:] = self.trainer.network.theta
        return None

    def on_train_end(self, logs: Any) -> None:
        if self.best_epoch is not None:
            self.trainer.network.theta[:] = self._best_theta
            self.trainer.history.best_epoch = self.best_epoch

    def state(self) -> dict[str, Any]:
        return {"best_epoch": self.best_epoch,
                "best_values": None if self.best_values is None else list(self.best_values),
                "best_theta": self._best_theta}

    def load_state(self, state: Any) -> None:
        self.best_epoch = state.get("best_epoch")
        values = state.get("best_values")
        self.best_values = None if values is None else tuple(float(v) for v in values)
        self._best_key = None if values is None else self._key(self.best_values)
        if "best_theta" in state:
            best = np.asarray(state["best_theta"])
            if best.shape != self._best_theta.shape:
                raise ValueError(f"the checkpoint's best weights have shape {best.shape}, "
                                 f"expected {self._best_theta.shape}")
            self._best_theta[:] = best
