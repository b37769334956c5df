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
