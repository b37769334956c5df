#!/usr/bin/env python
"""numpynn against scikit-learn, PyTorch and the matrix-product floor, side by side.

Run from the repository root::

    python benchmarks/run.py                 # everything, about 3-5 minutes on 2 cores
    python benchmarks/run.py --quick         # fewer repeats, smaller arrays (a minute)
    python benchmarks/run.py --only 64-100-10,eval1 --json out.json

Every rival runs in this one process, on the same float32 data, with the same architecture,
the same initial weights, Adam with the same learning rate, batch 200, shuffling on, ReLU
hidden layers and softmax + cross-entropy.  After two warm-up epochs, each timed repeat is
one epoch, or for the tiny 3-4-2 workload as many epochs back to back as fill 25 ms (the
same rule for every rival; the figure is per epoch); the rivals take turns within each
repeat (rotating order) so that noise from other work on the machine falls on all of them
alike; figures are medians over the repeats.

Sections (names for ``--only``):

  64-100-10, 256-512-512-10, 3-4-2   one training epoch (ms)
  eval1    single-sample eval of the article's 3-4-2 net (us)
  infer    batch inference, 1,000,000 x 64 rows through 64-100-10 (ms)
  memory   peak memory of fit on 1,000,000 x 64 float32, above the input array (MB)

The matrix-product floor is the time of the matrix products alone, in float32, on the same
shapes, into preallocated outputs: per batch the forward product of every layer and the two
backward products of every layer (``dW = A.T @ delta`` and the delta for the layer below;
the first layer needs none).  Nothing real can be faster than it with the same BLAS.

The exit status is 0 even when targets are missed (this is a report); the summary lists
the misses.  The script never changes BLAS settings.  OpenBLAS reads OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE at load time; to compare with them unset, unset them for the command:
``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/run.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
import timeit
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

import numpynn
from numpynn import NeuralNetwork
from numpynn.training import Trainer, check_training_data

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import article_loops  # noqa: E402  (the article's loop code, next to this file)

try:
    import sklearn
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
except ImportError:  # pragma: no cover - depends on the environment
    sklearn = None

try:
    import torch
except ImportError:  # pragma: no cover - depends on the environment
    torch = None

try:
    import threadpoolctl
except ImportError:  # pragma: no cover - depends on the environment
    threadpoolctl = None

LEARNING_RATE = 1e-3
BATCH = 200
SEED = 0

# name -> (rows, layer sizes); the last size is the number of classes.
TRAINING_WORKLOADS = {
    "64-100-10": (20_000, (64, 100, 10)),
    "256-512-512-10": (20_000, (256, 512, 512, 10)),
    "3-4-2": (2_000, (3, 4, 2)),
}
BIG_WORKLOADS = {"256-512-512-10"}
# A timed repeat lasts at least this long: faster calls run several times in a row.
MIN_TIMED_S = 0.025
# A pause before every timed repeat: BLAS and OpenMP worker threads keep spinning on the
# cores for up to about 0.1 s after a call (OpenBLAS's THREAD_TIMEOUT), so without it one
# rival's leftover spinning slows the next rival's two-core work (measured: numpynn's
# inference 200 ms right after a two-thread matmul, 160 ms after a 0.2 s pause).
PAUSE_S = 0.2
SECTIONS = (*TRAINING_WORKLOADS, "eval1", "infer", "memory")

# Targets.  "faster" ratios are rival time / numpynn time (bigger is better); "floor"
# ratios are numpynn time / floor time (smaller is better).
TRAINING_TARGETS = {
    "64-100-10": {"sklearn": 4.0, "torch": 3.0, "floor": 2.0},
    "256-512-512-10": {"sklearn": 2.5, "torch": 1.5, "floor": 1.35},
    "3-4-2": {"sklearn": 8.0, "torch": 8.0},
}
EVAL1_TARGETS = {"torch": 2.0, "article loops": 2.0}
INFER_TARGETS = {"sklearn": 1.3, "floor": 1.5}
MEMORY_TARGET = (0.10, 50.0)  # fraction of the input, plus MB

# What the issue measured earlier on the reference machine, for orientation only.
EARLIER = {
    "64-100-10": {"sklearn": 79.0, "torch": 75.0, "floor": 8.0},
    "256-512-512-10": {"sklearn": 949.0, "torch": 572.0, "floor": 263.0},
    "3-4-2": {"sklearn": 5.1, "torch": 9.4, "floor": 0.2},
    "eval1": {"article loops": 30.0, "naive numpy": 16.0, "torch": 35.0},
}


# ---------------------------------------------------------------------------- helpers
@contextlib.contextmanager
def kernel_choice(choice: str):
    """Run with NUMPYNN_KERNELS set to ``choice`` (see numpynn._kernels)."""
    before = os.environ.get("NUMPYNN_KERNELS")
    os.environ["NUMPYNN_KERNELS"] = choice
    try:
        yield
    finally:
        if before is None:
            del os.environ["NUMPYNN_KERNELS"]
        else:
            os.environ["NUMPYNN_KERNELS"] = before


def median(xs: list[float]) -> float:
    return float(statistics.median(xs))


def fmt_ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1e3:.1f}" if seconds >= 0.01 \
        else f"{seconds * 1e3:.2f}"


def fmt_us(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1e6:.1f}"


class LoadGuard:
    """Keeps other work on a shared machine out of the figures, as far as it can.

    Before each round of timings it waits (within a total budget) until the CPUs are
    mostly idle apart from this process, and it measures the CPU time that *other*
    processes took during the round (from /proc/stat, minus this process's own CPU
    time); a round of at least 0.2 s during which they took more than ``threshold`` of
    the machine is thrown away and run again, while the budget lasts.  All rivals are in
    every round, so this treats them alike.  Linux only; elsewhere it does nothing.
    """

    def __init__(self, budget_s: float, threshold: float = 0.2) -> None:
        self.budget_s = budget_s
        self.threshold = threshold
        self.waited_s = 0.0
        self.rounds_redone = 0
        self.rounds_disturbed_kept = 0
        self.tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self.enabled = budget_s > 0 and self._sample() is not None

    def _sample(self) -> tuple[float, float, float] | None:
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
    def foreign(a, b) -> float:
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
            if self.waited_s + took > self.budget_s:
                self.rounds_disturbed_kept += 1
                return result
            self.waited_s += took
            self.rounds_redone += 1


GUARD = LoadGuard(0.0)


def time_interleaved(
    funcs: dict[str, Callable[[], object]], repeats: int, warmup: bool = True
) -> dict[str, list[float]]:
    """Seconds per call of each function, ``repeats`` times each.

    Two warm-up calls each (the first may compile or fill caches), then in every repeat
    (a round) each function runs once, in an order that rotates from round to round, so
    that slow spells on a shared machine are spread over all rivals rather than landing on
    one.  A function faster than MIN_TIMED_S runs several times back to back in each
    timed repeat (as timeit does), and the time per call is the total over the count: a
    sub-millisecond call timed alone right after ``gc.collect()`` measures the caches the
    collector has just flushed more than the call itself.
    """
    names = list(funcs)
    calls = dict.fromkeys(names, 1)
    if warmup:
        for name in names:
            funcs[name]()
            t0 = time.perf_counter()
            funcs[name]()
            took = time.perf_counter() - t0
            calls[name] = max(1, math.ceil(MIN_TIMED_S / max(took, 1e-9)))
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        k = r % len(names)

        def one_round(order=names[k:] + names[:k]) -> dict[str, float]:
            got = {}
            for name in order:
                f, count = funcs[name], calls[name]
                gc.collect()
                time.sleep(PAUSE_S)
                t0 = time.perf_counter()
                for _ in range(count):
                    f()
                got[name] = (time.perf_counter() - t0) / count
            return got

        for name, t in GUARD.run_round(one_round).items():
            times[name].append(t)
    return times


def time_small_interleaved(
    funcs: dict[str, Callable[[], object]], repeats: int, seconds_per_repeat: float = 0.15
) -> dict[str, list[float]]:
    """Seconds per call of fast functions: timeit loops sized to ``seconds_per_repeat``."""
    timers = {}
    for name, f in funcs.items():
        timer = timeit.Timer(f)
        number, took = timer.autorange()  # also warms up
        timers[name] = (timer, max(1, int(number * seconds_per_repeat / max(took, 1e-9))))
    times: dict[str, list[float]] = {name: [] for name in funcs}
    names = list(funcs)
    for r in range(repeats):
        k = r % len(names)

        def one_round(order=names[k:] + names[:k]) -> dict[str, float]:
            got = {}
            for name in order:
                timer, number = timers[name]
                time.sleep(PAUSE_S)
                got[name] = timer.timeit(number) / number
            return got

        for name, t in GUARD.run_round(one_round).items():
            times[name].append(t)
    return times


def check(label: str, value: float | None, target: float, bigger_is_better: bool,
          misses: list[str], results: list[dict]) -> str:
    """Format 'value (target) PASS/MISS' and record it."""
    if value is None:
        results.append({"label": label, "value": None, "target": target, "pass": None})
        return "-"
    ok = value >= target if bigger_is_better else value <= target
    sign = ">=" if bigger_is_better else "<="
    results.append({"label": label, "value": value, "target": target,
                    "bigger_is_better": bigger_is_better, "pass": ok})
    if not ok:
        misses.append(f"{label}: {value:.2f}x, target {sign} {target:g}x")
    return f"{value:5.2f}x ({sign}{target:g}) {'PASS' if ok else 'MISS'}"


def make_data(rows: int, sizes: tuple[int, ...], seed: int = SEED) -> tuple[np.ndarray,
                                                                            np.ndarray]:
    """float32 Gaussian inputs and int64 labels from a random linear teacher."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((rows, sizes[0]), dtype=np.float32)
    teacher = rng.standard_normal((sizes[0], sizes[-1]), dtype=np.float32)
    y = np.empty(rows, dtype=np.int64)
    block = 65_536  # blocks keep the temporary small (matters for the memory child)
    for start in range(0, rows, block):
        scores = X[start:start + block] @ teacher
        scores += rng.standard_normal(scores.shape, dtype=np.float32)
        y[start:start + block] = scores.argmax(axis=1)
    return X, y


