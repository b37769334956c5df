"""The stochastic solvers (sgd, adam, adamw) of the estimators, on numpynn's ``Trainer``.

What scikit-learn does differently from ``NeuralNetwork.fit`` is passed to the one engine
as its parts: the shuffles (one RandomState, ``sample_idx = sample_idx[permutation]``),
the L2 penalty scaled by the batch's weight, the reported loss (squared error also a
mean over the outputs, batches averaged by rows) and, as a callback, the rules of
``MLPClassifier``'s epochs: ``tol`` / ``n_iter_no_change``, early stopping on the
validation score (or loss), the ``invscaling`` and ``adaptive`` learning rates,
``verbose`` and scikit-learn's callback contexts.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ..training.callbacks import Callback
from ..training.data import TrainingData
from ..training.epoch_parts import MeanLoss
from ..training.optimizers import SGD, Adam, AdamW, Optimizer
from ..training.penalty import BatchScaledL2Penalty
from ..training.plateau import Plateau
from ..training.trainer import Trainer
from .context import listening

__all__ = ["fit_stochastic"]


def make_optimizer(est: Any) -> Optimizer:
    """The optimizer of ``est.solver`` with scikit-learn's settings."""
    if est.solver == "sgd":
        momentum = float(est.momentum)
        opt = SGD(momentum=min(momentum, 0.5),
                  nesterov=bool(est.nesterovs_momentum) and momentum > 0)
        opt.momentum = momentum  # scikit-learn allows momentum == 1
        return opt
    if est.solver == "adamw":
        return AdamW(beta_1=est.beta_1, beta_2=est.beta_2, epsilon=est.epsilon,
                     weight_decay=est.alpha)
    return Adam(beta_1=est.beta_1, beta_2=est.beta_2, epsilon=est.epsilon)


class CumulativeShuffle:
    """scikit-learn's batch order: each epoch permutes the previous epoch's order."""

    def __init__(self, random_state: np.random.RandomState, n: int) -> None:
        self.random_state = random_state
        self.sample_idx = np.arange(n)

    def __call__(self, n: int) -> np.ndarray:
        self.sample_idx = self.sample_idx[self.random_state.permutation(n)]
        return self.sample_idx


class RowMeanLoss(MeanLoss):
    """scikit-learn's epoch loss: each batch's mean loss (divided by the number of outputs
    for squared error) plus its penalty term, averaged over the batches by rows."""

    penalty_per_batch = True
    tracks_accuracy = False

    def __init__(self, divisor: int) -> None:
        self.divisor = divisor

    def begin_epoch(self) -> None:
        self._accumulated = 0.0

    def add_batch(self, loss_sum, batch_weight, rows, penalty_term):
        self._accumulated += (loss_sum / batch_weight / self.divisor + penalty_term) * rows

    def epoch_loss(self, rows, penalty, theta):
        return self._accumulated / rows


def _counted(mode: str, tol: float, inclusive: bool, best: float, bad_epochs: int,
             value: float) -> tuple[bool, float, int]:
    """scikit-learn's ``tol`` rule on one value: (new best?, best, epochs without
    improvement), through numpynn's one patience counter."""
    plateau = Plateau(mode, tol, inclusive=inclusive, best=best, bad_epochs=bad_epochs)
    new_best = plateau.update(value)
    return new_best, plateau.best, plateau.bad_epochs


