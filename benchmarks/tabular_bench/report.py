"""The tables: figures per data set and model (mean +- standard deviation over the splits),
the targets (numpynn against the MLP pipeline and against HistGradientBoosting), and the
ablation."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

from .datasets import Dataset
from .suite import Score, SuiteResult

__all__ = ["results_table", "targets_table", "ablation_table", "error_floor"]


def _mean_std(values: Sequence[float]) -> tuple[float, float]:
    values = list(values)
    return statistics.fmean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


def _figure(values: Sequence[float], digits: int) -> str:
    mean, std = _mean_std(values)
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def error_floor(scores: Sequence[Score]) -> float:
    """Classification errors are floored at half a test row (an error of 0 on a small
    test set says little, and would make a ratio infinite)."""
    if scores and scores[0].accuracy is not None:
        return 0.5 / statistics.fmean(s.test_rows for s in scores)
    return 0.0


def mean_error(scores: Sequence[Score]) -> float:
    return max(statistics.fmean(s.error for s in scores), error_floor(scores))


def results_table(result: SuiteResult, datasets: Sequence[Dataset], models: Sequence[str]
                  ) -> str:
    """Markdown: per data set and model, accuracy and log-loss (or RMSE) and fit seconds."""
    lines = ["| data set | rows | model | accuracy | log-loss | RMSE | fit s |",
             "|---|---:|---|---:|---:|---:|---:|"]
    for d in datasets:
        for m in models:
            scores = result.of(d.name, m)
            if not scores:
                continue
            rows = scores[0].test_rows * 4
            if d.task == "classification":
                acc = _figure([s.accuracy for s in scores], 4)
                loss = _figure([s.log_loss for s in scores], 4)
                rmse = ""
            else:
                acc = loss = ""
                rmse = _figure([s.rmse for s in scores], 4 if scores[0].rmse < 10 else 1)
            secs = statistics.fmean(s.seconds for s in scores)
            lines.append(f"| {d.name} | ~{rows} | {m} | {acc} | {loss} | {rmse} | {secs:.1f} |")
    return "\n".join(lines)


def targets_table(result: SuiteResult, datasets: Sequence[Dataset], ours: str = "numpynn",
                  mlp: str = "sklearn MLP", boosting: str = "HistGB") -> tuple[str, dict]:
    """Markdown: numpynn's error over the MLP pipeline's and over HistGB's per data set,
    and the geometric mean of the second ratio; also the figures as a dict."""
    lines = [f"| data set | error {ours} | error {mlp} | error {boosting} | "
             f"{ours} / {mlp} | {ours} / {boosting} |", "|---|---:|---:|---:|---:|---:|"]
    logs, beat_mlp = [], []
    for d in datasets:
        e = {m: mean_error(result.of(d.name, m)) for m in (ours, mlp, boosting)
             if result.of(d.name, m)}
        if len(e) < 3:
            continue
        r_mlp = e[ours] / e[mlp] if e[mlp] > 0 else math.inf
        r_hgb = e[ours] / e[boosting] if e[boosting] > 0 else math.inf
        logs.append(math.log(r_hgb))
        beat_mlp.append(r_mlp <= 1.0)
        mark = "" if r_mlp <= 1.0 else f" (MISS{_rows_apart(result, d, ours, mlp)})"
        lines.append(f"| {d.name} | {e[ours]:.4g} | {e[mlp]:.4g} | {e[boosting]:.4g} | "
                     f"{r_mlp:.3f}{mark} | {r_hgb:.3f} |")
    geo = math.exp(statistics.fmean(logs)) if logs else math.nan
    summary = {"geomean_vs_boosting": geo, "beats_mlp_everywhere": all(beat_mlp),
               "datasets": len(logs), "mlp_misses": beat_mlp.count(False)}
    lines.append(f"| **geometric mean** | | | | {sum(beat_mlp)}/{len(beat_mlp)} at most 1 | "
                 f"**{geo:.3f}** |")
    return "\n".join(lines), summary


def _rows_apart(result: SuiteResult, dataset: Dataset, ours: str, mlp: str) -> str:
    """For classes: how many more test rows ``ours`` got wrong than ``mlp`` over all the
    splits (a miss of one or two rows is within the splits' noise)."""
    if dataset.task != "classification":
        return ""
    wrong = {m: round(sum(s.error * s.test_rows for s in result.of(dataset.name, m)))
             for m in (ours, mlp)}
    rows = sum(s.test_rows for s in result.of(dataset.name, ours))
    return f" by {wrong[ours] - wrong[mlp]} of {rows} test rows"


def ablation_table(result: SuiteResult, datasets: Sequence[Dataset], variants: Sequence[str],
                   base: str) -> str:
    """Markdown: each variant's geometric-mean error (and log-loss) relative to the full
    recipe; above 1 means the switched-off ingredient helps."""
    lines = ["| variant | error / recipe (geo. mean) | log-loss / recipe (classif.) | "
             "worse on | better on | mean fit s |", "|---|---:|---:|---:|---:|---:|"]
    for v in variants:
        ratios, loss_ratios, worse, better, secs = [], [], 0, 0, []
        for d in datasets:
            mine, ref = result.of(d.name, v), result.of(d.name, base)
            if not mine or not ref:
                continue
            r = mean_error(mine) / mean_error(ref)
            ratios.append(math.log(r))
            worse += r > 1.0 + 1e-9
            better += r < 1.0 - 1e-9
            secs += [s.seconds for s in mine]
            if d.task == "classification":
                loss_ratios.append(math.log(statistics.fmean(s.log_loss for s in mine)
                                            / statistics.fmean(s.log_loss for s in ref)))
        if not ratios:
            continue
        geo = math.exp(statistics.fmean(ratios))
        geo_loss = math.exp(statistics.fmean(loss_ratios)) if loss_ratios else math.nan
        lines.append(f"| {v} | {geo:.3f} | {geo_loss:.3f} | {worse} | {better} | "
                     f"{statistics.fmean(secs):.1f} |")
    return "\n".join(lines)
