"""Fixtures of the tests of the ``numpynn`` command: two trained models, bad input files.

Session-scoped: the models are trained once for all the test modules here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import HAS_MATPLOTLIB, make_rows, ok, run, write_rows


@pytest.fixture(scope="session")
def work(tmp_path_factory) -> Path:
    """A directory with data.csv (300 rows) and two models trained on it by the command."""
    d = tmp_path_factory.mktemp("cli")
    write_rows(d / "data.csv", make_rows(300, seed=1))
    write_rows(d / "new.csv", make_rows(40, seed=2))
    plot = ["--plot", "curves.png"] if HAS_MATPLOTLIB else []
    proc = ok(run("train", "data.csv", "--target", "label", "--epochs", "40",
                  "--out", "label.safetensors", *plot, cwd=d))
    (d / "train_label.out").write_text(proc.stdout + "\n--stderr--\n" + proc.stderr)
    proc = ok(run("train", "data.csv", "--target", "price", "--epochs", "60", "--hidden", "16",
                  "--out", "price.safetensors", "-q", cwd=d))
    (d / "train_price.out").write_text(proc.stdout)
    return d


@pytest.fixture(scope="session")
def bad_inputs(work) -> Path:
    d = work / "bad"
    d.mkdir()
    (d / "empty_rows.csv").write_text("a,b,y\n")
    rows = [[str(i), "x" if i % 2 else "z", "p" if i % 3 else "q"] for i in range(12)]
    rows[7][0] = "7,5"  # a decimal comma: not a number in a numeric column
    write_rows(d / "typo.csv", rows, ["a", "b", "y"])
    (d / "not_a_model.safetensors").write_bytes(b"this is not a model file at all")
    (d / "evaluate_typo.csv").write_text(
        "age,income,color,size,label,price\n40,abc,red,S,high,100\n")
    write_rows(d / "small.csv", make_rows(30, seed=4))
    return d
