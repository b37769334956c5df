"""The per-epoch record of one training run."""

from __future__ import annotations

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
