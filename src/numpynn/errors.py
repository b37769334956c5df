"""Exceptions raised by numpynn."""

from __future__ import annotations

__all__ = ["ModelFileError", "TrainingDivergedError"]


class ModelFileError(ValueError):
    """A model or checkpoint file is missing, damaged, foreign or inconsistent."""


class TrainingDivergedError(FloatingPointError):
    """The training loss became NaN or infinite; the network kept its last finite weights.

    Attributes
    ----------
    epoch : int
        0-based index of the epoch that diverged (the message counts from 1).
    loss : float
    learning_rate : float or None
    """

    def __init__(self, epoch: int, loss: float, learning_rate: float | None = None):
        self.epoch = epoch
        self.loss = loss
        self.learning_rate = learning_rate
        hint = (
            f"; try a learning rate below {learning_rate:g}" if learning_rate else
            "; try a lower learning rate"
        )
        super().__init__(
            f"training diverged in epoch {epoch + 1}: the loss became {loss}{hint} "
            "(the network keeps its last finite weights)"
        )
