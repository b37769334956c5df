"""The engine for table networks: :class:`~numpynn.training.Trainer` with the network's
own workspace, per-entry learning-rate factors, label smoothing and a dropout rate that
callbacks may change between batches (:class:`~numpynn.training.callbacks.ScheduledDropout`).

Everything else -- epochs, batches, callbacks, validation, checkpoints -- is the one
engine's.  The network supplies ``make_workspace(rows, dropout, rng, label_smoothing)``
(:class:`numpynn.TabularNetwork` does).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.checks import check_number
from ..core.label_smoothing import check_label_smoothing
from .optimizers import set_lr_factors
from .trainer import Trainer

__all__ = ["TableTrainer"]


class TableTrainer(Trainer):
    """Mini-batch training of a network that brings its own workspace.

    Parameters
    ----------
    network : TabularNetwork
        Anything with ``make_workspace`` and the network attributes the engine reads.
    optimizer : str or Optimizer, default "adam"
    label_smoothing : float in [0, 1), default 0.0
        Softmax outputs with integer labels train towards smoothed rows; ``val_loss`` is
        then measured against smoothed rows too (as the training loss is, and as Keras
        does), so that the best epoch is chosen by the loss that training lowers.
    lr_factors : ndarray, shape (num_weights,), optional
        Per-entry learning-rate factors (:func:`numpynn.training.optimizers.set_lr_factors`).
    **settings
        Everything else :class:`~numpynn.training.Trainer` takes (batch_size, dropout,
        seed, callbacks, ...).
    """

    # No "checkpoints": checkpoint files hold dense networks only (io/checkpoints.py).
    capabilities = frozenset({"learning_rate", "dropout_schedule"})
    solver_name = "TableTrainer"
    solver_description = "it"

    def __init__(self, network: Any, optimizer: Any = "adam", *, label_smoothing: float = 0.0,
                 lr_factors: np.ndarray | None = None, **settings: Any) -> None:
        if not callable(getattr(network, "make_workspace", None)):
            raise TypeError("TableTrainer trains networks with a make_workspace method "
                            f"(numpynn.TabularNetwork), got {type(network).__name__}")
        super().__init__(network, optimizer, **settings)
        self.label_smoothing = check_label_smoothing(label_smoothing)
        # val_loss against the same smoothed labels: plain cross-entropy would count
        # against an epoch the eps / k floor that smoothing itself imposes, and on a table
        # with a rare class its lowest value falls in the first epochs (seen on Default).
        self.validation_label_smoothing = self.label_smoothing
        if lr_factors is not None:
            set_lr_factors(self.optimizer_state, lr_factors)

    def _workspace_for(self, rows: int) -> Any:
        ws = self._workspace
        if ws is None or ws.rows < rows:
            ws = self.network.make_workspace(rows, self.dropout, self.rng, self.label_smoothing)
            self._workspace = ws
            self._X_batch = np.empty((rows, self.network.sizes[0]), dtype=np.float32)
        return ws

    def set_dropout(self, rate: float) -> None:
        """The dropout rate of the batches from now on (for scheduled dropout)."""
        if rate != self.dropout:
            self.dropout = check_number("dropout", rate, 0.0, 1.0, high_inclusive=False)
            if self._workspace is not None:
                self._workspace.dropout = self.dropout

    def _fused_kernel(self, data: Any = None) -> None:
        """Never the dense networks' fused whole-epoch kernel: this network's layers are
        not all dense."""
        return None
