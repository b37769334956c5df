"""onnxruntime against numpynn's ``eval``, on the same network, in one process.

The network (default 64-128-128-10, leaky ReLU, softmax) is exported with
``numpynn.to_onnx`` and run by onnxruntime's CPU provider; numpynn runs it with ``eval``
(NumPy alone).  Two workloads: one row (the call overhead that dominates serving) and
100,000 rows (the matrix products).  Each figure is the median of ``--repeats`` timed runs,
the rivals alternating (0.2 s apart, so neither's idle threads slow the other), after a
warm-up; a run repeats the call enough times to fill about 20 ms.  Printed: the times, the
ratio onnxruntime / numpynn and how far the outputs are apart.  Informational: there is no target.

Run::

    python benchmarks/onnx_inference.py [--sizes 64,128,128,10] [--repeats 5] [--threads 0]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable

import numpy as np
import onnxruntime as ort

import numpynn


def per_call(fn: Callable[[], object], min_seconds: float = 0.02) -> float:
    """Seconds per call of ``fn``, calling it back to back for at least ``min_seconds``."""
    calls, start = 0, time.perf_counter()
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return elapsed / calls


def timed(rivals: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median seconds per call of each rival; the rivals take turns in every repeat."""
    for fn in rivals.values():  # warm-up: first calls allocate and fill caches
        fn()
    times: dict[str, list[float]] = {name: [] for name in rivals}
    for _ in range(repeats):
        for name, fn in rivals.items():
            time.sleep(0.2)  # the other rival's worker threads stop spinning first
            times[name].append(per_call(fn))
    return {name: statistics.median(values) for name, values in times.items()}


def make_session(model, threads: int) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads  # 0: onnxruntime's default
    # Idle workers that spin would take the cores from NumPy's BLAS threads in between.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    return ort.InferenceSession(model.SerializeToString(), options,
                                providers=["CPUExecutionProvider"])


def compare(net: numpynn.NeuralNetwork, sess: ort.InferenceSession, X: np.ndarray,
            repeats: int) -> tuple[dict[str, float], float]:
    """Times of both on ``X`` (one row: numpynn's one-sample path on the vector), and the
    largest difference of their probabilities."""
    ours_input = X[0] if X.shape[0] == 1 else X

    def ours() -> object:
        return net.eval(ours_input)

    def theirs() -> object:
        return sess.run(["probabilities"], {"input": X})

    result = timed({"numpynn": ours, "onnxruntime": theirs}, max(1, repeats))
    diff = float(np.abs(theirs()[0] - net.eval(X)).max())
    return result, diff


def seconds(value: float) -> str:
    return f"{value * 1e6:9.1f} us" if value < 1e-3 else f"{value * 1e3:9.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="64,128,128,10",
                        help="layer sizes, input first (default: 64,128,128,10)")
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the batch workload")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs (median kept)")
    parser.add_argument("--threads", type=int, default=0,
                        help="onnxruntime intra-op threads (0: its default)")
    parser.add_argument("--opset", type=int, default=17)
    args = parser.parse_args()

    sizes = [int(s) for s in args.sizes.split(",")]
    net = numpynn.NeuralNetwork(*sizes, seed=0)
    sess = make_session(numpynn.to_onnx(net, opset=args.opset), args.threads)
    rng = np.random.default_rng(0)
    print(f"network {'-'.join(map(str, sizes))}, leaky_relu hidden, softmax output; "
          f"opset {args.opset}; median of {args.repeats}")
    print(f"{'workload':>14} {'numpynn eval':>14} {'onnxruntime':>14} {'ort / numpynn':>14}"
          f" {'max |diff|':>11}")
    for label, rows in (("1 row", 1), (f"{args.rows:,} rows", args.rows)):
        X = rng.normal(size=(rows, sizes[0])).astype(np.float32)
        result, diff = compare(net, sess, X, args.repeats)
        print(f"{label:>14} {seconds(result['numpynn']):>14} "
              f"{seconds(result['onnxruntime']):>14} "
              f"{result['onnxruntime'] / result['numpynn']:13.2f}x {diff:11.2e}")
    print(f"numpynn {numpynn.__version__}, onnxruntime {ort.__version__}, NumPy "
          f"{np.__version__}, Python {platform.python_version()}, {os.cpu_count()} CPUs "
          f"({platform.machine()})")


if __name__ == "__main__":
    main()
