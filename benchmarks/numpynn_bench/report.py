"""The report: targets, PASS/MISS, the tables of every section, the summary and JSON.

"faster" ratios are rival time / numpynn time (bigger is better); "floor" ratios are
numpynn time / floor time (smaller is better).  A :class:`Scorecard` records every check
for the summary and the JSON file.
"""

from __future__ import annotations

import json
import os

import numpy as np

from .timing import LoadGuard
from .workloads import BATCH

__all__ = [
    "TRAINING_TARGETS", "EVAL1_TARGETS", "INFER_TARGETS", "MEMORY_TARGET", "EARLIER",
    "Scorecard", "fmt_ms", "fmt_us", "training_table", "eval1_table", "infer_table",
    "memory_table", "print_summary", "save_json",
]

# issue 18: the targets on every CPU (Intel with AVX-512, AMD with AVX2 or AVX-512)
TRAINING_TARGETS = {
    "64-100-10": {"sklearn": 5.0, "torch": 4.0, "floor": 1.8},
    "256-512-512-10": {"sklearn": 2.5, "torch": 1.0, "floor": 1.3},
    "3-4-2": {"sklearn": 25.0, "torch": 25.0, "floor": 2.0},
}
EVAL1_TARGETS = {"torch": 2.0, "article loops": 2.0}
INFER_TARGETS = {"sklearn": 1.3, "floor": 1.5}
MEMORY_TARGET = (0.10, 50.0)  # fraction of the input, plus MB

# What issue 18 measured on an AMD EPYC with OpenBLAS's Haswell kernels (no AVX-512),
# quiet (torch: the faster of its two Adams), for orientation only.
EARLIER = {
    "64-100-10": {"sklearn": 134.5, "torch": 113.0, "floor": 14.6},
    "256-512-512-10": {"sklearn": 1131.2, "torch": 809.6, "floor": 406.8},
    "3-4-2": {"sklearn": 11.2, "torch": 8.68, "floor": 0.22},
    "eval1": {"article loops": 30.0, "naive numpy": 16.0, "torch": 35.0},
}

# Training columns: the rival's key in median_s, and its short column title.
TRAINING_COLUMNS = (
    ("numpynn", "numpynn"), ("numpynn fit(epochs=1)", "fit(1)"),
    ("numpynn NumPy only", "np only"), ("sklearn", "sklearn"), ("torch", "torch"),
    ("torch fused", "t.fused"), ("floor", "floor"), ("torch.mm floor", "t.mm fl"),
)
MB = 1e6


class Scorecard:
    """Every check of the run (``checks``, for JSON) and the misses (for the summary)."""

    def __init__(self) -> None:
        self.checks: list[dict] = []
        self.misses: list[str] = []

    def check(self, label: str, value: float | None, target: float,
              bigger_is_better: bool) -> str:
        """Format 'value (target) PASS/MISS' and record it."""
        if value is None:
            self.checks.append({"label": label, "value": None, "target": target,
                                "pass": None})
            return "-"
        ok = value >= target if bigger_is_better else value <= target
        sign = ">=" if bigger_is_better else "<="
        self.checks.append({"label": label, "value": value, "target": target,
                            "bigger_is_better": bigger_is_better, "pass": ok})
        if not ok:
            self.misses.append(f"{label}: {value:.2f}x, target {sign} {target:g}x")
        return f"{value:5.2f}x ({sign}{target:g}) {'PASS' if ok else 'MISS'}"

    def record(self, label: str, value: float) -> None:
        """Record a figure that has no target."""
        self.checks.append({"label": label, "value": value, "target": None, "pass": None})

    def check_memory(self, figure_bytes: float, target_bytes: float) -> bool:
        """Check and record the memory of fit (bytes above the input); True if it passes."""
        ok = figure_bytes <= target_bytes
        self.checks.append({"label": "memory of fit", "value": figure_bytes / MB,
                            "target": target_bytes / MB, "bigger_is_better": False,
                            "pass": ok})
        if not ok:
            self.misses.append(f"memory of fit: {figure_bytes / MB:.1f} MB above the input, "
                               f"target <= {target_bytes / MB:.1f} MB")
        return ok

    def counts(self) -> tuple[int, int]:
        """(targets met, targets checked)."""
        passed = sum(1 for c in self.checks if c["pass"] is True)
        return passed, sum(1 for c in self.checks if c["pass"] is not None)


