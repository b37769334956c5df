"""``numpynn inspect``: architecture, parameter counts, preprocessing, weights, diagram
(named nodes; a weight summary for wide networks)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("safetensors")

from cli_helpers import HAS_MATPLOTLIB, PNG_MAGIC, needs_matplotlib, ok, run  # noqa: E402

import numpynn  # noqa: E402


def test_inspect_shows_architecture_counts_and_weights(work):
    diagram = ["--diagram", "net.png"] if HAS_MATPLOTLIB else []
    proc = ok(run("inspect", "label.safetensors", *diagram, cwd=work))
    text = proc.stdout
    # 10 features: income has gaps, so it has a missing-value indicator feature too
    assert "network: 10-16-16-3" in text
    assert "10 x 16 weights + 16 biases = 176 parameters" in text
    assert "16 x 3 weights + 3 biases = 51 parameters" in text
    assert "parameters: 499 (464 weights, 35 biases)" in text
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


@needs_matplotlib
def test_diagram_names_the_features_and_classes(work, tmp_path, monkeypatch):
    rc = tmp_path / "matplotlibrc"
    rc.write_text("svg.fonttype: none\n")  # SVG text stays text: the names can be read back
    monkeypatch.setenv("MATPLOTLIBRC", str(rc))
    ok(run("inspect", str(work / "label.safetensors"), "--diagram", "net.svg", "--no-weights",
           cwd=tmp_path))
    svg = (tmp_path / "net.svg").read_text()
    net = numpynn.load(work / "label.safetensors")
    for name in [*net.metadata["feature_names"], "high", "low", "mid"]:
        assert f">{name}<" in svg, name


def _wide_model(path):
    net = numpynn.NeuralNetwork(30, 8, 1, output_activation="identity", seed=0)
    net.save(path, metadata={"feature_names": [f"feature_{i:02d}" for i in range(30)],
                             "target": "price"})


@needs_matplotlib
def test_a_wide_network_gets_a_weight_summary(tmp_path):
    _wide_model(tmp_path / "wide.safetensors")
    proc = ok(run("inspect", "wide.safetensors", "--diagram", "wide.png", "--no-weights",
                  cwd=tmp_path))
    assert "saved the per-input weight summary (30 inputs are too many to draw as a " \
           "diagram) to wide.png" in proc.stdout
    assert (tmp_path / "wide.png").read_bytes()[:8] == PNG_MAGIC


def _write_recipe_table(path, n: int = 160) -> None:
    """Numbers, a 12-city text column (embedded by the recipe) and a quoted note column
    whose categories hold a comma and a newline."""
    rng = np.random.default_rng(7)
    cities = [f"city{i}" for i in range(12)]
    lines = ["x,city,note,y"]
    for i in range(n):
        x = rng.normal()
        city = cities[i % 12]
        note = '"first, then\nsecond"' if i % 2 else "plain"
        lines.append(f"{x:.3f},{city},{note},{'yes' if x + (i % 12) / 6 > 1 else 'no'}")
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def recipe_model(tmp_path_factory):
    d = tmp_path_factory.mktemp("recipe_inspect")
    _write_recipe_table(d / "t.csv")
    ok(run("train", "t.csv", "--target", "y", "-q", "--time-budget", "1", "--out",
           "r.safetensors", cwd=d))
    return d


def test_inspect_describes_a_model_of_the_tabular_recipe(recipe_model):
    """The default model of ``numpynn train`` (a bagged ensemble of table networks) is
    described like a plain one: members, blocks, columns, the run; weights per member."""
    from numpynn.display import format_vec
    from numpynn.tabular_network import load_tabular_networks

    members = load_tabular_networks(recipe_model / "r.safetensors")
    short = ok(run("inspect", "r.safetensors", "--no-weights", cwd=recipe_model)).stdout
    assert f"recipe: realmlp (RealMLP-TD), {len(members)} bagged member" in short
    assert f"network of each member: {'-'.join(map(str, members[0].sizes))}" in short
    assert "embedding of 'city': 13 codes x 8 = 104 parameters" in short
    assert f"parameters: {members[0].num_weights} per member" in short
    assert "task: classification of 'y' into 2 classes: no, yes" in short
    assert "  x: numeric, robust scaling, smooth clipping" in short
    assert "  city: text, embedded, from 12 categories (city0, city1," in short
    # a category with a newline stays on its line, quoted
    assert "  note: text, one-hot over 2 categories ('first, then\\nsecond', plain)" in short
    assert "trained on: t.csv (128 training rows, 32 validation rows, seed 42)" in short
    assert "member 1 layer" not in short
    best = members[0].metadata["recipe"]["best_epochs"]  # from 0, as History counts
    said = ", ".join(str(e + 1) for e in best)  # from 1, as train says them
    plural = "" if len(members) == 1 else "s"
    assert f"{len(members)} member{plural}; best epochs {said}" in short
    full = ok(run("inspect", "r.safetensors", cwd=recipe_model)).stdout
    last = members[-1].views.biases[-1]
    assert f"member {len(members)} layer 4 biases (2):" in full
    assert format_vec(last, 9, 4, 2) in full


@needs_matplotlib
def test_inspect_draws_a_member_of_the_tabular_recipe(recipe_model):
    proc = ok(run("inspect", "r.safetensors", "--no-weights", "--diagram", "r.png",
                  cwd=recipe_model))
    assert "of member 1 to r.png" in proc.stdout
    assert (recipe_model / "r.png").read_bytes()[:8] == PNG_MAGIC


def test_inspect_of_a_run_without_a_split_or_epochs_prints_no_none(work, tmp_path):
    """A cluster run records its rows and rounds, not a split and epochs."""
    net = numpynn.load(work / "label.safetensors")
    meta = net.metadata
    for key in ("training_rows", "validation_rows"):
        meta["training"].pop(key)
    meta["results"]["rounds"] = meta["results"].pop("epochs")
    net.save(tmp_path / "cluster.safetensors")
    text = ok(run("inspect", "cluster.safetensors", "--no-weights", cwd=tmp_path)).stdout
    assert "None" not in text
    assert f"({meta['training']['rows']} rows, seed" in text
    assert f"training after {meta['results']['rounds']} rounds: accuracy" in text
