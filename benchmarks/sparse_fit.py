"""Sparse input: numpynn.sklearn's classifier against MLPClassifier on a CSR matrix.

The workload of issue 13: 4,000 x 100,000 CSR, 80,000 non-zeros (20 per row), 10
classes, ``hidden_layer_sizes=(100,)``, adam, ``batch_size="auto"`` (200), the same
``random_state``.  Each rival runs in a fresh process (so that one's memory does not
count against the other): the data is built, the estimator's code is warmed up on a tiny
problem (imports; numpynn also runs Numba's kernels there, which a fit of this size
switches to in its first batch), the peak resident set is reset, and then one ``fit`` is
timed; printed are its wall time, the growth of the peak resident set during ``fit``
and the peak of NumPy's traced allocations (``tracemalloc``).  A dense float32 copy of X
would be 1.6 GB; the model itself (10 million weights) is 40 MB in float32.

Run::

    python benchmarks/sparse_fit.py [--epochs 5] [--dtype float32|float64] [--repeats 1]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import tracemalloc
import warnings

import numpy as np

ROWS, FEATURES, PER_ROW, CLASSES, HIDDEN = 4_000, 100_000, 20, 10, 100


def make_data(dtype: str):
    """The CSR matrix (4,000 x 100,000, 20 stored values a row) and 10-class labels."""
    import scipy.sparse as sp

    rng = np.random.default_rng(0)
    cols = np.concatenate([rng.choice(FEATURES, PER_ROW, replace=False) for _ in range(ROWS)])
    values = rng.random(ROWS * PER_ROW).astype(dtype)
    indptr = np.arange(0, ROWS * PER_ROW + 1, PER_ROW)
    X = sp.csr_matrix((values, cols, indptr), shape=(ROWS, FEATURES))
    teacher = rng.normal(size=(FEATURES, CLASSES))
    y = np.asarray(X @ teacher).argmax(axis=1)
    return X, y


def _estimator(who: str, epochs: int):
    params = dict(hidden_layer_sizes=(HIDDEN,), max_iter=epochs, random_state=0)
    if who == "sklearn":
        from sklearn.neural_network import MLPClassifier

        return MLPClassifier(**params)
    from numpynn.sklearn import NeuralNetClassifier

    return NeuralNetClassifier(dtype="preserve", **params)  # the input's dtype, as sklearn


def _resident() -> tuple[int, int]:
    """(current, peak) resident set of this process in bytes (Linux /proc)."""
    fields = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            fields[key] = value
    return int(fields["VmRSS"].split()[0]) * 1024, int(fields["VmHWM"].split()[0]) * 1024


def child(who: str, epochs: int, dtype: str) -> dict:
    """One rival's figures, measured in this (fresh) process."""
    X, y = make_data(dtype)
    warnings.simplefilter("ignore")
    # Imports and first calls; numpynn's run also loads (and compiles, or reads from the
    # cache) the Numba kernels that a fit of the real size switches to in its first batch.
    saved = os.environ.get("NUMPYNN_KERNELS")
    os.environ["NUMPYNN_KERNELS"] = "numba" if saved in (None, "", "auto") else saved
    _estimator(who, 2).fit(X[:300, :2000], y[:300])
    os.environ.pop("NUMPYNN_KERNELS")
    if saved is not None:
        os.environ["NUMPYNN_KERNELS"] = saved
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")  # the peak resident set starts again from the current one
    before, _ = _resident()
    tracemalloc.start()
    est = _estimator(who, epochs)
    start = time.perf_counter()
    est.fit(X, y)
    seconds = time.perf_counter() - start
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    _, peak = _resident()
    return {"who": who, "seconds": seconds, "rss_growth_mb": (peak - before) / 2**20,
            "traced_peak_mb": traced / 2**20, "loss": float(est.loss_),
            "coef_dtype": str(est.coefs_[0].dtype)}


def _run_child(who: str, epochs: int, dtype: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", who, "--epochs", str(epochs),
                          "--dtype", dtype], capture_output=True, text=True, check=True,
                         env=dict(os.environ))
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    parser.add_argument("--repeats", type=int, default=1, help="fits per rival (best time)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.epochs, args.dtype)))
        return
    print(f"{ROWS} x {FEATURES} CSR, {ROWS * PER_ROW} stored values, {args.dtype}, "
          f"{CLASSES} classes, hidden ({HIDDEN},), adam, {args.epochs} epochs; "
          f"load {os.getloadavg()[0]:.2f}")
    results = {}
    for who in ("sklearn", "numpynn"):
        runs = [_run_child(who, args.epochs, args.dtype) for _ in range(args.repeats)]
        results[who] = min(runs, key=lambda r: r["seconds"])
        r = results[who]
        print(f"{who:8s} fit {r['seconds']:7.2f} s   peak RSS +{r['rss_growth_mb']:7.1f} MB   "
              f"traced peak {r['traced_peak_mb']:7.1f} MB   loss {r['loss']:.6f}   "
              f"coefs_ {r['coef_dtype']}")
    ours, theirs = results["numpynn"], results["sklearn"]
    print(f"numpynn / sklearn: time {ours['seconds'] / theirs['seconds']:.2f}x, "
          f"peak RSS growth {ours['rss_growth_mb'] / theirs['rss_growth_mb']:.2f}x, "
          f"traced peak {ours['traced_peak_mb'] / theirs['traced_peak_mb']:.2f}x; "
          f"load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
