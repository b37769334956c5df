"""Counting epochs without improvement: the one patience counter.

Early stopping, learning-rate reduction on a plateau (the callback and the schedule) and
the scikit-learn estimators' ``n_iter_no_change`` rule all count the same way: the best
value so far follows every strict improvement, and the count of bad epochs restarts only
when a value beats the previous best by more than ``min_delta``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..core.checks import check_number

__all__ = ["Plateau"]


class Plateau:
    """Best value and epochs without improvement of one monitored figure.

    Parameters
    ----------
    mode : {"min", "max"}, default "min"
        Whether lower (a loss) or higher (an accuracy, a score) is better.
    min_delta : float >= 0, default 0.0
        How much a value must beat the best to count as an improvement.
    relative : bool, default False
        ``min_delta`` is a fraction of the best value instead of an absolute amount.
    inclusive : bool, default False
        Beating the best by exactly ``min_delta`` counts as an improvement (and so does
        a NaN, as in scikit-learn's ``tol`` rules, which this mirrors).
    best, bad_epochs : optional
        Start from this state (a continued run).

    Attributes
    ----------
    best : float
        ``inf`` (mode "min") or ``-inf`` (mode "max") before the first value.
    bad_epochs : int
        Values since the last improvement.
    """

    def __init__(self, mode: str = "min", min_delta: float = 0.0, *, relative: bool = False,
                 inclusive: bool = False, best: float | None = None,
                 bad_epochs: int = 0) -> None:
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        self.mode = mode
        self.min_delta = check_number("min_delta", min_delta, 0.0)
        self.relative = bool(relative)
        self.inclusive = bool(inclusive)
        self.best = (math.inf if mode == "min" else -math.inf) if best is None else best
        self.bad_epochs = int(bad_epochs)

    def _threshold(self) -> float:
        if math.isinf(self.best):
            return self.best
        delta = abs(self.best) * self.min_delta if self.relative else self.min_delta
        return self.best - delta if self.mode == "min" else self.best + delta

    def update(self, value: float) -> bool:
        """Count ``value``; return True when it is a new best (strictly better).

        ``bad_epochs`` restarts at 0 when ``value`` improves on the best by ``min_delta``
        and grows by one otherwise.
        """
        threshold = self._threshold()
        if self.mode == "min":
            improved = not value > threshold if self.inclusive else value < threshold
            new_best = value < self.best
        else:
            improved = not value < threshold if self.inclusive else value > threshold
            new_best = value > self.best
        self.bad_epochs = 0 if improved else self.bad_epochs + 1
        if new_best:
            self.best = value
        return new_best

    def state(self) -> dict[str, Any]:
        """JSON-able state (``best`` is None while infinite)."""
        return {"best": self.best if math.isfinite(self.best) else None,
                "bad_epochs": self.bad_epochs}

    def load_state(self, state: Mapping[str, Any]) -> None:
        best = state.get("best")
        self.best = (math.inf if self.mode == "min" else -math.inf) if best is None \
            else float(best)
        self.bad_epochs = int(state.get("bad_epochs", 0))
