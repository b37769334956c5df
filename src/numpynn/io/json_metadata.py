"""JSON metadata of model files: normalised on write, parsed strictly on read.

Writing turns NumPy scalars and arrays into plain JSON values and refuses what JSON cannot
hold exactly (NaN, infinity, non-str keys, objects).  Reading rejects NaN/Infinity
constants and duplicate keys, and a nesting deeper than :data:`MAX_JSON_DEPTH`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["MAX_JSON_DEPTH", "to_json_value", "dumps", "strict_loads", "depth_ok"]

#: Deepest nesting accepted in user metadata (``extra``, ``training_state``).
MAX_JSON_DEPTH = 64


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
        return [to_json_value(item, f"{where}[{i}]", depth + 1) for i, item in enumerate(value)]
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise TypeError(f"{where} is an array of dtype {value.dtype}, not JSON-able")
        return to_json_value(value.tolist(), where, depth)
    raise TypeError(
        f"{where} has type {type(value).__name__}, which is not JSON-able "
        "(use dict, list, str, int, float, bool or None)"
    )


def dumps(value: Any) -> str:
    """Compact JSON text of a value made by :func:`to_json_value` (NaN refused)."""
    return json.dumps(value, allow_nan=False, ensure_ascii=False, separators=(",", ":"))


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
    if depth > MAX_JSON_DEPTH:
        return False
    if isinstance(value, dict):
        return all(depth_ok(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return all(depth_ok(v, depth + 1) for v in value)
    return True
