"""Checks of the JSON state that :class:`Preprocessor` and :class:`TargetEncoder` keep in a
model file: every field is validated before anything is built from it.

The state format (``{"format": ..., "version": 1, ...}``) is the one numpynn 0.1 wrote;
model files from 0.1 must keep loading, so the fields and messages here do not change. The
Preprocessor's state is version 2 since it learns how to fill gaps (it reads version 1 too).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

STATE_VERSION = 1


def is_finite_float(v: object) -> bool:
    """Whether ``v`` is a JSON number (an int or a float, not a bool) and finite."""
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def check_keys(d: Mapping[str, Any], expected: set[str], where: str) -> None:
    """Raise ValueError naming the missing and the unexpected keys of ``d``."""
    keys = set(d)
    if keys != expected:
        missing, extra = sorted(expected - keys), sorted(keys - expected)
        parts = []
        if missing:
            parts.append(f"missing {missing}")
        if extra:
            parts.append(f"unexpected {extra}")
        raise ValueError(f"{where}: {'; '.join(parts)} keys")


def check_header(state: object, fmt: str, where: str, fields: set[str],
                 versions: tuple[int, ...] = (STATE_VERSION,)) -> None:
    """Raise unless ``state`` is a dict of format ``fmt``, one of ``versions``, with exactly
    ``fields`` besides ``format`` and ``version``."""
    if not isinstance(state, Mapping):
        raise ValueError(f"{where}: expected a dict, got {type(state).__name__}")
    if state.get("format") != fmt:
        raise ValueError(f"{where}: 'format' must be {fmt!r}, got {state.get('format')!r}")
    version = state.get("version")
    if isinstance(version, bool) or version not in versions:
        shown = " and ".join(str(v) for v in versions)
        raise ValueError(
            f"{where}: unsupported 'version' {version!r} (this numpynn reads "
            f"version {shown})"
        )
    check_keys(state, fields | {"format", "version"}, where)


def check_name(state: Mapping[str, Any], where: str) -> str:
    """``state["name"]``, which must be a non-empty string (absent counts as wrong)."""
    name = state.get("name")
    if not isinstance(name, str) or not name:
        raise ValueError(f"{where}: 'name' must be a non-empty string, got {name!r}")
    return name


def check_mean_std(state: Mapping[str, Any], where: str) -> tuple[float, float]:
    """``state["mean"]`` (finite) and ``state["std"]`` (positive, finite) as floats."""
    mean, std = state["mean"], state["std"]
    if not is_finite_float(mean):
        raise ValueError(f"{where}: 'mean' must be a finite number, got {mean!r}")
    if not is_finite_float(std) or std <= 0:
        raise ValueError(f"{where}: 'std' must be a positive finite number, got {std!r}")
    return float(mean), float(std)


def check_classes(state: Mapping[str, Any], where: str) -> tuple[list[str], bool]:
    """``classes`` and ``numeric_labels`` of a classification state, checked."""
    classes, numeric = state["classes"], state["numeric_labels"]
    if not isinstance(numeric, bool):
        raise ValueError(f"{where}: 'numeric_labels' must be true or false, got {numeric!r}")
    if (not isinstance(classes, list) or len(classes) < 2
            or not all(isinstance(c, str) and c for c in classes)):
        raise ValueError(f"{where}: 'classes' must be a list of at least two non-empty "
                         "strings")
    if len(set(classes)) != len(classes):
        raise ValueError(f"{where}: 'classes' has repeated labels")
    if numeric:
        try:
            vals = [float(c) for c in classes]
        except ValueError:
            raise ValueError(f"{where}: 'numeric_labels' is true but 'classes' holds text"
                             ) from None
        if vals != sorted(set(vals)) or not all(math.isfinite(v) for v in vals):
            raise ValueError(f"{where}: numeric 'classes' must be finite, distinct and "
                             "sorted by value")
    elif classes != sorted(classes):
        raise ValueError(f"{where}: 'classes' must be sorted")
    return classes, numeric
