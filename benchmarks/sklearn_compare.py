"""numpynn.sklearn against scikit-learn's MLP, side by side, in one run.

On scikit-learn's bundled data sets, each estimator runs in a ``StandardScaler`` pipeline
under 5-fold cross-validation with the same hyper-parameters (``hidden_layer_sizes=(64,)``,
``max_iter=200``, ``random_state=0``), on the same data, in the same process.  Each
cross-validation is timed ``--repeats`` times, alternating the rivals, and the fastest
time of each is kept.  Printed: mean accuracy (R² for diabetes) of both, their difference,
both times and the speed-up ratio.

``--large`` adds a bigger synthetic problem (20,000 x 50, five classes, hidden layers
(128, 64), 20 epochs, one train/test split) to show the ratio where the matrix products
dominate.

Run::

    python benchmarks/sklearn_compare.py [--repeats 3] [--markdown] [--large]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings

import numpy as np
import sklearn
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
    make_classification,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import cross_val_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from numpynn.sklearn import NeuralNetClassifier, NeuralNetRegressor

PARAMS = dict(hidden_layer_sizes=(64,), max_iter=200, random_state=0)

DATASETS = [
    ("digits", load_digits, "classifier"),
    ("breast_cancer", load_breast_cancer, "classifier"),
    ("wine", load_wine, "classifier"),
    ("iris", load_iris, "classifier"),
    ("diabetes", load_diabetes, "regressor"),
]


def run_cv(estimator_class, X, y) -> tuple[float, float]:
    """Mean 5-fold CV score and the wall time of the whole cross-validation."""
    pipeline = make_pipeline(StandardScaler(), estimator_class(**PARAMS))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        scores = cross_val_score(pipeline, X, y, cv=5)
        elapsed = time.perf_counter() - start
    return float(np.mean(scores)), elapsed


def run_large(estimator_class) -> tuple[float, float]:
    """Test accuracy and fit time on a bigger synthetic problem."""
    X, y = make_classification(n_samples=20000, n_features=50, n_informative=30, n_classes=5,
                               random_state=0)
    estimator = estimator_class(hidden_layer_sizes=(128, 64), max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        estimator.fit(X[:16000], y[:16000])
        elapsed = time.perf_counter() - start
    return float(estimator.score(X[16000:], y[16000:])), elapsed


def time_pair(run, rival, ours, repeats: int) -> tuple[float, float, float, float]:
    """Run ``run(rival)`` and ``run(ours)`` in turns, ``repeats`` times.

    Returns
    -------
    tuple of float
        (sklearn's score, numpynn's score, sklearn's fastest time, numpynn's fastest time);
        the scores of the last run (every run is seeded alike).
    """
    sk_times, nn_times = [], []
    for _ in range(max(1, repeats)):
        sk_score, t = run(rival)
        sk_times.append(t)
        nn_score, t = run(ours)
        nn_times.append(t)
    return sk_score, nn_score, min(sk_times), min(nn_times)


def format_row(name: str, metric: str, sk_score: float, nn_score: float, sk_time: float,
               nn_time: float) -> tuple[str, ...]:
    """One table row: the scores, their difference, both times and the speed-up."""
    return (name, metric, f"{sk_score:.4f}", f"{nn_score:.4f}", f"{nn_score - sk_score:+.4f}",
            f"{sk_time:.3f}", f"{nn_time:.3f}", f"{sk_time / nn_time:.2f}x")


def compare_datasets(repeats: int) -> list[tuple[str, ...]]:
    """The rows of the bundled data sets, then the ``all`` row with the total times."""
    lines = []
    total_sk = total_nn = 0.0
    for name, loader, kind in DATASETS:
        X, y = loader(return_X_y=True)
        rival, ours = ((MLPClassifier, NeuralNetClassifier) if kind == "classifier"
                       else (MLPRegressor, NeuralNetRegressor))
        sk_score, nn_score, sk_time, nn_time = time_pair(
            lambda cls, X=X, y=y: run_cv(cls, X, y), rival, ours, repeats)
        total_sk += sk_time
        total_nn += nn_time
        lines.append(format_row(name, "R2" if kind == "regressor" else "accuracy", sk_score,
                                nn_score, sk_time, nn_time))
    lines.append(("all", "", "", "", "", f"{total_sk:.3f}", f"{total_nn:.3f}",
                  f"{total_sk / total_nn:.2f}x"))
    return lines


def print_table(header: tuple[str, ...], lines: list[tuple[str, ...]], markdown: bool) -> None:
    """The rows as a Markdown table, or right-aligned plain text."""
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join("---" for _ in header) + "|")
        for line in lines:
            print("| " + " | ".join(line) + " |")
        return
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]
    print("  ".join(h.rjust(w) for h, w in zip(header, widths)))
    for line in lines:
        print("  ".join(c.rjust(w) for c, w in zip(line, widths)))


def main() -> None:
    """Parse the options, compare, print the table and the setup."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3,
                        help="timed runs per estimator and data set (fastest kept)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--large", action="store_true",
                        help="add a 20,000-row synthetic problem (not in the total)")
    args = parser.parse_args()

    lines = compare_datasets(args.repeats)
    if args.large:
        lines.append(format_row("synthetic 20k (128, 64)", "accuracy",
                                *time_pair(run_large, MLPClassifier, NeuralNetClassifier,
                                           args.repeats)))
    header = ("data set", "metric", "scikit-learn", "numpynn", "diff", "sklearn s",
              "numpynn s", "speed-up")
    print_table(header, lines, args.markdown)
    print(f"\n{PARAMS}, StandardScaler pipeline, 5-fold CV; times: fastest of "
          f"{args.repeats} runs of the whole cross-validation, same process, same data.")
    print(f"scikit-learn {sklearn.__version__}, NumPy {np.__version__}, Python "
          f"{platform.python_version()}, {os.cpu_count()} CPUs ({platform.machine()})")


if __name__ == "__main__":
    main()
