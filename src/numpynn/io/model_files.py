"""Safe model files and atomic training checkpoints.

A numpynn model file is a standard `safetensors <https://github.com/huggingface/safetensors>`_
file, so any safetensors tool can open it and see meaningful tensors:

- ``layers.{i}.weight``: float32, shape ``(fan_in, fan_out)`` (row = input node),
- ``layers.{i}.bias``: float32, shape ``(fan_out,)``,

for ``i = 0 .. len(sizes) - 2``. Read in that order and concatenated, they are exactly the
network's flat parameter vector ``theta``. The safetensors ``__metadata__`` holds one entry,
``"numpynn"``, a JSON object::

    {"format": "numpynn", "format_version": 1, "numpynn_version": "0.1.0",
     "sizes": [3, 4, 2], "hidden_activations": ["relu"], "output_activation": "softmax",
     "extra": {...}}

A checkpoint is a model file with three more JSON fields (``"optimizer_state"`` for scalar
optimizer state, ``"optimizer_arrays"`` naming the array state, ``"training_state"``) and one
more tensor, ``optimizer.{name}``, for each array in the optimizer state.

Nothing is pickled, ever. Reading validates the container, the metadata and every tensor's
name, dtype, shape and values before it builds anything; any problem is a
:class:`~numpynn.errors.ModelFileError` that names the file and says what is wrong. Writing is
atomic: a temporary file in the target's directory, flushed and fsynced, then ``os.replace``;
on failure the previous file is left untouched and the temporary file is removed.

``safetensors`` is an optional dependency (``pip install numpynn[files]``), imported only when
a file is read or written.
"""

from __future__ import annotations

import json
import math
import operator
import os
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from ..errors import ModelFileError
from .atomic import atomic_open

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "ModelContents",
    "write_model_file",
    "read_model_file",
    "write_checkpoint",
    "read_latest_checkpoint",
]

#: Value of the ``"format"`` field in the metadata JSON.
FORMAT_NAME = "numpynn"
#: Version of the file layout written by this module (and the only one it reads).
FORMAT_VERSION = 1

#: Key of the numpynn entry in the safetensors ``__metadata__``.
_METADATA_KEY = "numpynn"
#: Largest file :func:`read_model_file` accepts (bytes).
MAX_FILE_BYTES = 2 * 1024**3
#: Largest safetensors JSON header accepted (bytes).
MAX_HEADER_BYTES = 100 * 1024**2
#: Deepest nesting accepted in user metadata (``extra``, ``training_state``).
_MAX_JSON_DEPTH = 64

_MODEL_KEYS = frozenset(
    {
        "format",
        "format_version",
        "numpynn_version",
        "sizes",
        "hidden_activations",
        "output_activation",
        "extra",
    }
)
_CHECKPOINT_KEYS = frozenset({"optimizer_state", "optimizer_arrays", "training_state"})

# safetensors dtype code -> (NumPy dtype, item size). Only dtypes NumPy represents natively.
_DTYPES: dict[str, np.dtype] = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
    "I16": np.dtype("<i2"),
    "I8": np.dtype("i1"),
    "U64": np.dtype("<u8"),
    "U32": np.dtype("<u4"),
    "U16": np.dtype("<u2"),
    "U8": np.dtype("u1"),
    "BOOL": np.dtype("?"),
}

_CHECKPOINT_RE = re.compile(r"checkpoint-epoch(\d+)\.safetensors")
_LATEST_POINTER = "latest"
_KEEP_CHECKPOINTS = 2


# ---------------------------------------------------------------------------
# Layout helpers
# ---------------------------------------------------------------------------
def _layer_shapes(sizes: tuple[int, ...]) -> list[tuple[int, int]]:
    """``(fan_in, fan_out)`` for each layer of a net with node counts ``sizes``."""
    return list(zip(sizes[:-1], sizes[1:], strict=True))


def _num_weights(sizes: tuple[int, ...]) -> int:
    """Length of ``theta`` for ``sizes``: all weights plus all biases."""
    return sum(fan_in * fan_out + fan_out for fan_in, fan_out in _layer_shapes(sizes))


def _import_safetensors():
    try:
        import safetensors.numpy as st_numpy
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "numpynn model files need the 'safetensors' package: "
            "pip install 'numpynn[files]' (or pip install safetensors)"
        ) from exc
    return st_numpy


