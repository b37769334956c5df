"""Model files and checkpoints store F32 or F64 tensors by the network's dtype."""

from __future__ import annotations

import json

import numpy as np
import pytest

safetensors_numpy = pytest.importorskip("safetensors.numpy")

from numpynn.files import ModelContents, read_model_file, write_model_file  # noqa: E402

import numpynn  # noqa: E402
from numpynn import NeuralNetwork  # noqa: E402
from numpynn.errors import ModelFileError  # noqa: E402


def _header_dtypes(path) -> dict[str, str]:
    raw = path.read_bytes()
    length = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + length])
    return {name: spec["dtype"] for name, spec in header.items() if name != "__metadata__"}


@pytest.mark.parametrize(("dtype", "code"), [(np.float32, "F32"), (np.float64, "F64")])
def test_network_round_trips_in_its_dtype(tmp_path, dtype, code):
    net = NeuralNetwork(4, 6, 5, 3, hidden_activation=["relu", "tanh"], seed=0, dtype=dtype)
    net.metadata = {"classes": ["a", "b", "c"]}
    path = tmp_path / "model.safetensors"
    net.save(path)
    assert set(_header_dtypes(path).values()) == {code}
    back = numpynn.load(path)
    assert back.dtype == dtype and back.theta.dtype == dtype
    np.testing.assert_array_equal(back.theta, net.theta)  # bit for bit
    assert back.metadata == net.metadata
    X = np.random.default_rng(0).normal(size=(7, 4))
    np.testing.assert_array_equal(back.eval(X), net.eval(X))


def test_float64_values_survive_exactly(tmp_path):
    theta = np.random.default_rng(1).normal(size=26)  # most values need float64
    assert not np.array_equal(theta.astype(np.float32).astype(np.float64), theta)
    path = tmp_path / "m.safetensors"
    write_model_file(path, ModelContents((3, 4, 2), ("relu",), "softmax", theta))
    assert read_model_file(path).theta.dtype == np.float64
    np.testing.assert_array_equal(read_model_file(path).theta, theta)


def test_files_written_before_float64_networks_still_load(tmp_path):
    """A file of F32 tensors as numpynn has always written them loads as float32."""
    theta = (np.arange(1, 27) / 100).astype(np.float32)
    tensors = {"layers.0.weight": theta[:12].reshape(3, 4), "layers.0.bias": theta[12:16],
               "layers.1.weight": theta[16:24].reshape(4, 2), "layers.1.bias": theta[24:]}
    meta = {"format": "numpynn", "format_version": 1, "numpynn_version": "0.1.0",
            "sizes": [3, 4, 2], "hidden_activations": ["leaky_relu"],
            "output_activation": "softmax", "extra": {}}
    path = tmp_path / "old.safetensors"
    path.write_bytes(safetensors_numpy.save(tensors, metadata={"numpynn": json.dumps(meta)}))
    net = numpynn.load(path)
    assert net.dtype == np.float32
    np.testing.assert_allclose(net.eval([3.0, 4.0, -4.5]), [0.4973, 0.5027], atol=1e-4)


@pytest.mark.parametrize(("first", "other", "match"), [
    (np.float64, np.float32, "'layers.0.bias' has dtype F32, expected F64"),
    (np.float32, np.float64, "'layers.0.bias' has dtype F64, expected F32"),
    (np.float16, np.float16, "'layers.0.weight' has dtype F16, expected F32 or F64"),
])
def test_mixed_or_other_dtypes_are_refused(tmp_path, first, other, match):
    theta = np.arange(1, 27) / 100
    tensors = {"layers.0.weight": theta[:12].reshape(3, 4).astype(first),
               "layers.0.bias": theta[12:16].astype(other),
               "layers.1.weight": theta[16:24].reshape(4, 2).astype(first),
               "layers.1.bias": theta[24:].astype(first)}
    meta = {"format": "numpynn", "format_version": 1, "sizes": [3, 4, 2],
            "hidden_activations": ["relu"], "output_activation": "softmax", "extra": {}}
    path = tmp_path / "bad.safetensors"
    path.write_bytes(safetensors_numpy.save(tensors, metadata={"numpynn": json.dumps(meta)}))
    with pytest.raises(ModelFileError, match=match):
        read_model_file(path)


def test_float64_checkpoints_resume_bit_for_bit(tmp_path):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(120, 2)), rng.integers(0, 2, 120)
    full = NeuralNetwork(2, 8, 2, seed=0, dtype=np.float64)
    full.fit(X, y, epochs=6, seed=3, dropout=0.1)
    first = NeuralNetwork(2, 8, 2, seed=0, dtype=np.float64)
    first.fit(X, y, epochs=3, seed=3, dropout=0.1, checkpoint_dir=tmp_path)
    written = sorted(tmp_path.glob("checkpoint-*.safetensors"))[-1]
    assert set(_header_dtypes(written).values()) == {"F64"}  # model and optimizer state
    resumed = NeuralNetwork(2, 8, 2, seed=99, dtype=np.float64)
    resumed.fit(X, y, epochs=6, seed=3, dropout=0.1, checkpoint_dir=tmp_path, resume=True)
    np.testing.assert_array_equal(resumed.theta, full.theta)
    with pytest.raises(ValueError, match="float64 network, not float32"):
        NeuralNetwork(2, 8, 2).fit(X, y, epochs=6, checkpoint_dir=tmp_path, resume=True)
