"""``solver="lbfgs"`` of the estimators, on numpynn's one L-BFGS bridge
(:func:`numpynn.training.lbfgs.minimize_lbfgs`): scikit-learn's iteration counts, loss
reporting, ``ConvergenceWarning`` and callback contexts (one task per iteration)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ..training.data import TrainingData
from ..training.lbfgs import LBFGS, minimize_lbfgs
from ..training.penalty import BatchScaledL2Penalty

__all__ = ["fit_lbfgs"]

#: scipy's own default of L-BFGS-B, which scikit-learn leaves in place.
SCIPY_FTOL = 2.2204460492503131e-09


class _Iterations:
    """The per-iteration bookkeeping: attributes, validation figures, callback tasks."""

    def __init__(self, est: Any, data: TrainingData, val: TrainingData | None, ctx: Any,
                 hook_data: tuple, penalty: BatchScaledL2Penalty | None) -> None:
        self.est, self.data, self.val, self.ctx, self.penalty = est, data, val, ctx, penalty
        self.y, self.metadata = hook_data
        self.count = 0
        self.task = self._new_task()

    def _new_task(self) -> Any:
        task = self.ctx.subcontext(task_name="lbfgs-iter")
        task.call_on_fit_task_begin(estimator=self.est, X=self.data.X, y=self.y,
                                    metadata=self.metadata)
        return task

    def reported(self, objective: float) -> float:
        """scikit-learn's loss: squared error is a mean over the outputs too."""
        est = self.est
        if est.out_activation_ != "identity" or est.n_outputs_ == 1:
            return float(objective)
        theta, total = est.network_.theta, self.data.total_weight()
        penalty = 0.0 if self.penalty is None else self.penalty.loss(theta, total)
        return (float(objective) - penalty) / est.n_outputs_ + penalty

    def __call__(self, objective: float) -> bool:
        est = self.est
        self.count += 1
        est.n_iter_ = self.count
        est.loss_ = self.reported(objective)
        est.loss_curve_.append(est.loss_)
        if est.verbose:
            print(f"Iteration {est.n_iter_}, loss = {est.loss_:.8f}")
        if self.val is not None:
            score, val_loss = est._validation_figures(self.val)
            est.validation_scores_.append(score)
            est.validation_loss_curve_.append(val_loss)
            est.best_validation_score_ = max(est.best_validation_score_, score)
        stop = self.task.call_on_fit_task_end(estimator=est, X=self.data.X, y=self.y,
                                              metadata=self.metadata,
                                              reconstruction_attributes=est._snapshot)
        self.task = self._new_task()
        return bool(stop)


def fit_lbfgs(est: Any, data: TrainingData, val: TrainingData | None, ctx: Any,
              hook_data: tuple) -> None:
    """Full-batch L-BFGS-B on ``est.network_``, as ``MLPClassifier(solver="lbfgs")``.

    Parameters
    ----------
    est : NeuralNetClassifier or NeuralNetRegressor
    data : TrainingData
    val : TrainingData, optional
        Monitored only (``validation_scores_``, ``validation_loss_curve_``).
    ctx, hook_data
        scikit-learn's callback context, and the (y, metadata) its callbacks see.
    """
    net = est.network_
    alpha = float(est.alpha)
    penalty = BatchScaledL2Penalty(alpha, net.weight_mask()) if alpha > 0 else None
    if val is not None and est.validation_scores_ is None:
        est.validation_scores_ = []
        est.best_validation_score_ = -np.inf
    est.n_iter_ = 0
    iterations = _Iterations(est, data, val, ctx, hook_data, penalty)
    solver = LBFGS(max_iter=est.max_iter, max_fun=est.max_fun, tol=est.tol, ftol=SCIPY_FTOL)
    try:
        result = minimize_lbfgs(net, data, solver, max_iter=est.max_iter, penalty=penalty,
                                after_iteration=iterations)
    finally:
        iterations.task.call_on_fit_task_end(estimator=est)
    est.n_iter_ = min(result.iterations, est.max_iter)
    if result.status != 0 and not result.stopped:
        warnings.warn(
            f"lbfgs failed to converge after {est.n_iter_} iteration(s) "
            f"(status={result.status}): {result.message}. Increase the number of "
            "iterations (max_iter) or scale the data.", ConvergenceWarning, stacklevel=3)
    est.loss_ = iterations.reported(result.loss)
    est.best_loss_ = min(est.loss_curve_ + [est.loss_])
