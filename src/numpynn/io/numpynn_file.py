"""Writing and reading one numpynn file (a model file or a checkpoint).

Reading goes through :class:`~numpynn.io.safetensors_access.SafetensorsFile`: the library
checks the container; this module checks numpynn's schema -- the metadata, then every
tensor's name, dtype and shape from the header, all before any tensor is read -- and then
reads the tensors one at a time, refusing NaN and infinity.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.checks import check_finite
from ..core.layout import Layout
from .json_metadata import dumps
from .safetensors_access import NUMPY_DTYPES, FileProblem, SafetensorsFile, save_tensors
from .schema import (
    METADATA_KEY,
    THETA_DTYPE_CODES,
    CheckpointFields,
    ModelContents,
    check_contents,
    expected_model_tensors,
    model_metadata,
    model_tensors,
    parse_checkpoint_fields,
    parse_metadata,
)

__all__ = ["NumpynnFile", "write_numpynn_file", "read_numpynn_file"]

_FLOAT32_BYTES = 4  # the smallest a parameter takes in a file


@dataclass(frozen=True)
class NumpynnFile:
    """What :func:`read_numpynn_file` found.

    Attributes
    ----------
    contents : ModelContents
    checkpoint : CheckpointFields or None
        None for a plain model file.
    arrays : dict of str to ndarray
        The checkpoint's state arrays, if they were asked for.
    """

    contents: ModelContents
    checkpoint: CheckpointFields | None = None
    arrays: dict[str, np.ndarray] = field(default_factory=dict)


def write_numpynn_file(path: str | os.PathLike, contents: ModelContents,
                       checkpoint_metadata: Mapping[str, Any] | None = None,
                       state_arrays: Mapping[str, np.ndarray] | None = None) -> None:
    """Write a model file (or, with the checkpoint parts, a checkpoint) atomically.

    Parameters
    ----------
    path : path-like
    contents : ModelContents
    checkpoint_metadata : dict, optional
        JSON values added to the metadata object (already checked by the caller).
    state_arrays : dict of str to ndarray, optional
        More tensors, stored under their names (already checked by the caller).
    """
    contents = check_contents(contents)
    metadata = model_metadata(contents)
    metadata.update(checkpoint_metadata or {})
    tensors = model_tensors(contents)
    tensors.update(state_arrays or {})
    save_tensors(path, tensors, {METADATA_KEY: dumps(metadata)})


def _layout_within(sizes: tuple[int, ...], file_bytes: int) -> Layout:
    """The Layout of ``sizes``, once their float32 values are known to fit in the file."""
    count = Layout.count(sizes)
    if count * _FLOAT32_BYTES > file_bytes:
        raise FileProblem(f"sizes {list(sizes)} need {count} float32 values, more than the "
                          f"whole file ({file_bytes} bytes) holds")
    return Layout(sizes)


def _theta_code(specs: Mapping[str, tuple[str, tuple[int, ...]]]) -> str:
    """The dtype code of the model's tensors: that of ``layers.0.weight``, F32 or F64
    (every other layer tensor must match it, see :func:`_check_specs`)."""
    first = specs.get("layers.0.weight")
    if first is None:
        return "F32"  # _check_specs names the missing tensors
    if first[0] not in THETA_DTYPE_CODES.values():
        raise FileProblem(f"tensor 'layers.0.weight' has dtype {first[0]}, expected F32 "
                          "or F64")
    return first[0]


def _check_specs(specs: Mapping[str, tuple[str, tuple[int, ...]]],
                 expected: Mapping[str, tuple[str, tuple[int, ...]]],
                 state_names: tuple[str, ...], sizes: tuple[int, ...]) -> None:
    """Every tensor's name, dtype and shape, from the header alone."""
    wanted = [*expected, *state_names]
    missing = [n for n in wanted if n not in specs]
    if missing:
        raise FileProblem(f"tensor {missing[0]!r} is missing ({len(missing)} missing in all)")
    unexpected = sorted(set(specs) - set(wanted))
    if unexpected:
        raise FileProblem(f"unexpected tensor {unexpected[0]!r} for sizes {list(sizes)}")
    for name, (dtype, shape) in expected.items():
        if specs[name][0] != dtype:
            raise FileProblem(f"tensor {name!r} has dtype {specs[name][0]}, expected {dtype}")
        if specs[name][1] != shape:
            raise FileProblem(f"tensor {name!r} has shape {specs[name][1]}, expected {shape} "
                              f"for sizes {list(sizes)}")
    for name in state_names:
        if specs[name][0] not in NUMPY_DTYPES:
            raise FileProblem(f"tensor {name!r} has dtype {specs[name][0]}, which NumPy cannot "
                              f"hold; expected one of {sorted(NUMPY_DTYPES)}")


def _read_checked(file: SafetensorsFile, name: str, dtype: np.dtype,
                  shape: tuple[int, ...]) -> np.ndarray:
    """Tensor ``name``, which must load with ``dtype`` and ``shape`` and be finite."""
    array = file.tensor(name)
    if array.dtype != dtype or array.shape != shape:
        raise FileProblem(f"tensor {name!r} did not load as {dtype} {shape}")
    if array.dtype.kind == "f":
        try:
            check_finite(f"tensor {name!r}", array)
        except ValueError as exc:
            raise FileProblem(str(exc)) from exc
    return array


def _read_theta(file: SafetensorsFile, layout: Layout, code: str) -> np.ndarray:
    """Every layer's tensors, copied one at a time into one new theta of their dtype."""
    dtype = NUMPY_DTYPES[code].newbyteorder("=")
    theta = np.empty(layout.num_weights, dtype=dtype)
    weights, biases = layout.views_of(theta)
    for i, (weight_view, bias_view) in enumerate(zip(weights, biases)):
        for name, view in ((f"layers.{i}.weight", weight_view), (f"layers.{i}.bias", bias_view)):
            view[...] = _read_checked(file, name, dtype, view.shape)
    return theta


def read_numpynn_file(path: str | os.PathLike, max_bytes: int,
                      with_state: bool = False) -> NumpynnFile:
    """Read and validate a numpynn model file or checkpoint.

    Parameters
    ----------
    path : path-like
    max_bytes : int
        Larger files are refused before they are opened.
    with_state : bool, default False
        Also read a checkpoint's state arrays (their names, dtypes and shapes are checked
        either way).

    Raises
    ------
    FileProblem
        Anything wrong with the file; the message does not name the path.
    """
    with SafetensorsFile(path, max_bytes) as file:
        meta, sizes = parse_metadata(file.metadata())
        checkpoint = parse_checkpoint_fields(meta)
        state_names = checkpoint.array_names if checkpoint is not None else ()
        layout = _layout_within(sizes, file.size)
        specs = file.specs()
        code = _theta_code(specs)
        _check_specs(specs, expected_model_tensors(layout, code), state_names, sizes)
        theta = _read_theta(file, layout, code)
        arrays = {}
        if with_state:
            for name in state_names:
                code, shape = specs[name]
                arrays[name] = _read_checked(file, name, NUMPY_DTYPES[code], shape)
    try:
        contents = ModelContents(sizes, meta["hidden_activations"], meta["output_activation"],
                                 theta, meta["extra"])
    except (TypeError, ValueError) as exc:  # already validated above; belt and braces
        raise FileProblem(str(exc)) from exc
    return NumpynnFile(contents, checkpoint, arrays)
