"""The per-epoch record of one training run."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["History"]


@dataclass
class History:
    """Per-epoch figures of one ``fit``.

    Attributes
    ----------
    loss, val_loss : list of float
        Mean training loss (with the l2 term) and validation loss per epoch.
    accuracy, val_accuracy : list of float
        Classification only (empty for regression outputs).
    learning_rate : list of float
    best_epoch : int or None
        0-based epoch with the lowest monitored loss (validation loss when there is
        validation data).
    stopped_early : bool
    """

    loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    learning_rate: list[float] = field(default_factory=list)
    best_epoch: int | None = None
    stopped_early: bool = False

    @property
    def epochs(self) -> int:
        """Number of epochs run."""
        return len(self.loss)

    def record(self, logs: Mapping[str, Any]) -> None:
        """Append one epoch's figures (the ``logs`` callbacks get) and follow the best epoch.

        ``loss`` is required; ``accuracy``, ``val_loss`` and ``val_accuracy`` are appended
        when not None, ``learning_rate`` as NaN when None (L-BFGS has none).  The best
        epoch is the first with the lowest validation loss, or training loss without
        validation data.
        """
        epoch = len(self.loss)
        self.loss.append(float(logs["loss"]))
        rate = logs.get("learning_rate")
        self.learning_rate.append(math.nan if rate is None else float(rate))
        for name in ("accuracy", "val_loss", "val_accuracy"):
            if logs.get(name) is not None:
                getattr(self, name).append(float(logs[name]))
        monitored = self.val_loss if logs.get("val_loss") is not None else self.loss
        if self.best_epoch is None or monitored[-1] < monitored[self.best_epoch]:
            self.best_epoch = epoch

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-able dict of every field."""
        return {
            "loss": list(self.loss), "val_loss": list(self.val_loss),
            "accuracy": list(self.accuracy), "val_accuracy": list(self.val_accuracy),
            "learning_rate": list(self.learning_rate), "best_epoch": self.best_epoch,
            "stopped_early": self.stopped_early,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> History:
        return cls(**{k: d[k] for k in cls.__dataclass_fields__ if k in d})
