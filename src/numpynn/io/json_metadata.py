"""JSON metadata of model files: normalised on write, parsed strictly on read.

Writing turns NumPy scalars and arrays into plain JSON values and refuses what JSON cannot
hold exactly (NaN, infinity, non-str keys, objects).  Reading rejects NaN/Infinity
constants and duplicate keys, a nesting deeper than :data:`MAX_JSON_DEPTH`, and what could
not be written back (:func:`check_round_trip`: a number that reads as infinity, a lone
surrogate in a string).  Every step is linear in the size of the text.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["MAX_JSON_DEPTH", "MAX_METADATA_BYTES", "to_json_value", "dumps", "strict_loads",
           "depth_ok", "check_round_trip", "check_metadata_size"]

#: Deepest nesting accepted in user metadata (``extra``, ``training_state``).
MAX_JSON_DEPTH = 64
#: Largest metadata (the safetensors ``__metadata__``, UTF-8 bytes) of a model file: room
#: for the preprocessing of a table with a few hundred thousand columns.
MAX_METADATA_BYTES = 32 * 1024**2

# Values that are already plain JSON as they are (floats need a finiteness check).
_PLAIN_TYPES = frozenset({str, int, bool, type(None)})
_NUMBER_TYPES = frozenset({int, float, bool})
_CONTAINER_TYPES = frozenset({dict, list})
# What in JSON text can read as something dumps() cannot write back: an escaped surrogate
# (\ud800-\udfff), a large exponent or a very long number (either may read as infinity).
_MAY_NOT_ROUND_TRIP = re.compile(r"\\u[dD][89a-fA-F]|[eE]\+?0*[1-9]\d{2}|\d{300}")


def to_json_value(value: Any, where: str, depth: int = 0) -> Any:
    """Return a plain-JSON copy of ``value`` or raise ValueError/TypeError naming ``where``.

    NumPy scalars become Python numbers, NumPy arrays and tuples become lists. Dict keys
    must be str and floats finite (JSON has no NaN or infinity).
    """
    if depth > MAX_JSON_DEPTH:
        raise ValueError(f"{where} is nested more than {MAX_JSON_DEPTH} levels deep")
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
            out[key] = to_json_value(item, f"{where}[{key!r}]", depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        if depth < MAX_JSON_DEPTH and _flat_and_plain(value):
            return list(value)  # the common flat list: checked without a call per item
        return [to_json_value(item, f"{where}[{i}]", depth + 1) for i, item in enumerate(value)]
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise TypeError(f"{where} is an array of dtype {value.dtype}, not JSON-able")
        return to_json_value(value.tolist(), where, depth)
    raise TypeError(
        f"{where} has type {type(value).__name__}, which is not JSON-able "
        "(use dict, list, str, int, float, bool or None)"
    )


def _flat_and_plain(items: Any) -> bool:
    """Whether every item is a str, a bool, None or a finite number (C-speed checks)."""
    kinds = set(map(type, items))
    if kinds <= _PLAIN_TYPES:
        return True
    if kinds <= _NUMBER_TYPES:
        try:
            return all(map(math.isfinite, items))
        except OverflowError:  # an int too large for a float: fine, but look closer
            return False
    return False


def dumps(value: Any) -> str:
    """Compact JSON text of a value made by :func:`to_json_value` (NaN refused)."""
    return json.dumps(value, allow_nan=False, ensure_ascii=False, separators=(",", ":"))


def check_metadata_size(text: str) -> None:
    """ValueError when metadata ``text`` is over :data:`MAX_METADATA_BYTES` as UTF-8."""
    size = len(text.encode("utf-8"))
    if size > MAX_METADATA_BYTES:
        raise ValueError(f"the metadata is {size} bytes as JSON, over the "
                         f"{MAX_METADATA_BYTES}-byte limit of model files")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def strict_loads(text: str) -> Any:
    """``json.loads`` that rejects NaN/Infinity and duplicate keys. Raises ValueError."""
    try:
        return json.loads(
            text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicate_keys
        )
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc


def depth_ok(value: Any, depth: int = 0) -> bool:
    """Whether parsed JSON ``value`` nests at most :data:`MAX_JSON_DEPTH` levels."""
    pending = [(value, depth)]  # a stack, not recursion: any depth is safe to walk
    while pending:
        item, level = pending.pop()
        if level > MAX_JSON_DEPTH:
            return False
        children = item.values() if type(item) is dict else item if type(item) is list else ()
        if children and level >= MAX_JSON_DEPTH:  # its items would lie too deep
            return False
        if not _CONTAINER_TYPES.isdisjoint(map(type, children)):  # C-speed for flat ones
            pending.extend((child, level + 1) for child in children
                           if type(child) is dict or type(child) is list)
    return True


def check_round_trip(value: Any, text: str | None = None) -> None:
    """ValueError unless parsed JSON ``value`` can be written back exactly as UTF-8 JSON.

    ``json.loads`` accepts two things :func:`dumps` cannot write: a number too large for
    a float (``1e400`` reads as infinity) and an escaped lone surrogate (``"\\ud800"``),
    which no UTF-8 text can hold.  Metadata with either would load and then fail to save.

    Parameters
    ----------
    value : parsed JSON
    text : str, optional
        The text ``value`` was parsed from: when it has neither an escaped surrogate nor
        a long number, ``value`` round-trips and is not written out to see.
    """
    if text is not None and _MAY_NOT_ROUND_TRIP.search(text) is None:
        return
    try:
        dumps(value).encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start:exc.end]
        raise ValueError(f"it holds a lone surrogate character {bad!r}, which UTF-8 cannot "
                         "encode, so it could not be saved back") from None
    except ValueError as exc:  # allow_nan=False: an infinite float
        raise ValueError(f"it holds a number too large for a float, which reads as "
                         f"infinity and could not be saved back ({exc})") from None
