"""Peak memory of one epoch of fit, above the input array, each rival in a fresh process.

:func:`bench_memory` starts ``run.py --memory-child WHO`` once per rival; the child
(:func:`memory_child`) builds the data, warms up on a small slice, then measures one epoch
twice: the growth of peak RSS (``VmHWM``, reset through ``/proc/self/clear_refs``), and
the tracemalloc peak (NumPy reports its array memory to tracemalloc; torch's allocator
does not).
"""

from __future__ import annotations

import contextlib
import gc
import json
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

from numpynn.core.kernels import switch

from .optional import sklearn, torch
from .rivals import (
    kernel_choice,
    numpynn_fit_epoch,
    quiet_partial_fit,
    relu_softmax_network,
    sklearn_classifier,
    torch_epoch,
    torch_model,
)
from .workloads import LEARNING_RATE, MEMORY_SIZES, SEED, make_data

__all__ = ["RUN_SCRIPT", "memory_child", "bench_memory"]

# The entry point the child processes run (its hidden --memory-child option).
RUN_SCRIPT = Path(__file__).resolve().parents[1] / "run.py"

Epoch = Callable[[np.ndarray, np.ndarray], None]


def _proc_status_kb(key: str) -> int | None:
    """A ``/proc/self/status`` figure in kB (``VmRSS``, ``VmHWM``); None off Linux."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False where that is not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _torch_fit_epoch() -> Epoch:
    """A zero-initialised torch 64-100-10 and its Adam: one epoch per call."""
    torch.manual_seed(SEED)
    zeros = [np.zeros(shape, np.float32) for shape in
             ((MEMORY_SIZES[0], MEMORY_SIZES[1]), (MEMORY_SIZES[1], MEMORY_SIZES[2]))]
    model = torch_model(MEMORY_SIZES, zeros, [np.zeros(w.shape[1], np.float32)
                                              for w in zeros])
    opt = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    loss_fn = torch.nn.CrossEntropyLoss()

    def run(Xa: np.ndarray, ya: np.ndarray) -> None:
        torch_epoch(model, opt, loss_fn, torch.from_numpy(Xa), torch.from_numpy(ya))

    return run


def _fit_epoch(who: str) -> Epoch:
    """One epoch of ``who``'s fit (numpynn, sklearn or torch) as ``run(X, y)``."""
    if who == "numpynn":
        net = relu_softmax_network(MEMORY_SIZES)
        return lambda Xa, ya: numpynn_fit_epoch(net, Xa, ya)
    if who == "sklearn":
        clf = sklearn_classifier(MEMORY_SIZES[1:-1])
        classes = np.arange(MEMORY_SIZES[-1])
        return lambda Xa, ya: quiet_partial_fit(clf, Xa, ya, classes=classes)
    if who == "torch":
        return _torch_fit_epoch()
    raise ValueError(f"--memory-child must be numpynn, sklearn or torch, got {who!r}")


def memory_child(rows: int, who: str) -> dict:
    """Runs in a fresh process: peak memory of one epoch of fit above the input array.

    Parameters
    ----------
    rows : int
        Rows of the float32 input, ``rows`` x 64.
    who : {"numpynn", "sklearn", "torch"}
        The rival.

    Returns
    -------
    dict
        ``who``, ``rows``, ``input_bytes``, and where measurable ``seconds`` (the epoch),
        ``rss_peak_above_bytes`` and ``traced_peak_above_bytes``.
    """
    X, y = make_data(rows, MEMORY_SIZES)
    run = _fit_epoch(who)
    # A small warm-up run first: lazy imports and BLAS buffers are not the fit's memory.
    # numpynn's warm-up takes the compiled path the large epoch will take (a run this
    # small alone stays on NumPy), so loading Numba's code is not counted either.
    warm = min(rows, 2_000)
    compiled = who == "numpynn" and switch.kernels(
        work_size=switch.COMPILE_AFTER_WORK) is not None  # what the 1M-row epoch will run
    with kernel_choice("numba") if compiled else contextlib.nullcontext():
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
    """numpynn's memory child, and sklearn's and torch's where ``rivals`` and installed.

    Returns
    -------
    dict
        ``rows`` and ``results``: who -> the child's dict, or ``{"error": [last line]}``.
    """
    whos = ["numpynn"]
    if rivals:
        whos += [w for w, mod in (("sklearn", sklearn), ("torch", torch)) if mod]
    results = {}
    for who in whos:
        proc = subprocess.run(
            [sys.executable, str(RUN_SCRIPT), "--memory-child", who, "--memory-rows",
             str(rows)],
            capture_output=True, text=True, timeout=600,
        )
        if proc.returncode != 0:
            results[who] = {"error": proc.stderr.strip().splitlines()[-1:] or ["failed"]}
            continue
        results[who] = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"rows": rows, "results": results}
