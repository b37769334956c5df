"""The first fit in a fresh process: numpynn against scikit-learn's MLPClassifier and PyTorch.

A script that trains one small model pays the import, any compilation and one fit; a
long-lived process pays those once and then only the fit.  For each rival and network this
starts ``--processes`` fresh Python processes, each timing its imports, its first
one-epoch fit and (after that) a second one-epoch fit of a fresh model, and prints the
medians and the ratios to numpynn.  The workloads and settings are those of
``benchmarks/run.py`` (Adam, lr 1e-3, batch 200, float32, shuffling).

Run::

    python benchmarks/first_fit.py [--processes 5] [--only 3-4-2,64-100-10]
    python benchmarks/first_fit.py --src ../old-checkout/src   # numpynn from elsewhere
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from numpynn_bench.workloads import BATCH, LEARNING_RATE, SEED, TRAINING_WORKLOADS  # noqa: E402

RIVALS = ("numpynn", "sklearn", "torch")

# The child: import, fit once, fit a fresh model once more; prints one JSON line.  It is
# source text (run with ``python -c``) so that nothing of this process leaks into it.
CHILD = r"""
import json, sys, time
who, rows, sizes, batch, lr, seed = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), \
    int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
start = time.perf_counter()
import numpy as np
rng = np.random.default_rng(seed)
X = rng.standard_normal((rows, sizes[0])).astype(np.float32)
y = (X @ rng.standard_normal((sizes[0], sizes[-1]))).argmax(axis=1)
if who == "numpynn":
    import numpynn
    def fit():
        net = numpynn.NeuralNetwork(*sizes, hidden_activation="relu",
                                    output_activation="softmax", seed=seed)
        net.fit(X, y, epochs=1, batch_size=batch, optimizer="adam", learning_rate=lr,
                shuffle=True, seed=seed)
elif who == "sklearn":
    import warnings
    from sklearn.neural_network import MLPClassifier
    def fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            MLPClassifier(tuple(sizes[1:-1]), solver="adam", alpha=0.0, batch_size=batch,
                          learning_rate_init=lr, max_iter=1, random_state=seed).fit(X, y)
else:
    import torch
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    def fit():
        torch.manual_seed(seed)
        layers = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
        model = torch.nn.Sequential(*layers[:-1])
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        loss_fn = torch.nn.CrossEntropyLoss()
        for rows_ in torch.randperm(len(Xt)).split(batch):
            optimizer.zero_grad()
            loss_fn(model(Xt[rows_]), yt[rows_]).backward()
            optimizer.step()
imported = time.perf_counter()
fit()
first = time.perf_counter()
fit()
second = time.perf_counter()
print(json.dumps({"import": imported - start, "first": first - imported,
                  "second": second - first}))
"""


def child_times(who: str, name: str, src: str | None) -> dict[str, float]:
    """Seconds for the imports, the first fit and the second fit, in one fresh process."""
    rows, sizes = TRAINING_WORKLOADS[name]
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
    args = [sys.executable, "-c", CHILD, who, str(rows), json.dumps(list(sizes)), str(BATCH),
            str(LEARNING_RATE), str(SEED)]
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise SystemExit(f"{who} on {name} failed: {last}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def available(who: str) -> bool:
    """Whether the rival's library imports here (numpynn always does)."""
    module = {"numpynn": "numpy", "sklearn": "sklearn", "torch": "torch"}[who]
    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True,
                          check=False)
    return done.returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=5, help="fresh processes per rival")
    parser.add_argument("--only", default="3-4-2,64-100-10", help="comma-separated workloads")
    parser.add_argument("--src", help="put this directory first on numpynn's PYTHONPATH")
    options = parser.parse_args()
    names = options.only.split(",")
    unknown = [n for n in names if n not in TRAINING_WORKLOADS]
    if unknown or options.processes < 1:
        parser.error(f"unknown workload {unknown}" if unknown else "--processes must be >= 1")
    rivals = [who for who in RIVALS if available(who)]
    print(f"first one-epoch fit in a fresh process, median of {options.processes} processes; "
          f"load {os.getloadavg()[0]:.2f}; numpynn from {options.src or 'the installed copy'}")
    print("| net | rival | import ms | first fit ms | second fit ms | first fit / numpynn's |")
    print("|---|---|---:|---:|---:|---:|")
    for name in names:
        medians = {}
        for who in rivals:
            runs = [child_times(who, name, options.src) for _ in range(options.processes)]
            medians[who] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        for who in rivals:
            m = medians[who]
            ratio = m["first"] / medians["numpynn"]["first"]
            print(f"| {name} | {who} | {1e3 * m['import']:.0f} | {1e3 * m['first']:.1f} | "
                  f"{1e3 * m['second']:.2f} | {ratio:.3g}x |")
    print(f"load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
