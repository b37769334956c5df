"""Timing: repeats in rotating order, gc + pause before each, and the load guard.

The rivals take turns inside each repeat (a round), in an order that rotates from round to
round, so that slow spells on a shared machine fall on all of them alike; each timed call
comes after ``gc.collect()`` and a pause of :data:`PAUSE_S`.  :class:`LoadGuard` waits for
quiet CPUs before a round and redoes a round that other processes disturbed.  Figures are
medians over the repeats.
"""

from __future__ import annotations

import gc
import math
import os
import statistics
import time
import timeit
from collections.abc import Callable

from .host_speed import SpeedGuard

__all__ = ["MIN_TIMED_S", "PAUSE_S", "LoadGuard", "median", "time_interleaved",
           "time_small_interleaved", "timed_section"]

# A timed repeat lasts at least this long: faster calls run several times in a row.
MIN_TIMED_S = 0.025
# A pause before every timed repeat: BLAS and OpenMP worker threads keep spinning on the
# cores for up to about 0.1 s after a call (OpenBLAS's THREAD_TIMEOUT), so without it one
# rival's leftover spinning slows the next rival's two-core work (measured: numpynn's
# inference 200 ms right after a two-thread matmul, 160 ms after a 0.2 s pause).
PAUSE_S = 0.2

Funcs = dict[str, Callable[[], object]]
Times = dict[str, list[float]]
# A pair of /proc/stat samples: (busy jiffies, total jiffies, this process's CPU jiffies).
Sample = tuple[float, float, float]


class LoadGuard:
    """Keeps other work on a shared machine out of the figures, as far as it can.

    Before each round of timings it waits (within a total budget) until the CPUs are
    mostly idle apart from this process, and it measures the CPU time that *other*
    processes took during the round (from /proc/stat, minus this process's own CPU
    time); a round of at least 0.2 s during which they took more than ``threshold`` of
    the machine is thrown away and run again, while the budget lasts.  All rivals are in
    every round, so this treats them alike.  Linux only; elsewhere it does nothing.

    Parameters
    ----------
    budget_s : float
        Total seconds to spend waiting and redoing rounds; 0 turns the guard off.
    threshold : float
        Share of the machine (0..1) other processes may take during a round.
    """

    def __init__(self, budget_s: float, threshold: float = 0.2) -> None:
        self.budget_s = budget_s
        # The host's slow spells, which /proc/stat cannot see (host_speed.py): three
        # times this budget for waiting them out and redoing calls they slowed.
        self.speed = SpeedGuard(3 * budget_s)
        self.threshold = threshold
        self.waited_s = 0.0
        self.rounds_redone = 0
        self.rounds_disturbed_kept = 0
        self.tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self.enabled = budget_s > 0 and self._sample() is not None

    def _sample(self) -> Sample | None:
        """(busy jiffies, total jiffies, this process's CPU jiffies), all CPUs together."""
        try:
            with open("/proc/stat") as f:
                fields = [float(v) for v in f.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0.0)
        total = sum(fields[:8])
        t = os.times()
        return total - idle, total, (t.user + t.system) * self.tick

    @staticmethod
    def foreign(a: Sample, b: Sample) -> float:
        """Fraction of the machine that other processes used between samples a and b."""
        total = b[1] - a[1]
        if total <= 0:
            return 0.0
        return max(0.0, (b[0] - a[0]) - (b[2] - a[2])) / total

    def wait_until_quiet(self, most_s: float = 10.0) -> bool:
        """Wait (at most ``most_s``, within the budget) for a quiet machine; True if quiet."""
        if not self.enabled:
            return True
        limit = min(self.budget_s, self.waited_s + most_s)
        while True:
            a = self._sample()
            time.sleep(0.1)
            if self.foreign(a, self._sample()) < self.threshold:
                return True
            if self.waited_s >= limit:
                return False
            time.sleep(0.4)
            self.waited_s += 0.5

    def run_round(self, round_fn: Callable[[], dict[str, float]]) -> dict[str, float]:
        """Run one round of timings, again while others disturb it and the budget lasts.

        Returns
        -------
        dict of str to float
            What ``round_fn`` returned for the round that is kept.
        """
        while True:
            quiet = self.wait_until_quiet()
            a = self._sample() if self.enabled else None
            t0 = time.perf_counter()
            result = round_fn()
            took = time.perf_counter() - t0
            if a is None:
                return result
            if took < 0.2:  # too short to measure others' share: trust the check before
                if not quiet:
                    self.rounds_disturbed_kept += 1
                return result
            if self.foreign(a, self._sample()) <= self.threshold:
                return result
            # (host_speed.SpeedGuard.timed redoes single calls with the same steps)
            if self.waited_s + took > self.budget_s:
                self.rounds_disturbed_kept += 1
                return result
            self.waited_s += took
            self.rounds_redone += 1

    def summary(self) -> dict:
        """The guard's figures for the JSON report."""
        return {"enabled": self.enabled, "waited_s": self.waited_s,
                "rounds_redone": self.rounds_redone,
                "rounds_disturbed_kept": self.rounds_disturbed_kept,
                "speed": self.speed.summary()}


