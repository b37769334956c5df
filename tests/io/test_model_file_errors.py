"""Bad, missing and special model files: a ModelFileError that names the file."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import numpy as np
import pytest

safetensors_numpy = pytest.importorskip("safetensors.numpy")
from model_file_helpers import (  # noqa: E402
    _DROP,
    ARTICLE_THETA,
    article_contents,
    article_tensors,
    crafted,
    good_bytes,
    metadata_dict,
    raw_file,
)
from numpynn.files import read_model_file, write_model_file  # noqa: E402

from numpynn import files  # noqa: E402
from numpynn.errors import ModelFileError  # noqa: E402

_CONTAINER = r"not a safetensors file, or damaged \(safetensors: .*"


# ---------------------------------------------------------------------------
# Bad files
# ---------------------------------------------------------------------------
def _tensors_with(**changes) -> dict[str, np.ndarray]:
    tensors = article_tensors()
    for name, value in changes.items():
        name = name.replace("__", ".")
        if value is _DROP:
            del tensors[name]
        else:
            tensors[name] = value
    return tensors


def _nan_weights() -> dict[str, np.ndarray]:
    tensors = article_tensors()
    tensors["layers.1.weight"][2, 1] = np.nan
    return tensors


def _inf_bias() -> dict[str, np.ndarray]:
    tensors = article_tensors()
    tensors["layers.0.bias"][0] = -np.inf
    return tensors


BAD_FILES = {
    "empty": (lambda good: b"", "empty"),
    # The container is checked by safetensors' safe_open: these messages quote its own.
    "too short": (lambda good: b"\x01\x02\x03", _CONTAINER + "header too small"),
    "truncated data": (lambda good: good[:-7], _CONTAINER + "file not fully covered"),
    "truncated header": (lambda good: good[:60], _CONTAINER + "invalid header length"),
    "random bytes": (
        lambda good: np.random.default_rng(5).bytes(300),
        _CONTAINER + "header too large",
    ),
    "header length absurd": (
        lambda good: struct.pack("<Q", 2**62) + good[8:],
        _CONTAINER + "header too large",
    ),
    "header length larger than file": (
        lambda good: struct.pack("<Q", len(good)) + good[8:],
        _CONTAINER + "invalid header length",
    ),
    "header length zero": (
        lambda good: struct.pack("<Q", 0) + good[8:],
        _CONTAINER + "invalid JSON in header: EOF while parsing",
    ),
    "header not JSON": (
        lambda good: raw_file(b"{not json at all}"),
        _CONTAINER + "invalid JSON in header: key must be a string",
    ),
    "header not UTF-8": (
        lambda good: raw_file(b'{"\xff\xfe": 1}'),
        _CONTAINER + "invalid UTF-8 in header",
    ),
    "header a JSON list": (
        lambda good: raw_file(b"[1, 2, 3]"),
        _CONTAINER + "invalid JSON in header: invalid type: sequence",
    ),
    "header duplicate key": (
        lambda good: raw_file(b'{"__metadata__": {}, "__metadata__": {}}'),
        _CONTAINER + "invalid JSON in header: duplicate field `__metadata__`",
    ),
    "header tensor entry malformed": (
        lambda good: raw_file(b'{"x": {"dtype": "F32"}}'),
        _CONTAINER + "invalid JSON in header: missing field `shape`",
    ),
    "header tensor dtype unknown": (
        lambda good: raw_file(
            b'{"x": {"dtype": [1], "shape": [1], "data_offsets": [0, 4]}}', b"\0" * 4
        ),
        _CONTAINER + "invalid JSON in header: invalid type: sequence, expected string",
    ),
    "header offsets beyond data": (
        lambda good: raw_file(b'{"x": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}'),
        _CONTAINER + "file not fully covered",
    ),
    "header offsets overlap": (
        lambda good: raw_file(
            b'{"x": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},'
            b' "y": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}',
            b"\0" * 8,
        ),
        _CONTAINER + "invalid offset for tensor `[xy]`",
    ),
    "plain safetensors, no metadata": (lambda good: crafted(None), "not a numpynn model file"),
    "foreign metadata": (
        lambda good: safetensors_numpy.save(article_tensors(), metadata={"format": "pt"}),
        "not a numpynn model file",
    ),
    "foreign format name": (
        lambda good: crafted(metadata_dict(format="keras")),
        "not a numpynn model file",
    ),
    "numpynn metadata not JSON": (lambda good: crafted("{sizes: [3, 4, 2]"), "not valid JSON"),
    "numpynn metadata a list": (lambda good: crafted("[1, 2]"), "not an object"),
    "numpynn metadata with NaN": (
        lambda good: crafted('{"format": "numpynn", "x": NaN}'),
        "not valid JSON",
    ),
    "newer format version": (
        lambda good: crafted(metadata_dict(format_version=2)),
        "unsupported format_version 2.*newer",
    ),
    "format version not int": (
        lambda good: crafted(metadata_dict(format_version="1")),
        "format_version must be an int",
    ),
    "missing field": (
        lambda good: crafted(metadata_dict(sizes=_DROP)),
        r"lacks the fields \['sizes'\]",
    ),
    "unknown field": (lambda good: crafted(metadata_dict(color="red")), "unknown fields"),
    # The architecture is checked by numpynn.core.architecture, as for a NeuralNetwork.
    "sizes not a list": (
        lambda good: crafted(metadata_dict(sizes="3,4,2")),
        "numpynn metadata: sizes must be a sequence of ints, got '3,4,2'",
    ),
    "sizes too short": (
        lambda good: crafted(metadata_dict(sizes=[26])),
        r"numpynn metadata: a network needs at least two sizes .*got 1",
    ),
    "sizes zero": (
        lambda good: crafted(metadata_dict(sizes=[3, 0, 2])),
        "numpynn metadata: every size must be at least 1, size 1 is 0",
    ),
    "sizes negative": (
        lambda good: crafted(metadata_dict(sizes=[3, -4, 2])),
        "every size must be at least 1, size 1 is -4",
    ),
    "sizes float": (
        lambda good: crafted(metadata_dict(sizes=[3, 4.0, 2])),
        r"size 1 must be an int, got 4.0 \(float\)",
    ),
    "sizes bool": (
        lambda good: crafted(metadata_dict(sizes=[3, True, 2])),
        r"size 1 must be an int, got True \(bool\)",
    ),
    "sizes larger than the file": (
        lambda good: crafted(metadata_dict(sizes=[3, 4000, 2])),
        r"sizes \[3, 4000, 2\] need 24002 float32 values, more than the whole file",
    ),
    "hidden activation invalid": (
        lambda good: crafted(metadata_dict(hidden_activations=["sigmoid"])),
        r"hidden_activations\[0\] must be one of \[.*\], got 'sigmoid'",
    ),
    "hidden activation not a str": (
        lambda good: crafted(metadata_dict(hidden_activations=[["relu"]])),
        r"hidden_activations\[0\] must be a str among",
    ),
    "hidden activations not a list": (
        lambda good: crafted(metadata_dict(hidden_activations="relu")),
        "hidden_activations must be a sequence of str",
    ),
    "output activation invalid": (
        lambda good: crafted(metadata_dict(output_activation="relu")),
        r"output_activation must be one of \[.*\], got 'relu'",
    ),
    "wrong number of hidden activations": (
        lambda good: crafted(metadata_dict(hidden_activations=["relu", "tanh"])),
        r"hidden_activations must hold 1 name \(one per hidden layer\), got 2",
    ),
    "extra not a dict": (
        lambda good: crafted(metadata_dict(extra=[1, 2])),
        "extra must be a JSON object",
    ),
    "tensor missing": (
        lambda good: crafted(metadata_dict(), _tensors_with(layers__1__bias=_DROP)),
        "'layers.1.bias' is missing",
    ),
    "tensor extra": (
        lambda good: crafted(
            metadata_dict(), _tensors_with(layers__2__weight=np.ones((2, 2), np.float32))
        ),
        "unexpected tensor 'layers.2.weight'",
    ),
    "tensor wrong shape": (
        lambda good: crafted(
            metadata_dict(), _tensors_with(layers__0__weight=ARTICLE_THETA[:12].reshape(4, 3))
        ),
        r"'layers.0.weight' has shape \(4, 3\), expected \(3, 4\)",
    ),
    "tensor wrong dtype": (
        lambda good: crafted(
            metadata_dict(), _tensors_with(layers__0__bias=ARTICLE_THETA[12:16].astype(np.float64))
        ),
        "'layers.0.bias' has dtype F64, expected F32",
    ),
    "tensor int dtype": (
        lambda good: crafted(metadata_dict(), _tensors_with(layers__1__bias=np.ones(2, np.int32))),
        "expected F32",
    ),
    "weights NaN": (lambda good: crafted(metadata_dict(), _nan_weights()), "non-finite"),
    "bias infinite": (lambda good: crafted(metadata_dict(), _inf_bias()), "non-finite"),
    "checkpoint fields incomplete": (
        lambda good: crafted(metadata_dict(training_state={"epoch": 1})),
        "checkpoint metadata is incomplete",
    ),
    "checkpoint optimizer array missing": (
        lambda good: crafted(
            metadata_dict(training_state={"epoch": 1}, optimizer_state={}, optimizer_arrays=["m"])
        ),
        "'optimizer.m' is missing",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_raises_model_file_error(tmp_path, case):
    make, match = BAD_FILES[case]
    path = tmp_path / "bad.safetensors"
    path.write_bytes(make(good_bytes(tmp_path)))
    with pytest.raises(ModelFileError, match=match) as excinfo:
        read_model_file(path)
    assert str(path) in str(excinfo.value)
    assert isinstance(excinfo.value, ValueError)


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.safetensors"
    with pytest.raises(ModelFileError, match="no such file") as excinfo:
        read_model_file(path)
    assert str(path) in str(excinfo.value)


def test_directory_instead_of_file(tmp_path):
    with pytest.raises(ModelFileError, match="directory"):
        read_model_file(tmp_path)


def test_file_gone_between_stat_and_open_is_a_model_file_error(tmp_path, monkeypatch):
    from numpynn.io import safetensors_access

    path = tmp_path / "m.safetensors"
    write_model_file(path, article_contents())
    real_check = safetensors_access._check_regular_file

    def check_then_remove(checked_path, max_bytes):
        size = real_check(checked_path, max_bytes)
        checked_path.unlink()
        return size

    monkeypatch.setattr(safetensors_access, "_check_regular_file", check_then_remove)
    with pytest.raises(ModelFileError, match="m.safetensors: cannot read the file"):
        read_model_file(path)


def test_file_over_size_limit_is_rejected_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "m.safetensors"
    write_model_file(path, article_contents())
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 100)
    with pytest.raises(ModelFileError, match="over the 100-byte limit"):
        read_model_file(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_refused_without_opening_it(tmp_path):
    # Opening a FIFO for reading would block until a writer came: refused from stat alone.
    path = tmp_path / "pipe.safetensors"
    os.mkfifo(path)
    with pytest.raises(ModelFileError, match="not a regular file"):
        read_model_file(path)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_device_file_is_refused():
    with pytest.raises(ModelFileError, match="/dev/zero: is not a regular file"):
        read_model_file("/dev/zero")


def test_good_crafted_file_is_accepted(tmp_path):
    # The crafting helpers themselves produce a valid file: the bad cases above differ from
    # it in exactly the one way they name.
    path = tmp_path / "ok.safetensors"
    path.write_bytes(crafted(metadata_dict(extra={"k": [1, 2]})))
    back = read_model_file(path)
    assert back.theta.tobytes() == ARTICLE_THETA.tobytes()
    assert back.extra == {"k": [1, 2]}


def test_other_safetensors_metadata_is_ignored(tmp_path):
    path = tmp_path / "ok.safetensors"
    path.write_bytes(crafted(metadata_dict(), source="converted"))
    assert read_model_file(path).sizes == (3, 4, 2)
