"""Exact full-batch L-BFGS over data on a cluster: the objective that numpynn's one L-BFGS
bridge (:func:`numpynn.training.lbfgs.minimize_lbfgs`) minimises.

Each evaluation sends ``theta`` to every partition's worker, which returns its summed
loss and gradient in float64; the sums are added in partition order (a fixed tree), so
two runs give the same bits whatever the timing.  SciPy's L-BFGS-B, its restarts and
budgets run on the client, in the bridge, exactly as for data in memory.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..training.penalty import L2Penalty, make_l2_penalty
from .cluster_data import ClusterData, template_future

__all__ = ["DistributedObjective"]


@dataclass
class DistributedObjective:
    """``objective(x64) -> (loss, gradient float64)`` of the mean loss over ``data``: an
    :data:`~numpynn.training.lbfgs.Objective` for ``minimize_lbfgs(objective=...)``.

    Parameters
    ----------
    network : NeuralNetwork
        ``theta`` is set to each point evaluated, in its own dtype (float32 or float64;
        the workers evaluate in that dtype).
    data : ClusterData
    l2 : float
        Adds ``(l2 / 2) * sum(w ** 2)`` over the weights (not the biases).

    Attributes
    ----------
    evaluations : int
        Calls so far (each one pass over the partitions).
    """

    network: Any
    data: ClusterData
    l2: float = 0.0
    evaluations: int = 0
    _penalty: L2Penalty | None = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        self._template = template_future(self.data.client, self.network)
        self._penalty = make_l2_penalty(self.l2, self.network)
        self._total = float(sum(self.data.weights))

    def __call__(self, x64: np.ndarray) -> tuple[float, np.ndarray]:
        theta = self.network.theta
        theta[:] = x64  # the network's dtype; float64 at SciPy's side and in the sums
        sums = self.data.sums(self._template, theta, what="an L-BFGS evaluation")
        self.evaluations += 1
        loss = sums.loss / self._total
        grad = sums.gradient / self._total  # a fresh float64 vector
        if self._penalty is not None:
            loss += self._penalty.add(theta, grad, self._total, with_loss=True)
        if not math.isfinite(loss):
            return math.inf, np.zeros_like(x64)  # L-BFGS-B backs off from inf
        return loss, grad

    def release(self) -> None:
        self._template.release()