def torch_model(sizes: tuple[int, ...], weights: list[np.ndarray], biases: list[np.ndarray],
                hidden: str = "relu", softmax: bool = False):
    """A plain Sequential of Linear / ReLU with the given (fan_in, fan_out) weights."""
    layers: list = []
    for i, (w, b) in enumerate(zip(weights, biases)):
        lin = torch.nn.Linear(w.shape[0], w.shape[1])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(w.T)))
            lin.bias.copy_(torch.from_numpy(np.asarray(b)))
        layers.append(lin)
        if i < len(weights) - 1:
            layers.append(torch.nn.ReLU() if hidden == "relu" else torch.nn.LeakyReLU(0.01))
    if softmax:
        layers.append(torch.nn.Softmax(dim=-1))
    return torch.nn.Sequential(*layers)


def sklearn_model(sizes: tuple[int, ...], X: np.ndarray, y: np.ndarray, classes: int,
                  weights: list[np.ndarray], biases: list[np.ndarray]):
    """An initialised MLPClassifier (one partial_fit on one batch), then numpynn's initial
    weights copied in where the shapes agree (sklearn's binary case has one logistic output
    instead of two softmax outputs, so there the output layer keeps sklearn's own)."""
    clf = MLPClassifier(
        hidden_layer_sizes=sizes[1:-1], activation="relu", solver="adam", alpha=0.0,
        batch_size=BATCH, learning_rate_init=LEARNING_RATE, max_iter=1, shuffle=True,
        tol=0.0, n_iter_no_change=10**9, random_state=SEED,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.partial_fit(X[:BATCH], y[:BATCH], classes=np.arange(classes))
    for layer, (w, b) in enumerate(zip(weights, biases)):
        if clf.coefs_[layer].shape == w.shape:
            clf.coefs_[layer][...] = w
            clf.intercepts_[layer][...] = b
    return clf


def floor_epoch_fn(X: np.ndarray, weights: list[np.ndarray], batch: int = BATCH):
    """One epoch of the matrix products alone, into preallocated float32 outputs."""
    rng = np.random.default_rng(1)
    W = [np.ascontiguousarray(w, dtype=np.float32) for w in weights]
    WT = [w.T for w in W]  # a view, like the library's
    Z = [np.empty((batch, w.shape[1]), dtype=np.float32) for w in W]
    D = [rng.standard_normal((batch, w.shape[1]), dtype=np.float32) for w in W]
    G = [np.empty_like(w) for w in W]
    below = [np.empty((batch, w.shape[0]), dtype=np.float32) for w in W]
    n = X.shape[0] - X.shape[0] % batch
    layers = range(len(W))
    back = range(len(W) - 1, -1, -1)
    matmul = np.matmul

    def epoch() -> None:
        for start in range(0, n, batch):
            a = X[start:start + batch]
            inputs = [a]
            for i in layers:
                matmul(inputs[i], W[i], out=Z[i])
                inputs.append(Z[i])
            for i in back:
                matmul(inputs[i].T, D[i], out=G[i])
                if i:
                    matmul(D[i], WT[i], out=below[i])

    return epoch


def torch_floor_epoch_fn(X: np.ndarray, weights: list[np.ndarray], batch: int = BATCH):
    """The same matrix products through torch.mm (its own GEMM), for context only."""
    W = [torch.from_numpy(np.ascontiguousarray(w, dtype=np.float32)) for w in weights]
    Xt = torch.from_numpy(X)
    Z = [torch.empty(batch, w.shape[1]) for w in W]
    D = [torch.randn(batch, w.shape[1]) for w in W]
    G = [torch.empty(w.shape) for w in W]
    below = [torch.empty(batch, w.shape[0]) for w in W]
    n = X.shape[0] - X.shape[0] % batch
    back = range(len(W) - 1, -1, -1)

    def epoch() -> None:
        with torch.no_grad():
            for start in range(0, n, batch):
                inputs = [Xt[start:start + batch]]
                for i in range(len(W)):
                    torch.mm(inputs[i], W[i], out=Z[i])
                    inputs.append(Z[i])
                for i in back:
                    torch.mm(inputs[i].T, D[i], out=G[i])
                    if i:
                        torch.mm(D[i], W[i].T, out=below[i])

    return epoch


# ---------------------------------------------------------------------------- environment
def environment() -> dict:
    env: dict = {}
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        cpu = platform.processor() or "unknown"
    env["cpu"] = cpu
    env["cores"] = os.cpu_count()
    try:
        env["cores_usable"] = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        env["cores_usable"] = env["cores"]
    env["python"] = platform.python_version()
    env["numpy"] = np.__version__
    env["numpynn"] = numpynn.__version__
    env["sklearn"] = sklearn.__version__ if sklearn else None
    env["torch"] = torch.__version__ if torch else None
    from numpynn import _kernels

    compiled = _kernels.kernels()
    env["kernels"] = (f"numba {compiled.numba.__version__}" if compiled is not None
                      else "numpy (Numba not installed, or NUMPYNN_KERNELS=numpy)")
    if torch:
        env["torch_threads"] = torch.get_num_threads()
        env["torch_interop_threads"] = torch.get_num_interop_threads()
    try:
        root = HERE.parent
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root,
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=root,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        env["git"] = head + (" (src/ has uncommitted changes)" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        env["git"] = None
    env["blas"] = []
    if threadpoolctl:
        for info in threadpoolctl.threadpool_info():
            env["blas"].append({k: info.get(k) for k in (
                "user_api", "internal_api", "prefix", "version", "num_threads",
                "threading_layer", "architecture", "coretype") if info.get(k) is not None})
    env["OPENBLAS_CORETYPE"] = os.environ.get("OPENBLAS_CORETYPE")
    env["OPENBLAS_L2_SIZE"] = os.environ.get("OPENBLAS_L2_SIZE")
    env["load_average_at_start"] = os.getloadavg()
    return env


def print_environment(env: dict) -> None:
    print("numpynn benchmarks (benchmarks/run.py)")
    print(f"  CPU      {env['cpu']}, {env['cores']} cores ({env['cores_usable']} usable)")
    print(f"  versions python {env['python']}, numpy {env['numpy']}, numpynn {env['numpynn']}"
          f" (git {env['git']}), scikit-learn {env['sklearn'] or 'not installed'},"
          f" torch {env['torch'] or 'not installed'}")
    print(f"  kernels  {env['kernels']} (numpynn's training loops; see numpynn._kernels)")
    if torch:
        print(f"  torch    {env['torch_threads']} intra-op threads (its default, not changed), "
              f"{env['torch_interop_threads']} inter-op")
    if threadpoolctl:
        for b in env["blas"]:
            extra = ", ".join(f"{k}={b[k]}" for k in ("architecture", "coretype",
                                                       "threading_layer") if k in b)
            print(f"  pool     {b.get('user_api')}/{b.get('internal_api')} {b.get('version')}"
                  f" num_threads={b.get('num_threads')} {extra}  [{b.get('prefix')}]")
    else:
        print("  pool     threadpoolctl not installed: BLAS details unknown")
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        value = env[var]
        print(f"  env      {var}={value!r}" if value is not None else f"  env      {var} unset")
    if env.get("threads_option"):
        print(f"  threads  --threads {env['threads_option']}: every pool above and torch "
              "limited to that many (after the listing)")
    load = ", ".join(f"{x:.2f}" for x in env["load_average_at_start"])
    print(f"  load     {load} (1/5/15 min; other work on the machine inflates every figure)")
    print(f"  setup    float32 data, Adam lr={LEARNING_RATE:g}, batch {BATCH}, shuffle on, "
          "ReLU hidden, softmax + cross-entropy, same initial weights; medians of repeats")
    print()


# ---------------------------------------------------------------------------- training
def bench_training(name: str, repeats: int, torch_adam: str) -> dict:
    rows, sizes = TRAINING_WORKLOADS[name]
    classes = sizes[-1]
    X, y = make_data(rows, sizes)
    net = NeuralNetwork(*sizes, hidden_activation="relu", output_activation="softmax",
                        seed=SEED)
    w0 = [w.copy() for w in net.weights]
    b0 = [b.copy() for b in net.biases]
    theta0 = net.get_weights()
    funcs: dict[str, Callable[[], object]] = {}
    notes: list[str] = []

    # numpynn: one Trainer.train_epoch on an already-built network and trainer (the data is
    # checked once, outside the timing, as fit does once per call).
    data = check_training_data(net, X, y)
    trainer = Trainer(net, "adam", learning_rate=LEARNING_RATE, batch_size=BATCH,
                      shuffle=True, seed=SEED)
    funcs["numpynn"] = lambda: trainer.train_epoch(data)

    # numpynn with NumPy alone (NUMPYNN_KERNELS=numpy): what an install without Numba gets.
    net_np = NeuralNetwork(*sizes, hidden_activation="relu", output_activation="softmax")
    net_np.set_weights(theta0)
    data_np = check_training_data(net_np, X, y)
    trainer_np = Trainer(net_np, "adam", learning_rate=LEARNING_RATE, batch_size=BATCH,
                         shuffle=True, seed=SEED)

    def numpy_only_epoch() -> None:
        with kernel_choice("numpy"):
            trainer_np.train_epoch(data_np)

    funcs["numpynn NumPy only"] = numpy_only_epoch

    # numpynn fit(epochs=1): also checks the data and builds a trainer (fresh Adam state)
    # on every call, as a user's one-epoch fit would.
    net_fit = NeuralNetwork(*sizes, hidden_activation="relu", output_activation="softmax")
    net_fit.set_weights(theta0)
    funcs["numpynn fit(epochs=1)"] = lambda: net_fit.fit(
        X, y, epochs=1, batch_size=BATCH, optimizer="adam", learning_rate=LEARNING_RATE,
        shuffle=True, seed=SEED)

    if sklearn:
        # partial_fit on an already-initialised model runs exactly one epoch (sklearn's
        # _fit_stochastic breaks after one iteration when incremental) and keeps the Adam
        # state, so it measures one epoch of training, not fit's re-initialisation.  Its
        # per-call input validation and label binarisation are part of sklearn's epoch.
        clf = sklearn_model(sizes, X, y, classes, w0, b0)
        if clf.coefs_[0].dtype != np.float32:
            notes.append(f"sklearn computes in {clf.coefs_[0].dtype}, not float32")
        if clf.coefs_[-1].shape != w0[-1].shape:
            notes.append("sklearn's binary MLP has one logistic output (numpynn and torch: "
                         "two softmax outputs)")

        def sk_epoch() -> None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                clf.partial_fit(X, y)

        funcs["sklearn"] = sk_epoch

    if torch:
        Xt = torch.from_numpy(X)
        yt = torch.from_numpy(y)

        def make_torch_epoch(variant: str) -> Callable[[], None]:
            model = torch_model(sizes, w0, b0)
            kw = {"default": {}, "foreach": {"foreach": True}, "fused": {"fused": True}}
            opt = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, **kw[variant])
            loss_fn = torch.nn.CrossEntropyLoss()
            gen = torch.Generator().manual_seed(SEED)

            def torch_epoch() -> None:
                # No DataLoader: a randperm and indexing per batch, the fastest honest loop.
                perm = torch.randperm(rows, generator=gen)
                for start in range(0, rows, BATCH):
                    idx = perm[start:start + BATCH]
                    opt.zero_grad(set_to_none=True)
                    loss = loss_fn(model(Xt[idx]), yt[idx])
                    loss.backward()
                    opt.step()

            return torch_epoch

        # torch.optim.Adam's default on CPU is the for-loop implementation; fused=True is a
        # documented option and often much faster, so both run, and the ratio against
        # torch is taken against the faster of the two (the fastest honest torch loop).
        variants = ("default", "fused") if torch_adam == "both" else (torch_adam,)
        for variant in variants:
            funcs["torch" if variant == "default" else f"torch {variant}"] = \
                make_torch_epoch(variant)
        funcs["torch.mm floor"] = torch_floor_epoch_fn(X, w0)

    funcs["floor"] = floor_epoch_fn(X, w0)

    kept_before = GUARD.rounds_disturbed_kept
    times = time_interleaved(funcs, repeats)
    med = {k: median(v) for k, v in times.items()}
    return {"rows": rows, "sizes": sizes, "repeats": repeats, "times_s": times,
            "median_s": med, "notes": notes,
            "disturbed_rounds": GUARD.rounds_disturbed_kept - kept_before}


def _best_torch(m: dict) -> tuple[str | None, float | None]:
    found = [(t, k) for k, t in m.items() if k == "torch" or k.startswith("torch ")
             and k != "torch.mm floor"]
    if not found:
        return None, None
    t, k = min(found)
    return k, t


def training_table(results: dict, misses: list[str], checks: list[dict]) -> None:
    cols = [("numpynn", "numpynn"), ("numpynn fit(epochs=1)", "fit(1)"),
            ("numpynn NumPy only", "np only"), ("sklearn", "sklearn"),
            ("torch", "torch"), ("torch fused", "t.fused"), ("floor", "floor"),
            ("torch.mm floor", "t.mm fl")]
    print("Training: ms per epoch (median)" + " " * 5
          + "".join(f"{short:>9}" for _, short in cols))
    for name, r in results.items():
        m = r["median_s"]
        rows, sizes = r["rows"], r["sizes"]
        label = f"{rows}x{'-'.join(map(str, sizes))}"
        print(f"  {label:<34}" + "".join(f"{fmt_ms(m.get(key)):>9}" for key, _ in cols))
        earlier = EARLIER.get(name)
        if earlier:
            print(f"  {'  (issue, measured earlier)':<34}{'':>27}{earlier['sklearn']:>9.1f}"
                  f"{earlier['torch']:>9.1f}{'':>9}{earlier['floor']:>9.1f}")
    print("  (numpynn: with Numba's fused kernels when Numba is installed; np only: NUMPYNN_KERNELS"
          "=numpy;\n   torch: torch.optim.Adam as it comes; t.fused: Adam(fused=True); floor: the"
          " matrix products\n   alone through NumPy's BLAS; t.mm fl: the same products through"
          " torch.mm, for context)")
    print()
    print("Training: ratios of medians          vs sklearn (faster)   vs torch (faster)"
          "     vs floor (slower)")
    for name, r in results.items():
        m = r["median_s"]
        nn = m["numpynn"]
        targets = TRAINING_TARGETS[name]
        cells = []
        for rival in ("sklearn", "torch", "floor"):
            if rival == "torch":
                best, t = _best_torch(m)
                if best is None:
                    cells.append("- (not installed)")
                    continue
                cells.append(check(f"{name} vs torch", t / nn, targets["torch"], True, misses,
                                   checks))
                continue
            if rival not in m:
                cells.append("- (not installed)")
                continue
            if rival == "floor":
                ratio = nn / m["floor"]
                if "floor" not in targets:
                    cells.append(f"{ratio:5.2f}x")
                    checks.append({"label": f"{name} vs floor", "value": ratio,
                                   "target": None, "pass": None})
                    continue
                cells.append(check(f"{name} vs floor", ratio, targets["floor"], False,
                                   misses, checks))
            else:
                cells.append(check(f"{name} vs {rival}", m[rival] / nn, targets[rival], True,
                                   misses, checks))
        print(f"  {name:<34}{cells[0]:<22}{cells[1]:<22}{cells[2]}")
        best, _ = _best_torch(m)
        if best is not None and "torch" in m and "torch fused" in m:
            print(f"  {'':<34}{'':<22}(against the faster: {best}; "
                  f"torch {m['torch'] / nn:.2f}x, fused {m['torch fused'] / nn:.2f}x)")
        np_only = m.get("numpynn NumPy only")
        if np_only is not None:
            best_t = _best_torch(m)[1]
            parts = [f"{m['sklearn'] / np_only:.2f}x faster than sklearn" if "sklearn" in m
                     else None,
                     f"{best_t / np_only:.2f}x than torch" if best_t is not None else None,
                     f"{np_only / m['floor']:.2f}x the floor"]
            print(f"  {'':<34}(NumPy only: " + ", ".join(p for p in parts if p) + ")")
        fit_ratio = m["numpynn fit(epochs=1)"] / nn
        if abs(fit_ratio - 1) > 0.1:
            print(f"  {'':<34}(fit(epochs=1) takes {fit_ratio:.2f}x the time of train_epoch)")
        if "torch.mm floor" in m:
            print(f"  {'':<34}(torch.mm floor / NumPy floor: "
                  f"{m['torch.mm floor'] / m['floor']:.2f})")
        for note in r["notes"]:
            print(f"  {'':<34}note: {note}")
    print()


# ---------------------------------------------------------------------------- eval1
def bench_eval1(repeats: int) -> dict:
    w = article_loops.DEMO_WEIGHTS
    x = article_loops.DEMO_INPUT
    net = NeuralNetwork(3, 4, 2, hidden_activation="leaky_relu", output_activation="softmax")
    net.set_weights(w)
    loops = article_loops.NeuralNet(3, 4, 2)
    loops.set_weights(w)
    W1, b1, W2, b2 = (a.copy() for a in (net.weights[0], net.biases[0], net.weights[1],
                                          net.biases[1]))

    def naive_numpy(x=x):
        h = x @ W1 + b1
        h = np.where(h > 0, h, np.float32(0.01) * h)
        o = h @ W2 + b2
        e = np.exp(o - o.max())
        return e / e.sum()

    funcs: dict[str, Callable[[], object]] = {
        "numpynn": lambda: net.eval(x),
        "article loops": lambda: loops.eval(x),
        "naive numpy": naive_numpy,
    }
    outputs = {k: np.asarray(f(), dtype=np.float64) for k, f in funcs.items()}
    ctx = None
    if torch:
        model = torch_model((3, 4, 2), list(net.weights), list(net.biases), hidden="leaky",
                            softmax=True)
        model.eval()
        xt = torch.from_numpy(x.copy())  # a 1-D float32 tensor
        funcs["torch"] = lambda: model(xt)
        ctx = torch.no_grad()
        ctx.__enter__()  # model(x) under torch.no_grad(), entered once outside the loop
        outputs["torch"] = model(xt).numpy().astype(np.float64)
    kept_before = GUARD.rounds_disturbed_kept
    try:
        times = time_small_interleaved(funcs, repeats)
    finally:
        if ctx is not None:
            ctx.__exit__(None, None, None)
    ref = outputs["article loops"]
    agree = {k: float(np.abs(v - ref).max()) for k, v in outputs.items()}
    return {"repeats": repeats, "times_s": times,
            "median_s": {k: median(v) for k, v in times.items()},
            "disturbed_rounds": GUARD.rounds_disturbed_kept - kept_before,
            "max_abs_diff_vs_article": agree, "output": outputs["numpynn"].tolist()}


def eval1_table(r: dict, misses: list[str], checks: list[dict]) -> None:
    m = r["median_s"]
    nn = m["numpynn"]
    print("Single-sample eval, article's 3-4-2 net (leaky ReLU, softmax): us per call (median)")
    for name in ("numpynn", "article loops", "naive numpy", "torch"):
        if name not in m:
            print(f"  {name:<16}    - (not installed)")
            continue
        cell = ""
        if name in EVAL1_TARGETS:
            cell = "numpynn " + check(f"eval1 vs {name}", m[name] / nn, EVAL1_TARGETS[name],
                                      True, misses, checks) + " faster"
        elif name != "numpynn":
            cell = f"numpynn {m[name] / nn:5.2f}x faster (no target)"
        earlier = EARLIER["eval1"].get(name)
        earlier_s = f"(earlier {earlier:g})" if earlier else ""
        print(f"  {name:<16}{fmt_us(m[name]):>8}  {earlier_s:<15}{cell}")
    out = ", ".join(f"{v:.4f}" for v in r["output"])
    diff = max(r["max_abs_diff_vs_article"].values())
    print(f"  outputs ({out}); largest difference between rivals {diff:.1e}")
    print()


# ---------------------------------------------------------------------------- infer
def bench_infer(rows: int, repeats: int) -> dict:
    sizes = (64, 100, 10)
    X, y = make_data(rows, sizes)
    net = NeuralNetwork(*sizes, hidden_activation="relu", output_activation="softmax",
                        seed=SEED)
    w = [a.copy() for a in net.weights]
    b = [a.copy() for a in net.biases]
    funcs: dict[str, Callable[[], object]] = {"numpynn": lambda: net.eval(X)}

    def numpy_only_eval() -> None:
        with kernel_choice("numpy"):
            net.eval(X)

    # eval uses Numba's bias + activation kernel only once training has loaded it (this
    # script's header already has); NumPy alone is what a fresh process without it gets.
    funcs["numpynn NumPy only"] = numpy_only_eval
    check_rows = slice(0, 10_000)
    outputs = {"numpynn": net.eval(X[check_rows])}
    if sklearn:
        # Fitted briefly (one epoch on 2000 rows), then numpynn's weights copied in.
        clf = sklearn_model(sizes, X[:2000], y[:2000], 10, w, b)
        funcs["sklearn"] = lambda: clf.predict_proba(X)
        outputs["sklearn"] = clf.predict_proba(X[check_rows])
    ctx = None
    if torch:
        model = torch_model(sizes, w, b, softmax=True)
        model.eval()
        Xt = torch.from_numpy(X)
        funcs["torch"] = lambda: model(Xt)
        ctx = torch.no_grad()
        ctx.__enter__()
        outputs["torch"] = model(Xt[check_rows]).numpy()
    H = np.empty((rows, sizes[1]), dtype=np.float32)
    O = np.empty((rows, sizes[2]), dtype=np.float32)

    def floor() -> None:
        np.matmul(X, w[0], out=H)
        np.matmul(H, w[1], out=O)

    funcs["floor"] = floor
    kept_before = GUARD.rounds_disturbed_kept
    try:
        times = time_interleaved(funcs, repeats)
    finally:
        if ctx is not None:
            ctx.__exit__(None, None, None)
    ref = outputs["numpynn"].astype(np.float64)
    agree = {k: float(np.abs(v.astype(np.float64) - ref).max()) for k, v in outputs.items()}
    dtypes = {"sklearn": str(outputs["sklearn"].dtype)} if "sklearn" in outputs else {}
    return {"rows": rows, "sizes": sizes, "repeats": repeats, "times_s": times,
            "median_s": {k: median(v) for k, v in times.items()},
            "disturbed_rounds": GUARD.rounds_disturbed_kept - kept_before,
            "max_abs_diff_vs_numpynn": agree, "dtypes": dtypes}


def infer_table(r: dict, misses: list[str], checks: list[dict]) -> None:
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
              + check("infer vs sklearn", m["sklearn"] / nn, INFER_TARGETS["sklearn"], True,
                      misses, checks) + " faster")
    if "torch" in m:
        print(f"  torch model(X)         {fmt_ms(m['torch']):>8}   numpynn "
              f"{m['torch'] / nn:5.2f}x faster (no target)")
    print(f"  floor (two matmuls)    {fmt_ms(m['floor']):>8}   numpynn "
          + check("infer vs floor", nn / m["floor"], INFER_TARGETS["floor"], False, misses,
                  checks) + " of the floor")
    diffs = ", ".join(f"{k} {v:.1e}" for k, v in r["max_abs_diff_vs_numpynn"].items()
                      if k != "numpynn")
    if diffs:
        print(f"  largest difference from numpynn's probabilities (first 10,000 rows): {diffs}")
    if r["dtypes"]:
        print(f"  sklearn predict_proba returns {r['dtypes']['sklearn']}")
    print()


