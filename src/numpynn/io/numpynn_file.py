"""Writing and reading one numpynn file (a model file or a checkpoint).

Reading goes through :class:`~numpynn.io.safetensors_access.SafetensorsFile`: the library
checks the container; this module checks numpynn's schema -- the metadata, then every
tensor's name, dtype and shape from the header, all before any tensor is read -- and then
reads the tensors one at a time, straight into their final arrays, refusing NaN and
infinity: a load needs memory for the arrays it returns and little more.
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
    check_metadata_size,
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
        At most :data:`~numpynn.io.schema.MAX_LAYERS` weight layers.
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
    text = dumps(metadata)
    check_metadata_size(text)  # a file over the ceiling would not load
    save_tensors(path, tensors, {METADATA_KEY: text})


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


def _read_checked(file: SafetensorsFile, name: str, out: np.ndarray) -> np.ndarray:
    """Tensor ``name`` read into ``out`` (its dtype and shape, checked from the header),
    which must then be finite."""
    file.read_into(name, out)
    if out.dtype.kind == "f":
        try:
            check_finite(f"tensor {name!r}", out)
        except ValueError as exc:
            raise FileProblem(str(exc)) from exc
    return out


def _allocate(shape: tuple[int, ...], dtype: np.dtype, what: str) -> np.ndarray:
    """``np.empty``, with a MemoryError that says what the memory was for."""
    try:
        return np.empty(shape, dtype=dtype)
    except MemoryError:
        size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        raise MemoryError(f"not enough memory for {what} ({size} bytes)") from None


def _read_theta(file: SafetensorsFile, layout: Layout, code: str) -> np.ndarray:
    """Every layer's tensors, read one at a time into one new theta of their dtype."""
    dtype = NUMPY_DTYPES[code].newbyteorder("=")
    theta = _allocate((layout.num_weights,), dtype,
                      f"the {layout.num_weights} {dtype.name} parameters")
    weights, biases = layout.views_of(theta)
    for i, (weight_view, bias_view) in enumerate(zip(weights, biases)):
        _read_checked(file, f"layers.{i}.weight", weight_view)
        _read_checked(file, f"layers.{i}.bias", bias_view)
    return theta


def _check_tensor_names(file: SafetensorsFile, wanted: list[str],
                        sizes: tuple[int, ...]) -> None:
    """No tensor beyond the ``wanted`` ones, from the list of names alone: a header may
    list millions, and each is looked at only after this."""
    unexpected = set(file.tensor_names()) - set(wanted)
    if unexpected:
        raise FileProblem(f"unexpected tensor {min(unexpected)!r} for sizes "
                          f"{_short_sizes(sizes)} ({len(unexpected)} unexpected in all)")


def _short_sizes(sizes: tuple[int, ...]) -> str:
    shown = ", ".join(map(str, sizes[:8]))
    return f"[{shown}{', ...' if len(sizes) > 8 else ''}]"


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
    MemoryError
        Not enough memory for the arrays (the message says for what).
    """
    with SafetensorsFile(path, max_bytes) as file:
        meta, sizes = parse_metadata(file.metadata())
        checkpoint = parse_checkpoint_fields(meta)
        state_names = checkpoint.array_names if checkpoint is not None else ()
        layout = _layout_within(sizes, file.size)
        expected = expected_model_tensors(layout)
        _check_tensor_names(file, [*expected, *state_names], sizes)
        specs = file.specs()
        code = _theta_code(specs)
        _check_specs(specs, expected_model_tensors(layout, code), state_names, sizes)
        theta = _read_theta(file, layout, code)
        arrays = {}
        if with_state:
            for name in state_names:
                code, shape = specs[name]
                out = _allocate(shape, NUMPY_DTYPES[code], f"state array {name!r}")
                arrays[name] = _read_checked(file, name, out)
    try:
        contents = ModelContents(sizes, meta["hidden_activations"], meta["output_activation"],
                                 theta, meta["extra"])
    except (TypeError, ValueError) as exc:  # already validated above; belt and braces
        raise FileProblem(str(exc)) from exc
    return NumpynnFile(contents, checkpoint, arrays)
