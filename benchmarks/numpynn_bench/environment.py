"""What the figures were measured on: CPU, versions, kernels, BLAS pools; the header.

Nothing here changes a setting: the BLAS pools and the ``OPENBLAS_*`` variables are
reported as they are (``--threads`` limits the pools later, in :mod:`.cli`).
"""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

import numpy as np

import numpynn
from numpynn.core import kernels as numpynn_kernels

from .optional import sklearn, threadpoolctl, torch
from .workloads import BATCH, LEARNING_RATE

__all__ = ["environment", "print_environment"]

# The repository root (for the git commit): benchmarks/numpynn_bench/ is two levels below.
REPO_ROOT = Path(__file__).resolve().parents[2]
BLAS_KEYS = ("user_api", "internal_api", "prefix", "version", "num_threads",
             "threading_layer", "architecture", "coretype")


def _cpu_name() -> str:
    """The CPU's model name from /proc/cpuinfo, or platform's guess."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        return platform.processor() or "unknown"
    return "unknown"


def _git_commit() -> str | None:
    """The short HEAD commit, marked where src/ has uncommitted changes; None without git."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT,
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=REPO_ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return head + (" (src/ has uncommitted changes)" if dirty else "")


def _kernels_in_use() -> str:
    """Which code numpynn's training loops run on work as large as these benchmarks'."""
    compiled = numpynn_kernels.kernels(work_size=numpynn_kernels.switch.COMPILE_AFTER_WORK)
    return (f"numba {compiled.numba.__version__}" if compiled is not None
            else "numpy (Numba not installed, or NUMPYNN_KERNELS=numpy)")


def environment(threads_option: int | None = None) -> dict:
    """The machine, the versions, the kernels and the BLAS pools, for the header and JSON.

    Parameters
    ----------
    threads_option : int or None
        The ``--threads`` value, recorded as ``threads_option``.
    """
    env: dict = {"cpu": _cpu_name(), "cores": os.cpu_count()}
    try:
        env["cores_usable"] = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        env["cores_usable"] = env["cores"]
    env["python"] = platform.python_version()
    env["numpy"] = np.__version__
    env["numpynn"] = numpynn.__version__
    env["sklearn"] = sklearn.__version__ if sklearn else None
    env["torch"] = torch.__version__ if torch else None
    env["kernels"] = _kernels_in_use()
    if torch:
        env["torch_threads"] = torch.get_num_threads()
        env["torch_interop_threads"] = torch.get_num_interop_threads()
    env["git"] = _git_commit()
    env["blas"] = []
    if threadpoolctl:
        env["blas"] = [{k: info.get(k) for k in BLAS_KEYS if info.get(k) is not None}
                       for info in threadpoolctl.threadpool_info()]
    env["OPENBLAS_CORETYPE"] = os.environ.get("OPENBLAS_CORETYPE")
    env["OPENBLAS_L2_SIZE"] = os.environ.get("OPENBLAS_L2_SIZE")
    env["load_average_at_start"] = os.getloadavg()
    env["threads_option"] = threads_option
    return env


def _print_pools(env: dict) -> None:
    """One ``pool`` line per BLAS / OpenMP pool threadpoolctl found."""
    if not threadpoolctl:
        print("  pool     threadpoolctl not installed: BLAS details unknown")
        return
    for b in env["blas"]:
        extra = ", ".join(f"{k}={b[k]}" for k in ("architecture", "coretype",
                                                   "threading_layer") if k in b)
        print(f"  pool     {b.get('user_api')}/{b.get('internal_api')} {b.get('version')}"
              f" num_threads={b.get('num_threads')} {extra}  [{b.get('prefix')}]")


def print_environment(env: dict) -> None:
    """Print the header: CPU, versions, kernels, torch threads, pools, env, load, setup."""
    print("numpynn benchmarks (benchmarks/run.py)")
    print(f"  CPU      {env['cpu']}, {env['cores']} cores ({env['cores_usable']} usable)")
    print(f"  versions python {env['python']}, numpy {env['numpy']}, numpynn {env['numpynn']}"
          f" (git {env['git']}), scikit-learn {env['sklearn'] or 'not installed'},"
          f" torch {env['torch'] or 'not installed'}")
    print(f"  kernels  {env['kernels']} (numpynn's training loops; see numpynn.core.kernels)")
    if torch:
        print(f"  torch    {env['torch_threads']} intra-op threads (its default, not changed), "
              f"{env['torch_interop_threads']} inter-op")
    _print_pools(env)
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
