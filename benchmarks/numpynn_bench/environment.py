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
from numpynn.core.kernels import fused

from .optional import sklearn, threadpoolctl, torch
from .workloads import BATCH, LEARNING_RATE, TRAINING_WORKLOADS

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


def _cpu_details() -> dict:
    """Vendor, family / model / stepping and the widest vector extension, from
    /proc/cpuinfo (empty where it is missing): the model name alone ("AMD EPYC") does not
    tell Zen 2 from Zen 4, nor whether AVX-512 is there, which picks BLAS's kernels."""
    fields = {"vendor_id": "vendor", "cpu family": "family", "model": "model",
              "stepping": "stepping", "flags": "flags"}
    found: dict = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key in fields and fields[key] not in found:
                    found[fields[key]] = value.strip()
                if not line.strip() and found:
                    break  # the first processor is enough
    except OSError:
        return {}
    flags = set(found.pop("flags", "").split())
    found["vector"] = ("AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags
                       else "AVX" if "avx" in flags else "SSE" if flags else "unknown")
    return found


def _blas_owner(path: str | None) -> str:
    """Which package a BLAS library came with, from its path."""
    for owner in ("numpy", "scipy", "torch"):
        if path and (f"{owner}.libs" in path or f"/{owner}/" in path):
            return owner
    return "other"


def _fused_paths() -> dict:
    """How numpynn's Trainer runs each training workload (numpynn.core.kernels.fused):
    the fused epoch with its own loops, with BLAS calls from the loop, or the general
    path (batch by batch)."""
    from numpynn import NeuralNetwork

    if numpynn_kernels.kernels() is None:
        return {name: "general path (no Numba)" for name in TRAINING_WORKLOADS}
    words = {"loops": "fused epoch, its own loops", "blas": "fused epoch, BLAS calls",
             None: "general path"}
    return {name: words[fused.products(NeuralNetwork(*sizes).num_weights,
                                       min(BATCH, rows))]
            for name, (rows, sizes) in TRAINING_WORKLOADS.items()}


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
    env: dict = {"cpu": _cpu_name(), "cpu_details": _cpu_details(), "cores": os.cpu_count()}
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
    env["fused"] = _fused_paths()
    if torch:
        env["torch_threads"] = torch.get_num_threads()
        env["torch_interop_threads"] = torch.get_num_interop_threads()
    env["git"] = _git_commit()
    env["blas"] = []
    if threadpoolctl:
        env["blas"] = [{**{k: info.get(k) for k in BLAS_KEYS if info.get(k) is not None},
                        "owner": _blas_owner(info.get("filepath"))}
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


def _cpu_line(env: dict) -> str:
    """The CPU: its name, vendor, family / model / stepping, vector extension, cores."""
    d = env.get("cpu_details") or {}
    ids = ", ".join(p for p in (d.get("vendor"), " ".join(
        f"{k} {d[k]}" for k in ("family", "model", "stepping") if k in d), d.get("vector"))
        if p)
    return (f"{env['cpu']}" + (f" ({ids})" if ids else "")
            + f", {env['cores']} cores ({env['cores_usable']} usable)")


def _blas_line(env: dict) -> str:
    """The BLAS kernel sets and thread counts, one entry per BLAS library, with its owner
    (numpy's: NumPy's products and the floor; scipy's: Numba's BLAS calls)."""
    entries = [f"{b.get('owner')}'s {b.get('internal_api')} {b.get('version')}: "
               f"{b.get('architecture') or b.get('coretype') or 'unknown'} kernels, "
               f"{b.get('num_threads')} thread{'' if b.get('num_threads') == 1 else 's'}"
               for b in env["blas"] if b.get("user_api") == "blas"]
    return "; ".join(entries) if entries else "unknown (threadpoolctl not installed)"


#: OpenBLAS kernel sets that use AVX2 at most (the CPU's AVX-512 then stays unused).
_AVX2_KERNELS = frozenset({"haswell", "zen", "sandybridge", "nehalem", "core2", "prescott"})


def _kernels_held_below_cpu(env: dict) -> str | None:
    """A warning when ``OPENBLAS_CORETYPE`` holds OpenBLAS to narrower kernels than the CPU
    has: NumPy's products (sklearn, the floor, numpynn) then run AVX2 code while torch's
    own GEMM still uses AVX-512, which skews every ratio against torch."""
    vector = (env.get("cpu_details") or {}).get("vector")
    kinds = {str(b.get("architecture") or "").lower() for b in env["blas"]
             if b.get("user_api") == "blas"}
    if vector != "AVX-512" or not env.get("OPENBLAS_CORETYPE") or not kinds & _AVX2_KERNELS:
        return None
    return ("OPENBLAS_CORETYPE holds OpenBLAS to AVX2 kernels on this AVX-512 CPU; torch's "
            "GEMM is not held: ratios against torch understate numpynn here "
            "(unset OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE for this machine's own kernels)")


def print_environment(env: dict) -> None:
    """Print the header: CPU, BLAS kernels and threads, versions, kernels, torch threads,
    pools, env, load, setup."""
    print("numpynn benchmarks (benchmarks/run.py)")
    print(f"  CPU      {_cpu_line(env)}")
    print(f"  BLAS     {_blas_line(env)}")
    print(f"  versions python {env['python']}, numpy {env['numpy']}, numpynn {env['numpynn']}"
          f" (git {env['git']}), scikit-learn {env['sklearn'] or 'not installed'},"
          f" torch {env['torch'] or 'not installed'}")
    print(f"  kernels  {env['kernels']} (numpynn's training loops; see numpynn.core.kernels)")
    print("  epochs   " + "; ".join(f"{name}: {path}" for name, path in env["fused"].items()))
    if torch:
        how = "set by --threads" if env.get("threads_option") else "its default, not changed"
        print(f"  torch    {env['torch_threads']} intra-op threads ({how}), "
              f"{env['torch_interop_threads']} inter-op")
    _print_pools(env)
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        value = env[var]
        print(f"  env      {var}={value!r}" if value is not None else f"  env      {var} unset")
    held = _kernels_held_below_cpu(env)
    if held:
        print(f"  note     {held}")
    if env.get("threads_option"):
        print(f"  threads  --threads {env['threads_option']}: every pool above and torch "
              "limited to that many (after the listing)")
    load = ", ".join(f"{x:.2f}" for x in env["load_average_at_start"])
    print(f"  load     {load} (1/5/15 min; other work on the machine inflates every figure)")
    print(f"  setup    float32 data, Adam lr={LEARNING_RATE:g}, batch {BATCH}, shuffle on, "
          "ReLU hidden, softmax + cross-entropy, same initial weights; medians of repeats")
    print()