def fmt_ms(seconds: float | None) -> str:
    """Seconds as milliseconds: one decimal from 10 ms, two below; '-' for None."""
    if seconds is None:
        return "-"
    return f"{seconds * 1e3:.1f}" if seconds >= 0.01 else f"{seconds * 1e3:.2f}"


def fmt_us(seconds: float | None) -> str:
    """Seconds as microseconds, one decimal; '-' for None."""
    return "-" if seconds is None else f"{seconds * 1e6:.1f}"


def _best_torch(m: dict) -> tuple[str | None, float | None]:
    """The faster torch variant's name and median seconds, or (None, None)."""
    found = [(t, k) for k, t in m.items() if k == "torch" or k.startswith("torch ")
             and k != "torch.mm floor"]
    if not found:
        return None, None
    t, k = min(found)
    return k, t


def _training_times(results: dict) -> None:
    """The table of median ms per epoch, one row per workload, and its legend."""
    print("Training: ms per epoch (median)" + " " * 5
          + "".join(f"{short:>9}" for _, short in TRAINING_COLUMNS))
    for name, r in results.items():
        m = r["median_s"]
        label = f"{r['rows']}x{'-'.join(map(str, r['sizes']))}"
        print(f"  {label:<34}" + "".join(f"{fmt_ms(m.get(key)):>9}"
                                         for key, _ in TRAINING_COLUMNS))
        earlier = EARLIER.get(name)
        if earlier:
            print(f"  {'  (issue 18, AMD Haswell kernels)':<34}{'':>27}{earlier['sklearn']:>9.4g}"
                  f"{earlier['torch']:>9.4g}{'':>9}{earlier['floor']:>9.4g}")
    print("  (numpynn: with Numba's fused kernels when Numba is installed; np only: NUMPYNN_KERNELS"
          "=numpy;\n   torch: torch.optim.Adam as it comes; t.fused: Adam(fused=True); floor: the"
          " matrix products\n   alone through NumPy's BLAS; t.mm fl: the same products through"
          " torch.mm, for context)")
    print()


def _ratio_cells(name: str, m: dict, card: Scorecard) -> list[str]:
    """The three ratio cells of a workload: vs sklearn, vs the faster torch, vs floor."""
    nn = m["numpynn"]
    targets = TRAINING_TARGETS[name]
    cells = []
    if "sklearn" in m:
        cells.append(card.check(f"{name} vs sklearn", m["sklearn"] / nn, targets["sklearn"],
                                True))
    else:
        cells.append("- (not installed)")
    best_t = _best_torch(m)[1]
    if best_t is None:
        cells.append("- (not installed)")
    else:
        cells.append(card.check(f"{name} vs torch", best_t / nn, targets["torch"], True))
    ratio = nn / m["floor"]
    if "floor" in targets:
        cells.append(card.check(f"{name} vs floor", ratio, targets["floor"], False))
    else:
        cells.append(f"{ratio:5.2f}x")
        card.record(f"{name} vs floor", ratio)
    return cells


def _ratio_notes(r: dict) -> list[str]:
    """The lines below a workload's ratios: torch variants, NumPy only, fit, notes."""
    m = r["median_s"]
    nn = m["numpynn"]
    lines = []
    best, best_t = _best_torch(m)
    if best is not None and "torch" in m and "torch fused" in m:
        lines.append(f"{'':<22}(against the faster: {best}; torch {m['torch'] / nn:.2f}x, "
                     f"fused {m['torch fused'] / nn:.2f}x)")
    np_only = m.get("numpynn NumPy only")
    if np_only is not None:
        parts = [f"{m['sklearn'] / np_only:.2f}x faster than sklearn" if "sklearn" in m
                 else None,
                 f"{best_t / np_only:.2f}x than torch" if best_t is not None else None,
                 f"{np_only / m['floor']:.2f}x the floor"]
        lines.append("(NumPy only: " + ", ".join(p for p in parts if p) + ")")
    fit_ratio = m["numpynn fit(epochs=1)"] / nn
    if abs(fit_ratio - 1) > 0.1:
        lines.append(f"(fit(epochs=1) takes {fit_ratio:.2f}x the time of train_epoch)")
    if "torch.mm floor" in m:
        lines.append(f"(torch.mm floor / NumPy floor: {m['torch.mm floor'] / m['floor']:.2f})")
    lines.extend(_bound_by_blas(r["name"], m))
    lines.extend(f"note: {note}" for note in r["notes"])
    return lines