class EpochRules(Callback):
    """What ``MLPClassifier._fit_stochastic`` does after each epoch, on the estimator's
    attributes (``n_iter_``, ``loss_curve_``, ``_no_improvement_count``, ...).

    Parameters
    ----------
    est : NeuralNetClassifier or NeuralNetRegressor
    ctx : scikit-learn callback context of the fit
    hook_data : (y, metadata) that scikit-learn's callbacks see, with ``X``
    X : ndarray
        The data ``fit`` was given (callbacks see it, not the training part of a split).
    n_rows : int
        Training rows per epoch.
    incremental : bool
        ``partial_fit``: one epoch, no convergence warning.
    """

    def __init__(self, est: Any, ctx: Any, hook_data: tuple, X: np.ndarray, n_rows: int,
                 incremental: bool) -> None:
        self.est = est
        self.ctx = listening(est, ctx)
        self.y, self.metadata = hook_data
        self.X = X
        self.n_rows = n_rows
        self.incremental = incremental
        self.adaptive = est.solver == "sgd" and est.learning_rate == "adaptive"
        self.invscaling = est.solver == "sgd" and est.learning_rate == "invscaling"

    def on_train_begin(self, trainer):
        super().on_train_begin(trainer)
        self.best_theta = trainer.network.theta.copy() if self.est.early_stopping else None

    def on_epoch_begin(self, epoch):
        self.task = self.ctx.subcontext(task_name="epoch")
        self.task.call_on_fit_task_begin(estimator=self.est, X=self.X, y=self.y,
                                         metadata=self.metadata)
        self.trainer.learning_rate = self.est._learning_rate

    def on_epoch_end(self, epoch, logs):
        est = self.est
        est.n_iter_ += 1
        est.loss_ = logs["loss"]
        est.t_ += self.n_rows
        est.loss_curve_.append(est.loss_)
        if est.verbose:
            print(f"Iteration {est.n_iter_}, loss = {est.loss_:.8f}")
        score = logs.get("val_score")
        if score is not None:
            est.validation_scores_.append(score)
            est.validation_loss_curve_.append(logs["val_loss"])
            if est.verbose:
                print(f"Validation score: {score:f}")
        self._count(score, logs.get("val_loss"))
        if self.invscaling:
            est._learning_rate = float(est.learning_rate_init) / (
                (est.t_ + 1) ** est.power_t)
        stop = self._no_improvement_rule()
        if self.task.call_on_fit_task_end(estimator=est, X=self.X, y=self.y,
                                          metadata=self.metadata,
                                          reconstruction_attributes=est._snapshot):
            stop = True
        if not math.isfinite(est.loss_) or stop or self.incremental:
            return True
        if est.n_iter_ == est.max_iter:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({est.max_iter}) reached and the "
                "optimization hasn't converged yet.", ConvergenceWarning, stacklevel=6)
        return None

    def _count(self, score: float | None, val_loss: float | None) -> None:
        """scikit-learn's ``_update_no_improvement_count``: on the validation score (or
        loss, with ``monitor="loss"``) under early stopping, else on the training loss."""
        est = self.est
        tol, bad = est.tol, est._no_improvement_count
        if not est.early_stopping:
            if score is not None and score > est.best_validation_score_:
                est.best_validation_score_ = score
            _, est.best_loss_, est._no_improvement_count = _counted(
                "min", tol, True, est.best_loss_, bad, est.loss_)
            return
        if est.monitor == "loss":
            new_best, est._best_validation_loss, est._no_improvement_count = _counted(
                "min", tol, False, est._best_validation_loss, bad, val_loss)
            if new_best:
                est.best_validation_score_ = score
        else:
            new_best, est.best_validation_score_, est._no_improvement_count = _counted(
                "max", tol, True, est.best_validation_score_, bad, score)
        if new_best:
            self.best_theta[:] = self.trainer.network.theta

    def _no_improvement_rule(self) -> bool:
        """After ``n_iter_no_change`` epochs without improvement: divide an adaptive rate
        by 5 (while above 1e-6) or stop.  True: stop."""
        est = self.est
        if not est._no_improvement_count > est.n_iter_no_change:
            return False
        what = ("Validation " + ("loss" if est.monitor == "loss" else "score")
                if est.early_stopping else "Training loss")
        msg = (f"{what} did not improve more than tol={est.tol:f} for "
               f"{est.n_iter_no_change} consecutive epochs.")
        if self.adaptive and est._learning_rate > 1e-6:
            est._learning_rate /= 5.0
            est._no_improvement_count = 0
            if est.verbose:
                print(f"{msg} Setting learning rate to {est._learning_rate:f}")
            return False
        if est.verbose:
            print(msg + " Stopping.")
        return True

    def on_train_end(self, logs):
        if self.best_theta is not None:
            self.trainer.network.theta[:] = self.best_theta


