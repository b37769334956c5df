"""L-BFGS: the solver's settings and the one bridge to :func:`scipy.optimize.minimize`.

Full-batch training of ``NeuralNetwork.fit(optimizer="lbfgs")``, of the scikit-learn
estimators' ``solver="lbfgs"`` and of ``numpynn.distributed.fit(strategy="lbfgs")`` all run
:func:`minimize_lbfgs`: loss and gradient in the network's dtype on the flat vector
``theta``, float64 at SciPy's side of the call (a float64 network's iterates pass through
unrounded).  What is minimised is an :data:`Objective`: by default
:func:`full_batch_objective` over data in memory; the distributed strategy plugs in its
own (per-partition sums on a cluster), and the restarts, budgets and callbacks stay here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.backprop import Workspace
from ..core.checks import check_int, check_number
from .data import TrainingData

if TYPE_CHECKING:  # pragma: no cover
    from .penalty import L2Penalty

__all__ = ["LBFGS", "LBFGSResult", "Objective", "minimize_lbfgs", "full_batch_objective"]

#: ``objective(x64) -> (loss, gradient)``: the loss at the float64 point ``x64`` (of shape
#: ``(num_weights,)``) and its gradient as a float64 vector of that shape, which SciPy may
#: keep (a fresh array each call).  It writes ``x64`` into ``network.theta`` (in theta's
#: dtype) and evaluates there; a non-finite loss is returned as ``(inf, zeros)``, from
#: which L-BFGS-B backs off.
Objective = Callable[[np.ndarray], tuple[float, np.ndarray]]


class LBFGS:
    """Settings of full-batch L-BFGS-B (SciPy) on the flat parameter vector.

    Not an :class:`~numpynn.training.Optimizer`: it takes no steps of its own, has no
    learning rate and runs over the whole data at once, so ``fit`` refuses the options
    that only mini-batch optimizers honour (batch size, dropout, checkpoints, ...).

    Parameters
    ----------
    max_iter : int >= 1, optional
        Iterations; ``fit`` uses its ``epochs`` when None.
    max_fun : int >= 1, default 15000
        Most loss evaluations.
    tol : float >= 0, default 1e-7
        ``gtol`` of L-BFGS-B, and its ``ftol`` unless ``ftol`` is given.
    memory : int >= 1, default 10
        Number of correction pairs kept (``maxcor``).
    ftol : float >= 0, optional
        Relative reduction of the loss below which L-BFGS-B stops.
    """

    name = "lbfgs"
    learning_rate = None  # no step size: L-BFGS-B searches along its own directions

    def __init__(self, max_iter: int | None = None, max_fun: int = 15000, tol: float = 1e-7,
                 memory: int = 10, *, ftol: float | None = None) -> None:
        self.max_iter = None if max_iter is None else check_int("max_iter", max_iter, 1)
        self.max_fun = check_int("max_fun", max_fun, 1)
        self.tol = check_number("tol", tol, 0.0)
        self.memory = check_int("memory", memory, 1)
        self.ftol = self.tol if ftol is None else check_number("ftol", ftol, 0.0)

    def __repr__(self) -> str:
        return (f"LBFGS(max_iter={self.max_iter!r}, max_fun={self.max_fun!r}, "
                f"tol={self.tol!r}, memory={self.memory!r}, ftol={self.ftol!r})")


@dataclass
class LBFGSResult:
    """What :func:`minimize_lbfgs` did.

    Attributes
    ----------
    iterations, evaluations : int
        Over all restarts.
    status : int
        SciPy's status of the last run (0: converged).
    message : str
    stopped : bool
        ``after_iteration`` asked to stop.
    loss : float
        The objective (data loss plus penalty) at the final ``theta``.
    """

    iterations: int
    evaluations: int
    status: int
    message: str
    stopped: bool
    loss: float


def full_batch_objective(network: Any, data: TrainingData, penalty: L2Penalty | None
                         ) -> Objective:
    """The :data:`Objective` of the mean loss over ``data`` in memory, plus ``penalty``:
    ``f(x64) -> (loss, gradient as float64)``, writing ``x64`` into ``network.theta``
    (exactly for a float64 network, rounded to float32 for a float32 one)."""
    theta = network.theta
    grad = np.empty_like(theta)
    n = data.X.shape[0]
    total = data.total_weight()
    block = min(n, max(256, (1 << 18) // max(network.sizes)))
    workspace = Workspace(network, block, precise=True)  # allocated once, not per call

    def loss_and_grad(x64: np.ndarray) -> tuple[float, np.ndarray]:
        theta[:] = x64  # the network's dtype; float64 at SciPy's boundary
        loss = network._loss_and_gradient_checked(data.X, data.target, data.sample_weight,
                                                  grad, workspace)
        if penalty is not None:
            loss += penalty.add(theta, grad, total, with_loss=True)
        if not math.isfinite(loss):
            return math.inf, np.zeros_like(x64)  # L-BFGS-B backs off from inf
        return loss, np.array(grad, dtype=np.float64)  # a copy: grad is reused

    return loss_and_grad


def _chosen_objective(network: Any, data: TrainingData | None, penalty: L2Penalty | None,
                      objective: Objective | None) -> Objective:
    """``objective``, or the full-batch objective of ``data`` and ``penalty``."""
    if objective is None:
        if data is None:
            raise TypeError("minimize_lbfgs needs data (a TrainingData) or an objective")
        return full_batch_objective(network, data, penalty)
    if data is not None or penalty is not None:
        raise TypeError("minimize_lbfgs takes data and penalty, or an objective that "
                        "includes them, not both")
    return objective


def minimize_lbfgs(network: Any, data: TrainingData | None, solver: LBFGS, *,
                   max_iter: int, penalty: L2Penalty | None = None,
                   after_iteration: Callable[[float], bool] | None = None,
                   objective: Objective | None = None) -> LBFGSResult:
    """Minimise the full-batch loss of ``network`` over ``data`` (or ``objective``) in place.

    In float32 the loss stops changing on a plateau long before the gradient is small,
    and L-BFGS-B then reports convergence on its relative reduction of the loss:
    restarting from there (a fresh curvature memory) goes on while that makes progress
    and the budgets last.  A float64 network runs L-BFGS-B once, as scikit-learn does.

    Parameters
    ----------
    network : NeuralNetwork
        ``network.theta`` is the starting point and holds the result.
    data : TrainingData or None
        With its own contiguous rows (:meth:`TrainingData.materialized`); None when
        ``objective`` is given.
    solver : LBFGS
    max_iter : int
        Most iterations, over all restarts.
    penalty : L2Penalty, optional
        Added to the loss over ``data`` (an ``objective`` adds its own).
    after_iteration : callable, optional
        ``after_iteration(loss) -> bool`` after every iteration, with ``network.theta``
        at the iterate and ``loss`` the objective there; True stops.
    objective : Objective, optional
        What to minimise instead of :func:`full_batch_objective` of ``data`` and
        ``penalty`` (``numpynn.distributed`` sums partitions on a cluster).  Its calls
        count against ``solver.max_fun`` as SciPy counts them.
    """
    objective = _chosen_objective(network, data, penalty, objective)
    stopped = []

    def callback(intermediate_result) -> None:
        network.theta[:] = intermediate_result.x
        if after_iteration is not None and after_iteration(float(intermediate_result.fun)):
            stopped.append(True)
            raise StopIteration

    result, iterations, evaluations = _restarted_runs(objective, network.theta, solver,
                                                      max_iter, callback, stopped)
    loss = objective(result.x)[0]
    network.theta[:] = result.x  # (the objective left it there too)
    return LBFGSResult(iterations=iterations, evaluations=evaluations,
                       status=int(result.status), message=str(result.message),
                       stopped=bool(stopped), loss=float(loss))


def _restarted_runs(objective: Objective, theta: np.ndarray, solver: LBFGS, max_iter: int,
                    callback: Callable[[Any], None], stopped: list[bool]
                    ) -> tuple[Any, int, int]:
    """L-BFGS-B from ``theta``, restarted while a float32 run ends on a plateau but made
    progress; ``(SciPy's last result, iterations, evaluations)`` over all runs."""
    try:
        from scipy.optimize import minimize
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("L-BFGS needs SciPy: pip install numpynn[lbfgs]") from err
    x = theta.astype(np.float64)
    plateaus = theta.dtype == np.float32
    iterations = evaluations = 0
    while True:
        result = minimize(
            objective, x, method="L-BFGS-B", jac=True, callback=callback,
            options={"maxfun": solver.max_fun - evaluations, "maxiter": max_iter - iterations,
                     "gtol": solver.tol, "ftol": solver.ftol, "maxcor": solver.memory},
        )
        iterations += int(result.nit)
        evaluations += int(result.nfev)
        # (A float64 loss does not plateau that way: its convergence is SciPy's.)
        stalled = (result.status == 0 and not stopped and plateaus
                   and float(np.abs(result.jac).max()) > solver.tol)
        if not (stalled and iterations < max_iter and evaluations < solver.max_fun
                and result.fun < objective(x)[0]):  # (no evaluation unless it can matter)
            return result, iterations, evaluations
        x = result.x
