"""Helpers of the tests of the ``numpynn`` command: run it as a real process
(``python -m numpynn``), and generate CSV files with numeric and text columns."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
HAS_MATPLOTLIB = True
try:
    import matplotlib  # noqa: F401
except ImportError:  # pragma: no cover - depends on the environment
    HAS_MATPLOTLIB = False
needs_matplotlib = pytest.mark.skipif(not HAS_MATPLOTLIB, reason="needs matplotlib")

COLUMNS = ["age", "income", "color", "size", "label", "price"]


def run(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``python -m numpynn ARGS`` in ``cwd`` and return the finished process."""
    env = dict(os.environ)
    env.pop("NUMPYNN_TRACEBACK", None)
    return subprocess.run(
        [sys.executable, "-m", "numpynn", *args], cwd=cwd, capture_output=True, text=True,
        timeout=timeout, env=env,
    )


def ok(proc: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\n" \
                                 f"stderr:\n{proc.stderr}"
    assert "Traceback" not in proc.stderr
    return proc


def make_rows(n: int, seed: int) -> list[list[str]]:
    """Rows with numbers, text, a few missing cells; a 3-class label and a price."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        age = rng.uniform(18, 80)
        income = rng.normal(50, 15)
        color = ["red", "green", "blue"][int(rng.integers(3))]
        size = ["S", "M", "L"][int(rng.integers(3))]
        score = (age - 50) / 15 + 1.5 * (color == "red") - 1.5 * (color == "blue")
        score += rng.normal(0, 0.3)
        label = "high" if score > 0.5 else "low" if score < -0.5 else "mid"
        price = 3 * age + 0.5 * income + 40 * (size == "L") + rng.normal(0, 5)
        income_text = "NA" if i % 37 == 5 else f"{income:.2f}"  # missing: imputed
        rows.append([f"{age:.1f}", income_text, color, size, label, f"{price:.2f}"])
    return rows


def write_rows(path: Path, rows: list[list[str]], columns: list[str] = COLUMNS) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        writer.writerows(rows)
    return path


def read_output_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))