# ---------------------------------------------------------------------------- memory
def _proc_status_kb(key: str) -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak_rss() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM to the current RSS (Linux >= 4.0)
        return True
    except OSError:
        return False


def memory_child(rows: int, who: str) -> dict:
    """Runs in a fresh process: peak memory of one epoch of fit above the input array."""
    import tracemalloc

    sizes = (64, 100, 10)
    X, y = make_data(rows, sizes)
    warm = min(rows, 2_000)
    if who == "numpynn":
        net = NeuralNetwork(*sizes, hidden_activation="relu", seed=SEED)

        def run(Xa, ya):
            net.fit(Xa, ya, epochs=1, batch_size=BATCH, optimizer="adam",
                    learning_rate=LEARNING_RATE, shuffle=True, seed=SEED)
    elif who == "sklearn":
        clf = MLPClassifier(hidden_layer_sizes=(100,), solver="adam", alpha=0.0,
                            batch_size=BATCH, max_iter=1, shuffle=True, tol=0.0,
                            n_iter_no_change=10**9, random_state=SEED)

        def run(Xa, ya):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                clf.partial_fit(Xa, ya, classes=np.arange(10))
    elif who == "torch":
        torch.manual_seed(SEED)
        model = torch_model(sizes, [np.zeros((64, 100), np.float32),
                                    np.zeros((100, 10), np.float32)],
                            [np.zeros(100, np.float32), np.zeros(10, np.float32)])
        opt = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
        loss_fn = torch.nn.CrossEntropyLoss()

        def run(Xa, ya):
            Xt, yt = torch.from_numpy(Xa), torch.from_numpy(ya)
            perm = torch.randperm(Xa.shape[0])
            for start in range(0, Xa.shape[0], BATCH):
                idx = perm[start:start + BATCH]
                opt.zero_grad(set_to_none=True)
                loss_fn(model(Xt[idx]), yt[idx]).backward()
                opt.step()
    else:
        raise ValueError(who)

    # A small warm-up run first: lazy imports and BLAS buffers are not the fit's memory.
    run(X[:warm], y[:warm])
    gc.collect()
    out: dict = {"who": who, "rows": rows, "input_bytes": X.nbytes}
    rss0 = _proc_status_kb("VmRSS")
    if rss0 is not None and _reset_peak_rss():
        t0 = time.perf_counter()
        run(X, y)
        out["seconds"] = time.perf_counter() - t0
        out["rss_peak_above_bytes"] = (_proc_status_kb("VmHWM") - rss0) * 1024
    gc.collect()
    if who != "torch":  # torch's allocator does not report to tracemalloc
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        run(X, y)
        out["traced_peak_above_bytes"] = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
    return out


