"""Fuzzed model files (hypothesis): each loads validly or raises a ModelFileError."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest

safetensors_numpy = pytest.importorskip("safetensors.numpy")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from model_file_helpers import _DROP, article_tensors, metadata_dict, raw_file  # noqa: E402
from numpynn.files import ModelContents, read_model_file  # noqa: E402

from numpynn.errors import ModelFileError  # noqa: E402

# ---------------------------------------------------------------------------
# Fuzzing
# ---------------------------------------------------------------------------
_GOOD = safetensors_numpy.save(
    article_tensors(), metadata={"numpynn": json.dumps(metadata_dict(extra={"a": [1, "x"]}))}
)
_HEADER_END = 8 + struct.unpack("<Q", _GOOD[:8])[0]

_positions = st.one_of(
    st.integers(0, 7),  # the length field
    st.integers(8, _HEADER_END + 8),  # the JSON header
    st.integers(0, len(_GOOD)),  # anywhere
)
_mutation = st.one_of(
    st.tuples(st.just("flip"), _positions, st.integers(1, 255)),
    st.tuples(st.just("truncate"), _positions, st.just(0)),
    st.tuples(st.just("insert"), _positions, st.binary(min_size=1, max_size=16)),
    st.tuples(st.just("overwrite"), _positions, st.binary(min_size=1, max_size=16)),
    st.tuples(
        st.just("overwrite"),
        _positions,
        st.sampled_from([b"[", b"]", b"{", b"}", b'"', b",", b"0", b"-1", b"1e999", b"NaN"]),
    ),
)


def _mutate(data: bytes, mutations) -> bytes:
    buf = bytearray(data)
    for kind, pos, arg in mutations:
        pos = min(pos, len(buf))
        if kind == "flip" and pos < len(buf):
            buf[pos] ^= arg
        elif kind == "truncate":
            del buf[pos:]
        elif kind == "insert":
            buf[pos:pos] = arg
        elif kind == "overwrite":
            buf[pos : pos + len(arg)] = arg
    return bytes(buf)


#: Both fuzz tests: many examples, no deadline (a slow CI machine), tmp_path reused.
_FUZZ = settings(max_examples=300, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture])


def _loads_validly_or_names_the_file(path) -> None:
    """A mutated file either reads as a valid model or raises ModelFileError naming it."""
    try:
        contents = read_model_file(path)
    except ModelFileError as exc:
        assert str(path) in str(exc)
        return
    assert isinstance(contents, ModelContents)
    assert contents.theta.dtype == np.float32
    assert contents.theta.ndim == 1
    assert np.isfinite(contents.theta).all()
    assert len(contents.hidden_activations) == len(contents.sizes) - 2
    assert isinstance(contents.extra, dict)


@_FUZZ
@given(mutations=st.lists(_mutation, min_size=1, max_size=4))
def test_fuzzed_files_load_validly_or_raise_model_file_error(tmp_path, mutations):
    path = tmp_path / "fuzz.safetensors"
    path.write_bytes(_mutate(_GOOD, mutations))
    _loads_validly_or_names_the_file(path)


_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
    | st.sampled_from(["relu", "softmax", "F32", "F64", "numpynn", "layers.0.bias"]),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)
_HEADER = json.loads(_GOOD[8:_HEADER_END])
_META = json.loads(_HEADER["__metadata__"]["numpynn"])
_header_edit = st.one_of(
    # (where, key, value): replace or delete one field of the numpynn metadata or a tensor entry
    st.tuples(st.just("meta"), st.sampled_from([*_META, "training_state", "x"]), _json_values),
    st.tuples(st.just("meta"), st.sampled_from(list(_META)), st.just(_DROP)),
    st.tuples(
        st.sampled_from([k for k in _HEADER if k != "__metadata__"]),
        st.sampled_from(["dtype", "shape", "data_offsets", "x"]),
        _json_values,
    ),
)


@_FUZZ
@given(edits=st.lists(_header_edit, min_size=1, max_size=3))
def test_fuzzed_headers_load_validly_or_raise_model_file_error(tmp_path, edits):
    # Structure-aware: the header stays well-formed JSON with a correct length field, so the
    # mutations reach the tensor entries (checked by safetensors) and numpynn's metadata
    # checks rather than failing at the length field.
    header = json.loads(json.dumps(_HEADER))
    meta = dict(_META)
    for where, key, value in edits:
        target = meta if where == "meta" else header[where]
        if value is _DROP:
            target.pop(key, None)
        else:
            target[key] = value
    header["__metadata__"]["numpynn"] = json.dumps(meta)
    path = tmp_path / "fuzz.safetensors"
    path.write_bytes(raw_file(json.dumps(header).encode(), _GOOD[_HEADER_END:]))
    _loads_validly_or_names_the_file(path)
