"""``numpynn train`` with the tabular recipe (the default for a data file): what it
reports, the file it writes, predict and evaluate on it, and how it and the plain network
are chosen."""

import re

import numpy as np
from cli_helpers import COLUMNS, make_rows, ok, read_output_csv, run, write_rows

from numpynn.tabular_network import load_tabular_networks


def test_default_run_is_the_recipe_and_predict_and_evaluate_take_it(tmp_path):
    write_rows(tmp_path / "train.csv", make_rows(150, seed=0))
    write_rows(tmp_path / "test.csv", make_rows(40, seed=1))
    proc = ok(run("train", "train.csv", "--target", "label", "--drop", "price", "-q",
                  "--time-budget", "2", "--out", "m.safetensors", cwd=tmp_path))
    assert "recipe: realmlp (RealMLP-TD)" in proc.stdout and "selu hidden" in proc.stdout
    assert "robust scaling, smooth clipping" in proc.stdout
    assert re.search(r"^validation\s+\d", proc.stdout, re.M)
    members = load_tabular_networks(tmp_path / "m.safetensors")
    meta = members[0].metadata
    assert meta["format"] == "numpynn.cli.train" and meta["recipe"]["members"] == len(members)
    assert meta["classes"] == ["high", "low", "mid"] and "results" in meta
    predicted = ok(run("predict", "m.safetensors", "test.csv", "--proba", cwd=tmp_path))
    rows = read_output_csv(predicted.stdout)
    assert rows[0][0] == "label" and len(rows) == 41
    probabilities = np.array([[float(v) for v in row[1:]] for row in rows[1:]])
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, atol=1e-5)
    scores = ok(run("evaluate", "m.safetensors", "test.csv", cwd=tmp_path))
    accuracy = float(re.search(r"^accuracy (\S+)", scores.stdout, re.M).group(1))
    assert accuracy > 0.6
    inspect = ok(run("inspect", "m.safetensors", "--no-weights", cwd=tmp_path))
    assert "recipe: realmlp (RealMLP-TD)" in inspect.stdout


def test_regression_predictions_stay_in_the_training_range(tmp_path):
    write_rows(tmp_path / "train.csv", make_rows(120, seed=2))
    ok(run("train", "train.csv", "--target", "price", "--drop", "label", "-q",
           "--time-budget", "1", "--out", "p.safetensors", cwd=tmp_path))
    rows = make_rows(20, seed=3)
    for row in rows:
        row[0] = "1000"  # far beyond the training ages
    write_rows(tmp_path / "far.csv", rows)
    predicted = ok(run("predict", "p.safetensors", "far.csv", cwd=tmp_path))
    values = [float(r[0]) for r in read_output_csv(predicted.stdout)[1:]]
    prices = [float(r[5]) for r in make_rows(120, seed=2)]
    assert min(prices) - 1e-3 <= min(values) and max(values) <= max(prices) + 1e-3


def test_which_network_trains(tmp_path):
    write_rows(tmp_path / "d.csv", make_rows(60, seed=4))
    plain = ok(run("train", "d.csv", "--target", "label", "--epochs", "2", "-q", "--out",
                   "a.safetensors", cwd=tmp_path))
    assert "network: " in plain.stdout and "recipe:" not in plain.stdout
    forced = ok(run("train", "d.csv", "--target", "label", "--recipe", "plain", "-q",
                    "--out", "b.safetensors", cwd=tmp_path))
    assert "network: " in forced.stdout
    bad = run("train", "d.csv", "--target", "label", "--recipe", "realmlp", "--hidden", "8",
              cwd=tmp_path)
    assert bad.returncode == 2 and "--hidden sets the plain network" in bad.stderr


def test_the_plan_and_its_estimate_are_said_before_training(tmp_path):
    write_rows(tmp_path / "train.csv", make_rows(150, seed=0))
    roomy = ok(run("train", "train.csv", "--target", "label", "--time-budget", "2",
                   "--out", "a.safetensors", cwd=tmp_path))
    said = re.search(r"training the recipe's (.+) \(about (\d+) s of CPU estimated(.*)\)",
                     roomy.stdout)
    assert said and int(said.group(2)) <= 2 and not said.group(3)
    # a budget below the least the recipe trains (10 epochs at width 128): said, not hidden
    tight = ok(run("train", "train.csv", "--target", "label", "--time-budget", "0.01",
                   "--out", "b.safetensors", cwd=tmp_path))
    assert "s of CPU estimated, over the 0.01 s budget: the least the recipe trains" in \
        tight.stdout
    assert "10 epochs the least it trains" in tight.stdout


def test_predict_with_a_recipe_model_names_the_file_and_the_row(tmp_path):
    """As with the plain network: a missing column names the file, text or infinity in a
    numeric column names the row and the value, '?' markers are gaps, and an unseen
    category is a warning (not silent)."""
    write_rows(tmp_path / "train.csv", make_rows(150, seed=0))
    ok(run("train", "train.csv", "--target", "label", "--drop", "price", "-q",
           "--time-budget", "1", "--out", "m.safetensors", cwd=tmp_path))
    rows = make_rows(10, seed=5)
    write_rows(tmp_path / "short.csv", [r[1:] for r in rows], COLUMNS[1:])
    text = [r[:] for r in rows]
    text[3][0] = "old"
    write_rows(tmp_path / "text.csv", text)
    infinite = [r[:] for r in rows]
    infinite[4][0] = "inf"
    write_rows(tmp_path / "inf.csv", infinite)
    marked = [r[:] for r in rows]
    marked[2][0] = marked[6][0] = "?"
    marked[1][2] = "purple"
    write_rows(tmp_path / "marked.csv", marked)
    cases = {"short.csv": "short.csv: missing feature column(s) ['age']",
             "text.csv": "numeric column 'age': row 4 (line 5 of text.csv) holds 'old'",
             "inf.csv": "numeric column 'age': row 5 (line 6 of inf.csv) holds inf"}
    for name, message in cases.items():
        proc = run("predict", "m.safetensors", name, cwd=tmp_path)
        assert proc.returncode == 1 and message in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr and len(proc.stderr.splitlines()) == 1
    proc = ok(run("predict", "m.safetensors", "marked.csv", cwd=tmp_path))
    assert "text column 'color' has 1 category not seen in training" in proc.stderr
    assert "'purple'" in proc.stderr and len(read_output_csv(proc.stdout)) == 11


def _with_infinity(tmp_path, value: str) -> None:
    """d.csv: 60 rows whose 10th has ``value`` in its first column, age."""
    rows = make_rows(60, seed=6)
    rows[9][0] = value
    write_rows(tmp_path / "d.csv", rows)


def test_an_infinity_in_the_training_rows_names_its_row(tmp_path):
    _with_infinity(tmp_path, "-inf")
    proc = run("train", "d.csv", "--target", "label", "-q", "--time-budget", "1",
               cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "numeric column 'age': row 10 (line 11 of d.csv) holds -inf" in proc.stderr


def test_an_infinity_is_named_as_a_number_not_a_numpy_repr(tmp_path):
    _with_infinity(tmp_path, "inf")
    feature = run("train", "d.csv", "--target", "label", "--recipe", "plain", "-q",
                  cwd=tmp_path)
    assert "row 10 (line 11 of d.csv) holds inf, which is not a finite number" in \
        feature.stderr and "np.float64" not in feature.stderr
    target = run("train", "d.csv", "--target", "age", "--recipe", "plain", "-q", cwd=tmp_path)
    assert "target column 'age': row 10 (line 11 of d.csv) holds inf," in target.stderr
