"""Model files of table networks: a numpynn model file plus the input layers.

The file is a numpynn model file for the dense stack (tensors ``layers.{i}.weight`` and
``layers.{i}.bias``, the metadata of :mod:`numpynn.io.schema`) with, in addition:

- tensors ``embeddings.{j}`` (float32, ``(cardinality, dim)``), with periodic embeddings
  ``periodic.frequencies``, ``periodic.phases`` (``(C, F)``), ``periodic.weights``
  (``(C, F, D)``) and ``periodic.biases`` (``(C, D)``), and, with a front scale,
  ``feature_scale`` (float32, ``(n_features,)``);
- the metadata field ``"input_layers"``:
  ``{"kind": "table", "n_dense": 5, "embeddings": [[12, 8]], "front_scale": true}``, with
  periodic embeddings also ``"periodic": {"columns": [0, 2], "frequencies": 16,
  "dims": 3}``;
- for a bagged ensemble of K networks, ``"members": K`` there, and every tensor name
  prefixed ``members.{m}.``.

Everything is checked before a tensor is read -- the dense part by the model files' own
checks, the input layers here -- and nothing is pickled.  ``numpynn.load`` refuses these
files (its schema has no input layers); :func:`numpynn.tabular_network.load_tabular_network`
reads them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..core.checks import check_finite, check_int
from ..core.layers.layout import InputLayout
from ..core.layers.periodic import DIMS, FREQUENCIES, periodic_size
from ..errors import ModelFileError
from .json_metadata import dumps, strict_loads
from .safetensors_access import MAX_FILE_BYTES, FileProblem, SafetensorsFile, save_tensors
from .schema import (
    METADATA_KEY,
    ModelContents,
    expected_model_tensors,
    model_metadata,
    model_tensors,
    parse_metadata,
)

__all__ = ["TabularContents", "write_tabular_file", "read_tabular_file", "is_tabular_file",
           "INPUT_LAYERS_KEY"]

#: The metadata field that makes a model file a table network's.
INPUT_LAYERS_KEY = "input_layers"
_KIND = "table"


@dataclass(frozen=True, eq=False)
class TabularContents:
    """Everything a table network's file holds (checked on construction).

    Attributes
    ----------
    n_dense : int
    embeddings : tuple of (cardinality, dim)
    front_scale : bool
    sizes, hidden_activations, output_activation
        The dense stack (``sizes[0]`` = n_dense + sum of the embedding dims + 3 per
        periodic column).
    theta : ndarray, float32, shape (num_weights,)
        Embedding tables, periodic embeddings, scale, dense stack
        (:class:`numpynn.core.layers.InputLayout`).
    extra : dict
    periodic : tuple of int
        Dense columns with periodic embeddings.
    """

    n_dense: int
    embeddings: tuple[tuple[int, int], ...]
    front_scale: bool
    # ModelContents' fields (io/schema.py), repeated on purpose: theta and layout here span
    # the input block too; the dense stack alone becomes a ModelContents, ``dense``.
    sizes: tuple[int, ...]
    hidden_activations: tuple[str, ...]
    output_activation: str
    theta: np.ndarray
    extra: dict = field(default_factory=dict)
    periodic: tuple[int, ...] = ()
    layout: InputLayout = field(init=False, repr=False)
    dense: ModelContents = field(init=False, repr=False)

    def __post_init__(self) -> None:
        layout = InputLayout(self.n_dense, self.embeddings, self.sizes[1:-1], self.sizes[-1],
                             self.front_scale, self.periodic)
        if layout.dense.sizes != tuple(self.sizes):
            raise ValueError(f"sizes {list(self.sizes)} do not start with n_dense + the "
                             f"embedding dims ({layout.n_features})")
        object.__setattr__(self, "periodic", layout.periodic)
        if not isinstance(self.theta, np.ndarray) or self.theta.dtype != np.float32 \
                or self.theta.shape != (layout.num_weights,):
            raise ValueError(f"theta must be float32 of shape ({layout.num_weights},)")
        views = layout.views_of(self.theta)
        dense = ModelContents(self.sizes, self.hidden_activations, self.output_activation,
                              np.ascontiguousarray(views.dense), self.extra)
        object.__setattr__(self, "embeddings", layout.embeddings)
        object.__setattr__(self, "layout", layout)
        object.__setattr__(self, "dense", dense)
        object.__setattr__(self, "hidden_activations", dense.hidden_activations)
        object.__setattr__(self, "extra", dense.extra)

    def input_metadata(self) -> dict[str, Any]:
        meta: dict[str, Any] = {"kind": _KIND, "n_dense": self.n_dense,
                                "embeddings": [list(e) for e in self.embeddings],
                                "front_scale": self.front_scale}
        if self.periodic:
            meta["periodic"] = {"columns": list(self.periodic),
                                "frequencies": self.layout.periodic_frequencies,
                                "dims": self.layout.periodic_dims}
        return meta

    def input_tensors(self) -> dict[str, np.ndarray]:
        views = self.layout.views_of(self.theta)
        tensors = {f"embeddings.{j}": np.ascontiguousarray(t)
                   for j, t in enumerate(views.embeddings)}
        tensors.update({name: np.ascontiguousarray(t)
                        for name, t in _periodic_named(views.periodic, "").items()})
        if views.scale is not None:
            tensors["feature_scale"] = np.ascontiguousarray(views.scale)
        return tensors


def _member_prefix(member: int, members: int) -> str:
    return "" if members == 1 else f"members.{member}."


def write_tabular_file(path: str | os.PathLike,
                       contents: TabularContents | Sequence[TabularContents]) -> None:
    """Write a table network's model file atomically (see the module docstring).

    Several networks of one architecture (the members of a bagged ensemble) go into one
    file: their tensors are named ``members.{m}.<name>`` and ``input_layers`` says
    ``"members": K``; the first member's ``extra`` is the file's.
    """
    members = [contents] if isinstance(contents, TabularContents) else list(contents)
    if not members:
        raise ValueError("write_tabular_file needs at least one network")
    first = members[0]
    for other in members[1:]:
        if other.layout != first.layout or other.hidden_activations != \
                first.hidden_activations or other.output_activation != first.output_activation:
            raise ValueError("the members of one file must share their architecture")
    metadata = model_metadata(first.dense)
    metadata[INPUT_LAYERS_KEY] = first.input_metadata()
    if len(members) > 1:
        metadata[INPUT_LAYERS_KEY]["members"] = len(members)
    tensors: dict[str, np.ndarray] = {}
    for m, member in enumerate(members):
        prefix = _member_prefix(m, len(members))
        for name, array in {**model_tensors(member.dense), **member.input_tensors()}.items():
            tensors[prefix + name] = array
    save_tensors(path, tensors, {METADATA_KEY: dumps(metadata)})


def _parse_input_layers(raw: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The input layers' metadata, and the raw metadata without them (for the model
    files' own checks)."""
    try:
        meta = strict_loads(raw[METADATA_KEY]) if METADATA_KEY in raw else None
    except ValueError as exc:
        raise FileProblem(f"numpynn metadata is not valid JSON ({exc})") from exc
    if not isinstance(meta, dict) or not isinstance(meta.get(INPUT_LAYERS_KEY), dict):
        raise FileProblem("not a table network's model file (no 'input_layers' in the "
                          "numpynn metadata; read plain networks with numpynn.load)")
    layers = meta.pop(INPUT_LAYERS_KEY)
    keys = {"kind", "n_dense", "embeddings", "front_scale"}
    if layers.get("kind") != _KIND or not keys <= set(layers) <= keys | {"members",
                                                                          "periodic"}:
        raise FileProblem(f"input_layers must be {{'kind': 'table', 'n_dense', 'embeddings', "
                          f"'front_scale'[, 'members']}}, got {sorted(layers)}")
    if not isinstance(layers["front_scale"], bool) or not isinstance(layers["embeddings"],
                                                                     list):
        raise FileProblem("input_layers: front_scale must be a bool and embeddings a list")
    return layers, {**raw, METADATA_KEY: dumps(meta)}


