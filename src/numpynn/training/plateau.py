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
from .resume import check_plateau_state, check_scale

__all__ = ["Plateau", "reduce_on_plateau", "scaled_plateau_state",
           "check_scaled_plateau_state", "load_scaled_plateau_state"]


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


# Learning-rate reduction on a plateau: the one rule and the one checkpointed state of the
# callback ReduceLROnPlateau and the schedule ReduceOnPlateau, which keep a Plateau and
# the scale it has brought about.
def reduce_on_plateau(plateau: Plateau, value: float, scale: float, factor: float,
                      bad_epochs: int) -> float:
    """Count ``value``; after ``bad_epochs`` epochs without improvement, return ``scale *
    factor`` and restart the count, else ``scale``."""
    plateau.update(value)
    if plateau.bad_epochs >= bad_epochs:
        plateau.bad_epochs = 0
        return scale * factor
    return scale


def scaled_plateau_state(scale: float, plateau: Plateau) -> dict[str, Any]:
    """JSON-able state: the scale reached and the plateau's best and count."""
    return {"scale": scale, **plateau.state()}


def check_scaled_plateau_state(state: Mapping[str, Any], owner: str) -> None:
    """ValueError unless ``state`` is one :func:`scaled_plateau_state` of ``owner`` (a name
    for the messages) can be: a count, a finite best or None, a scale in (0, 1]."""
    check_plateau_state(state, f"{owner}'s state")
    check_scale(f"{owner}'s scale", state.get("scale", 1.0))


def load_scaled_plateau_state(state: Mapping[str, Any], plateau: Plateau) -> float:
    """Load the plateau's part of ``state`` into ``plateau``; return the scale."""
    plateau.load_state(state)
    return float(state.get("scale", 1.0))