def bench_memory(rows: int, rivals: bool) -> dict:
    whos = ["numpynn"]
    if rivals:
        whos += [w for w, mod in (("sklearn", sklearn), ("torch", torch)) if mod]
    results = {}
    for who in whos:
        proc = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--memory-child", who,
             "--memory-rows", str(rows)],
            capture_output=True, text=True, timeout=600,
        )
        if proc.returncode != 0:
            results[who] = {"error": proc.stderr.strip().splitlines()[-1:] or ["failed"]}
            continue
        results[who] = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"rows": rows, "results": results}


def memory_table(r: dict, misses: list[str], checks: list[dict]) -> None:
    mb = 1e6
    rows = r["rows"]
    input_bytes = rows * 64 * 4
    frac, extra_mb = MEMORY_TARGET
    target = frac * input_bytes + extra_mb * mb
    print(f"Peak memory of one epoch of fit, {rows:,} x 64 float32 ({input_bytes / mb:.0f} MB), "
          f"64-100-10, batch {BATCH}: MB above the input")
    print(f"  target <= 10% of the input + 50 MB = {target / mb:.1f} MB")
    for who, res in r["results"].items():
        if "error" in res:
            print(f"  {who:<8} failed: {res['error']}")
            continue
        traced = res.get("traced_peak_above_bytes")
        rss = res.get("rss_peak_above_bytes")
        traced_s = "-" if traced is None else f"{traced / mb:8.1f}"
        rss_s = "-" if rss is None else f"{rss / mb:8.1f}"
        line = f"  {who:<8} tracemalloc peak {traced_s:>8}   peak RSS growth {rss_s:>8}"
        if who == "numpynn":
            figure = max(x for x in (traced, rss) if x is not None)
            ok = figure <= target
            checks.append({"label": "memory of fit", "value": figure / mb,
                           "target": target / mb, "bigger_is_better": False, "pass": ok})
            if not ok:
                misses.append(f"memory of fit: {figure / mb:.1f} MB above the input, "
                              f"target <= {target / mb:.1f} MB")
            line += f"   {'PASS' if ok else 'MISS'} (larger of the two)"
        else:
            line += "   (for comparison)"
        if "seconds" in res:
            line += f"   epoch {res['seconds']:.1f} s"
        print(line)
    print()


