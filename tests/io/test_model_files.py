"""Model files (numpynn.io.model_files, also numpynn.files): round trips, writing, atomic writes."""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import numpy as np
import pytest

safetensors_numpy = pytest.importorskip("safetensors.numpy")
from model_file_helpers import ARTICLE_THETA, article_contents, deep_contents  # noqa: E402
from numpynn.files import ModelContents, read_model_file, write_model_file  # noqa: E402


# ---------------------------------------------------------------------------
# Round trips
# ---------------------------------------------------------------------------
def test_round_trip_article_net_is_bit_identical(tmp_path):
    extra = {"classes": ["setosa", "versicolor"], "task": "classification", "scale": 0.5}
    contents = article_contents(extra)
    path = tmp_path / "article.safetensors"
    write_model_file(path, contents)
    back = read_model_file(path)
    assert back.sizes == (3, 4, 2)
    assert back.hidden_activations == ("leaky_relu",)
    assert back.output_activation == "softmax"
    assert back.theta.dtype == np.float32
    assert back.theta.shape == (26,)
    assert back.theta.tobytes() == ARTICLE_THETA.tobytes()
    assert back.extra == extra
    assert back == contents


def test_round_trip_deeper_net(tmp_path):
    contents = deep_contents()
    path = tmp_path / "deep.safetensors"
    write_model_file(path, contents)
    back = read_model_file(str(path))
    assert back.sizes == contents.sizes
    assert back.hidden_activations == contents.hidden_activations
    assert back.output_activation == "identity"
    assert back.theta.tobytes() == contents.theta.tobytes()
    assert back.extra == contents.extra


def test_round_trip_without_hidden_layer(tmp_path):
    theta = np.array([0.5, -1.5, 2.0, 0.25], dtype=np.float32)
    contents = ModelContents((3, 1), (), "logistic", theta)
    write_model_file(tmp_path / "m.safetensors", contents)
    back = read_model_file(tmp_path / "m.safetensors")
    assert back.sizes == (3, 1)
    assert back.hidden_activations == ()
    assert back.extra == {}
    np.testing.assert_array_equal(back.theta, theta)


def test_file_opens_with_plain_safetensors_tools(tmp_path):
    path = tmp_path / "article.safetensors"
    write_model_file(path, article_contents())
    tensors = safetensors_numpy.load_file(str(path))
    assert set(tensors) == {"layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"}
    np.testing.assert_array_equal(tensors["layers.0.weight"], ARTICLE_THETA[:12].reshape(3, 4))
    np.testing.assert_array_equal(tensors["layers.0.bias"], ARTICLE_THETA[12:16])
    np.testing.assert_array_equal(tensors["layers.1.weight"], ARTICLE_THETA[16:24].reshape(4, 2))
    np.testing.assert_array_equal(tensors["layers.1.bias"], ARTICLE_THETA[24:26])
    assert all(t.dtype == np.float32 for t in tensors.values())


def test_file_holds_no_pickle_and_metadata_is_plain_json(tmp_path):
    path = tmp_path / "article.safetensors"
    write_model_file(path, article_contents({"note": "hello"}))
    data = path.read_bytes()
    for opcode in (b"\x80\x02", b"\x80\x03", b"\x80\x04\x95", b"\x80\x05\x95"):
        assert opcode not in data
    header_len = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8 : 8 + header_len])
    assert set(header["__metadata__"]) == {"numpynn"}
    meta = json.loads(header["__metadata__"]["numpynn"])
    assert meta["format"] == "numpynn"
    assert meta["format_version"] == 1
    assert meta["sizes"] == [3, 4, 2]
    assert meta["hidden_activations"] == ["leaky_relu"]
    assert meta["output_activation"] == "softmax"
    assert meta["extra"] == {"note": "hello"}
    assert isinstance(meta["numpynn_version"], str)


def test_overwrite_replaces_the_old_model(tmp_path):
    path = tmp_path / "m.safetensors"
    write_model_file(path, article_contents())
    write_model_file(path, deep_contents())
    assert read_model_file(path).sizes == (5, 8, 7, 6, 3)
    assert [p.name for p in tmp_path.iterdir()] == ["m.safetensors"]


def test_extra_numpy_values_are_stored_as_plain_json(tmp_path):
    extra = {
        "mean": np.array([1.5, 2.5], dtype=np.float32),
        "n": np.int64(7),
        "scale": np.float32(0.5),
        "pair": (1, 2),
        "flag": np.bool_(True),
    }
    write_model_file(tmp_path / "m.safetensors", article_contents(extra))
    back = read_model_file(tmp_path / "m.safetensors")
    assert back.extra == {"mean": [1.5, 2.5], "n": 7, "scale": 0.5, "pair": [1, 2], "flag": True}
    assert type(back.extra["n"]) is int


