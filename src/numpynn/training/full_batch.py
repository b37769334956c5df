"""``fit(optimizer="lbfgs")``: the L-BFGS bridge run as a training loop, one "epoch" per
iteration, so that callbacks (early stopping, progress, logs, functions) see it as they
see mini-batch epochs.  ``numpynn.distributed`` runs the same loop with its own objective
and logs (a subclass)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..errors import TrainingDivergedError
from .data import TrainingData
from .history import History
from .lbfgs import LBFGS, Objective, minimize_lbfgs
from .loop import TrainingLoop, Validation
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
    objective : Objective, optional
        What to minimise instead of the full-batch loss of ``run``'s data plus
        ``penalty`` (see :func:`~numpynn.training.lbfgs.minimize_lbfgs`); ``run`` then
        takes ``data=None``, and each iteration logs the objective's value as its loss
        (accuracy None: no second pass over data it does not hold).
    """

    solver_name = "optimizer='lbfgs'"
    solver_description = "L-BFGS (full-batch steps, run by SciPy)"

    def __init__(self, network: Any, solver: LBFGS, *, penalty: L2Penalty | None = None,
                 callbacks: Iterable[Any] = (), objective: Objective | None = None) -> None:
        super().__init__(network, callbacks)
        self.solver = solver
        self.penalty = penalty
        self.objective = objective
        self.learning_rate = None

    def run(self, data: TrainingData | None, *, epochs: int,
            validation: Validation = None) -> History:
        """Run L-BFGS for at most ``solver.max_iter`` (else ``epochs``) iterations.

        Parameters
        ----------
        data : TrainingData, or None with an ``objective``
        epochs : int
        validation : TrainingData, or a function returning the validation logs, optional

        Raises
        ------
        TrainingDivergedError
            The result is not finite; the network keeps its starting weights.
        """
        if self.objective is None:
            data = data.materialized()
        self.epochs = self.solver.max_iter or epochs
        self.has_validation = validation is not None
        self.check_callbacks()
        start = self.network.theta.copy()
        self._begin()
        last: dict[str, Any] = {}

        def after_iteration(objective: float) -> bool:
            nonlocal last
            last = self._logs(len(self.history.loss), objective, data, validation)
            stop = self._epoch_end(last["epoch"], last)
            if not stop:
                self._epoch_begin(last["epoch"] + 1)
            return stop

        try:
            self._epoch_begin(0)
            result = minimize_lbfgs(self.network, data, self.solver, max_iter=self.epochs,
                                    penalty=self.penalty, after_iteration=after_iteration,
                                    objective=self.objective)
            if not np.isfinite(self.network.theta).all():
                self.network.theta[:] = start
                raise TrainingDivergedError(len(self.history.loss), math.nan)
            if not self.history.loss:  # converged before the first iteration finished
                self.history.record(self._logs(0, result.loss, data, validation))
            self._end(last)
        finally:
            self._close()
        return self.history

    def _logs(self, epoch: int, objective: float, data: TrainingData | None,
              validation: Validation) -> dict[str, Any]:
        """The logs of iteration ``epoch``; ``objective`` is the minimised value there.
        With data, the loss and accuracy are measured again, as mini-batch epochs
        report them."""
        if data is None:  # a plugged-in objective's run
            loss, accuracy = objective, None
        else:
            loss, accuracy = evaluate_loss(self.network, data, self.penalty)
        logs = {"epoch": epoch, "loss": loss, "accuracy": accuracy, "val_loss": None,
                "val_accuracy": None, "learning_rate": None}
        logs.update(self._validation_logs(validation, self.penalty))
        return logs