# ---------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer repeats and smaller arrays, for a check while developing")
    parser.add_argument("--only", default="",
                        help=f"comma-separated sections: {', '.join(SECTIONS)}")
    parser.add_argument("--json", metavar="PATH", help="save every figure as JSON")
    parser.add_argument("--repeats", type=int, help="timed repeats for small workloads "
                        "(default 7, quick 3)")
    parser.add_argument("--big-repeats", type=int, help="timed repeats for 256-512-512-10 "
                        "and batch inference (default 5, quick 2)")
    parser.add_argument("--infer-rows", type=int, help="rows for batch inference "
                        "(default 1,000,000, quick 200,000)")
    parser.add_argument("--memory-rows", type=int, help="rows for the memory check "
                        "(default 1,000,000, quick 250,000)")
    parser.add_argument("--memory-rivals", action=argparse.BooleanOptionalAction,
                        default=None, help="also measure sklearn's and torch's memory "
                        "(default: on, off with --quick)")
    parser.add_argument("--torch-adam", choices=("both", "default", "fused"),
                        default="both", help="which torch.optim.Adam to run: both (the "
                        "default; the ratio is taken against the faster), torch's default "
                        "(for-loop on CPU) or fused=True")
    parser.add_argument("--max-wait", type=float, default=60.0, metavar="SECONDS",
                        help="total time to spend waiting for other processes to leave the "
                        "CPUs alone and redoing disturbed rounds (default 60; 0: never)")
    parser.add_argument("--threads", type=int, help="limit BLAS/OpenMP pools (threadpoolctl) "
                        "and torch to this many threads, for every rival alike (default: "
                        "leave every library at its own default)")
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.memory_child:
        print(json.dumps(memory_child(args.memory_rows or 1_000_000, args.memory_child)))
        return 0

    quick = args.quick
    repeats = args.repeats or (3 if quick else 7)
    big_repeats = args.big_repeats or (2 if quick else 5)
    infer_rows = args.infer_rows or (200_000 if quick else 1_000_000)
    memory_rows = args.memory_rows or (250_000 if quick else 1_000_000)
    memory_rivals = (not quick) if args.memory_rivals is None else args.memory_rivals
    only = [s.strip() for s in args.only.split(",") if s.strip()] or list(SECTIONS)
    unknown = [s for s in only if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {unknown}; choose from {', '.join(SECTIONS)}")

    global GUARD
    GUARD = LoadGuard(args.max_wait)
    limiter = None
    if args.threads:
        if threadpoolctl is None:
            parser.error("--threads needs threadpoolctl")
        limiter = threadpoolctl.threadpool_limits(args.threads)
        if torch:
            torch.set_num_threads(args.threads)
    env = environment()
    env["threads_option"] = args.threads
    print_environment(env)
    started = time.perf_counter()
    report: dict = {"environment": env, "quick": quick, "targets": {}, "sections": {}}
    misses: list[str] = []
    checks: list[dict] = []

    training = {}
    for name in TRAINING_WORKLOADS:
        if name in only:
            reps = big_repeats if name in BIG_WORKLOADS else repeats
            training[name] = bench_training(name, reps, args.torch_adam)
    if training:
        training_table(training, misses, checks)
        report["sections"].update({k: v for k, v in training.items()})
    if "eval1" in only:
        r = bench_eval1(repeats)
        eval1_table(r, misses, checks)
        report["sections"]["eval1"] = r
    if "infer" in only:
        r = bench_infer(infer_rows, big_repeats)
        infer_table(r, misses, checks)
        report["sections"]["infer"] = r
    if "memory" in only:
        r = bench_memory(memory_rows, memory_rivals)
        memory_table(r, misses, checks)
        report["sections"]["memory"] = r

    passed = sum(1 for c in checks if c["pass"] is True)
    counted = sum(1 for c in checks if c["pass"] is not None)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    elapsed = time.perf_counter() - started
    print(f"Summary: {passed} of {counted} targets met ({elapsed:.0f} s; load average now "
          f"{load}){' [--quick]' if quick else ''}")
    for miss in misses:
        print(f"  MISS {miss}")
    if GUARD.enabled:
        print(f"  load guard: waited {GUARD.waited_s:.0f} s for a quiet machine, redid "
              f"{GUARD.rounds_redone} disturbed round(s), kept {GUARD.rounds_disturbed_kept} "
              "disturbed round(s) when the --max-wait budget ran out")
    noisy = [f"{sec}/{who} (slowest {max(t) / min(t):.1f}x fastest)"
             for sec, r in report["sections"].items() if "times_s" in r
             for who, t in r["times_s"].items() if len(t) > 1 and max(t) > 1.5 * min(t)]
    disturbed = [f"{sec} ({r['disturbed_rounds']} of {r['repeats']})"
                 for sec, r in report["sections"].items() if r.get("disturbed_rounds")]
    if disturbed:
        print("  UNRELIABLE: rounds timed while other processes used the CPUs, kept for want "
              "of time: " + ", ".join(disturbed) + ". Rerun on a quiet machine.")
    if noisy:
        print("  noisy (repeats differ by over 1.5x; medians absorb a few outliers): "
              + ", ".join(noisy))
    if torch is None:
        print("  (PyTorch is not installed: its columns are skipped)")
    if sklearn is None:
        print("  (scikit-learn is not installed: its columns are skipped)")

    if limiter is not None:
        limiter.restore_original_limits()
    report["load_guard"] = {"enabled": GUARD.enabled, "waited_s": GUARD.waited_s,
                            "rounds_redone": GUARD.rounds_redone,
                            "rounds_disturbed_kept": GUARD.rounds_disturbed_kept}
    report["checks"] = checks
    report["misses"] = misses
    report["seconds"] = elapsed
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2, default=_json_default)
        print(f"figures saved to {args.json}")
    return 0


def _json_default(obj):
    if isinstance(obj, (np.integer, np.floating)):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, tuple):
        return list(obj)
    raise TypeError(f"cannot save {type(obj).__name__} as JSON")


if __name__ == "__main__":
    sys.exit(main())
