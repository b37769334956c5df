"""Training checkpoints: model files with training state, written crash-safely.

A checkpoint is a numpynn model file (see :mod:`numpynn.io.schema`) with two more
metadata fields, ``"state_arrays"`` (the names of its state tensors) and
``"training_state"`` (JSON, with at least ``"epoch"``), and one more tensor per state
array, stored under the array's own dotted name (``optimizer.m``,
``early_stopping.best_theta``, ...).

Files are ``checkpoint-epoch{epoch:06d}.safetensors``; each is written atomically, then the
pointer file ``latest`` names it, and only it and the one written before it are kept.  A
crash at any point leaves at least one complete checkpoint that the reader finds.

Checkpoints written by numpynn 0.1 are read too: their ``optimizer.{name}`` tensors come
back under those names, their ``optimizer_state`` scalars as
``training_state["optimizer_scalars"]``.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..core.checks import check_finite
from ..errors import ModelFileError
from .atomic import atomic_open
from .json_metadata import to_json_value
from .numpynn_file import read_numpynn_file, write_numpynn_file
from .safetensors_access import MAX_FILE_BYTES, FileProblem, storable_dtype
from .schema import ModelContents, check_contents, check_state_name, check_training_state

__all__ = ["write_checkpoint", "read_latest_checkpoint"]

_CHECKPOINT_RE = re.compile(r"checkpoint-epoch(\d+)\.safetensors")
_LATEST_POINTER = "latest"


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


def _check_arrays(arrays: Any) -> dict[str, np.ndarray]:
    """The state arrays as C-contiguous little-endian arrays; Type/ValueError naming one."""
    if not isinstance(arrays, Mapping):
        raise TypeError(f"arrays must be a dict of name -> ndarray, got {type(arrays).__name__}")
    out = {}
    for name, value in arrays.items():
        check_state_name(name)
        if not isinstance(value, np.ndarray):
            raise TypeError(f"arrays[{name!r}] must be a NumPy array, got "
                            f"{type(value).__name__} (numbers belong in training_state)")
        dtype = storable_dtype(value.dtype)
        if dtype is None:
            raise ValueError(f"arrays[{name!r}] has dtype {value.dtype}, which a model file "
                             "cannot store")
        if value.dtype.kind == "f":
            check_finite(f"arrays[{name!r}]", value)
        out[name] = np.require(value, dtype=dtype, requirements="C")
    return out


def _prune(directory: Path, written: str, previous: str | None) -> None:
    """Keep ``written`` and the checkpoint written before it; remove stale temp files."""
    others = [n for n in _list_checkpoints(directory) if n != written]
    if previous is None or previous == written or previous not in others:
        previous = others[0] if others else None
    for name in others:
        if name != previous:
            _remove(directory / name)
    # Temporary files left behind by an interrupted earlier write.
    for name in os.listdir(directory):
        if name.startswith(".checkpoint-epoch") and name.endswith(".tmp"):
            _remove(directory / name)


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def write_checkpoint(
    directory: str | os.PathLike,
    contents: ModelContents,
    arrays: Mapping[str, np.ndarray],
    training_state: Mapping[str, Any],
) -> Path:
    """Write a training checkpoint atomically and keep only the last two.

    Parameters
    ----------
    directory : str or path-like
        Created (with parents) if it does not exist.
    contents : ModelContents
        The model: sizes, activations, float32 ``theta``, ``extra``.
    arrays : dict of str to ndarray
        Flat mapping of dotted names (``"optimizer.m"``, ``"early_stopping.best_theta"``)
        to arrays of any shape and of a dtype NumPy and safetensors share (float arrays
        must be finite); read back under the same names with the same dtype and shape.
        Names must not start with ``layers.`` (the model's tensors).
    training_state : dict
        JSON-able; must hold ``"epoch"``, an int >= 0. Scalars of any component go here,
        and may include a random generator's ``bit_generator.state`` dict (its big ints
        are stored exactly). NumPy scalars/arrays and tuples come back as Python numbers
        and lists.

    Returns
    -------
    pathlib.Path
        The checkpoint file written: ``checkpoint-epoch{epoch:06d}.safetensors``.

    Raises
    ------
    TypeError, ValueError
        Invalid ``contents``, ``arrays`` or ``training_state`` (a bad name, a scalar in
        ``arrays``, non-finite or non-JSON-able values, a missing epoch); nothing is written.
    OSError
        The directory or file cannot be written; existing checkpoints are left as they were.
    """
    contents = check_contents(contents)
    tensors = _check_arrays(arrays)
    if not isinstance(training_state, Mapping):
        raise TypeError(f"training_state must be a dict, got {type(training_state).__name__}")
    training = check_training_state(to_json_value(training_state, "training_state"))

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    filename = f"checkpoint-epoch{training['epoch']:06d}.safetensors"
    target = directory / filename
    previous = _read_pointer(directory)
    write_numpynn_file(target, contents,
                       {"state_arrays": list(tensors), "training_state": training}, tensors)
    with atomic_open(directory / _LATEST_POINTER, "wb") as fh:
        fh.write((filename + "\n").encode("utf-8"))
    _prune(directory, filename, previous)
    return target


def _read_checkpoint(path: Path) -> tuple[ModelContents, dict[str, np.ndarray], dict[str, Any]]:
    """One checkpoint file, fully validated; raises FileProblem."""
    found = read_numpynn_file(path, MAX_FILE_BYTES, with_state=True)
    if found.checkpoint is None:
        raise FileProblem("a model file, not a checkpoint (no training state)")
    training = dict(found.checkpoint.training_state)
    if found.checkpoint.optimizer_scalars is not None:  # written by numpynn 0.1
        training.setdefault("optimizer_scalars", found.checkpoint.optimizer_scalars)
    return found.contents, found.arrays, training


def _candidates(directory: Path) -> list[str]:
    """Checkpoint names to try: the one ``latest`` names, then the highest epochs first."""
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
    return names


def read_latest_checkpoint(
    directory: str | os.PathLike,
) -> tuple[ModelContents, dict[str, np.ndarray], dict[str, Any]] | None:
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
        ``(contents, arrays, training_state)``: the arrays under the names they were
        written with, each a new NumPy array with its saved dtype and shape;
        ``training_state`` as plain JSON values (dicts, lists, ints, floats, str).
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
    names = _candidates(directory)
    if not names:
        return None
    problems = []
    for name in names:
        path = directory / name
        try:
            return _read_checkpoint(path)
        except FileProblem as exc:
            problems.append(f"{path}: {exc}")
            warnings.warn(f"skipping checkpoint {path}: {exc}", UserWarning, stacklevel=2)
    raise ModelFileError(
        f"{directory}: no valid checkpoint among {len(names)} file(s): " + "; ".join(problems)
    )
