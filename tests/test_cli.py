"""Tests for the ``numpynn`` command, driven as a real process (``python -m numpynn``).

train -> evaluate -> predict -> inspect on a generated CSV with numeric and text columns
(a classification and a regression target), the bundled iris default, every kind of bad
input (one line on stderr, non-zero exit, no traceback), and a training run killed with
SIGKILL and resumed from its checkpoint.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("safetensors")

import numpynn  # noqa: E402
from numpynn.tabular import Preprocessor, TargetEncoder, read_csv  # noqa: E402

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


@pytest.fixture(scope="module")
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


# ------------------------------------------------------------------------------------ help


def test_help_lists_every_subcommand(tmp_path):
    proc = ok(run("--help", cwd=tmp_path))
    for command in ("demo", "train", "predict", "evaluate", "inspect"):
        assert re.search(rf"^\s+{command}\s", proc.stdout, re.M), command
    for command, option in (("train", "--checkpoint-dir"), ("predict", "--proba"),
                            ("evaluate", "--target"), ("inspect", "--diagram"),
                            ("demo", "--help")):
        assert option in ok(run(command, "--help", cwd=tmp_path)).stdout


def test_no_command_prints_help_and_fails(tmp_path):
    proc = run(cwd=tmp_path)
    assert proc.returncode == 2
    assert "train" in proc.stdout


def test_demo_prints_the_articles_outputs(tmp_path):
    proc = ok(run("demo", cwd=tmp_path))
    assert "0.4973" in proc.stdout and "0.5027" in proc.stdout


# --------------------------------------------------------------------- classification


def test_train_reports_progress_metrics_and_saves_preprocessing(work):
    out = (work / "train_label.out").read_text()
    stdout, stderr = out.split("\n--stderr--\n")
    assert "classification into 3 classes (high, low, mid)" in stdout
    assert "9 from 3 numeric columns" in stdout  # 3 numeric, 2 text columns -> 3 + 3 + 3
    assert "240 training rows, 60 validation rows" in stdout
    val_accuracy = float(re.search(r"^validation\s+(\S+)", stdout, re.M).group(1))
    assert val_accuracy > 0.8
    # progress (plain lines, stderr is not a terminal here): epoch, losses, accuracies
    assert re.search(r"epoch 40/40 loss \d\.\d{4} val_loss \d\.\d{4} acc \d\.\d{3} "
                     r"val_acc \d\.\d{3} \[.* left\]", stderr), stderr

    net = numpynn.load(work / "label.safetensors")
    meta = net.metadata
    assert net.sizes == (9, 16, 16, 3) and net.output_activation == "softmax"
    assert meta["task"] == "classification" and meta["classes"] == ["high", "low", "mid"]
    assert meta["feature_names"][:2] == ["age", "income"]
    assert "color=red" in meta["feature_names"]
    # the stored statistics are those of the 240 training rows, not all 300
    pre = Preprocessor.from_dict(meta["preprocessor"])
    table = read_csv(work / "data.csv")
    ages = np.asarray(table.column("age"), dtype=np.float64)
    age_state = next(c for c in meta["preprocessor"]["columns"] if c["name"] == "age")
    assert age_state["mean"] != pytest.approx(ages.mean(), abs=1e-12)
    assert pre.n_features == 9
    assert meta["results"]["epochs"] == 40
    assert net.theta.dtype == np.float32


@needs_matplotlib
def test_train_plot_is_a_png(work):
    assert (work / "curves.png").read_bytes()[:8] == PNG_MAGIC


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


def test_predict_labels_match_the_library(work):
    proc = ok(run("predict", "label.safetensors", "new.csv", cwd=work))
    rows = read_output_csv(proc.stdout)
    assert rows[0] == ["label"]
    assert len(rows) == 41
    # the same model through the library, with the stored preprocessing
    net = numpynn.load(work / "label.safetensors")
    pre = Preprocessor.from_dict(net.metadata["preprocessor"])
    X = pre.transform(read_csv(work / "new.csv"))
    assert X.dtype == np.float32
    expected = [net.metadata["classes"][k] for k in net.predict(X)]
    assert [r[0] for r in rows[1:]] == expected
    # "--out -" is stdout too
    assert ok(run("predict", "label.safetensors", "new.csv", "--out", "-",
                  cwd=work)).stdout == proc.stdout
    assert not (work / "-").exists()


def test_predict_proba_and_out_file(work):
    proc = ok(run("predict", "label.safetensors", "new.csv", "--proba", cwd=work))
    rows = read_output_csv(proc.stdout)
    assert rows[0] == ["P(high)", "P(low)", "P(mid)"]
    probabilities = np.array(rows[1:], dtype=np.float64)
    assert probabilities.shape == (40, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    labels = read_output_csv(ok(run("predict", "label.safetensors", "new.csv",
                                    cwd=work)).stdout)
    assert [["high", "low", "mid"][k] for k in probabilities.argmax(axis=1)] == \
        [r[0] for r in labels[1:]]
    # --out: the same CSV in a file, and no temporary file left beside it
    target = work / "pred.csv"
    target.write_text("old contents\n")
    assert ok(run("predict", "label.safetensors", "new.csv", "--proba", "--out", "pred.csv",
                  cwd=work)).stdout == ""
    assert target.read_text() == proc.stdout
    assert not list(work.glob(".pred.csv*"))


def test_predict_ignores_the_target_and_warns_on_unseen_categories(work, tmp_path):
    rows = make_rows(10, seed=3)
    without_target = [r[:4] + r[5:] for r in rows]
    write_rows(tmp_path / "no_target.csv", without_target,
               [c for c in COLUMNS if c != "label"])
    write_rows(tmp_path / "with_target.csv", rows)
    a = ok(run("predict", str(work / "label.safetensors"), "no_target.csv", cwd=tmp_path))
    b = ok(run("predict", str(work / "label.safetensors"), "with_target.csv", cwd=tmp_path))
    assert a.stdout == b.stdout and a.stderr == "" and b.stderr == ""

    rows[0][2] = "purple"
    write_rows(tmp_path / "unseen.csv", rows)
    c = ok(run("predict", str(work / "label.safetensors"), "unseen.csv", cwd=tmp_path))
    assert len(read_output_csv(c.stdout)) == 11
    warning = c.stderr.strip().splitlines()
    assert len(warning) == 1
    assert warning[0].startswith("numpynn: warning:") and "'purple'" in warning[0]
    assert "color" in warning[0]


def test_inspect_shows_architecture_counts_and_weights(work):
    diagram = ["--diagram", "net.png"] if HAS_MATPLOTLIB else []
    proc = ok(run("inspect", "label.safetensors", *diagram, cwd=work))
    text = proc.stdout
    assert "network: 9-16-16-3" in text
    assert "9 x 16 weights + 16 biases = 160 parameters" in text
    assert "16 x 3 weights + 3 biases = 51 parameters" in text
    assert "parameters: 483 (448 weights, 35 biases)" in text
    assert "classification of 'label' into 3 classes: high, low, mid" in text
    assert "color: text, one-hot over 3 categories (blue, green, red)" in text
    # the weights as show_vec prints them: the last layer's biases, 4 decimals
    net = numpynn.load(work / "label.safetensors")
    from numpynn.display import format_vec

    assert format_vec(net.biases[-1], 9, 4, 3) in text
    assert format_vec(net.weights[0][0], 9, 4, 8) in text
    if HAS_MATPLOTLIB:
        assert (work / "net.png").read_bytes()[:8] == PNG_MAGIC


def test_inspect_a_library_model_without_preprocessing(tmp_path):
    net = numpynn.NeuralNetwork(3, 4, 2)
    net.set_weights(np.arange(1, 27, dtype=np.float32) / 100)
    net.save(tmp_path / "plain.safetensors")
    proc = ok(run("inspect", "plain.safetensors", cwd=tmp_path))
    assert "network: 3-4-2" in proc.stdout and "0.2500" in proc.stdout
    # predict needs the preprocessing that only `numpynn train` stores
    bad = run("predict", "plain.safetensors", "x.csv", cwd=tmp_path)
    assert bad.returncode == 1 and "not written by 'numpynn train'" in bad.stderr


# ------------------------------------------------------------------------ regression


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


# ----------------------------------------------------------------------- default data


def test_default_iris_run_and_the_default_out_file_is_never_replaced(tmp_path):
    proc = ok(run("train", cwd=tmp_path))
    assert "iris" in proc.stdout and "target 'species'" in proc.stdout
    val_accuracy = float(re.search(r"^validation\s+(\S+)", proc.stdout, re.M).group(1))
    assert val_accuracy > 0.9
    assert "epoch 100/100" in proc.stderr
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


# ------------------------------------------------------------------------- bad input


@pytest.fixture(scope="module")
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


BAD_COMMANDS = {
    "missing data file": ["train", "nope.csv", "--target", "y"],
    "unknown target column": ["train", "small.csv", "--target", "colour"],
    "non-numeric value in a numeric column": ["train", "typo.csv", "--target", "y"],
    "non-numeric value at predict time": ["evaluate", "../label.safetensors",
                                          "evaluate_typo.csv"],
    "malformed --hidden": ["train", "small.csv", "--target", "label", "--hidden", "16,x"],
    "zero in --hidden": ["train", "small.csv", "--target", "label", "--hidden", "16,0"],
    "negative --lr": ["train", "small.csv", "--target", "label", "--lr", "-0.1"],
    "non-numeric --lr": ["train", "small.csv", "--target", "label", "--lr", "fast"],
    "infinite --lr": ["train", "small.csv", "--target", "label", "--lr", "inf"],
    "zero --epochs": ["train", "small.csv", "--target", "label", "--epochs", "0"],
    "fractional --epochs": ["train", "small.csv", "--target", "label", "--epochs", "1.5"],
    "--dropout 1": ["train", "small.csv", "--target", "label", "--dropout", "1"],
    "--validation-split 1": ["train", "small.csv", "--target", "label",
                             "--validation-split", "1"],
    "--resume without --checkpoint-dir": ["train", "small.csv", "--target", "label",
                                          "--resume"],
    "DATA without --target": ["train", "small.csv"],
    "CSV with no data rows": ["train", "empty_rows.csv", "--target", "y"],
    "model that is not a model": ["predict", "not_a_model.safetensors", "small.csv"],
    "missing model": ["inspect", "missing.safetensors"],
    "a CSV as the model": ["evaluate", "small.csv", "small.csv"],
    "missing predict data": ["predict", "../label.safetensors", "nope.csv"],
    "unknown evaluate target": ["evaluate", "../label.safetensors", "small.csv", "--target",
                                "nope"],
    "evaluate target that is a feature": ["evaluate", "../label.safetensors", "small.csv",
                                          "--target", "age"],
    "--out in a missing directory": ["train", "small.csv", "--target", "label", "--out",
                                     "no/such/dir/m.safetensors"],
    "--out is the training data": ["train", "small.csv", "--target", "label", "--out",
                                   "small.csv"],
    "predict --out is the input": ["predict", "../label.safetensors", "small.csv", "--out",
                                   "small.csv"],
    "unknown subcommand": ["fly"],
    "unknown option": ["train", "--colour", "red"],
    "diverging training": ["train", "small.csv", "--target", "price", "--optimizer", "sgd",
                           "--lr", "1e30", "--out", "diverged.safetensors"],
    "lbfgs with checkpoints": ["train", "small.csv", "--target", "label", "--optimizer",
                               "lbfgs", "--checkpoint-dir", "ck"],
}


@pytest.mark.parametrize("case", sorted(BAD_COMMANDS))
def test_bad_input_is_one_line_on_stderr(bad_inputs, case):
    before = {p.name: p.read_bytes() for p in bad_inputs.iterdir() if p.is_file()}
    proc = run(*BAD_COMMANDS[case], cwd=bad_inputs)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("numpynn: error: ")
    assert len(lines[0]) > len("numpynn: error: ") + 10
    # nothing was written or changed
    after = {p.name: p.read_bytes() for p in bad_inputs.iterdir() if p.is_file()}
    assert after == before


def test_bad_input_messages_name_the_problem(bad_inputs):
    messages = {case: run(*BAD_COMMANDS[case], cwd=bad_inputs).stderr for case in (
        "unknown target column", "non-numeric value in a numeric column", "malformed --hidden",
        "non-numeric value at predict time", "CSV with no data rows", "missing data file",
        "diverging training")}
    assert "'colour'" in messages["unknown target column"]
    assert "'age'" in messages["unknown target column"]  # lists the columns there are
    assert "'7,5'" in messages["non-numeric value in a numeric column"]
    assert "line 9" in messages["non-numeric value in a numeric column"]
    assert "16,x" in messages["malformed --hidden"]
    assert "'abc'" in messages["non-numeric value at predict time"]
    assert "no data rows" in messages["CSV with no data rows"]
    assert "nope.csv" in messages["missing data file"]
    assert re.search(r"diverged in epoch [1-9]", messages["diverging training"])
    assert "usage" not in "".join(messages.values())


def test_exit_codes(bad_inputs):
    assert run(*BAD_COMMANDS["malformed --hidden"], cwd=bad_inputs).returncode == 2
    assert run(*BAD_COMMANDS["missing data file"], cwd=bad_inputs).returncode == 1
    assert run(*BAD_COMMANDS["model that is not a model"], cwd=bad_inputs).returncode == 1


def test_a_closed_stdout_pipe_is_not_an_error(work, tmp_path):
    write_rows(tmp_path / "many.csv", make_rows(6000, seed=5))
    proc = subprocess.Popen(
        [sys.executable, "-m", "numpynn", "predict", str(work / "label.safetensors"),
         "many.csv", "--proba"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stdout.readline().startswith(b"P(high)")
    proc.stdout.close()  # like `| head -1`
    stderr = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "Traceback" not in stderr and stderr == ""
    assert proc.returncode != 0


# ----------------------------------------------------------------- checkpoints, resume


def test_sigkill_then_resume_continues_and_matches_an_uninterrupted_run(tmp_path):
    # many rows and small batches: one epoch takes a noticeable moment
    write_rows(tmp_path / "big.csv", make_rows(3000, seed=6))
    common = ["train", "big.csv", "--target", "label", "--hidden", "8", "--batch-size", "8",
              "--seed", "3", "-q"]
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
         "--batch-size", "8", "--epochs", "100000", "--checkpoint-dir", "ck", "-q"],
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
