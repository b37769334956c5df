"""Errors that say what to do: "did you mean" for column names, a data file given where a
model belongs (and the reverse), and missing optional packages naming the install command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("safetensors")

from cli_helpers import make_rows, run, write_rows  # noqa: E402

from numpynn.cli.common import error_message, file_kind  # noqa: E402
from numpynn.cli.main import import_error_message  # noqa: E402
from numpynn.tabular.roles import did_you_mean  # noqa: E402


def _one_error_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("numpynn: error: "), proc.stderr
    return lines[0]


def test_did_you_mean():
    columns = ["Species", "petal_length", "Sepal.Width", "id"]
    assert did_you_mean("species", columns) == " (did you mean 'Species'?)"
    assert did_you_mean("SPECIES", columns) == " (did you mean 'Species'?)"
    assert did_you_mean("petal_lenght", columns) == " (did you mean 'petal_length'?)"
    assert did_you_mean("sepal.width", columns) == " (did you mean 'Sepal.Width'?)"
    assert did_you_mean("price", columns) == ""
    assert did_you_mean("x", []) == ""


def test_train_target_in_the_wrong_case(tmp_path):
    # the bundled iris has a lower-case 'species'
    line = _one_error_line(run("train", "--target", "Species", "--out", "m.safetensors",
                               cwd=tmp_path))
    assert "--target" in line and "'Species'" in line and "did you mean 'species'?" in line
    assert "'sepal_length'" in line  # the columns there are
    write_rows(tmp_path / "d.csv", make_rows(20, seed=0))
    line = _one_error_line(run("train", "d.csv", "--target", "lable", cwd=tmp_path))
    assert "did you mean 'label'?" in line
    assert not list(tmp_path.glob("*.safetensors"))


@pytest.fixture(scope="module")
def files(tmp_path_factory, work) -> Path:
    """A CSV, a Parquet and a PNG file, each where a model belongs, and a model."""
    d = tmp_path_factory.mktemp("files")
    write_rows(d / "data.csv", make_rows(10, seed=0))
    (d / "semicolons.txt").write_text("a;b;c\n1;2;3\n")
    (d / "table.parquet").write_bytes(b"PAR1" + bytes(64) + b"PAR1")
    (d / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(32))
    (d / "model.safetensors").write_bytes((work / "label.safetensors").read_bytes())
    return d


@pytest.mark.parametrize("command", [["predict", "data.csv", "data.csv"],
                                     ["evaluate", "data.csv", "data.csv"],
                                     ["inspect", "data.csv"],
                                     ["export", "data.csv", "out.onnx"]])
def test_a_csv_file_where_a_model_belongs(files, command):
    if command[0] == "export":
        pytest.importorskip("onnx")
    line = _one_error_line(run(*command, cwd=files))
    assert "data.csv: this is a CSV file, not a model" in line


@pytest.mark.parametrize(("name", "kind"), [("table.parquet", "a Parquet file"),
                                            ("picture.png", "a PNG image"),
                                            ("semicolons.txt", "a CSV file")])
def test_other_files_where_a_model_belongs(files, name, kind):
    line = _one_error_line(run("inspect", name, cwd=files))
    assert f"this is {kind}, not a model" in line
    assert file_kind(files / name) == kind


def test_a_model_where_the_data_belongs(files):
    assert file_kind(files / "model.safetensors") is None
    line = _one_error_line(run("predict", "model.safetensors", "model.safetensors",
                               cwd=files))
    assert "model.safetensors is a model file, not a data table" in line
    assert "numpynn predict MODEL DATA" in line


def _without(modules: list[str], argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """``numpynn ARGV`` in a process where importing ``modules`` fails, as if not installed."""
    block = "; ".join(f"sys.modules[{m!r}] = None" for m in modules)
    code = f"import sys; {block}\nfrom numpynn.cli import main\nsys.exit(main({argv!r}))"
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def test_missing_extras_name_the_install_command(files, tmp_path):
    cases = [
        (["safetensors", "safetensors.numpy"], ["inspect", str(files / "model.safetensors")]),
        (["safetensors", "safetensors.numpy"], ["train", "--out", "m.safetensors"]),
        (["matplotlib", "matplotlib.figure"], ["inspect", str(files / "model.safetensors"),
                                               "--diagram", "d.png"]),
    ]
    for modules, argv in cases:
        line = _one_error_line(_without(modules, argv, tmp_path))
        assert 'pip install "numpynn[cli]"' in line, line
        assert modules[0] in line
    assert list(tmp_path.iterdir()) == []


def test_import_error_messages():
    try:
        import numpynn_no_such_module  # noqa: F401
    except ImportError as exc:
        assert import_error_message(exc) == "No module named 'numpynn_no_such_module'"
    cause = ModuleNotFoundError("No module named 'scipy'", name="scipy")
    wrapped = ImportError("optimizer='lbfgs' needs SciPy")
    wrapped.__cause__ = cause
    assert import_error_message(wrapped) == \
        'scipy is not installed, and this needs it: pip install "numpynn[cli]"'
    numba = ModuleNotFoundError("No module named 'numba.core'", name="numba.core")
    assert import_error_message(numba) == \
        'No module named \'numba.core\'; pip install "numpynn[fast]"'
    onnx = ImportError("ONNX export needs the 'onnx' package: pip install 'numpynn[onnx]'")
    onnx.__cause__ = ModuleNotFoundError("No module named 'onnx'", name="onnx")
    assert import_error_message(onnx) == error_message(onnx)  # it says so already