def _batch_size(est: Any, n: int) -> int:
    if est.batch_size == "auto":
        return min(200, n)
    if est.batch_size > n:
        warnings.warn("Got `batch_size` less than 1 or larger than sample size. It is going "
                      "to be clipped", stacklevel=4)
    return int(np.clip(est.batch_size, 1, n))


def _prepare_early_stopping(est: Any, data: TrainingData, val: TrainingData | None,
                            incremental: bool) -> tuple[TrainingData, TrainingData | None]:
    """The training and validation sets, and the estimator's best-so-far attributes."""
    if est.early_stopping and incremental:
        raise ValueError("partial_fit does not support early_stopping=True")
    if est.early_stopping and val is None:
        data, val = est._split_validation(data)
    if val is not None and est.validation_scores_ is None:
        est.validation_scores_ = []
        est.best_validation_score_ = -np.inf
    if est.early_stopping:
        est.best_loss_ = None
    elif est.best_loss_ is None:
        est.best_loss_ = np.inf
    return data, val


def fit_stochastic(est: Any, data: TrainingData, val: TrainingData | None,
                   incremental: bool, ctx: Any, hook_data: tuple) -> None:
    """Train ``est.network_`` with sgd, adam or adamw, as ``MLPClassifier`` does.

    Parameters
    ----------
    est : NeuralNetClassifier or NeuralNetRegressor
        With ``network_`` and ``_random_state`` set.
    data : TrainingData
        Checked float32 rows, targets and sample weights.
    val : TrainingData, optional
        A validation set of the user's (early stopping splits one off otherwise).
    incremental : bool
        ``partial_fit``: one epoch, keeping the optimizer's state.
    ctx, hook_data
        scikit-learn's callback context, and the (y, metadata) its callbacks see.
    """
    net = est.network_
    if not incremental or not hasattr(est, "_optimizer"):
        est._optimizer = make_optimizer(est)
        est._optimizer_state = est._optimizer.init(net.theta, weight_mask=net.weight_mask())
        est._learning_rate = float(est.learning_rate_init)
    X_given = data.X  # callbacks see fit's data
    data, val = _prepare_early_stopping(est, data, val, incremental)
    n = data.n
    batch = _batch_size(est, n)
    dropout_rng = None
    if est.dropout > 0:  # drawn only then: without dropout, shuffles match MLP*'s
        dropout_rng = np.random.default_rng(est._random_state.randint(np.iinfo(np.int32).max))
    if est.solver != "sgd":
        est._learning_rate = float(est.learning_rate_init)
    alpha = float(est.alpha)
    penalty = (BatchScaledL2Penalty(alpha, net.weight_mask())
               if alpha > 0 and est.solver != "adamw" else None)  # adamw: alpha is decay
    rules = EpochRules(est, ctx, hook_data, X_given, n, incremental)
    trainer = Trainer(
        net, est._optimizer, learning_rate=float(est.learning_rate_init), batch_size=batch,
        dropout=float(est.dropout), shuffle=est.shuffle, seed=dropout_rng, callbacks=[rules],
        penalty=penalty, batch_order=CumulativeShuffle(est._random_state, n),
        loss_report=RowMeanLoss(est._loss_divisor), optimizer_state=est._optimizer_state)

    def validation() -> dict[str, float]:
        score, val_loss = est._validation_figures(val)
        return {"val_loss": val_loss, "val_score": score}

    est.n_iter_ = 0
    trainer.run(data, epochs=1 if incremental else est.max_iter,
                validation=None if val is None else validation)