def _layout_of(layers: dict[str, Any], sizes: tuple[int, ...], file_bytes: int
               ) -> InputLayout:
    try:
        n_dense = check_int("n_dense", layers["n_dense"], 0)
        pairs = [tuple(check_int("embedding size", v, 1) for v in pair)
                 for pair in layers["embeddings"]]
        periodic = _periodic_columns(layers.get("periodic"))
        values = (sum(a * b for a, b in pairs) + periodic_size(len(periodic))
                  + sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:])))
        if values * 4 > file_bytes:
            raise FileProblem(f"the layers need {values} float32 values, more than the file "
                              f"({file_bytes} bytes) holds")
        layout = InputLayout(n_dense, pairs, sizes[1:-1], sizes[-1], layers["front_scale"],
                             periodic)
    except (TypeError, ValueError) as exc:
        raise FileProblem(f"input_layers: {exc}") from exc
    if layout.dense.sizes != sizes:
        raise FileProblem(f"sizes {list(sizes)} do not start with n_dense + the embedding "
                          f"dims ({layout.n_features})")
    return layout


def _periodic_named(views: Any, prefix: str) -> dict[str, np.ndarray]:
    """The periodic embeddings' tensors by name (none without them)."""
    if views is None:
        return {}
    return {f"{prefix}periodic.{part}": getattr(views, part)
            for part in ("frequencies", "phases", "weights", "biases")}


