"""Single-row latency: ``predict_proba`` of one row, numpynn.sklearn against MLPClassifier,
and a network's ``eval`` of one row as a (1, d) batch against the same row as a vector.

Serving predicts one row at a time, where the per-call checks and allocations cost more
than the arithmetic.  Every figure is the fastest of ``--repeats`` rounds of ``--number``
calls (microseconds per call), the rivals taking turns; the load average is printed
before and after (figures taken on a busy machine are not meaningful).

Run::

    python benchmarks/sklearn_latency.py [--features 20] [--hidden 100] [--classes 3]
"""

from __future__ import annotations

import argparse
import os
import timeit
import warnings

import numpy as np

from numpynn import NeuralNetwork


def _fastest(calls: dict, number: int, repeats: int) -> dict[str, float]:
    """Microseconds per call of each function: the fastest round, rivals in turn."""
    best = {name: float("inf") for name in calls}
    for _ in range(repeats):
        for name, call in calls.items():
            seconds = timeit.timeit(call, number=number)
            best[name] = min(best[name], seconds / number * 1e6)
    return best


def estimator_rivals(features: int, hidden: int, classes: int) -> dict:
    """``predict_proba`` of one row for MLPClassifier and numpynn's classifier."""
    from sklearn.neural_network import MLPClassifier

    from numpynn.sklearn import NeuralNetClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(1000, features))
    y = rng.integers(0, classes, 1000)
    params = dict(hidden_layer_sizes=(hidden,), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = MLPClassifier(**params).fit(X, y)
        ours = NeuralNetClassifier(**params).fit(X, y)
        ours64 = NeuralNetClassifier(dtype="preserve", **params).fit(X, y)
    row64 = X[:1].copy()
    row32 = row64.astype(np.float32)
    return {
        "MLPClassifier, float64 row": lambda: theirs.predict_proba(row64),
        "numpynn float32 model, float32 row": lambda: ours.predict_proba(row32),
        "numpynn float32 model, float64 row": lambda: ours.predict_proba(row64),
        "numpynn dtype='preserve', float64 row": lambda: ours64.predict_proba(row64),
    }


def network_rivals(features: int, hidden: int, classes: int) -> dict:
    """A network's ``eval`` of one row as a vector and as a (1, d) batch."""
    net = NeuralNetwork(features, hidden, classes, hidden_activation="relu", seed=0)
    x = np.random.default_rng(1).normal(size=features).astype(np.float32)
    X = x[None, :].copy()
    return {"eval, 1-D vector (d,)": lambda: net.eval(x),
            "eval, 2-D row (1, d)": lambda: net.eval(X)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--hidden", type=int, default=100)
    parser.add_argument("--classes", type=int, default=3)
    parser.add_argument("--number", type=int, default=2000, help="calls per round")
    parser.add_argument("--repeats", type=int, default=9, help="rounds (the fastest counts)")
    args = parser.parse_args()
    shape = (args.features, args.hidden, args.classes)
    print(f"one row through {args.features} -> {args.hidden} -> {args.classes}; "
          f"load {os.getloadavg()[0]:.2f}")
    net = _fastest(network_rivals(*shape), args.number, args.repeats)
    est = _fastest(estimator_rivals(*shape), args.number, args.repeats)
    for name, us in {**net, **est}.items():
        print(f"  {name:40s} {us:8.1f} us")
    one, row = net["eval, 1-D vector (d,)"], net["eval, 2-D row (1, d)"]
    sk = est["MLPClassifier, float64 row"]
    fast = est["numpynn float32 model, float32 row"] / sk
    preserve = est["numpynn dtype='preserve', float64 row"] / sk
    print(f"(1, d) against 1-D: {row / one:.2f}x;  predict_proba against MLPClassifier: "
          f"{fast:.2f}x (float32), {preserve:.2f}x (preserve); "
          f"load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
