"""The checkpoint part of numpynn's schema: the fields a checkpoint adds to a model file's
metadata, and their checks.

A checkpoint (see :mod:`numpynn.io.checkpoints`) is a model file whose ``"numpynn"``
metadata object also has ``"state_arrays"`` (the names of its state tensors) and
``"training_state"`` (a JSON object with at least ``"epoch"``); one written by numpynn 0.1
has ``"optimizer_state"``, ``"optimizer_arrays"`` and ``"training_state"`` instead.
:func:`numpynn.io.schema.parse_metadata` checks the model fields first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..core.checks import check_int
from .json_metadata import MAX_JSON_DEPTH, depth_ok
from .safetensors_access import FileProblem

__all__ = ["CHECKPOINT_KEYS", "CHECKPOINT_KEYS_V01", "CheckpointFields", "check_state_name",
           "check_training_state", "parse_checkpoint_fields"]

#: Checkpoint fields: this version's, and those numpynn 0.1 wrote.
CHECKPOINT_KEYS = frozenset({"state_arrays", "training_state"})
CHECKPOINT_KEYS_V01 = frozenset({"optimizer_state", "optimizer_arrays", "training_state"})

# A state array's name: dotted identifiers ("optimizer.m", "early_stopping.best_theta").
_STATE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*")


def check_state_name(name: Any, what: str = "arrays") -> str:
    """A state array's name: dotted identifiers, outside the model's ``layers.`` names."""
    if not isinstance(name, str):
        raise TypeError(f"{what} names must be str, got {name!r} ({type(name).__name__})")
    if not _STATE_NAME.fullmatch(name):
        raise ValueError(f"{what} names must be dotted identifiers such as 'optimizer.m', "
                         f"got {name!r}")
    if name.split(".", 1)[0] == "layers":
        raise ValueError(f"{what} name {name!r} clashes with the model's 'layers.' tensors")
    return name


@dataclass(frozen=True)
class CheckpointFields:
    """The checkpoint part of a file's metadata.

    Attributes
    ----------
    array_names : tuple of str
        Names of the state tensors (the same names the arrays are read back under).
    training_state : dict
        JSON object with at least ``"epoch"``, an int >= 0.
    optimizer_scalars : dict or None
        The ``optimizer_state`` numbers of a checkpoint written by numpynn 0.1, else None.
    """

    array_names: tuple[str, ...]
    training_state: dict
    optimizer_scalars: dict | None = None


def _v01_array_names(meta: dict[str, Any]) -> tuple[str, ...]:
    """numpynn 0.1: scalars in ``optimizer_state``, tensors ``optimizer.{name}``."""
    scalars = meta["optimizer_state"]
    if not isinstance(scalars, dict):
        raise FileProblem("optimizer_state must be a JSON object")
    for key, value in scalars.items():
        if not isinstance(value, (int, float)):  # bool is an int: allowed
            raise FileProblem(f"optimizer_state[{key!r}] must be a number, got {value!r}")
    names = meta["optimizer_arrays"]
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise FileProblem("optimizer_arrays must be a list of non-empty str")
    if len(set(names)) != len(names):
        raise FileProblem("optimizer_arrays names an array twice")
    both = set(names) & set(scalars)
    if both:
        raise FileProblem(f"optimizer state {sorted(both)} is both a scalar and an array")
    return tuple(f"optimizer.{name}" for name in names)


def _array_names(meta: dict[str, Any]) -> tuple[str, ...]:
    names = meta["state_arrays"]
    if not isinstance(names, list):
        raise FileProblem(f"state_arrays must be a list of names, got {names!r}")
    try:
        checked = tuple(check_state_name(n, "state_arrays") for n in names)
    except (TypeError, ValueError) as exc:
        raise FileProblem(str(exc)) from exc
    if len(set(checked)) != len(checked):
        raise FileProblem("state_arrays names an array twice")
    return checked


def check_training_state(training_state: Any) -> dict:
    """``training_state`` if it is a dict with ``"epoch"``, an int >= 0; else Type/ValueError."""
    if not isinstance(training_state, dict):
        raise TypeError(f"training_state must be a dict, got {type(training_state).__name__}")
    check_int("training_state['epoch']", training_state.get("epoch"), 0)
    return training_state


def parse_checkpoint_fields(meta: dict[str, Any]) -> CheckpointFields | None:
    """The checkpoint fields of checked model metadata; None for a plain model file.

    Raises
    ------
    FileProblem
    """
    present = (CHECKPOINT_KEYS | CHECKPOINT_KEYS_V01) & set(meta)
    if not present:
        return None
    if present == CHECKPOINT_KEYS:
        names, scalars = _array_names(meta), None
    elif present == CHECKPOINT_KEYS_V01:
        names, scalars = _v01_array_names(meta), dict(meta["optimizer_state"])
    else:
        raise FileProblem(
            f"checkpoint metadata is incomplete: has {sorted(present)}, needs "
            f"{sorted(CHECKPOINT_KEYS)} (or numpynn 0.1's {sorted(CHECKPOINT_KEYS_V01)})"
        )
    try:
        training = check_training_state(meta["training_state"])
    except (TypeError, ValueError) as exc:
        raise FileProblem(str(exc)) from exc
    if not depth_ok(training):
        raise FileProblem(f"training_state is nested more than {MAX_JSON_DEPTH} levels deep")
    return CheckpointFields(names, training, scalars)