def _collect_and_pause() -> None:
    gc.collect()
    time.sleep(PAUSE_S)


def median(xs: list[float]) -> float:
    """The median of ``xs`` as a Python float."""
    return float(statistics.median(xs))


def _rotating_rounds(names: list[str], repeats: int, guard: LoadGuard,
                     time_one: Callable[[str], float]) -> Times:
    """``repeats`` rounds; each times every name once (``time_one``), in rotating order."""
    times: Times = {name: [] for name in names}
    for r in range(repeats):
        k = r % len(names)

        def one_round(order: list[str] = names[k:] + names[:k]) -> dict[str, float]:
            return {name: time_one(name) for name in order}

        for name, t in guard.run_round(one_round).items():
            times[name].append(t)
    return times


def time_interleaved(funcs: Funcs, repeats: int, guard: LoadGuard) -> Times:
    """Seconds per call of each function, ``repeats`` times each.

    Two warm-up calls each (the first may compile or fill caches), then in every repeat
    (a round) each function runs once, in an order that rotates from round to round, so
    that slow spells on a shared machine are spread over all rivals rather than landing on
    one.  A function faster than MIN_TIMED_S runs several times back to back in each
    timed repeat (as timeit does), and the time per call is the total over the count: a
    sub-millisecond call timed alone right after ``gc.collect()`` measures the caches the
    collector has just flushed more than the call itself.
    """
    calls = {}
    for name, f in funcs.items():
        f()
        t0 = time.perf_counter()
        f()
        took = time.perf_counter() - t0
        calls[name] = max(1, math.ceil(MIN_TIMED_S / max(took, 1e-9)))

    def time_one(name: str) -> float:
        f, count = funcs[name], calls[name]

        def call() -> float:
            t0 = time.perf_counter()
            for _ in range(count):
                f()
            return (time.perf_counter() - t0) / count

        return guard.speed.timed(call, _collect_and_pause)

    return _rotating_rounds(list(funcs), repeats, guard, time_one)


def time_small_interleaved(funcs: Funcs, repeats: int, guard: LoadGuard,
                           seconds_per_repeat: float = 0.15) -> Times:
    """Seconds per call of fast functions: timeit loops sized to ``seconds_per_repeat``."""
    timers = {}
    for name, f in funcs.items():
        timer = timeit.Timer(f)
        number, took = timer.autorange()  # also warms up
        timers[name] = (timer, max(1, int(number * seconds_per_repeat / max(took, 1e-9))))

    def time_one(name: str) -> float:
        timer, number = timers[name]
        return guard.speed.timed(lambda: timer.timeit(number) / number,
                                 lambda: time.sleep(PAUSE_S))

    return _rotating_rounds(list(funcs), repeats, guard, time_one)


def timed_section(funcs: Funcs, repeats: int, guard: LoadGuard, small: bool = False) -> dict:
    """Time one section's rivals and return its figures.

    Parameters
    ----------
    funcs : dict of str to callable
        Rival name -> a call that does one unit of work (an epoch, an eval).
    repeats : int
        Timed repeats of each.
    guard : LoadGuard
        The run's load guard.
    small : bool
        Microsecond calls: timeit loops (:func:`time_small_interleaved`).

    Returns
    -------
    dict
        ``repeats``, ``times_s`` (name -> seconds per call of each repeat), ``median_s``
        (name -> median seconds) and ``disturbed_rounds`` (rounds the guard kept although
        other processes disturbed them).
    """
    kept_before = guard.rounds_disturbed_kept
    timer = time_small_interleaved if small else time_interleaved
    times = timer(funcs, repeats, guard)
    return {"repeats": repeats, "times_s": times,
            "median_s": {k: median(v) for k, v in times.items()},
            "disturbed_rounds": guard.rounds_disturbed_kept - kept_before}
