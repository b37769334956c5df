"""The command line on hostile input (issue 16): no traceback and no non-finite result with
exit status 0, clear one-line errors that name the file, refusals before any work, killed
runs that leave nothing behind, and resumes that do not quietly change the run."""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import make_rows, ok, run, write_rows

pytest.importorskip("safetensors")
from safetensors import safe_open  # noqa: E402
from safetensors.numpy import save_file  # noqa: E402

from numpynn.cli import main  # noqa: E402


def cli(*argv: str) -> tuple[int, str, str]:
    """``numpynn ARGV`` in this process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def one_error(code: int, err: str) -> str:
    """The one ``numpynn: error:`` line of a failed command."""
    assert code == 1, err
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("numpynn: error:")]
    assert len(errors) == 1, err
    return errors[0]


def _rewrite(source: Path, target: Path, *, scale: float = 1.0, extra=None) -> Path:
    """A copy of a model file with its weights scaled and fields of ``extra`` replaced."""
    with safe_open(str(source), framework="numpy") as handle:
        meta = json.loads(handle.metadata()["numpynn"])
        tensors = {name: handle.get_tensor(name) * np.float32(scale)
                   for name in handle.keys()}  # noqa: SIM118
    for path, value in (extra or {}).items():
        parent = meta["extra"]
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = value
    save_file(tensors, str(target), metadata={"numpynn": json.dumps(meta)})
    return target


# ------------------------------------------------------------------ item 2: no silent inf
def test_predict_and_evaluate_report_overflow_instead_of_inf(work, tmp_path):
    for name in ("price", "label"):
        model = _rewrite(work / f"{name}.safetensors", tmp_path / f"{name}.safetensors",
                         scale=1e19)
        code, out, err = cli("predict", str(model), str(work / "new.csv"))
        assert _says_overflow(one_error(code, err))
        assert out == ""  # nothing written, not a column of inf
        code, out, err = cli("evaluate", str(model), str(work / "new.csv"))
        assert _says_overflow(one_error(code, err))
        assert "inf" not in out and "constant" not in out


def _says_overflow(line: str) -> bool:
    """The network's outputs overflow, or their value in the target's units does."""
    return "outputs overflowed float32" in line or "beyond float32's range" in line


# ------------------------------------------------------------------ item 4: known crashes
@pytest.mark.parametrize("field, value", [
    (("preprocessor", "columns", 0, "mean"), 10**400),
    (("feature_names",), ["age"]),
    (("results", "training", "accuracy"), 10**400),
    (("target_encoder", "std"), 10**400),
], ids=["huge mean", "too few feature names", "huge score", "huge std"])
def test_files_that_load_never_crash_the_commands(work, tmp_path, field, value):
    model = _rewrite(work / "price.safetensors", tmp_path / "odd.safetensors",
                     extra={field: value})
    for command in (["inspect"], ["predict", str(work / "new.csv")],
                    ["evaluate", str(work / "new.csv")]):
        code, _, err = cli(command[0], str(model), *command[1:])
        assert code in (0, 1) and "Traceback" not in err
        if code:
            one_error(code, err)


# ------------------------------------------------------------------ items 6 and 9
def test_a_target_beyond_float32_is_refused_before_training(tmp_path):
    rows = make_rows(60, seed=3)
    rows[17][5] = "5e38"  # price
    write_rows(tmp_path / "huge.csv", rows)
    code, out, err = cli("train", str(tmp_path / "huge.csv"), "--target", "price", "-q",
                         "--out", str(tmp_path / "m.safetensors"))
    assert "holds 5e+38, beyond float32's range" in one_error(code, err)
    assert "trained" not in out and not (tmp_path / "m.safetensors").exists()


def test_finite_values_that_overflow_float32_say_so(work, tmp_path):
    rows = make_rows(5, seed=8)
    rows[2][0] = "1e300"  # age: finite, but not once standardised into float32
    write_rows(tmp_path / "odd.csv", rows)
    code, _, err = cli("predict", str(work / "label.safetensors"), str(tmp_path / "odd.csv"))
    line = one_error(code, err)
    assert "1e+300" in line and "beyond float32's range" in line and "NaN" not in line


def test_a_divergence_without_a_checkpoint_does_not_call_one_intact(tmp_path):
    code, _, err = cli("train", "--lr", "1e30", "--epochs", "3", "-q", "--checkpoint-dir",
                       str(tmp_path / "ck"), "--out", str(tmp_path / "m.safetensors"))
    line = one_error(code, err)
    assert "diverged in epoch 1" in line and "intact" not in line


@pytest.mark.skipif(not hasattr(resource, "RLIMIT_FSIZE"), reason="needs RLIMIT_FSIZE")
def test_a_full_disk_names_the_file(work, tmp_path):
    def small_files():  # in the child: writes past 512 B fail (EFBIG) instead of a signal
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (512, 512))

    out = tmp_path / "predictions.csv"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("NUMPYNN_TRACEBACK", None)
    for argv in (["predict", str(work / "label.safetensors"), str(work / "data.csv"), "--out",
                  str(out)],
                 ["train", "--epochs", "1", "-q", "--out", str(tmp_path / "m.safetensors")]):
        proc = subprocess.run([sys.executable, "-m", "numpynn", *argv], capture_output=True,
                              text=True, env=env, preexec_fn=small_files, timeout=120)
        line = one_error(proc.returncode, proc.stderr)
        assert str(tmp_path) in line and "too large" in line.lower(), line
    assert not list(tmp_path.iterdir())  # no temporary file left either


# ------------------------------------------------------------------ item 11: SIGKILL
def test_temp_files_of_a_killed_run_are_cleaned_up_by_the_next(tmp_path):
    write_rows(tmp_path / "big.csv", make_rows(2000, seed=7))
    command = ["train", "big.csv", "--target", "label", "--batch-size", "8", "--epochs",
               "100000", "--checkpoint-dir", "ck", "-q", "--out", "model.safetensors"]
    proc = subprocess.Popen([sys.executable, "-m", "numpynn", *command], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "ck" / "latest").exists():
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        time.sleep(0.3)
        proc.kill()  # SIGKILL: nothing of numpynn runs after it
    finally:
        proc.wait()
    # whatever the kill left, and what a kill in the middle of a write leaves
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    for place in (tmp_path / "ck" / ".checkpoint-epoch000001.safetensors",
                  tmp_path / "ck" / ".latest", tmp_path / ".model.safetensors"):
        Path(f"{place}.{dead.pid}.0a1b2c3d4e5f.tmp").write_bytes(b"half written")
    command[command.index("100000")] = "3"
    resumed = ok(run(*command, "--resume", "--epochs", "200", cwd=tmp_path))
    assert "resuming from epoch" in resumed.stdout
    leftovers = list(tmp_path.glob(".*.tmp")) + list((tmp_path / "ck").glob(".*.tmp"))
    assert not leftovers, leftovers
    assert sorted(p.name for p in (tmp_path / "ck").iterdir() if not p.name.endswith("st")) \
        == sorted(p.name for p in (tmp_path / "ck").glob("checkpoint-epoch*.safetensors"))


# ------------------------------------------------------------------ item 13: resume
def test_resume_refuses_changed_hyper_parameters_listing_them(tmp_path):
    common = ["train", "--epochs", "2", "-q", "--checkpoint-dir", str(tmp_path / "ck")]
    assert cli(*common, "--out", str(tmp_path / "a.safetensors"))[0] == 0
    code, _, err = cli(*common, "--epochs", "4", "--resume", "--lr", "0.1", "--batch-size",
                       "8", "--out", str(tmp_path / "b.safetensors"))
    line = one_error(code, err)
    assert "made with --lr 0.01, --batch-size 32; this run has --lr 0.1, --batch-size 8" in line
    assert not (tmp_path / "b.safetensors").exists()
    code, _, err = cli(*common, "--epochs", "4", "--resume", "--out",
                       str(tmp_path / "b.safetensors"))  # the same options: fine
    assert code == 0, err


@pytest.mark.parametrize("inside", ["latest", "model.safetensors", "sub/model.safetensors"])
def test_out_cannot_name_a_file_inside_the_checkpoint_directory(tmp_path, inside):
    (tmp_path / "ck" / "sub").mkdir(parents=True)
    code, out, err = cli("train", "--epochs", "1", "-q", "--checkpoint-dir",
                         str(tmp_path / "ck"), "--out", str(tmp_path / "ck" / inside))
    assert "is inside --checkpoint-dir" in one_error(code, err)
    assert not list((tmp_path / "ck").glob("checkpoint-epoch*"))  # refused before any work


def test_a_damaged_newest_checkpoint_is_skipped_once_and_said_once(tmp_path):
    from numpynn.io import read_latest_checkpoint, write_checkpoint

    common = ["train", "--epochs", "3", "-q", "--checkpoint-dir", str(tmp_path / "ck")]
    assert cli(*common, "--out", str(tmp_path / "a.safetensors"))[0] == 0
    contents, arrays, state = read_latest_checkpoint(tmp_path / "ck")
    state["optimizer"]["step"] = -1
    write_checkpoint(tmp_path / "ck", contents, arrays, state)
    code, out, err = cli(*common, "--epochs", "5", "--resume", "--out",
                         str(tmp_path / "b.safetensors"))
    assert code == 0, err
    warnings = [line for line in err.splitlines() if "skipping damaged checkpoint" in line]
    assert len(warnings) == 1 and "checkpoint-epoch000002" in warnings[0]
    assert "resuming from epoch 2 " in out  # the checkpoint the resume really used