def _bound_by_blas(name: str, m: dict) -> list[str]:
    """For each 'faster than' target that even the floor (the matrix products alone,
    nothing else of an epoch) would miss: the measurement that proves it BLAS-bound."""
    lines = []
    targets = TRAINING_TARGETS.get(name, {})
    rivals = [("sklearn", m.get("sklearn")), ("torch", _best_torch(m)[1])]
    for rival, t in rivals:
        target = targets.get(rival)
        if t is None or target is None or t / m["floor"] >= target:
            continue
        lines.append(f"bound by BLAS: >= {target:g}x {rival} needs {fmt_ms(t / target)} ms an "
                     f"epoch, below the floor's {fmt_ms(m['floor'])} ms ({rival} / floor = "
                     f"{t / m['floor']:.2f}x)")
    return lines


def training_table(results: dict, card: Scorecard) -> None:
    """Print the training times and the ratio lines with their targets."""
    _training_times(results)
    print("Training: ratios of medians          vs sklearn (faster)   vs torch (faster)"
          "     vs floor (slower)")
    for name, r in results.items():
        cells = _ratio_cells(name, r["median_s"], card)
        print(f"  {name:<34}{cells[0]:<22}{cells[1]:<22}{cells[2]}")
        for line in _ratio_notes({**r, "name": name}):
            print(f"  {'':<34}{line}")
    print()


def eval1_table(r: dict, card: Scorecard) -> None:
    """Print the single-sample eval times (us) and the ratios with their targets."""
    m = r["median_s"]
    nn = m["numpynn"]
    print("Single-sample eval, article's 3-4-2 net (leaky ReLU, softmax): us per call (median)")
    for name in ("numpynn", "article loops", "naive numpy", "torch"):
        if name not in m:
            print(f"  {name:<16}    - (not installed)")
            continue
        cell = ""
        if name in EVAL1_TARGETS:
            cell = "numpynn " + card.check(f"eval1 vs {name}", m[name] / nn,
                                           EVAL1_TARGETS[name], True) + " faster"
        elif name != "numpynn":
            cell = f"numpynn {m[name] / nn:5.2f}x faster (no target)"
        earlier = EARLIER["eval1"].get(name)
        earlier_s = f"(earlier {earlier:g})" if earlier else ""
        print(f"  {name:<16}{fmt_us(m[name]):>8}  {earlier_s:<15}{cell}")
    out = ", ".join(f"{v:.4f}" for v in r["output"])
    diff = max(r["max_abs_diff_vs_article"].values())
    print(f"  outputs ({out}); largest difference between rivals {diff:.1e}")
    print()


def infer_table(r: dict, card: Scorecard) -> None:
    """Print the batch inference times (ms), the ratios and the output agreement."""
    m = r["median_s"]
    nn = m["numpynn"]
    print(f"Batch inference, {r['rows']:,} x 64 through 64-100-10 (softmax): ms (median)")
    print(f"  numpynn eval           {fmt_ms(nn):>8}   (Numba's bias + ReLU kernel, loaded by "
          "training or the header)")
    np_only = m.get("numpynn NumPy only")
    if np_only is not None:
        print(f"  numpynn, NumPy only    {fmt_ms(np_only):>8}   (NUMPYNN_KERNELS=numpy: "
              f"{np_only / m['floor']:.2f}x the floor"
              + (f", {m['sklearn'] / np_only:.2f}x faster than sklearn" if "sklearn" in m
                 else "") + ")")
    if "sklearn" in m:
        print(f"  sklearn predict_proba  {fmt_ms(m['sklearn']):>8}   numpynn "
              + card.check("infer vs sklearn", m["sklearn"] / nn, INFER_TARGETS["sklearn"],
                           True) + " faster")
    if "torch" in m:
        print(f"  torch model(X)         {fmt_ms(m['torch']):>8}   numpynn "
              f"{m['torch'] / nn:5.2f}x faster (no target)")
    print(f"  floor (two matmuls)    {fmt_ms(m['floor']):>8}   numpynn "
          + card.check("infer vs floor", nn / m["floor"], INFER_TARGETS["floor"], False)
          + " of the floor")
    diffs = ", ".join(f"{k} {v:.1e}" for k, v in r["max_abs_diff_vs_numpynn"].items()
                      if k != "numpynn")
    if diffs:
        print(f"  largest difference from numpynn's probabilities (first 10,000 rows): {diffs}")
    if r["dtypes"]:
        print(f"  sklearn predict_proba returns {r['dtypes']['sklearn']}")
    print()


