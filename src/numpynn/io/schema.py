"""numpynn's schema inside a safetensors file: what a model file holds and how it is checked.

A numpynn model file holds tensors ``layers.{i}.weight`` (``(fan_in, fan_out)``) and
``layers.{i}.bias`` (``(fan_out,)``) for ``i = 0 .. len(sizes) - 2``: read in that order and
concatenated, exactly the flat vector ``theta``.  They are all F32 (float32, the default)
or all F64 (a float64 network's); files of numpynn before float64 networks are all F32.
The safetensors ``__metadata__`` holds one entry, ``"numpynn"``, a JSON object::

    {"format": "numpynn", "format_version": 1, "numpynn_version": "0.1.0",
     "sizes": [3, 4, 2], "hidden_activations": ["relu"], "output_activation": "softmax",
     "extra": {...}}

Ceilings (refused on reading and on writing, so that every file numpynn writes loads, in
time linear in its size): at most :data:`MAX_LAYERS` weight layers and
:data:`MAX_METADATA_BYTES` of metadata.

A checkpoint adds ``"state_arrays"`` (the names of its state tensors) and
``"training_state"``; one written by numpynn 0.1 has ``"optimizer_state"``,
``"optimizer_arrays"`` and ``"training_state"`` instead (see :mod:`numpynn.io.checkpoints`);
those fields are checked in :mod:`numpynn.io.checkpoint_fields`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.architecture import check_architecture
from ..core.checks import check_finite, check_int
from ..core.layout import Layout
from .checkpoint_fields import (  # the checkpoint part of the schema, importable here too
    CHECKPOINT_KEYS,
    CHECKPOINT_KEYS_V01,
    CheckpointFields,
    check_state_name,
    check_training_state,
    parse_checkpoint_fields,
)
from .json_metadata import (
    MAX_JSON_DEPTH,
    MAX_METADATA_BYTES,
    check_metadata_size,
    check_round_trip,
    depth_ok,
    strict_loads,
    to_json_value,
)
from .safetensors_access import FileProblem

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "METADATA_KEY",
    "MAX_LAYERS",
    "MAX_METADATA_BYTES",
    "CHECKPOINT_KEYS",
    "CHECKPOINT_KEYS_V01",
    "ModelContents",
    "CheckpointFields",
    "THETA_DTYPE_CODES",
    "check_contents",
    "check_metadata_size",
    "check_state_name",
    "check_training_state",
    "model_metadata",
    "model_tensors",
    "expected_model_tensors",
    "parse_metadata",
    "parse_checkpoint_fields",
]

#: Value of the ``"format"`` field in the metadata JSON.
FORMAT_NAME = "numpynn"
#: Version of the file layout written by numpynn (and the only one it reads).
FORMAT_VERSION = 1
#: Key of the numpynn entry in the safetensors ``__metadata__``.
METADATA_KEY = "numpynn"
#: Most weight layers (``len(sizes) - 1``) of a model file.
MAX_LAYERS = 10_000

_MODEL_KEYS = frozenset({"format", "format_version", "numpynn_version", "sizes",
                         "hidden_activations", "output_activation", "extra"})
#: The safetensors dtype code of each dtype a network's tensors may have.
THETA_DTYPE_CODES = {np.dtype(np.float32): "F32", np.dtype(np.float64): "F64"}


@dataclass(frozen=True, eq=False)
class ModelContents:
    """Everything a model file holds.

    Construction validates and normalises every field (ValueError/TypeError naming the
    field, see :func:`numpynn.core.architecture.check_architecture`), so a
    ``ModelContents`` is always consistent.

    Parameters
    ----------
    sizes : tuple of int
        Node counts per layer, input first, at least two entries, each >= 1.
    hidden_activations : tuple of str
        One name from :data:`numpynn.core.activations.HIDDEN_ACTIVATIONS` per hidden
        layer, ``len(sizes) - 2`` entries.
    output_activation : str
        One of :data:`numpynn.core.activations.OUTPUT_ACTIVATIONS`.
    theta : ndarray of float32 or float64, shape (num_weights,)
        The flat parameter vector, laid out as :class:`numpynn.core.layout.Layout` says;
        its dtype is the tensors' (F32 or F64).
        All values finite.  Not copied: the caller must not modify it while a file is
        being written.
    extra : dict, optional
        JSON-able user metadata (feature names, preprocessing, class labels, task, ...).
        Stored as a normalised copy: NumPy scalars become Python numbers, tuples and arrays
        become lists, so those come back as lists after a round trip. Default ``{}``.

    Attributes
    ----------
    layout : Layout
        Offsets and shapes of every layer in ``theta``.
    """

    # io/tabular_files.py's TabularContents repeats these fields on purpose: its dense stack
    # is a ModelContents, but its theta and layout also hold the input block.
    sizes: tuple[int, ...]
    hidden_activations: tuple[str, ...]
    output_activation: str
    theta: np.ndarray
    extra: dict = field(default_factory=dict)
    layout: Layout = field(init=False, repr=False)

    def __post_init__(self) -> None:
        sizes, hidden, output = check_architecture(
            self.sizes, self.hidden_activations, self.output_activation)
        layout = Layout(sizes)
        theta = self.theta
        if not isinstance(theta, np.ndarray):
            raise TypeError(f"theta must be a NumPy array, got {type(theta).__name__}")
        if theta.dtype not in THETA_DTYPE_CODES:
            raise ValueError(f"theta must be float32 or float64, got {theta.dtype} (convert "
                             "with theta.astype(np.float32))")
        if theta.shape != (layout.num_weights,):
            raise ValueError(f"theta must have shape ({layout.num_weights},) for sizes "
                             f"{sizes}, got {theta.shape}")
        check_finite("theta", theta)
        if not isinstance(self.extra, Mapping):
            raise TypeError(f"extra must be a dict, got {type(self.extra).__name__}")
        for name, value in (("sizes", sizes), ("hidden_activations", hidden),
                            ("output_activation", output), ("layout", layout),
                            ("extra", to_json_value(self.extra, "extra"))):
            object.__setattr__(self, name, value)

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
        return self.layout.num_weights

    def layer_arrays(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Views ``(W, b)`` into ``theta``, one pair per layer.

        Returns
        -------
        list of (ndarray, ndarray)
            ``W`` of shape ``(fan_in, fan_out)`` and ``b`` of shape ``(fan_out,)``, of
            theta's dtype, both views sharing memory with ``theta``.
        """
        return list(zip(*self.layout.views_of(self.theta)))


