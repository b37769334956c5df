"""The model files of the tests of numpynn.io.model_files: the article's net, crafted files."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

safetensors_numpy = pytest.importorskip("safetensors.numpy")
from numpynn.files import FORMAT_NAME, FORMAT_VERSION, ModelContents, write_model_file  # noqa: E402

ARTICLE_THETA = (np.arange(1, 27) / 100).astype(np.float32)


def article_contents(extra: dict | None = None) -> ModelContents:
    return ModelContents(
        sizes=(3, 4, 2),
        hidden_activations=("leaky_relu",),
        output_activation="softmax",
        theta=ARTICLE_THETA.copy(),
        extra=extra if extra is not None else {},
    )


def deep_contents(seed: int = 0) -> ModelContents:
    sizes = (5, 8, 7, 6, 3)
    n = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
    theta = np.random.default_rng(seed).standard_normal(n).astype(np.float32)
    return ModelContents(
        sizes=sizes,
        hidden_activations=("relu", "tanh", "logistic"),
        output_activation="identity",
        theta=theta,
        extra={"task": "regression", "features": ["a", "b", "c", "d", "e"]},
    )


def good_bytes(tmp_path: Path) -> bytes:
    path = tmp_path / "good.safetensors"
    write_model_file(path, article_contents({"classes": ["no", "yes"]}))
    return path.read_bytes()


def metadata_dict(**overrides) -> dict:
    meta = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "numpynn_version": "0.1.0",
        "sizes": [3, 4, 2],
        "hidden_activations": ["relu"],
        "output_activation": "softmax",
        "extra": {},
    }
    for key, value in overrides.items():
        if value is _DROP:
            meta.pop(key)
        else:
            meta[key] = value
    return meta


_DROP = object()


def article_tensors() -> dict[str, np.ndarray]:
    t = ARTICLE_THETA
    return {
        "layers.0.weight": t[:12].reshape(3, 4).copy(),
        "layers.0.bias": t[12:16].copy(),
        "layers.1.weight": t[16:24].reshape(4, 2).copy(),
        "layers.1.bias": t[24:26].copy(),
    }


def crafted(meta: dict | str | None, tensors: dict | None = None, **md) -> bytes:
    """A safetensors file with the given numpynn metadata (dict -> JSON) and tensors."""
    metadata = dict(md)
    if meta is not None:
        metadata["numpynn"] = meta if isinstance(meta, str) else json.dumps(meta)
    return safetensors_numpy.save(
        article_tensors() if tensors is None else tensors, metadata=metadata or None
    )


def raw_file(header: bytes, data: bytes = b"") -> bytes:
    return struct.pack("<Q", len(header)) + header + data