def _periodic_columns(periodic: Any) -> list[int]:
    """The periodic columns of ``input_layers["periodic"]`` (checked; [] when absent)."""
    if periodic is None:
        return []
    if not isinstance(periodic, dict) or set(periodic) != {"columns", "frequencies", "dims"} \
            or not isinstance(periodic["columns"], list):
        raise FileProblem("input_layers: periodic must be {'columns': [...], 'frequencies', "
                          "'dims'}")
    if (periodic["frequencies"], periodic["dims"]) != (FREQUENCIES, DIMS):
        raise FileProblem(f"input_layers: periodic embeddings of {periodic['frequencies']!r} "
                          f"frequencies and {periodic['dims']!r} dims; this numpynn reads "
                          f"{FREQUENCIES} and {DIMS}")
    return periodic["columns"]


def _expected(layout: InputLayout, members: int) -> dict[str, tuple[str, tuple[int, ...]]]:
    one = dict(expected_model_tensors(layout.dense))
    for j, e in enumerate(layout.embedding_slices):
        one[f"embeddings.{j}"] = ("F32", (e.cardinality, e.dim))
    if layout.periodic:
        c, f, d = len(layout.periodic), layout.periodic_frequencies, layout.periodic_dims
        one.update({"periodic.frequencies": ("F32", (c, f)), "periodic.phases": ("F32", (c, f)),
                    "periodic.weights": ("F32", (c, f, d)), "periodic.biases": ("F32", (c, d))})
    if layout.front_scale:
        one["feature_scale"] = ("F32", (layout.n_features,))
    return {_member_prefix(m, members) + name: spec
            for m in range(members) for name, spec in one.items()}


def _read_tensors(file: SafetensorsFile, layout: InputLayout, members: int
                  ) -> list[np.ndarray]:
    """Every tensor, checked against the layout first, into one new theta per member."""
    expected = _expected(layout, members)
    specs = file.specs()
    if set(specs) != set(expected):
        odd = sorted(set(specs) ^ set(expected))
        what = "missing" if odd[0] in expected else "unexpected"
        raise FileProblem(f"tensor {odd[0]!r} is {what}")
    for name, spec in expected.items():
        if tuple(specs[name]) != (spec[0], tuple(spec[1])):
            raise FileProblem(f"tensor {name!r} is {specs[name]}, expected {spec}")
    thetas = []
    for m in range(members):
        theta = np.empty(layout.num_weights, dtype=np.float32)
        for name, view in _named_views(layout, theta, _member_prefix(m, members)).items():
            array = file.tensor(name)
            try:
                check_finite(f"tensor {name!r}", array)
            except ValueError as exc:
                raise FileProblem(str(exc)) from exc
            view[...] = array
        thetas.append(theta)
    return thetas


def _named_views(layout: InputLayout, theta: np.ndarray, prefix: str
                 ) -> dict[str, np.ndarray]:
    views = layout.views_of(theta)
    named = {f"{prefix}embeddings.{j}": t for j, t in enumerate(views.embeddings)}
    named.update(_periodic_named(views.periodic, prefix))
    if views.scale is not None:
        named[f"{prefix}feature_scale"] = views.scale
    for i, (w, b) in enumerate(zip(views.weights, views.biases)):
        named[f"{prefix}layers.{i}.weight"], named[f"{prefix}layers.{i}.bias"] = w, b
    return named


def read_tabular_file(path: str | os.PathLike) -> list[TabularContents]:
    """Read and check a table network's model file: one contents per member.

    Raises
    ------
    ModelFileError
        Missing, damaged, not numpynn's, or not a table network's; the message names the
        path and the problem.
    """
    path = Path(path)
    try:
        with SafetensorsFile(path, MAX_FILE_BYTES) as file:
            layers, raw = _parse_input_layers(file.metadata())
            meta, sizes = parse_metadata(raw)
            members = layers.get("members", 1)
            if isinstance(members, bool) or not isinstance(members, int) or members < 1:
                raise FileProblem(f"input_layers: members must be an int >= 1, got {members!r}")
            layout = _layout_of(layers, sizes, file.size // members)
            thetas = _read_tensors(file, layout, members)
        return [TabularContents(layout.n_dense, layout.embeddings, layout.front_scale, sizes,
                                meta["hidden_activations"], meta["output_activation"], theta,
                                meta["extra"], layout.periodic) for theta in thetas]
    except FileProblem as exc:
        raise ModelFileError(f"{path}: {exc}") from exc.__cause__
    except (TypeError, ValueError) as exc:
        raise ModelFileError(f"{path}: {exc}") from exc


def is_tabular_file(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a safetensors file whose numpynn metadata has input layers (a
    table network's); False for anything else, damaged files included (their reader
    says what is wrong)."""
    try:
        with SafetensorsFile(Path(path), MAX_FILE_BYTES) as file:
            meta = strict_loads(file.metadata().get(METADATA_KEY, "{}"))
    except (FileProblem, ValueError, OSError, ImportError):
        return False
    return isinstance(meta, dict) and isinstance(meta.get(INPUT_LAYERS_KEY), dict)
