"""``numpynn train``: the report, the stored preprocessing, the bundled iris default, a run
killed with SIGKILL and resumed from its checkpoint, Ctrl-C, early stopping."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

pytest.importorskip("safetensors")

from cli_helpers import PNG_MAGIC, make_rows, needs_matplotlib, ok, run, write_rows  # noqa: E402

import numpynn  # noqa: E402
from numpynn.tabular import Preprocessor, read_csv  # noqa: E402


def test_train_reports_progress_metrics_and_saves_preprocessing(work):
    out = (work / "train_label.out").read_text()
    stdout, stderr = out.split("\n--stderr--\n")
    assert "classification into 3 classes (high, low, mid)" in stdout
    # 3 numeric columns, income with gaps (+ an indicator), 2 text columns: 3 + 1 + 3 + 3
    assert "10 from 3 numeric columns" in stdout
    assert re.search(r"^note: missing values: income \d+ \(\d\.\d%\); a number gap is filled "
                     r"with the training median", stdout, re.M), stdout
    assert "early stopping: keeps the epoch with the lowest validation loss" in stdout
    assert "240 training rows, 60 validation rows" in stdout
    val_accuracy = float(re.search(r"^validation\s+(\S+)", stdout, re.M).group(1))
    assert val_accuracy > 0.8
    # progress (plain lines, stderr is not a terminal here): epoch, losses, accuracies
    assert re.search(r"epoch \d+/40 loss \d\.\d{4} val_loss \d\.\d{4} acc \d\.\d{3} "
                     r"val_acc \d\.\d{3} \[.* left\]", stderr), stderr

    net = numpynn.load(work / "label.safetensors")
    meta = net.metadata
    assert net.sizes == (10, 16, 16, 3) and net.output_activation == "softmax"
    assert meta["task"] == "classification" and meta["classes"] == ["high", "low", "mid"]
    assert meta["feature_names"][:3] == ["age", "income", "income (missing)"]
    assert "color=red" in meta["feature_names"]
    # the stored statistics are those of the 240 training rows, not all 300
    pre = Preprocessor.from_dict(meta["preprocessor"])
    table = read_csv(work / "data.csv")
    ages = table.column("age")
    age_state = next(c for c in meta["preprocessor"]["columns"] if c["name"] == "age")
    assert age_state["mean"] != pytest.approx(ages.mean(), abs=1e-12)
    assert pre.n_features == 10
    assert meta["results"]["epochs"] <= 40
    assert meta["id_columns"] == [] and meta["reading"] == {"na_values": []}
    assert net.theta.dtype == np.float32


@needs_matplotlib
def test_train_plot_is_a_png(work):
    assert (work / "curves.png").read_bytes()[:8] == PNG_MAGIC


def test_default_iris_run_and_the_default_out_file_is_never_replaced(tmp_path):
    proc = ok(run("train", cwd=tmp_path))
    assert "iris" in proc.stdout and "target 'species'" in proc.stdout
    val_accuracy = float(re.search(r"^validation\s+(\S+)", proc.stdout, re.M).group(1))
    assert val_accuracy > 0.9
    # early stopping by default: the saved model is the best epoch, and the report says so
    results = numpynn.load(tmp_path / "model.safetensors").metadata["results"]
    assert results["best_epoch"] is not None and results["epochs"] <= 100
    best = results["best_epoch"] + 1
    assert f"kept the weights of epoch {best}" in proc.stdout or results["epochs"] == best
    model = tmp_path / "model.safetensors"
    before = model.read_bytes()
    assert numpynn.load(model).metadata["classes"] == ["setosa", "versicolor", "virginica"]

    again = run("train", "--epochs", "1", cwd=tmp_path)
    assert again.returncode == 1
    assert again.stderr.startswith("numpynn: error: 'model.safetensors' already exists")
    assert model.read_bytes() == before
    # naming it is asking for it
    ok(run("train", "--epochs", "1", "--out", "model.safetensors", "-q", cwd=tmp_path))
    assert model.read_bytes() != before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.safetensors"]


def test_sigkill_then_resume_continues_and_matches_an_uninterrupted_run(tmp_path):
    # many rows and small batches: one epoch takes a noticeable moment
    write_rows(tmp_path / "big.csv", make_rows(3000, seed=6))
    # no early stopping: only the kill may end the long run (fast kernels reach the
    # patience limit of a small net within a second)
    common = ["train", "big.csv", "--target", "label", "--hidden", "8", "--batch-size", "8",
              "--no-early-stopping", "--seed", "3", "-q"]
    checkpoints = tmp_path / "ckpt"
    proc = subprocess.Popen(
        [sys.executable, "-m", "numpynn", *common, "--epochs", "100000", "--checkpoint-dir",
         "ckpt", "--out", "resumed.safetensors"],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not (checkpoints / "latest").exists():
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "no checkpoint within 60 s"
            time.sleep(0.02)
        time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert not (tmp_path / "resumed.safetensors").exists()

    latest = (checkpoints / "latest").read_text().strip()
    done = int(re.fullmatch(r"checkpoint-epoch(\d+)\.safetensors", latest).group(1)) + 1
    assert done >= 1
    epochs = str(done + 2)

    # without --resume the old checkpoints are not thrown away
    refused = run(*common, "--epochs", epochs, "--checkpoint-dir", "ckpt", "--out",
                  "resumed.safetensors", cwd=tmp_path)
    assert refused.returncode == 1 and "--resume" in refused.stderr
    # a different seed would be a different split: refused too
    other = run(*common[:-3], "--seed", "4", "-q", "--epochs", epochs, "--checkpoint-dir",
                "ckpt", "--resume", "--out", "resumed.safetensors", cwd=tmp_path)
    assert other.returncode == 1 and "--seed 3" in other.stderr, other.stderr

    resumed = ok(run(*common, "--epochs", epochs, "--checkpoint-dir", "ckpt", "--resume",
                     "--out", "resumed.safetensors", cwd=tmp_path))
    match = re.search(r"resuming from epoch (\d+)", resumed.stdout)
    assert match, resumed.stdout
    k = int(match.group(1))
    assert k >= 1
    assert k == done
    assert "trained 2 epochs" in resumed.stdout

    model = numpynn.load(tmp_path / "resumed.safetensors")
    assert model.metadata["results"]["epochs"] == done + 2
    assert model.metadata["preprocessor"]["format"] == "numpynn.tabular.Preprocessor"
    # the checkpoints carry the preprocessing too
    last = numpynn.load(checkpoints / (checkpoints / "latest").read_text().strip())
    assert last.metadata["preprocessor"] == model.metadata["preprocessor"]

    # the same run without interruption gives the same weights, bit for bit
    ok(run(*common, "--epochs", epochs, "--out", "straight.safetensors", cwd=tmp_path))
    straight = numpynn.load(tmp_path / "straight.safetensors")
    assert straight.theta.dtype == np.float32
    np.testing.assert_array_equal(model.theta, straight.theta)


def test_resume_with_an_empty_checkpoint_dir_starts_from_the_beginning(tmp_path):
    proc = ok(run("train", "--epochs", "3", "--checkpoint-dir", "ck", "--resume", "-q",
                  cwd=tmp_path))
    assert "no checkpoint in ck yet; starting from epoch 1" in proc.stdout
    assert (tmp_path / "ck" / "latest").read_text().strip() == \
        "checkpoint-epoch000002.safetensors"
    # resuming a finished run trains nothing more and says so
    again = ok(run("train", "--epochs", "3", "--checkpoint-dir", "ck", "--resume", "-q",
                   "--out", "model.safetensors", cwd=tmp_path))
    assert "resuming from epoch 3" in again.stdout
    assert "trained 0 epochs" in again.stdout
    # a different network is not resumed from it
    other = run("train", "--epochs", "5", "--hidden", "4", "--checkpoint-dir", "ck",
                "--resume", "--out", "other.safetensors", cwd=tmp_path)
    assert other.returncode == 1 and "--hidden" in other.stderr
    assert not (tmp_path / "other.safetensors").exists()


def test_ctrl_c_exits_130_with_a_short_message(tmp_path):
    write_rows(tmp_path / "big.csv", make_rows(3000, seed=7))
    proc = subprocess.Popen(
        [sys.executable, "-m", "numpynn", "train", "big.csv", "--target", "label",
         "--batch-size", "8", "--epochs", "100000", "--no-early-stopping",  # only ^C ends it
         "--checkpoint-dir", "ck", "-q"],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "ck" / "latest").exists():
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "no checkpoint within 60 s"
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        stderr = proc.communicate(timeout=60)[1].decode()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines() == [
        "numpynn: interrupted; continue with the same command and --resume"]
    assert not (tmp_path / "model.safetensors").exists()
    assert not list((tmp_path / "ck").glob(".*.tmp"))


def test_early_stopping_and_training_without_validation(tmp_path):
    proc = ok(run("train", "--patience", "3", "--epochs", "500", "-q", "--out", "es.safetensors",
                  cwd=tmp_path))
    match = re.search(r"stopped early: no lower validation loss for 3 epochs; kept the weights "
                      r"of epoch (\d+)", proc.stdout)
    assert match, proc.stdout
    results = numpynn.load(tmp_path / "es.safetensors").metadata["results"]
    assert results["stopped_early"] is True
    assert results["best_epoch"] + 1 == int(match.group(1))
    assert results["epochs"] == results["best_epoch"] + 1 + 3 < 500

    proc = ok(run("train", "--validation-split", "0", "--epochs", "5", "-q", "--out",
                  "all.safetensors", cwd=tmp_path))
    assert "150 training rows, 0 validation rows" in proc.stdout
    assert not re.search(r"^validation", proc.stdout, re.M)
    assert "validation" not in numpynn.load(tmp_path / "all.safetensors").metadata["results"]


def test_lbfgs_without_lr_trains_and_reports_what_it_did(tmp_path):
    """--lr defaults to None: 0.01 for the mini-batch optimizers, none for lbfgs (whose
    early stopping, over iterations, the report states as for the others)."""
    proc = ok(run("train", "--optimizer", "lbfgs", "--epochs", "300", "-q", "--out",
                  "lbfgs.safetensors", cwd=tmp_path))
    assert "403 parameters; lbfgs (full batch)" in proc.stdout
    assert "early stopping: keeps the epoch with the lowest validation loss" in proc.stdout
    meta = numpynn.load(tmp_path / "lbfgs.safetensors").metadata
    assert meta["training"]["optimizer"] == "lbfgs"
    assert meta["training"]["learning_rate"] is None
    results = meta["results"]  # iris: the validation loss stops falling long before 300
    assert results["stopped_early"] and results["epochs"] < 300
    assert f"stopped early: no lower validation loss for 10 epochs; kept the weights of " \
           f"epoch {results['best_epoch'] + 1}" in proc.stdout
    inspected = ok(run("inspect", "lbfgs.safetensors", cwd=tmp_path)).stdout
    assert "lbfgs (full batch)" in inspected and "learning rate None" not in inspected

    proc = ok(run("train", "--epochs", "2", "-q", "--out", "adam.safetensors", cwd=tmp_path))
    assert "adam, learning rate 0.01, batch size 32" in proc.stdout
    meta = numpynn.load(tmp_path / "adam.safetensors").metadata
    assert meta["training"]["learning_rate"] == 0.01


def test_resume_when_the_checkpoint_has_every_epoch_already(tmp_path):
    write_rows(tmp_path / "d.csv", make_rows(60, seed=3))
    common = ["train", "d.csv", "--target", "label", "--no-early-stopping", "-q",
              "--checkpoint-dir", "ck", "--out", "m.safetensors"]
    ok(run(*common, "--epochs", "3", cwd=tmp_path))
    again = ok(run(*common, "--epochs", "3", "--resume", cwd=tmp_path)).stdout
    assert "training epochs 4 to 3" not in again
    assert "resuming from epoch 3 (the last checkpoint in ck), which has all 3 epochs" in again
    assert "trained 0 epochs" in again


def test_a_model_file_given_as_training_data_is_named_as_one(work, tmp_path):
    proc = run("train", str(work / "label.safetensors"), "--target", "label", "-q",
               cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "label.safetensors is a model file, not a data table" in proc.stderr
    assert "--encoding" not in proc.stderr and not (tmp_path / "model.safetensors").exists()