# ---------------------------------------------------------------------------
# Validation on construction / write
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"sizes": (3,)}, ValueError, r"at least two sizes \(inputs and outputs\), got 1"),
        ({"sizes": (3, 0, 2)}, ValueError, "every size must be at least 1, size 1 is 0"),
        ({"sizes": (3, 4.0, 2)}, TypeError, "size 1 must be an int, got 4.0"),
        ({"sizes": 3}, TypeError, "sequence of ints"),
        ({"hidden_activations": ()}, ValueError, r"must hold 1 name \(one per hidden .*got 0"),
        ({"hidden_activations": "relu"}, TypeError, "sequence of str"),
        ({"hidden_activations": ("sigmoid",)}, ValueError, r"hidden_activations\[0\] .*'sigmoid'"),
        ({"output_activation": "relu"}, ValueError, "output_activation"),
        ({"theta": ARTICLE_THETA[:25].copy()}, ValueError, r"shape \(26,\)"),
        ({"theta": ARTICLE_THETA.astype(np.float16)}, ValueError, "float32 or float64"),
        ({"theta": list(ARTICLE_THETA)}, TypeError, "NumPy array"),
        ({"theta": np.full(26, np.nan, dtype=np.float32)}, ValueError, "non-finite"),
        ({"extra": ["not", "a", "dict"]}, TypeError, "extra must be a dict"),
        ({"extra": {"x": float("nan")}}, ValueError, "finite"),
        ({"extra": {"x": object()}}, TypeError, "not JSON-able"),
        ({"extra": {1: "int key"}}, TypeError, "keys must be str"),
    ],
)
def test_invalid_contents_are_rejected(kwargs, error, match):
    args = {
        "sizes": (3, 4, 2),
        "hidden_activations": ("relu",),
        "output_activation": "softmax",
        "theta": ARTICLE_THETA.copy(),
        "extra": {},
    }
    args.update(kwargs)
    with pytest.raises(error, match=match):
        ModelContents(**args)


def test_write_refuses_theta_made_non_finite_after_construction(tmp_path):
    contents = article_contents()
    contents.theta[3] = np.inf
    with pytest.raises(ValueError, match="non-finite"):
        write_model_file(tmp_path / "m.safetensors", contents)
    assert list(tmp_path.iterdir()) == []


def test_write_refuses_other_objects(tmp_path):
    with pytest.raises(TypeError, match="ModelContents"):
        write_model_file(tmp_path / "m.safetensors", {"theta": ARTICLE_THETA})
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------
# Reading through safetensors; the 0.1 names
# ---------------------------------------------------------------------------
def test_reading_leaves_the_file_to_safetensors(tmp_path, monkeypatch):
    # safe_open maps the file in Rust; numpynn itself never reads it whole into memory.
    import builtins

    path = tmp_path / "m.safetensors"
    write_model_file(path, deep_contents())

    def no_python_open(*args, **kwargs):
        raise AssertionError(f"open{args} called while reading a model file")

    monkeypatch.setattr(builtins, "open", no_python_open)
    monkeypatch.setattr(Path, "read_bytes", no_python_open)
    back = read_model_file(path)
    monkeypatch.undo()
    assert back == deep_contents()


def test_0_1_names_of_numpynn_files_still_work():
    import numpynn.io
    from numpynn import files

    for name in ("ModelContents", "read_model_file", "write_model_file", "write_checkpoint",
                 "read_latest_checkpoint", "FORMAT_NAME", "FORMAT_VERSION", "MAX_FILE_BYTES",
                 "_import_safetensors"):
        assert hasattr(files, name), name
    assert files.read_latest_checkpoint is numpynn.io.read_latest_checkpoint
    assert files._import_safetensors() is safetensors_numpy


# ---------------------------------------------------------------------------
# Atomic writes
# ---------------------------------------------------------------------------
def test_failed_replace_leaves_old_file_and_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "model.safetensors"
    write_model_file(path, article_contents())
    before = path.read_bytes()

    def broken_replace(src, dst):
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk on fire"):
        write_model_file(path, deep_contents())
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.safetensors"]
    monkeypatch.undo()
    assert read_model_file(path) == article_contents()


def test_failed_fsync_leaves_old_file_and_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "model.safetensors"
    write_model_file(path, article_contents())
    before = path.read_bytes()

    def broken_fsync(fd):
        raise OSError("no space left")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="no space left"):
        write_model_file(path, deep_contents())
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.safetensors"]


def test_write_into_missing_directory_raises_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        write_model_file(tmp_path / "no" / "such" / "m.safetensors", article_contents())
    assert list(tmp_path.iterdir()) == []