# ---------------------------------------------------------------------------
# JSON-able metadata: normalise on write, strict parse on read
# ---------------------------------------------------------------------------
def _to_json_value(value: Any, where: str, depth: int = 0) -> Any:
    """Return a plain-JSON copy of ``value`` or raise ValueError/TypeError naming ``where``.

    NumPy scalars become Python numbers, NumPy arrays and tuples become lists. Dict keys
    must be str and floats finite (JSON has no NaN or infinity).
    """
    if depth > _MAX_JSON_DEPTH:
        raise ValueError(f"{where} is nested more than {_MAX_JSON_DEPTH} levels deep")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"{where} is {value}; JSON metadata must hold finite numbers only")
        return value
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(
                    f"{where} has a key {key!r} of type {type(key).__name__}; keys must be str"
                )
            out[key] = _to_json_value(item, f"{where}[{key!r}]", depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        return [_to_json_value(item, f"{where}[{i}]", depth + 1) for i, item in enumerate(value)]
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise TypeError(f"{where} is an array of dtype {value.dtype}, not JSON-able")
        return _to_json_value(value.tolist(), where, depth)
    raise TypeError(
        f"{where} has type {type(value).__name__}, which is not JSON-able "
        "(use dict, list, str, int, float, bool or None)"
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _strict_json_loads(text: str) -> Any:
    """``json.loads`` that rejects NaN/Infinity and duplicate keys. Raises ValueError."""
    try:
        return json.loads(
            text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicate_keys
        )
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc


def _json_depth_ok(value: Any, depth: int = 0) -> bool:
    if depth > _MAX_JSON_DEPTH:
        return False
    if isinstance(value, dict):
        return all(_json_depth_ok(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return all(_json_depth_ok(v, depth + 1) for v in value)
    return True


def _is_int(value: Any) -> bool:
    """A true integer (Python or NumPy), not a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


# ---------------------------------------------------------------------------
# ModelContents
# ---------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class ModelContents:
    """Everything a model file holds.

    Construction validates and normalises every field (ValueError/TypeError naming the
    field), so a ``ModelContents`` is always consistent.

    Parameters
    ----------
    sizes : tuple of int
        Node counts per layer, input first, at least two entries, each >= 1.
    hidden_activations : tuple of str
        One name from :data:`numpynn.activations.HIDDEN_ACTIVATIONS` per hidden layer,
        ``len(sizes) - 2`` entries.
    output_activation : str
        One of :data:`numpynn.activations.OUTPUT_ACTIVATIONS`.
    theta : ndarray of float32, shape (num_weights,)
        The flat parameter vector, layer by layer: the weight matrix row-major
        ``(fan_in, fan_out)``, then that layer's ``fan_out`` biases. All values finite.
        Not copied: the caller must not modify it while a file is being written.
    extra : dict, optional
        JSON-able user metadata (feature names, preprocessing, class labels, task, ...).
        Stored as a normalised copy: NumPy scalars become Python numbers, tuples and arrays
        become lists, so those come back as lists after a round trip. Default ``{}``.
    """

    sizes: tuple[int, ...]
    hidden_activations: tuple[str, ...]
    output_activation: str
    theta: np.ndarray
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        sizes = self.sizes
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
            raise TypeError(f"sizes must be a sequence of ints, got {type(sizes).__name__}")
        sizes = tuple(sizes)
        if len(sizes) < 2:
            raise ValueError(f"sizes needs at least 2 entries (input and output), got {sizes}")
        for s in sizes:
            if not _is_int(s) or operator.index(s) < 1:
                raise ValueError(f"sizes must be positive ints, got {sizes!r}")
        sizes = tuple(operator.index(s) for s in sizes)
        object.__setattr__(self, "sizes", sizes)

        hidden = self.hidden_activations
        if isinstance(hidden, str):
            raise TypeError(
                "hidden_activations must be a sequence of str (one per hidden layer), "
                f"got the str {hidden!r}"
            )
        hidden = tuple(hidden)
        if len(hidden) != len(sizes) - 2:
            raise ValueError(
                f"hidden_activations needs {len(sizes) - 2} entries for sizes {sizes} "
                f"(one per hidden layer), got {len(hidden)}"
            )
        for name in hidden:
            if not isinstance(name, str) or name not in HIDDEN_ACTIVATIONS:
                raise ValueError(
                    f"hidden_activations entries must be among {sorted(HIDDEN_ACTIVATIONS)}, "
                    f"got {name!r}"
                )
        object.__setattr__(self, "hidden_activations", hidden)

        if not isinstance(self.output_activation, str) or (
            self.output_activation not in OUTPUT_ACTIVATIONS
        ):
            raise ValueError(
                f"output_activation must be one of {sorted(OUTPUT_ACTIVATIONS)}, "
                f"got {self.output_activation!r}"
            )

        theta = self.theta
        if not isinstance(theta, np.ndarray):
            raise TypeError(f"theta must be a NumPy array, got {type(theta).__name__}")
        if theta.dtype != np.float32:
            raise ValueError(
                f"theta must be float32, got {theta.dtype} (convert with theta.astype(np.float32))"
            )
        expected = _num_weights(sizes)
        if theta.shape != (expected,):
            raise ValueError(
                f"theta must have shape ({expected},) for sizes {sizes}, got {theta.shape}"
            )
        if not np.isfinite(theta).all():
            bad = int(np.flatnonzero(~np.isfinite(theta))[0])
            raise ValueError(f"theta holds non-finite values (first at index {bad}: {theta[bad]})")

        if not isinstance(self.extra, Mapping):
            raise TypeError(f"extra must be a dict, got {type(self.extra).__name__}")
        object.__setattr__(self, "extra", _to_json_value(self.extra, "extra"))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ModelContents):
            return NotImplemented
        return (
            self.sizes == other.sizes
            and self.hidden_activations == other.hidden_activations
            and self.output_activation == other.output_activation
            and np.array_equal(self.theta, other.theta)
            and self.extra == other.extra
        )

    __hash__ = None  # type: ignore[assignment]  # holds an array and a dict

    @property
    def num_weights(self) -> int:
        """Length of ``theta``."""
        return int(self.theta.shape[0])

    def layer_arrays(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Views ``(W, b)`` into ``theta``, one pair per layer.

        Returns
        -------
        list of (ndarray, ndarray)
            ``W`` float32 of shape ``(fan_in, fan_out)`` and ``b`` float32 of shape
            ``(fan_out,)``, both views sharing memory with ``theta``.
        """
        out = []
        offset = 0
        for fan_in, fan_out in _layer_shapes(self.sizes):
            weights = self.theta[offset : offset + fan_in * fan_out].reshape(fan_in, fan_out)
            offset += fan_in * fan_out
            biases = self.theta[offset : offset + fan_out]
            offset += fan_out
            out.append((weights, biases))
        return out


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------
def _atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`numpynn._atomic.atomic_open`)."""
    with atomic_open(path, "wb") as fh:
        fh.write(data)


def _model_tensors(contents: ModelContents) -> dict[str, np.ndarray]:
    tensors = {}
    for i, (weights, biases) in enumerate(contents.layer_arrays()):
        tensors[f"layers.{i}.weight"] = weights
        tensors[f"layers.{i}.bias"] = biases
    return tensors


def _model_metadata(contents: ModelContents) -> dict[str, Any]:
    from .._version import __version__

    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "numpynn_version": __version__,
        "sizes": list(contents.sizes),
        "hidden_activations": list(contents.hidden_activations),
        "output_activation": contents.output_activation,
        "extra": contents.extra,
    }


def _serialize(tensors: dict[str, np.ndarray], metadata: dict[str, Any]) -> bytes:
    st_numpy = _import_safetensors()
    text = json.dumps(metadata, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
    return st_numpy.save(tensors, metadata={_METADATA_KEY: text})


def _check_contents(contents: Any) -> ModelContents:
    if not isinstance(contents, ModelContents):
        raise TypeError(f"contents must be a ModelContents, got {type(contents).__name__}")
    # Re-check theta: the array may have been modified in place since construction.
    if not np.isfinite(contents.theta).all():
        raise ValueError("contents.theta holds non-finite values; refusing to write them")
    return contents


def write_model_file(path: str | os.PathLike, contents: ModelContents) -> None:
    """Write a model to a safetensors file, atomically.

    Parameters
    ----------
    path : str or path-like
        Target file (conventionally ``*.safetensors``). Its directory must exist. An existing
        file is replaced only once the new one is completely written and fsynced.
    contents : ModelContents
        Layer sizes, activations, the float32 ``theta`` and JSON-able ``extra`` metadata.

    Raises
    ------
    TypeError, ValueError
        ``contents`` is not a valid :class:`ModelContents` (e.g. non-finite ``theta``).
    OSError
        The file cannot be written; an existing file at ``path`` is left as it was.
    ImportError
        ``safetensors`` is not installed.
    """
    contents = _check_contents(contents)
    data = _serialize(_model_tensors(contents), _model_metadata(contents))
    _atomic_write_bytes(Path(path), data)


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------
class _Invalid(Exception):
    """Internal: a validation failure; turned into ModelFileError naming the path."""


def _read_bytes(path: Path) -> bytes:
    try:
        size = os.stat(path).st_size
        if size > MAX_FILE_BYTES:
            raise _Invalid(
                f"file is {size} bytes, over the {MAX_FILE_BYTES}-byte limit for model files"
            )
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError as exc:
        raise _Invalid("no such file") from exc
    except IsADirectoryError as exc:
        raise _Invalid("is a directory, not a file") from exc
    except OSError as exc:
        raise _Invalid(f"cannot read the file: {exc.strerror or exc}") from exc
    if len(data) > MAX_FILE_BYTES:
        raise _Invalid(f"file is over the {MAX_FILE_BYTES}-byte limit for model files")
    return data


def _parse_header(data: bytes) -> tuple[dict[str, Any], int]:
    """Validate the safetensors container; return (header dict, start of the data section)."""
    if len(data) == 0:
        raise _Invalid("file is empty, not a safetensors model file")
    if len(data) < 8:
        raise _Invalid(f"file is only {len(data)} bytes, too short for a safetensors header")
    header_len = int.from_bytes(data[:8], "little")
    if header_len > MAX_HEADER_BYTES:
        raise _Invalid(
            f"header length field says {header_len} bytes, over the {MAX_HEADER_BYTES}-byte "
            "limit: not a safetensors file, or damaged"
        )
    if 8 + header_len > len(data):
        raise _Invalid(
            f"header length field says {header_len} bytes but the file has only "
            f"{len(data) - 8} after it: truncated or damaged"
        )
    if header_len == 0:
        raise _Invalid("header is empty: not a safetensors file, or damaged")
    try:
        text = data[8 : 8 + header_len].decode("utf-8")
        header = _strict_json_loads(text)
    except UnicodeDecodeError as exc:
        raise _Invalid(
            f"header is not UTF-8 text ({exc.reason}): damaged or not safetensors"
        ) from exc
    except ValueError as exc:
        raise _Invalid(f"header is not valid JSON ({exc}): damaged or not safetensors") from exc
    if not isinstance(header, dict):
        raise _Invalid(f"header is a JSON {type(header).__name__}, not an object")

    # Check every tensor entry and that the entries tile the data section exactly.
    data_len = len(data) - 8 - header_len
    spans = []
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
            raise _Invalid(f"header entry for tensor {name!r} is malformed")
        dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
        if not isinstance(dtype, str) or dtype not in _DTYPES:
            raise _Invalid(f"tensor {name!r} has unsupported dtype {dtype!r}")
        if not isinstance(shape, list) or not all(_is_int(d) and d >= 0 for d in shape):
            raise _Invalid(f"tensor {name!r} has an invalid shape {shape!r}")
        if (
            not isinstance(offsets, list)
            or len(offsets) != 2
            or not all(_is_int(o) and o >= 0 for o in offsets)
            or offsets[0] > offsets[1]
        ):
            raise _Invalid(f"tensor {name!r} has invalid data offsets {offsets!r}")
        if offsets[1] > data_len:
            raise _Invalid(
                f"tensor {name!r} has data offsets {offsets!r} past the end of the "
                f"{data_len}-byte data section: truncated or damaged"
            )
        nbytes = math.prod(shape) * _DTYPES[dtype].itemsize
        if offsets[1] - offsets[0] != nbytes:
            raise _Invalid(
                f"tensor {name!r} of dtype {dtype} and shape {shape} needs {nbytes} bytes, "
                f"its offsets span {offsets[1] - offsets[0]}"
            )
        spans.append((offsets[0], offsets[1]))
    position = 0
    for begin, end in sorted(spans):
        if begin != position:
            raise _Invalid("tensor data overlaps or leaves gaps: damaged file")
        position = end
    if position != data_len:
        raise _Invalid(
            f"tensor data covers {position} bytes but the file has {data_len}: damaged file"
        )
    return header, 8 + header_len


def _parse_metadata(header: dict[str, Any]) -> dict[str, Any]:
    raw = header.get("__metadata__")
    if raw is None:
        raise _Invalid("not a numpynn model file (a safetensors file without numpynn metadata)")
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise _Invalid("safetensors __metadata__ must map str to str")
    if _METADATA_KEY not in raw:
        raise _Invalid(
            "not a numpynn model file (a safetensors file without a 'numpynn' metadata entry; "
            f"it has {sorted(raw)[:5]})"
        )
    try:
        meta = _strict_json_loads(raw[_METADATA_KEY])
    except ValueError as exc:
        raise _Invalid(f"numpynn metadata is not valid JSON ({exc})") from exc
    if not isinstance(meta, dict):
        raise _Invalid(f"numpynn metadata is a JSON {type(meta).__name__}, not an object")
    if meta.get("format") != FORMAT_NAME:
        raise _Invalid(f"not a numpynn model file (metadata format is {meta.get('format')!r})")
    version = meta.get("format_version")
    if not _is_int(version):
        raise _Invalid(f"format_version must be an int, got {version!r}")
    if version != FORMAT_VERSION:
        newer = " (written by a newer numpynn; upgrade numpynn)" if version > FORMAT_VERSION else ""
        raise _Invalid(
            f"unsupported format_version {version}; this numpynn reads version "
            f"{FORMAT_VERSION}{newer}"
        )
    unknown = set(meta) - _MODEL_KEYS - _CHECKPOINT_KEYS
    if unknown:
        raise _Invalid(f"numpynn metadata has unknown fields {sorted(unknown)}")
    missing = sorted(_MODEL_KEYS - {"numpynn_version"} - set(meta))
    if missing:
        raise _Invalid(f"numpynn metadata lacks the fields {missing}")
    if "numpynn_version" in meta and not isinstance(meta["numpynn_version"], str):
        raise _Invalid(f"numpynn_version must be a str, got {meta['numpynn_version']!r}")

    sizes = meta["sizes"]
    if (
        not isinstance(sizes, list)
        or len(sizes) < 2
        or not all(_is_int(s) and s >= 1 for s in sizes)
    ):
        raise _Invalid(f"sizes must be a list of at least 2 positive ints, got {sizes!r}")
    hidden = meta["hidden_activations"]
    if not isinstance(hidden, list):
        raise _Invalid(f"hidden_activations must be a list, got {hidden!r}")
    if len(hidden) != len(sizes) - 2:
        raise _Invalid(
            f"wrong number of hidden_activations: sizes {sizes} has {len(sizes) - 2} hidden "
            f"layers, the file names {len(hidden)} activations"
        )
    for name in hidden:
        if not isinstance(name, str) or name not in HIDDEN_ACTIVATIONS:
            raise _Invalid(
                f"invalid hidden activation {name!r}; expected one of {sorted(HIDDEN_ACTIVATIONS)}"
            )
    output = meta["output_activation"]
    if not isinstance(output, str) or output not in OUTPUT_ACTIVATIONS:
        raise _Invalid(
            f"invalid output activation {output!r}; expected one of {sorted(OUTPUT_ACTIVATIONS)}"
        )
    if not isinstance(meta["extra"], dict):
        raise _Invalid(f"extra must be a JSON object, got {type(meta['extra']).__name__}")
    if not _json_depth_ok(meta["extra"]):
        raise _Invalid(f"extra is nested more than {_MAX_JSON_DEPTH} levels deep")

    present = _CHECKPOINT_KEYS & set(meta)
    if present and present != _CHECKPOINT_KEYS:
        raise _Invalid(
            f"checkpoint metadata is incomplete: has {sorted(present)}, "
            f"lacks {sorted(_CHECKPOINT_KEYS - present)}"
        )
    if present:
        _check_checkpoint_metadata(meta)
    return meta


def _check_checkpoint_metadata(meta: dict[str, Any]) -> None:
    scalars = meta["optimizer_state"]
    if not isinstance(scalars, dict):
        raise _Invalid("optimizer_state must be a JSON object")
    for key, value in scalars.items():
        if not isinstance(value, (int, float)):  # bool is an int: allowed
            raise _Invalid(f"optimizer_state[{key!r}] must be a number, got {value!r}")
    arrays = meta["optimizer_arrays"]
    if not isinstance(arrays, list) or not all(isinstance(n, str) for n in arrays):
        raise _Invalid("optimizer_arrays must be a list of str")
    if len(set(arrays)) != len(arrays):
        raise _Invalid("optimizer_arrays names an array twice")
    both = set(arrays) & set(scalars)
    if both:
        raise _Invalid(f"optimizer state {sorted(both)} is both a scalar and an array")
    training = meta["training_state"]
    if not isinstance(training, dict):
        raise _Invalid("training_state must be a JSON object")
    epoch = training.get("epoch")
    if not _is_int(epoch) or epoch < 0:
        raise _Invalid(f"training_state['epoch'] must be a non-negative int, got {epoch!r}")
    if not _json_depth_ok(training):
        raise _Invalid(f"training_state is nested more than {_MAX_JSON_DEPTH} levels deep")


def _expected_tensors(meta: dict[str, Any]) -> dict[str, tuple[str | None, tuple[int, ...] | None]]:
    """Tensor name -> (required dtype code or None, required shape or None)."""
    expected: dict[str, tuple[str | None, tuple[int, ...] | None]] = {}
    for i, (fan_in, fan_out) in enumerate(_layer_shapes(tuple(meta["sizes"]))):
        expected[f"layers.{i}.weight"] = ("F32", (fan_in, fan_out))
        expected[f"layers.{i}.bias"] = ("F32", (fan_out,))
    for name in meta.get("optimizer_arrays", ()):
        expected[f"optimizer.{name}"] = (None, None)
    return expected


def _parse(path: Path) -> tuple[ModelContents, dict[str, Any] | None, dict[str, Any] | None]:
    """Read and fully validate a file; return (contents, optimizer_state, training_state).

    The last two are None for a plain model file. Raises ``_Invalid`` for any problem.
    """
    data = _read_bytes(path)
    header, _ = _parse_header(data)
    meta = _parse_metadata(header)

    expected = _expected_tensors(meta)
    names = set(header) - {"__metadata__"}
    missing = [n for n in expected if n not in names]
    if missing:
        raise _Invalid(f"tensor {missing[0]!r} is missing ({len(missing)} missing in all)")
    extra_tensors = sorted(names - set(expected))
    if extra_tensors:
        raise _Invalid(f"unexpected tensor {extra_tensors[0]!r} for sizes {meta['sizes']}")
    for name, (dtype, shape) in expected.items():
        entry = header[name]
        if dtype is not None and entry["dtype"] != dtype:
            raise _Invalid(f"tensor {name!r} has dtype {entry['dtype']}, expected {dtype}")
        if shape is not None and tuple(entry["shape"]) != shape:
            raise _Invalid(
                f"tensor {name!r} has shape {tuple(entry['shape'])}, expected {shape} "
                f"for sizes {meta['sizes']}"
            )

    st_numpy = _import_safetensors()
    try:
        tensors = st_numpy.load(data)
    except Exception as exc:
        raise _Invalid(f"safetensors cannot load the tensors: {exc}") from exc
    except BaseException as exc:  # a Rust panic surfaces as a BaseException subclass
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        raise _Invalid(f"safetensors failed on the file: {exc}") from exc

    parts = []
    for i in range(len(meta["sizes"]) - 1):
        for kind in ("weight", "bias"):
            name = f"layers.{i}.{kind}"
            array = tensors.get(name)
            dtype, shape = expected[name]
            if array is None or array.dtype != np.float32 or array.shape != shape:
                raise _Invalid(f"tensor {name!r} did not load as float32 {shape}")
            finite = np.isfinite(array)
            if not finite.all():
                bad = np.argwhere(~finite)[0]
                raise _Invalid(
                    f"tensor {name!r} holds non-finite values (first at index {tuple(bad)})"
                )
            parts.append(array.ravel())
    theta = np.concatenate(parts).astype(np.float32, copy=False)

    try:
        contents = ModelContents(
            sizes=tuple(meta["sizes"]),
            hidden_activations=tuple(meta["hidden_activations"]),
            output_activation=meta["output_activation"],
            theta=theta,
            extra=meta["extra"],
        )
    except (TypeError, ValueError) as exc:  # already validated above; belt and braces
        raise _Invalid(str(exc)) from exc

    if "training_state" not in meta:
        return contents, None, None
    optimizer_state: dict[str, Any] = dict(meta["optimizer_state"])
    for name in meta["optimizer_arrays"]:
        array = np.array(tensors[f"optimizer.{name}"])  # own, writable copy
        if array.dtype.kind == "f" and not np.isfinite(array).all():
            raise _Invalid(f"optimizer array {name!r} holds non-finite values")
        optimizer_state[name] = array
    return contents, optimizer_state, meta["training_state"]


def read_model_file(path: str | os.PathLike) -> ModelContents:
    """Read and validate a numpynn model file (or the model part of a checkpoint).

    Parameters
    ----------
    path : str or path-like
        A file written by :func:`write_model_file` or :func:`write_checkpoint`.

    Returns
    -------
    ModelContents
        ``theta`` is a new float32 array of shape ``(num_weights,)``.

    Raises
    ------
    ModelFileError
        The file is missing, unreadable, not safetensors, not numpynn's, of an unsupported
        format version, or inconsistent in any field, tensor name, dtype, shape or value.
        The message names the path and the problem.
    ImportError
        ``safetensors`` is not installed.
    """
    path = Path(path)
    try:
        contents, _, _ = _parse(path)
    except _Invalid as exc:
        raise ModelFileError(f"{path}: {exc}") from exc.__cause__
    return contents


# ---------------------------------------------------------------------------
# Checkpoints
# ---------------------------------------------------------------------------
def _split_optimizer_state(
    optimizer_state: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    if not isinstance(optimizer_state, Mapping):
        raise TypeError(f"optimizer_state must be a dict, got {type(optimizer_state).__name__}")
    scalars: dict[str, Any] = {}
    arrays: dict[str, np.ndarray] = {}
    for name, value in optimizer_state.items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"optimizer_state keys must be non-empty str, got {name!r}")
        if isinstance(value, np.ndarray):
            dtype = value.dtype.newbyteorder("<") if value.dtype.byteorder == ">" else value.dtype
            if not any(dtype == d for d in _DTYPES.values()):
                raise ValueError(
                    f"optimizer_state[{name!r}] has dtype {value.dtype}, which a model file "
                    "cannot store"
                )
            if value.dtype.kind == "f" and not np.isfinite(value).all():
                raise ValueError(f"optimizer_state[{name!r}] holds non-finite values")
            arrays[f"optimizer.{name}"] = np.ascontiguousarray(value, dtype=dtype)
        elif isinstance(value, (bool, int, float, np.generic)) and not isinstance(
            value, (np.str_, np.bytes_, np.void)
        ):
            scalars[name] = _to_json_value(value, f"optimizer_state[{name!r}]")
            if not isinstance(scalars[name], (int, float)):
                raise TypeError(f"optimizer_state[{name!r}] must be a number or an array")
        else:
            raise TypeError(
                f"optimizer_state[{name!r}] must be a NumPy array, int or float, "
                f"got {type(value).__name__}"
            )
    return scalars, arrays


def _checkpoint_epoch(filename: str) -> int | None:
    match = _CHECKPOINT_RE.fullmatch(filename)
    return int(match.group(1)) if match else None


def _list_checkpoints(directory: Path) -> list[str]:
    """Checkpoint file names in ``directory``, newest epoch first."""
    names = [n for n in os.listdir(directory) if _checkpoint_epoch(n) is not None]
    return sorted(names, key=lambda n: (_checkpoint_epoch(n), n), reverse=True)


def _read_pointer(directory: Path) -> str | None:
    try:
        text = (directory / _LATEST_POINTER).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text if _checkpoint_epoch(text) is not None else None


def write_checkpoint(
    directory: str | os.PathLike,
    contents: ModelContents,
    optimizer_state: Mapping[str, np.ndarray | int | float],
    training_state: Mapping[str, Any],
) -> Path:
    """Write a training checkpoint atomically and keep only the last two.

    The file is ``checkpoint-epoch{epoch:06d}.safetensors`` in ``directory``; after it is
    complete, the pointer file ``latest`` names it, and all other checkpoint files except the
    one ``latest`` named before are removed.

    Parameters
    ----------
    directory : str or path-like
        Created (with parents) if it does not exist.
    contents : ModelContents
        The model: sizes, activations, float32 ``theta``, ``extra``.
    optimizer_state : dict
        ``name -> ndarray`` (stored as tensor ``optimizer.{name}`` with its dtype and shape;
        float arrays must be finite) or ``name -> int | float`` (stored in the JSON metadata).
    training_state : dict
        JSON-able; must hold ``"epoch"``, a non-negative int. May hold history lists and a
        random generator's ``bit_generator.state`` dict (its big ints are stored exactly).
        NumPy scalars/arrays and tuples are stored as Python numbers and lists.

    Returns
    -------
    pathlib.Path
        The checkpoint file written.

    Raises
    ------
    TypeError, ValueError
        Invalid ``contents``, ``optimizer_state`` or ``training_state`` (non-JSON-able
        values, non-finite numbers, missing epoch).
    OSError
        The directory or file cannot be written; existing checkpoints are left as they were.
    """
    contents = _check_contents(contents)
    scalars, arrays = _split_optimizer_state(optimizer_state)
    if not isinstance(training_state, Mapping):
        raise TypeError(f"training_state must be a dict, got {type(training_state).__name__}")
    training = _to_json_value(training_state, "training_state")
    epoch = training.get("epoch")
    if not _is_int(epoch) or epoch < 0:
        raise ValueError(f"training_state['epoch'] must be a non-negative int, got {epoch!r}")

    metadata = _model_metadata(contents)
    metadata["optimizer_state"] = scalars
    metadata["optimizer_arrays"] = [name[len("optimizer.") :] for name in arrays]
    metadata["training_state"] = training
    tensors = _model_tensors(contents)
    tensors.update(arrays)
    data = _serialize(tensors, metadata)

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    filename = f"checkpoint-epoch{epoch:06d}.safetensors"
    target = directory / filename
    previous = _read_pointer(directory)
    _atomic_write_bytes(target, data)
    _atomic_write_bytes(directory / _LATEST_POINTER, (filename + "\n").encode("utf-8"))

    # Keep the new file and the one written before it.
    others = [n for n in _list_checkpoints(directory) if n != filename]
    if previous is None or previous == filename or previous not in others:
        previous = others[0] if others else None
    keep = {filename, previous}
    for name in others:
        if name not in keep:
            try:
                (directory / name).unlink()
            except OSError:
                pass
    # Temporary files left behind by an interrupted earlier write.
    for name in os.listdir(directory):
        if name.startswith(".checkpoint-epoch") and name.endswith(".tmp"):
            try:
                (directory / name).unlink()
            except OSError:
                pass
    return target


def read_latest_checkpoint(
    directory: str | os.PathLike,
) -> tuple[ModelContents, dict[str, Any], dict[str, Any]] | None:
    """Read the newest valid checkpoint in ``directory``.

    The file named by ``latest`` is tried first, then the others from the highest epoch
    down. A damaged file is skipped with a :class:`UserWarning` naming the problem, so a
    crash in the middle of the newest write falls back to the previous checkpoint.

    Parameters
    ----------
    directory : str or path-like
        A directory written by :func:`write_checkpoint`.

    Returns
    -------
    (ModelContents, dict, dict) or None
        ``(contents, optimizer_state, training_state)``: optimizer arrays come back as
        NumPy arrays with their saved dtype and shape, scalars as int/float;
        ``training_state`` as plain JSON values (lists, dicts, ints, floats, str).
        None if the directory does not exist or holds no checkpoint file.

    Raises
    ------
    ModelFileError
        ``directory`` is not a directory, or it holds checkpoint files and none of them is
        valid (the message lists each file's problem).
    """
    directory = Path(directory)
    if not directory.exists():
        return None
    if not directory.is_dir():
        raise ModelFileError(f"{directory}: not a directory")
    try:
        names = _list_checkpoints(directory)
    except OSError as exc:
        raise ModelFileError(f"{directory}: cannot list the directory: {exc}") from exc
    pointer = _read_pointer(directory)
    if pointer in names:
        names.remove(pointer)
        names.insert(0, pointer)
    if not names:
        return None
    problems = []
    for name in names:
        path = directory / name
        try:
            contents, optimizer_state, training_state = _parse(path)
            if training_state is None:
                raise _Invalid("a model file, not a checkpoint (no training state)")
        except _Invalid as exc:
            problems.append(f"{path}: {exc}")
            warnings.warn(f"skipping checkpoint {path}: {exc}", UserWarning, stacklevel=2)
            continue
        return contents, optimizer_state or {}, training_state
    raise ModelFileError(
        f"{directory}: no valid checkpoint among {len(names)} file(s): " + "; ".join(problems)
    )
