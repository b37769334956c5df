"""``fit(optimizer="lbfgs")``: the L-BFGS bridge run as a training loop, one "epoch" per
iteration, so that callbacks (early stopping, progress, logs, functions) see it as they
see mini-batch epochs."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..errors import TrainingDivergedError
from .data import TrainingData
from .history import History
from .lbfgs import LBFGS, minimize_lbfgs
from .loop import TrainingLoop
from .metrics import evaluate_loss
from .penalty import L2Penalty

__all__ = ["FullBatchRun"]


class FullBatchRun(TrainingLoop):
    """Full-batch L-BFGS training of one network, with callbacks.

    It has no learning rate and no resumable state, so callbacks that need those
    (:class:`ReduceLROnPlateau`, :class:`Checkpoint`) are refused.

    Parameters
    ----------
    network : NeuralNetwork
    solver : LBFGS
    penalty : L2Penalty, optional
    callbacks : list of Callback or callables
    """

    solver_name = "optimizer='lbfgs'"
    solver_description = "L-BFGS (full-batch steps, run by SciPy)"

    def __init__(self, network: Any, solver: LBFGS, *, penalty: L2Penalty | None = None,
                 callbacks: Iterable[Any] = ()) -> None:
        super().__init__(network, callbacks)
        self.solver = solver
        self.penalty = penalty
        self.learning_rate = None

    def run(self, data: TrainingData, *, epochs: int,
            validation: TrainingData | None = None) -> History:
        """Run L-BFGS for at most ``solver.max_iter`` (else ``epochs``) iterations.

        Raises
        ------
        TrainingDivergedError
            The result is not finite; the network keeps its starting weights.
        """
        data = data.materialized()
        self.epochs = self.solver.max_iter or epochs
        self.has_validation = validation is not None
        self.check_callbacks()
        start = self.network.theta.copy()
        self._begin()
        last: dict[str, Any] = {}

        def after_iteration(objective: float) -> bool:
            nonlocal last
            last = self._logs(len(self.history.loss), data, validation)
            stop = self._epoch_end(last["epoch"], last)
            if not stop:
                self._epoch_begin(last["epoch"] + 1)
            return stop

        try:
            self._epoch_begin(0)
            minimize_lbfgs(self.network, data, self.solver, max_iter=self.epochs,
                           penalty=self.penalty, after_iteration=after_iteration)
            if not np.isfinite(self.network.theta).all():
                self.network.theta[:] = start
                raise TrainingDivergedError(len(self.history.loss), math.nan)
            if not self.history.loss:  # converged before the first iteration finished
                self.history.record(self._logs(0, data, validation))
            self._end(last)
        finally:
            self._close()
        return self.history

    def _logs(self, epoch: int, data: TrainingData, validation: TrainingData | None
              ) -> dict[str, Any]:
        loss, accuracy = evaluate_loss(self.network, data, self.penalty)
        logs = {"epoch": epoch, "loss": loss, "accuracy": accuracy, "val_loss": None,
                "val_accuracy": None, "learning_rate": None}
        logs.update(self._validation_logs(validation, self.penalty))
        return logs