def _memory_line(who: str, res: dict, target: float, card: Scorecard) -> str:
    """One rival's memory row; numpynn's larger figure is checked against ``target``."""
    traced = res.get("traced_peak_above_bytes")
    rss = res.get("rss_peak_above_bytes")
    traced_s = "-" if traced is None else f"{traced / MB:8.1f}"
    rss_s = "-" if rss is None else f"{rss / MB:8.1f}"
    line = f"  {who:<8} tracemalloc peak {traced_s:>8}   peak RSS growth {rss_s:>8}"
    if who == "numpynn":
        ok = card.check_memory(max(x for x in (traced, rss) if x is not None), target)
        line += f"   {'PASS' if ok else 'MISS'} (larger of the two)"
    else:
        line += "   (for comparison)"
    if "seconds" in res:
        line += f"   epoch {res['seconds']:.1f} s"
    return line


def memory_table(r: dict, card: Scorecard) -> None:
    """Print the peak memory of fit of every rival; numpynn's is checked."""
    rows = r["rows"]
    input_bytes = rows * 64 * 4
    frac, extra_mb = MEMORY_TARGET
    target = frac * input_bytes + extra_mb * MB
    print(f"Peak memory of one epoch of fit, {rows:,} x 64 float32 ({input_bytes / MB:.0f} MB), "
          f"64-100-10, batch {BATCH}: MB above the input")
    print(f"  target <= 10% of the input + 50 MB = {target / MB:.1f} MB")
    for who, res in r["results"].items():
        if "error" in res:
            print(f"  {who:<8} failed: {res['error']}")
        else:
            print(_memory_line(who, res, target, card))
    print()


def _noise_lines(sections: dict) -> list[str]:
    """The summary's UNRELIABLE and noisy lines, where there are any."""
    noisy = [f"{sec}/{who} (slowest {max(t) / min(t):.1f}x fastest)"
             for sec, r in sections.items() if "times_s" in r
             for who, t in r["times_s"].items() if len(t) > 1 and max(t) > 1.5 * min(t)]
    disturbed = [f"{sec} ({r['disturbed_rounds']} of {r['repeats']})"
                 for sec, r in sections.items() if r.get("disturbed_rounds")]
    lines = []
    if disturbed:
        lines.append("UNRELIABLE: rounds timed while other processes used the CPUs, kept for "
                     "want of time: " + ", ".join(disturbed) + ". Rerun on a quiet machine.")
    if noisy:
        lines.append("noisy (repeats differ by over 1.5x; medians absorb a few outliers): "
                     + ", ".join(noisy))
    return lines


def print_summary(card: Scorecard, guard: LoadGuard, sections: dict, elapsed: float,
                  quick: bool, missing: list[str]) -> None:
    """Print the summary: targets met, the misses, the load guard, noise, what is missing."""
    passed, counted = card.counts()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"Summary: {passed} of {counted} targets met ({elapsed:.0f} s; load average now "
          f"{load}){' [--quick]' if quick else ''}")
    for miss in card.misses:
        print(f"  MISS {miss}")
    if guard.enabled:
        print(f"  load guard: waited {guard.waited_s:.0f} s for a quiet machine, redid "
              f"{guard.rounds_redone} disturbed round(s), kept {guard.rounds_disturbed_kept} "
              "disturbed round(s) when the --max-wait budget ran out")
    speed = guard.speed
    if speed.enabled:
        print(f"  speed guard: waited or redid {speed.spent_s:.0f} s for full speed (probe "
              f"{1e3 * speed.best_s:.1f} ms at best), redid {speed.calls_redone} call(s) "
              f"run in a slow spell, kept {speed.calls_kept_slow} when its budget ran out")
    for line in _noise_lines(sections):
        print(f"  {line}")
    for name in missing:
        print(f"  ({name} is not installed: its columns are skipped)")


def _json_default(obj):
    """JSON for NumPy scalars and arrays, and tuples."""
    if isinstance(obj, (np.integer, np.floating)):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, tuple):
        return list(obj)
    raise TypeError(f"cannot save {type(obj).__name__} as JSON")


def save_json(report: dict, path: str) -> None:
    """Write the whole report (environment, sections, checks, misses) to ``path``."""
    with open(path, "w") as f:
        json.dump(report, f, indent=2, default=_json_default)
    print(f"figures saved to {path}")
