"""``numpynn evaluate``: classification scores and confusion matrix; a regression model
trained, evaluated and used to predict, in the target's units."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

pytest.importorskip("safetensors")

from cli_helpers import ok, read_output_csv, run  # noqa: E402

import numpynn  # noqa: E402
from numpynn.tabular import TargetEncoder, read_csv  # noqa: E402


def test_evaluate_classification(work):
    proc = ok(run("evaluate", "label.safetensors", "new.csv", "--target", "label", cwd=work))
    lines = proc.stdout.splitlines()
    accuracy = [line for line in lines if line.startswith("accuracy ")]
    assert len(accuracy) == 1
    value = float(accuracy[0].split()[1])
    assert 0.7 < value <= 1.0
    log_loss = float(next(line for line in lines if line.startswith("log-loss ")).split()[1])
    assert 0 < log_loss < 1.5
    # confusion matrix: a header row with the classes, one row per class, counts sum to 40
    at = next(i for i, line in enumerate(lines) if line.startswith("confusion matrix"))
    assert lines[at + 1].split() == ["high", "low", "mid"]
    counts = np.array([[int(v) for v in lines[at + 2 + r].split()[1:]] for r in range(3)])
    assert counts.sum() == 40
    assert np.trace(counts) / 40 == pytest.approx(value)
    # the default target is the model's own
    again = ok(run("evaluate", "label.safetensors", "new.csv", cwd=work))
    assert again.stdout == proc.stdout


def test_regression_train_evaluate_predict(work):
    stdout = (work / "train_price.out").read_text()
    assert "target 'price': regression" in stdout
    assert re.search(r"^\s+rmse\s+mae\s+r2$", stdout, re.M)
    net = numpynn.load(work / "price.safetensors")
    assert net.output_activation == "identity" and net.sizes[-1] == 1
    assert TargetEncoder.from_dict(net.metadata["target_encoder"]).task == "regression"

    proc = ok(run("evaluate", "price.safetensors", "new.csv", "--target", "price", cwd=work))
    scores = dict(line.split()[:2] for line in proc.stdout.splitlines())
    rmse, mae, r2 = float(scores["rmse"]), float(scores["mae"]), float(scores["r2"])
    assert r2 > 0.8
    assert 0 < mae <= rmse < 40

    # predictions are in the original units (dollars, not standardised values) ...
    predicted = read_output_csv(ok(run("predict", "price.safetensors", "new.csv",
                                       cwd=work)).stdout)
    assert predicted[0] == ["price"]
    values = np.array([float(r[0]) for r in predicted[1:]])
    true = np.array(read_csv(work / "new.csv").column("price"), dtype=np.float64)
    assert 50 < values.mean() < 400
    # ... and agree with what evaluate reports
    assert math.sqrt(np.mean((values - true) ** 2)) == pytest.approx(rmse, rel=1e-4)
    assert np.mean(np.abs(values - true)) == pytest.approx(mae, rel=1e-4)

    bad = run("predict", "price.safetensors", "new.csv", "--proba", cwd=work)
    assert bad.returncode == 1 and "regression" in bad.stderr