def check_contents(contents: Any) -> ModelContents:
    """``contents`` if it is a ModelContents whose theta is (still) finite and whose layers
    fit a model file."""
    if not isinstance(contents, ModelContents):
        raise TypeError(f"contents must be a ModelContents, got {type(contents).__name__}")
    if contents.layout.num_layers > MAX_LAYERS:
        raise ValueError(f"a model file holds at most {MAX_LAYERS} weight layers; this "
                         f"network has {contents.layout.num_layers}")
    # Re-check theta: the array may have been modified in place since construction.
    check_finite("contents.theta", contents.theta)
    return contents


def model_tensors(contents: ModelContents) -> dict[str, np.ndarray]:
    """Tensor name -> view into ``theta``, in the file's order."""
    tensors = {}
    for i, (weights, biases) in enumerate(contents.layer_arrays()):
        tensors[f"layers.{i}.weight"] = weights
        tensors[f"layers.{i}.bias"] = biases
    return tensors


def model_metadata(contents: ModelContents) -> dict[str, Any]:
    """The numpynn metadata JSON object of a model file."""
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


def expected_model_tensors(layout: Layout, code: str = "F32"
                           ) -> dict[str, tuple[str, tuple[int, ...]]]:
    """Tensor name -> (dtype code, shape) of every model tensor for ``layout``, all of the
    dtype ``code`` (``"F32"`` or ``"F64"``)."""
    expected: dict[str, tuple[str, tuple[int, ...]]] = {}
    for i, layer in enumerate(layout.layers):
        expected[f"layers.{i}.weight"] = (code, layer.weight_shape)
        expected[f"layers.{i}.bias"] = (code, (layer.fan_out,))
    return expected


def _field_problem(exc: Exception) -> FileProblem:
    return FileProblem(f"numpynn metadata: {exc}")


