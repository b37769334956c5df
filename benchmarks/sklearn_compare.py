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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3,
                        help="timed runs per estimator and data set (fastest kept)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--large", action="store_true",
                        help="add a 20,000-row synthetic problem (not in the total)")
    args = parser.parse_args()

    rows = []
    total_sk = total_nn = 0.0
    for name, loader, kind in DATASETS:
        X, y = loader(return_X_y=True)
        rival, ours = ((MLPClassifier, NeuralNetClassifier) if kind == "classifier"
                       else (MLPRegressor, NeuralNetRegressor))
        sk_times, nn_times = [], []
        for _ in range(max(1, args.repeats)):
            sk_score, t = run_cv(rival, X, y)
            sk_times.append(t)
            nn_score, t = run_cv(ours, X, y)
            nn_times.append(t)
        sk_time, nn_time = min(sk_times), min(nn_times)
        total_sk += sk_time
        total_nn += nn_time
        rows.append((name, "R2" if kind == "regressor" else "accuracy", sk_score, nn_score,
                     sk_time, nn_time))

    if args.large:
        sk_times, nn_times = [], []
        for _ in range(max(1, args.repeats)):
            sk_score, t = run_large(MLPClassifier)
            sk_times.append(t)
            nn_score, t = run_large(NeuralNetClassifier)
            nn_times.append(t)
        large_row = ("synthetic 20k (128, 64)", "accuracy", sk_score, nn_score,
                     min(sk_times), min(nn_times))

    header = ("data set", "metric", "scikit-learn", "numpynn", "diff", "sklearn s",
              "numpynn s", "speed-up")
    lines = []
    for name, metric, sk_score, nn_score, sk_time, nn_time in rows:
        lines.append((name, metric, f"{sk_score:.4f}", f"{nn_score:.4f}",
                      f"{nn_score - sk_score:+.4f}", f"{sk_time:.3f}", f"{nn_time:.3f}",
                      f"{sk_time / nn_time:.2f}x"))
    lines.append(("all", "", "", "", "", f"{total_sk:.3f}", f"{total_nn:.3f}",
                  f"{total_sk / total_nn:.2f}x"))
    if args.large:
        name, metric, sk_score, nn_score, sk_time, nn_time = large_row
        lines.append((name, metric, f"{sk_score:.4f}", f"{nn_score:.4f}",
                      f"{nn_score - sk_score:+.4f}", f"{sk_time:.3f}", f"{nn_time:.3f}",
                      f"{sk_time / nn_time:.2f}x"))
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join("---" for _ in header) + "|")
        for line in lines:
            print("| " + " | ".join(line) + " |")
    else:
        widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]
        print("  ".join(h.rjust(w) for h, w in zip(header, widths)))
        for line in lines:
            print("  ".join(c.rjust(w) for c, w in zip(line, widths)))
    print(f"\n{PARAMS}, StandardScaler pipeline, 5-fold CV; times: fastest of "
          f"{args.repeats} runs of the whole cross-validation, same process, same data.")
    print(f"scikit-learn {sklearn.__version__}, NumPy {np.__version__}, Python "
          f"{platform.python_version()}, {os.cpu_count()} CPUs ({platform.machine()})")


if __name__ == "__main__":
    main()
