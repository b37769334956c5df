"""``numpynn evaluate``: classification scores (imbalanced classes too) and confusion matrix;
a regression model trained, evaluated and used to predict, in the target's units."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

pytest.importorskip("safetensors")

from cli_helpers import ok, read_output_csv, run, write_rows  # noqa: E402

import numpynn  # noqa: E402
from numpynn.tabular import Preprocessor, TargetEncoder, read_csv  # noqa: E402


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


@pytest.fixture(scope="module")
def imbalanced(tmp_path_factory):
    """A binary target with 7% 'Yes' (training rows complete; the test rows have gaps in the
    target) and a model trained on it by the command."""
    d = tmp_path_factory.mktemp("imbalanced")
    rng = np.random.default_rng(7)
    rows = []
    for _ in range(400):
        x1, x2 = rng.normal(), rng.normal()
        rows.append([f"{x1:.3f}", f"{x2:.3f}", "Yes" if x1 + 0.4 * rng.normal() > 1.5 else "No"])
    write_rows(d / "train.csv", rows, ["x1", "x2", "Default"])
    test_rows = [list(r) for r in rows[:120]]
    for i in (3, 50, 77):
        test_rows[i][2] = ""  # no target: left out, and counted
    write_rows(d / "test.csv", test_rows, ["x1", "x2", "Default"])
    ok(run("train", "train.csv", "--target", "Default", "--epochs", "15", "-q",
           "--out", "m.safetensors", cwd=d))
    return d


def test_evaluate_reports_the_scores_of_imbalanced_classes(imbalanced):
    from sklearn import metrics

    proc = ok(run("evaluate", "m.safetensors", "test.csv", cwd=imbalanced))
    lines = proc.stdout.splitlines()
    scores = {line.split()[0]: line.split()[1] for line in lines[:4]}
    assert list(scores) == ["accuracy", "balanced-accuracy", "log-loss", "roc-auc"]
    # the same rows and predictions through the library, scored by scikit-learn
    net = numpynn.load(imbalanced / "m.safetensors")
    table = read_csv(imbalanced / "test.csv")
    kept = [i for i, v in enumerate(table.column("Default")) if v]
    table = table.take(kept)
    pre = Preprocessor.from_dict(net.metadata["preprocessor"])
    enc = TargetEncoder.from_dict(net.metadata["target_encoder"])
    y, p = enc.transform(table), net.eval(pre.transform(table))
    assert float(scores["accuracy"]) == pytest.approx(metrics.accuracy_score(y, p.argmax(1)),
                                                      abs=1e-6)
    assert float(scores["balanced-accuracy"]) == pytest.approx(
        metrics.balanced_accuracy_score(y, p.argmax(1)), abs=1e-6)
    assert float(scores["roc-auc"]) == pytest.approx(metrics.roc_auc_score(y, p[:, 1]),
                                                     abs=1e-6)
    # the per-class table: precision, recall, F1 and support of each class, then the means
    at = next(i for i, line in enumerate(lines) if line.startswith("per class of 'Default'"))
    assert lines[at + 1].split() == ["class", "precision", "recall", "f1", "support"]
    prec, rec, f1, support = metrics.precision_recall_fscore_support(y, p.argmax(1),
                                                                      zero_division=np.nan)
    for k, name in enumerate(["No", "Yes"]):
        cells = lines[at + 2 + k].split()
        assert cells[0] == name and int(cells[4]) == support[k]
        for cell, expected in zip(cells[1:4], (prec[k], rec[k], f1[k]), strict=True):
            assert cell == "-" if np.isnan(expected) else float(cell) == pytest.approx(
                expected, abs=5e-5)
    assert lines[at + 4].split()[:2] == ["macro", "avg"]
    assert lines[-1] == "rows 117 (3 more with no 'Default' value were left out)"


def test_evaluate_target_in_the_wrong_case(imbalanced):
    proc = run("evaluate", "m.safetensors", "test.csv", "--target", "default", cwd=imbalanced)
    assert proc.returncode == 1
    assert "did you mean 'Default'?" in proc.stderr