def _parse_json_object(raw: Mapping[str, str]) -> dict[str, Any]:
    if not raw:
        raise FileProblem("not a numpynn model file (a safetensors file without metadata)")
    if METADATA_KEY not in raw:
        raise FileProblem(
            "not a numpynn model file (a safetensors file without a 'numpynn' metadata entry; "
            f"it has {sorted(raw)[:5]})"
        )
    size = sum(len(k) + len(v) for k, v in raw.items())  # characters: at most the bytes
    if size > MAX_METADATA_BYTES:
        raise FileProblem(f"the metadata is {size} characters long, over the "
                          f"{MAX_METADATA_BYTES}-byte limit of model files")
    try:
        meta = strict_loads(raw[METADATA_KEY])
    except ValueError as exc:
        raise FileProblem(f"numpynn metadata is not valid JSON ({exc})") from exc
    if not isinstance(meta, dict):
        raise FileProblem(f"numpynn metadata is a JSON {type(meta).__name__}, not an object")
    try:
        check_round_trip(meta, raw[METADATA_KEY])
    except ValueError as exc:
        raise FileProblem(f"numpynn metadata cannot round-trip: {exc}") from exc
    return meta


def _check_format(meta: dict[str, Any]) -> None:
    if meta.get("format") != FORMAT_NAME:
        raise FileProblem(f"not a numpynn model file (metadata format is {meta.get('format')!r})")
    try:
        version = check_int("format_version", meta.get("format_version"), 1)
    except ValueError as exc:
        raise _field_problem(exc) from exc
    if version != FORMAT_VERSION:
        newer = " (written by a newer numpynn; upgrade numpynn)" if version > FORMAT_VERSION else ""
        raise FileProblem(f"unsupported format_version {version}; this numpynn reads version "
                          f"{FORMAT_VERSION}{newer}")
    unknown = set(meta) - _MODEL_KEYS - CHECKPOINT_KEYS - CHECKPOINT_KEYS_V01
    if "input_layers" in unknown:  # io/tabular_files.py
        raise FileProblem("a table network's model file (numpynn train's tabular recipe): "
                          "read it with numpynn.tabular_network.load_tabular_networks; "
                          "numpynn predict and evaluate take it")
    if unknown:
        raise FileProblem(f"numpynn metadata has unknown fields {sorted(unknown)}")
    missing = sorted(_MODEL_KEYS - {"numpynn_version"} - set(meta))
    if missing:
        raise FileProblem(f"numpynn metadata lacks the fields {missing}")
    if not isinstance(meta.get("numpynn_version", ""), str):
        raise FileProblem(f"numpynn_version must be a str, got {meta['numpynn_version']!r}")


def parse_metadata(raw: Mapping[str, str]) -> tuple[dict[str, Any], tuple[int, ...]]:
    """Parse and check the numpynn entry of a file's ``__metadata__``.

    Checks the model fields (format, version, architecture, ``extra``); the checkpoint
    fields are checked by :func:`parse_checkpoint_fields`.

    Returns
    -------
    meta : dict
        The metadata JSON object, ``sizes`` and activations normalised to tuples.
    sizes : tuple of int
        The declared sizes, checked.

    Raises
    ------
    FileProblem
    """
    meta = _parse_json_object(raw)
    _check_format(meta)
    if isinstance(meta["sizes"], list) and len(meta["sizes"]) > MAX_LAYERS + 1:
        raise FileProblem(f"sizes lists {len(meta['sizes'])} layer sizes; a model file holds "
                          f"at most {MAX_LAYERS} weight layers ({MAX_LAYERS + 1} sizes)")
    try:
        sizes, hidden, output = check_architecture(
            meta["sizes"], meta["hidden_activations"], meta["output_activation"])
    except (TypeError, ValueError) as exc:
        raise _field_problem(exc) from exc
    if not isinstance(meta["extra"], dict):
        raise FileProblem(f"extra must be a JSON object, got {type(meta['extra']).__name__}")
    if not depth_ok(meta["extra"]):
        raise FileProblem(f"extra is nested more than {MAX_JSON_DEPTH} levels deep")
    meta.update(sizes=sizes, hidden_activations=hidden, output_activation=output)
    return meta, sizes
