"""Loading is bounded (issue 16, items 7, 9, 10 and 11): ceilings on layers and metadata,
peak memory of a load at most 1.5x the file, devices and FIFOs never opened, metadata that
cannot be saved back refused at load, write errors that name the file, and temporary files
of killed writers cleaned up by the next write in the same place.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import numpy as np
import pytest

safetensors_numpy = pytest.importorskip("safetensors.numpy")
import numpynn  # noqa: E402
from numpynn.errors import ModelFileError  # noqa: E402
from numpynn.io import numpynn_file  # noqa: E402
from numpynn.io.atomic import remove_stale_temp_files  # noqa: E402
from numpynn.io.model_files import read_model_file, write_model_file  # noqa: E402
from numpynn.io.schema import MAX_LAYERS, MAX_METADATA_BYTES, ModelContents  # noqa: E402

LINUX = sys.platform.startswith("linux")


def _metadata(sizes, extra=None) -> dict:
    return {"format": "numpynn", "format_version": 1, "numpynn_version": "0.2.0",
            "sizes": list(sizes), "hidden_activations": ["identity"] * (len(sizes) - 2),
            "output_activation": "identity", "extra": extra or {}}


def _raw_model(path: Path, sizes, metadata_text: str | None = None, more=None) -> Path:
    tensors = {}
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        tensors[f"layers.{i}.weight"] = np.ones((fan_in, fan_out), dtype=np.float32)
        tensors[f"layers.{i}.bias"] = np.zeros(fan_out, dtype=np.float32)
    tensors.update(more or {})
    text = metadata_text if metadata_text is not None else json.dumps(_metadata(sizes))
    safetensors_numpy.save_file(tensors, str(path), metadata={"numpynn": text})
    return path


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


# ------------------------------------------------------------------ ceilings
def test_more_layers_than_the_ceiling_are_refused_from_the_metadata(tmp_path):
    path = _raw_model(tmp_path / "deep.safetensors", [1] * (MAX_LAYERS + 2))
    with pytest.raises(ModelFileError, match=f"at most {MAX_LAYERS} weight layers"):
        read_model_file(path)
    deep = ModelContents((1,) * (MAX_LAYERS + 2), ("identity",) * MAX_LAYERS, "identity",
                         np.zeros(2 * (MAX_LAYERS + 1), dtype=np.float32))
    with pytest.raises(ValueError, match=f"at most {MAX_LAYERS} weight layers"):
        write_model_file(tmp_path / "written.safetensors", deep)  # it would not load


def test_a_header_listing_many_more_tensors_is_refused_before_they_are_read(tmp_path):
    extra = {f"junk.{i}": np.zeros(1, dtype=np.float32) for i in range(20_000)}
    path = _raw_model(tmp_path / "junk.safetensors", [2, 1], more=extra)
    with pytest.raises(ModelFileError, match=r"unexpected tensor 'junk\.0' .*\(20000 unexpected"):
        read_model_file(path)


def test_metadata_over_the_ceiling_is_refused_before_it_is_parsed(tmp_path):
    meta = _metadata([2, 1], {"blob": "x" * (MAX_METADATA_BYTES + 10)})
    path = _raw_model(tmp_path / "blob.safetensors", [2, 1], json.dumps(meta))
    with pytest.raises(ModelFileError, match=f"over the {MAX_METADATA_BYTES}-byte limit"):
        read_model_file(path)
    net = numpynn.NeuralNetwork(2, 1)
    with pytest.raises(ValueError, match="over the .*-byte limit of model files"):
        net.save(tmp_path / "big.safetensors", metadata={"blob": "x" * MAX_METADATA_BYTES})


@pytest.mark.skipif(not LINUX, reason="ru_maxrss in kilobytes: Linux")
def test_peak_memory_of_a_load_is_at_most_one_and_a_half_times_the_file(tmp_path):
    path = tmp_path / "large.safetensors"
    numpynn.NeuralNetwork(4000, 4000, 1, seed=0).save(path)  # 16 M float32: 64 MB
    script = textwrap.dedent(f"""
        import resource, numpynn
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        net = numpynn.load({str(path)!r})
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print((after - before) * 1024)
    """)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    grown = int(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                               check=True, env=env, timeout=300).stdout)
    assert grown <= 1.5 * path.stat().st_size, (grown, path.stat().st_size)


def test_running_out_of_memory_says_for_what(tmp_path, monkeypatch):
    path = tmp_path / "m.safetensors"
    numpynn.NeuralNetwork(3, 4, 2).save(path)

    def no_memory(*args, **kwargs):
        raise MemoryError

    numpy_but_full = types.SimpleNamespace(
        **{name: getattr(np, name) for name in dir(np) if not name.startswith("_")})
    numpy_but_full.empty = no_memory
    monkeypatch.setattr(numpynn_file, "np", numpy_but_full)
    with pytest.raises(MemoryError, match=r"not enough memory for the 26 float32 parameters "
                                          r"\(104 bytes\)"):
        read_model_file(path)


# ------------------------------------------------------------------ never opened
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_never_opened_as_a_model_or_a_checkpoint_pointer(tmp_path):
    fifo = tmp_path / "model.safetensors"
    os.mkfifo(fifo)

    class Blocked(Exception):  # not an OSError: no reader may catch it as a failed open
        pass

    def blocked(signum, frame):
        raise Blocked("a FIFO was opened: it blocks")

    previous = signal.signal(signal.SIGALRM, blocked)
    signal.alarm(30)  # a blocking open would hang the test run: fail it instead
    try:
        with pytest.raises(ModelFileError, match="is not a regular file"):
            read_model_file(fifo)
        ckpt = tmp_path / "ck"
        ckpt.mkdir()
        numpynn.NeuralNetwork(3, 4, 2, seed=0).fit(np.ones((4, 3)), [0, 1, 0, 1], epochs=1,
                                                   checkpoint_dir=ckpt)
        (ckpt / "latest").unlink()
        os.mkfifo(ckpt / "latest")
        from numpynn.io import read_latest_checkpoint

        assert read_latest_checkpoint(ckpt)[2]["epoch"] == 0  # found without the pointer
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# ------------------------------------------------------------------ round trips
@pytest.mark.parametrize("value, problem", [
    ('"\\ud800"', "lone surrogate"),
    ('"\\udfff and more"', "lone surrogate"),
    ("1e400", "number too large for a float"),
])
def test_metadata_that_cannot_be_saved_back_is_refused_at_load(tmp_path, value, problem):
    text = json.dumps(_metadata([2, 1], {"note": "NOTE"})).replace('"NOTE"', value)
    path = _raw_model(tmp_path / "odd.safetensors", [2, 1], text)
    with pytest.raises(ModelFileError, match=f"cannot round-trip: it holds a {problem}"):
        numpynn.load(path)


def test_escaped_characters_that_round_trip_still_load(tmp_path):
    text = json.dumps(_metadata([2, 1], {"note": "\U0001f600 e100 " + "9" * 310}))
    path = _raw_model(tmp_path / "fine.safetensors", [2, 1], text)
    net = numpynn.load(path)
    assert net.metadata["note"].startswith("\U0001f600")
    net.save(tmp_path / "again.safetensors")


# ------------------------------------------------------------------ writes
@pytest.mark.skipif(not hasattr(resource, "RLIMIT_FSIZE"), reason="needs RLIMIT_FSIZE")
def test_a_failed_write_names_the_file_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "model.safetensors"
    script = textwrap.dedent(f"""
        import resource, signal, numpynn
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail: EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        try:
            numpynn.NeuralNetwork(300, 100, 2).save({str(target)!r})
        except OSError as exc:
            print(type(exc).__name__, exc.filename, exc.strerror)
    """)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env=env, timeout=120).stdout.split(" ", 2)
    assert out[:2] == ["OSError", str(target)] and "too large" in out[2].lower()
    assert not list(tmp_path.iterdir())


def test_temporary_files_of_dead_writers_go_with_the_next_write(tmp_path):
    target = tmp_path / "model.safetensors"
    dead = tmp_path / f".model.safetensors.{_dead_pid()}.0a1b2c3d4e5f.tmp"
    alive = tmp_path / f".model.safetensors.{os.getppid()}.0a1b2c3d4e5f.tmp"  # still running
    other = tmp_path / f".other.safetensors.{_dead_pid()}.0a1b2c3d4e5f.tmp"  # not this target
    for path in (dead, alive, other):
        path.write_bytes(b"half a model")
    numpynn.NeuralNetwork(3, 4, 2).save(target)
    assert not dead.exists() and alive.exists() and other.exists()
    assert remove_stale_temp_files(tmp_path / "other.safetensors") == [other]


def test_stale_pointer_temp_files_go_with_the_next_checkpoint(tmp_path):
    stale = tmp_path / f".latest.{_dead_pid()}.0a1b2c3d4e5f.tmp"
    stale.write_bytes(b"checkpoint-epoch")
    numpynn.NeuralNetwork(3, 4, 2, seed=0).fit(np.ones((4, 3)), [0, 1, 0, 1], epochs=1,
                                               checkpoint_dir=tmp_path)
    assert not stale.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "checkpoint-epoch000000.safetensors", "latest"]

