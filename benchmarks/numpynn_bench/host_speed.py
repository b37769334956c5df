"""The speed guard: timed calls only while the machine runs at its full speed.

On a virtual machine the host can take cores away for seconds at a time without any
process of ours seeing it (the load average and /proc/stat stay quiet): on the 2-core AMD
EPYC VM these figures came from, a 256-512-512-10 epoch took about 320 ms in some spells
and 560 ms in others, spells of 5 to 10 s, for every rival alike.  Medians over a few
repeats then depend on which rival drew which spell.

:class:`SpeedGuard` times a fixed probe (float32 matrix products of 512 x 512 through
NumPy's BLAS, on all its threads, 5.3 ms at full speed on the 2-core AMD EPYC) before
and after each timed call.  Before: it waits until the probe runs within :data:`SLOW` of
the fastest probe seen so far.  After: a probe slower than that throws the call away and
runs it again.  Both within a budget of seconds; calls kept from a slow spell are counted
and reported.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

__all__ = ["SLOW", "SpeedGuard"]

#: A probe this much slower than the fastest seen means a slow spell.
SLOW = 1.3
_SIZE = 512
_PRODUCTS = 4


class SpeedGuard:
    """See the module.

    Parameters
    ----------
    budget_s : float
        Total seconds to spend waiting for full speed and redoing calls; 0 turns the
        guard off (calls are timed as they come).
    """

    def __init__(self, budget_s: float) -> None:
        self.budget_s = budget_s
        self.enabled = budget_s > 0
        self.spent_s = 0.0
        self.calls_redone = 0
        self.calls_kept_slow = 0
        self.best_s = float("inf")
        rng = np.random.default_rng(0)
        self._a = rng.standard_normal((_SIZE, _SIZE), dtype=np.float32)
        self._out = np.empty_like(self._a)
        if self.enabled:
            for _ in range(3):
                self.probe()

    def probe(self) -> float:
        """Seconds of the probe; the fastest seen is kept as the full-speed mark."""
        t0 = time.perf_counter()
        for _ in range(_PRODUCTS):
            np.matmul(self._a, self._a, out=self._out)
        took = time.perf_counter() - t0
        self.best_s = min(self.best_s, took)
        return took

    def at_full_speed(self) -> bool:
        return self.probe() <= SLOW * self.best_s

    def wait_for_full_speed(self, most_s: float = 15.0) -> None:
        """Probe every 0.3 s until the machine runs at full speed (at most ``most_s``
        and within the budget)."""
        if not self.enabled:
            return
        limit = min(self.budget_s, self.spent_s + most_s)
        while not self.at_full_speed() and self.spent_s < limit:
            time.sleep(0.3)
            self.spent_s += 0.3

    def timed(self, call: Callable[[], float], pause: Callable[[], None]) -> float:
        """``call()`` (which times itself and returns seconds) after full speed and
        ``pause()`` (which lets the probe's BLAS threads go to sleep), again while the
        probe after it (and another pause) says it ran in a slow spell and the budget
        lasts."""
        while True:
            self.wait_for_full_speed()
            pause()
            seconds = call()
            if not self.enabled:
                return seconds
            pause()  # the call's own pools may still spin; the probe must not see them
            if self.at_full_speed():
                return seconds
            # (the redo-within-budget steps of timing.LoadGuard.run_round, for one call)
            if self.spent_s + seconds > self.budget_s:
                self.calls_kept_slow += 1
                return seconds
            self.spent_s += seconds
            self.calls_redone += 1

    def summary(self) -> dict:
        """The guard's figures for the JSON report."""
        return {"enabled": self.enabled, "spent_s": self.spent_s,
                "calls_redone": self.calls_redone, "calls_kept_slow": self.calls_kept_slow,
                "probe_best_ms": 1e3 * self.best_s}
