"""``numpynn train`` with the tabular recipe (the default for a data file): what it
reports, the file it writes, predict and evaluate on it, and how it and the plain network
are chosen."""

import re

import numpy as np
from cli_helpers import make_rows, ok, read_output_csv, run, write_rows

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
