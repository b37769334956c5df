"""numpynn.sklearn against scikit-learn's MLP, side by side, in one run.

On scikit-learn's bundled data sets, each estimator runs in a ``StandardScaler`` pipeline
under 5-fold cross-validation with the same hyper-parameters (``hidden_layer_sizes=(64,)``,
``max_iter=200``, ``random_state=0``), on the same data, in the same process.  Each
cross-validation is timed ``--repeats`` times, alternating the rivals, and the fastest
time of each is kept.  Printed: mean accuracy (R² for diabetes) of both, their difference,
both times and the speed-up ratio.

Run::

    python benchmarks/sklearn_compare.py [--repeats 3] [--markdown]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_iris, load_wine
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3,
                        help="timed runs per estimator and data set (fastest kept)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
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

    header = ("data set", "metric", "scikit-learn", "numpynn", "diff", "sklearn s",
              "numpynn s", "speed-up")
    lines = []
    for name, metric, sk_score, nn_score, sk_time, nn_time in rows:
        lines.append((name, metric, f"{sk_score:.4f}", f"{nn_score:.4f}",
                      f"{nn_score - sk_score:+.4f}", f"{sk_time:.3f}", f"{nn_time:.3f}",
                      f"{sk_time / nn_time:.2f}x"))
    lines.append(("all", "", "", "", "", f"{total_sk:.3f}", f"{total_nn:.3f}",
                  f"{total_sk / total_nn:.2f}x"))
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


if __name__ == "__main__":
    main()
