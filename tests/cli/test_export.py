"""``numpynn export MODEL OUT.onnx``: a model file (with its preprocessing, when it has one)
to an ONNX file, atomically; bad input is one ``numpynn: error:`` line and exit status 1."""

from __future__ import annotations

import csv
import os
import subprocess
import sys

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
pytest.importorskip("safetensors")

import numpynn  # noqa: E402
from numpynn.cli import main  # noqa: E402


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    directory = tmp_path_factory.mktemp("export")
    net = numpynn.NeuralNetwork(3, 4, 2, seed=0)
    net.save(directory / "plain.safetensors")
    data = directory / "data.csv"
    rng = np.random.default_rng(0)
    with open(data, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["x", "colour", "y"])
        for i in range(40):
            writer.writerow([f"{rng.normal():.3f}" if i % 5 else "", "rgb"[i % 3], "ab"[i % 2]])
    assert main(["train", str(data), "--target", "y", "--epochs", "3", "--quiet", "--out",
                 str(directory / "table.safetensors")]) == 0
    return directory


def export(capsys, *args) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["export", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_plain_model_file_exports_the_network(models, tmp_path, capsys):
    out = tmp_path / "net.onnx"
    code, printed, err = export(capsys, models / "plain.safetensors", out)
    assert code == 0 and err == ""
    assert f"wrote {out} (opset 17): inputs input; outputs probabilities, label" in printed
    model = onnx.load(str(out))
    onnx.checker.check_model(model, full_check=True)
    net = numpynn.from_onnx(out)
    assert net.theta.tobytes() == numpynn.load(models / "plain.safetensors").theta.tobytes()
    assert os.listdir(tmp_path) == ["net.onnx"]


@pytest.mark.parametrize("opset", [13, 21])
def test_a_trained_model_exports_with_its_preprocessing(models, tmp_path, capsys, opset):
    out = tmp_path / "table.onnx"
    code, printed, _ = export(capsys, models / "table.safetensors", out, "--opset", opset)
    assert code == 0
    assert "inputs x, colour; outputs probabilities, label" in printed
    model = onnx.load(str(out))
    assert model.opset_import[0].version == opset
    assert [i.name for i in model.graph.input] == ["x", "colour"]
    code, printed, _ = export(capsys, models / "table.safetensors", out, "--force",
                              "--no-preprocessing")
    assert code == 0 and "inputs input;" in printed


def test_an_existing_output_needs_force(models, tmp_path, capsys):
    out = tmp_path / "net.onnx"
    out.write_bytes(b"keep me")
    code, _, err = export(capsys, models / "plain.safetensors", out)
    assert code == 1
    assert err == f"numpynn: error: '{out}' already exists; pass --force to replace it\n"
    assert out.read_bytes() == b"keep me"
    code, _, _ = export(capsys, models / "plain.safetensors", out, "-f")
    assert code == 0 and onnx.load(str(out)).producer_name == "numpynn"


def bad_cases(models, tmp_path):
    csv_file = models / "data.csv"
    return {
        "opset too new": ([models / "plain.safetensors", tmp_path / "o.onnx", "--opset", "22"],
                          "opset must be one of 13..21, got 22"),
        "opset too old": ([models / "plain.safetensors", tmp_path / "o.onnx", "--opset", "12"],
                          "opset must be one of 13..21, got 12"),
        "not a model": ([csv_file, tmp_path / "o.onnx"], "not a safetensors file"),
        "no model": ([tmp_path / "missing.safetensors", tmp_path / "o.onnx"],
                     "no such model file"),
        "model as output": ([models / "plain.safetensors", models / "plain.safetensors",
                             "--force"], "is the model file; refusing to overwrite it"),
        "no directory": ([models / "plain.safetensors", tmp_path / "nodir" / "o.onnx"],
                         "does not exist"),
        "a directory": ([models / "plain.safetensors", tmp_path], "is a directory"),
    }


@pytest.mark.parametrize("case", ["opset too new", "opset too old", "not a model", "no model",
                                  "model as output", "no directory", "a directory"])
def test_bad_input_is_one_error_line(models, tmp_path, capsys, case):
    args, message = bad_cases(models, tmp_path)[case]
    code, out, err = export(capsys, *args)
    assert code == 1 and out == ""
    assert err.startswith("numpynn: error: ") and err.count("\n") == 1, err
    assert message in err
    assert not (tmp_path / "o.onnx").exists()


def test_a_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["export", "a", "b", "--opset", "seventeen"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("numpynn: error: argument --opset: invalid int value")
    assert err.count("\n") == 1


def test_without_onnx_installed(models, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)  # `import onnx` raises ImportError
    code, _, err = export(capsys, models / "plain.safetensors", tmp_path / "o.onnx")
    assert code == 1
    assert "numpynn: error: ONNX export and import need the 'onnx' package" in err
    assert not (tmp_path / "o.onnx").exists()


def test_export_in_a_real_process(models, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "NUMPYNN_TRACEBACK"}
    proc = subprocess.run([sys.executable, "-m", "numpynn", "export", "--help"],
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0 and "--opset N" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "numpynn", "export",
                           str(models / "table.safetensors"), str(tmp_path / "t.onnx")],
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert (tmp_path / "t.onnx").stat().st_size > 0


@pytest.mark.parametrize("target", ["y", "z"])
def test_a_model_of_the_tabular_recipe_exports_with_its_preprocessing(tmp_path, capsys,
                                                                      target):
    """train's default model: the table's columns in, predict's answers out (labels, or a
    regression's values in the target's units); --no-preprocessing gives the members
    alone, the encoded features in."""
    ort = pytest.importorskip("onnxruntime")
    from numpynn.cli.common import load_trained, read_input, transform

    rng = np.random.default_rng(1)
    data = tmp_path / "data.csv"
    with open(data, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["x", "colour", "y", "z"])
        for i in range(80):
            x = rng.normal()
            writer.writerow([f"{x:.3f}" if i % 7 else "", "rgb"[i % 3], "ab"[x > 0],
                             f"{100 + 10 * x:.2f}"])
    drop = "z" if target == "y" else "y"
    assert main(["train", str(data), "--target", target, "--drop", drop, "--time-budget",
                 "1", "--quiet", "--out", str(tmp_path / "r.safetensors")]) == 0
    code, out, err = export(capsys, tmp_path / "r.safetensors", tmp_path / "r.onnx")
    assert code == 0 and "inputs x, colour;" in out, err
    model = load_trained(str(tmp_path / "r.safetensors"))
    features = transform(model.pre, read_input(str(data), model=model))
    expected = model.net.eval(features)
    if target == "z":
        expected = model.enc.inverse_transform(expected)
    rows = list(csv.reader(open(data)))[1:]
    x = np.array([[float(r[0]) if r[0] else np.nan] for r in rows])
    colour = np.array([[r[1]] for r in rows], dtype=object)
    session = ort.InferenceSession(str(tmp_path / "r.onnx"))
    got = session.run(None, {"x": x, "colour": colour})
    np.testing.assert_allclose(got[0], expected, rtol=1e-5, atol=1e-4)
    if target == "y":
        assert list(got[1]) == [model.enc.classes[i] for i in expected.argmax(axis=1)]
    code, out, _ = export(capsys, tmp_path / "r.safetensors", tmp_path / "n.onnx",
                          "--no-preprocessing")
    assert code == 0 and "inputs input;" in out
    alone = ort.InferenceSession(str(tmp_path / "n.onnx")).run(None, {"input": features})[0]
    np.testing.assert_allclose(alone, expected, rtol=1e-5, atol=1e-4)
