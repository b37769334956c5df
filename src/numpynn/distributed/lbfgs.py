"""Exact full-batch L-BFGS over data on a cluster.

Each evaluation sends ``theta`` to every partition's worker, which returns its summed
loss and gradient in float64; the sums are added in partition order (a fixed tree), so
two runs give the same bits whatever the timing.  SciPy's L-BFGS-B runs on the client on
the flat vector, with the restarts of :func:`numpynn.training.minimize_lbfgs` (float32
loss plateaus end a run long before the gradient is small).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .cluster_data import ClusterData, template_future

__all__ = ["DistributedObjective", "minimize_distributed"]


@dataclass
class DistributedObjective:
    """``objective(x64) -> (loss, gradient float64)`` of the mean loss over ``data``.

    Parameters
    ----------
    network : NeuralNetwork
        ``theta`` is set to each point evaluated (float32).
    data : ClusterData
    l2 : float
        Adds ``(l2 / 2) * sum(w ** 2)`` over the weights (not the biases).
    """

    network: Any
    data: ClusterData
    l2: float = 0.0
    evaluations: int = 0

    def __post_init__(self) -> None:
        self._template = template_future(self.data.client, self.network)
        self._mask = self.network.weight_mask()
        self._total = float(sum(self.data.weights))

    def __call__(self, x64: np.ndarray) -> tuple[float, np.ndarray]:
        theta = self.network.theta
        theta[:] = x64  # float32 parameters; float64 only at SciPy's side and in the sums
        sums = self.data.sums(self._template, theta, what="an L-BFGS evaluation")
        self.evaluations += 1
        loss = sums.loss / self._total
        grad = sums.gradient / self._total
        if self.l2:
            weights = np.where(self._mask, theta, 0.0)
            loss += 0.5 * self.l2 * float(np.dot(weights, weights))
            grad += self.l2 * weights
        if not math.isfinite(loss):
            return math.inf, np.zeros_like(x64)  # L-BFGS-B backs off from inf
        return loss, grad

    def release(self) -> None:
        self._template.release()


def minimize_distributed(objective: DistributedObjective, solver: Any, max_iter: int,
                         after_iteration: Callable[[float], bool] | None = None
                         ) -> tuple[int, bool]:
    """Minimise ``objective`` from ``network.theta`` with L-BFGS-B; the result is left in
    ``network.theta``.

    Parameters
    ----------
    objective : DistributedObjective
    solver : LBFGS
        ``max_fun``, ``tol``, ``ftol``, ``memory``.
    max_iter : int
    after_iteration : callable, optional
        ``after_iteration(loss) -> bool`` after every iteration with ``theta`` at the
        iterate; True stops.

    Returns
    -------
    iterations : int
    stopped : bool
        ``after_iteration`` asked to stop.
    """
    from scipy.optimize import minimize

    network = objective.network
    stopped: list[bool] = []

    def callback(intermediate_result) -> None:
        network.theta[:] = intermediate_result.x
        if after_iteration is not None and after_iteration(float(intermediate_result.fun)):
            stopped.append(True)
            raise StopIteration

    x = network.theta.astype(np.float64)
    iterations = 0
    ftol = getattr(solver, "ftol", solver.tol)
    while True:
        start_loss = objective(x)[0]
        result = minimize(objective, x, method="L-BFGS-B", jac=True, callback=callback,
                          options={"maxfun": max(1, solver.max_fun - objective.evaluations),
                                   "maxiter": max_iter - iterations, "gtol": solver.tol,
                                   "ftol": ftol, "maxcor": solver.memory})
        iterations += int(result.nit)
        x = result.x
        # Restart with a fresh memory while a run ends on a float32 plateau but helped.
        stalled = result.status == 0 and not stopped and \
            float(np.abs(result.jac).max()) > solver.tol
        if not (stalled and result.fun < start_loss and iterations < max_iter
                and objective.evaluations < solver.max_fun):
            break
    network.theta[:] = result.x
    return iterations, bool(stopped)
