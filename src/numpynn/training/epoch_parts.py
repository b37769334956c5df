"""The parts of an epoch that differ between training front ends: the batch order and the
loss an epoch reports.  ``Trainer`` uses these by default; the scikit-learn estimators
pass their own (scikit-learn's shuffles and loss scaling)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from .penalty import L2Penalty

__all__ = ["ShuffledOrder", "MeanLoss"]


class ShuffledOrder:
    """A fresh permutation of the rows each epoch, drawn from one generator.

    Parameters
    ----------
    rng : numpy.random.Generator
    """

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def __call__(self, n: int) -> np.ndarray:
        """Row numbers ``0 .. n - 1`` in this epoch's order, shape (n,)."""
        return self.rng.permutation(n)


class MeanLoss:
    """numpynn's epoch loss: the sample-weighted mean of the batches' data losses, plus
    the L2 term at the weights the epoch ends with; and the epoch's accuracy.

    A subclass changes what an epoch reports by overriding :meth:`add_batch` and
    :meth:`epoch_loss`.

    Attributes
    ----------
    penalty_per_batch : bool
        Ask the penalty for its loss term at every batch (passed to ``add_batch``).
    tracks_accuracy : bool
        The trainer counts the rows classified right.
    """

    penalty_per_batch = False
    tracks_accuracy = True

    def begin_epoch(self) -> None:
        self._loss_sum = 0.0
        self._weight = 0.0

    def add_batch(self, loss_sum: float, batch_weight: float, rows: int,
                  penalty_term: float) -> None:
        """One batch: its summed data loss, total sample weight, row count and penalty
        term (0.0 unless ``penalty_per_batch``)."""
        self._loss_sum += loss_sum
        self._weight += batch_weight

    def epoch_loss(self, rows: int, penalty: L2Penalty | None, theta: np.ndarray) -> float:
        """The epoch's loss, after its last step (``rows``: the rows of the epoch)."""
        loss = self._loss_sum / max(self._weight, 1e-30)
        return loss + (0.0 if penalty is None else penalty.loss(theta))
