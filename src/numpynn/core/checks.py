"""Checks of user input, with one message style: ``<name> must be <what>, got <value>``.

Every layer validates numbers, sizes, seeds and arrays here, so an error reads the same
wherever it comes from.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Collection, Sequence
from typing import Any

import numpy as np

__all__ = [
    "check_number",
    "check_int",
    "check_sizes",
    "check_name",
    "check_names",
    "check_finite",
    "as_generator",
    "as_float32_matrix",
    "check_finite_rows",
]


# Values quoted in messages are shortened: a damaged file may hold a huge one.
_repr = reprlib.Repr()  # (keyword arguments to Repr need Python 3.12)
_repr.maxstring = _repr.maxother = 60
_repr.maxlist = _repr.maxtuple = 8
_short = _repr.repr


def check_number(name: str, value: Any, low: float, high: float = math.inf,
                 low_inclusive: bool = True, high_inclusive: bool = True) -> float:
    """``value`` as a float in the interval; TypeError/ValueError naming ``name`` otherwise."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"{name} must be a number, got {value!r}")
    v = float(value)
    ok_low = v >= low if low_inclusive else v > low
    ok_high = v <= high if high_inclusive else v < high
    if not math.isfinite(v) or not ok_low or not ok_high:
        lo = "[" if low_inclusive else "("
        hi = "]" if high_inclusive else ")"
        raise ValueError(f"{name} must be in {lo}{low}, {high}{hi}, got {value!r}")
    return v


def check_int(name: str, value: Any, low: int = 0) -> int:
    """``value`` as an int >= ``low`` (bools refused); ValueError naming ``name`` otherwise."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
            or value < low:
        raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    return int(value)


def check_sizes(sizes: Any) -> tuple[int, ...]:
    """Layer sizes (inputs, hidden..., outputs) as a tuple of positive ints.

    Parameters
    ----------
    sizes : sequence of int
        At least two entries, each an int >= 1 (bools refused).
    """
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, (Sequence, np.ndarray)):
        raise TypeError(f"sizes must be a sequence of ints, got {_short(sizes)}")
    if len(sizes) < 2:
        raise ValueError(
            f"a network needs at least two sizes (inputs and outputs), got {len(sizes)}"
        )
    checked = []
    for i, s in enumerate(sizes):
        if isinstance(s, (bool, np.bool_)) or not isinstance(s, (int, np.integer)):
            raise TypeError(f"size {i} must be an int, got {_short(s)} ({type(s).__name__})")
        if s < 1:
            raise ValueError(f"every size must be at least 1, size {i} is {s}")
        checked.append(int(s))
    return tuple(checked)


def check_name(name: str, value: Any, choices: Collection[str]) -> str:
    """``value`` if it is one of the str ``choices``; TypeError/ValueError naming ``name``."""
    if not isinstance(value, str):
        raise TypeError(
            f"{name} must be a str among {sorted(choices)}, got {_short(value)} "
            f"({type(value).__name__})"
        )
    if value not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices)}, got {_short(value)}")
    return value


def check_names(name: str, values: Any, choices: Collection[str], count: int,
                what: str = "one per hidden layer") -> tuple[str, ...]:
    """A sequence of exactly ``count`` names, each one of ``choices``, as a tuple.

    Messages name the entry: ``hidden_activations[1] must be one of [...], got 'x'``.
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(f"{name} must be a sequence of str ({what}), got {_short(values)}")
    if len(values) != count:
        plural = "" if count == 1 else "s"
        raise ValueError(f"{name} must hold {count} name{plural} ({what}), got {len(values)}")
    return tuple(check_name(f"{name}[{i}]", v, choices) for i, v in enumerate(values))


def check_finite(name: str, values: np.ndarray) -> None:
    """ValueError naming ``name`` and the first NaN or inf of ``values`` (any shape)."""
    finite = np.isfinite(values)
    if not finite.all():
        first = np.unravel_index(int(np.argmin(finite.ravel())), values.shape)
        where = int(first[0]) if values.ndim == 1 else tuple(int(i) for i in first)
        raise ValueError(
            f"{name} holds non-finite values (NaN or inf): {values[first]} at index {where}"
        )


def as_generator(seed: Any, name: str = "seed") -> np.random.Generator:
    """A Generator from None, an int or a Generator; TypeError naming ``name`` otherwise."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool)):
        if seed is not None and seed < 0:
            raise ValueError(f"{name} must be a non-negative int, got {seed}")
        return np.random.default_rng(seed)
    raise TypeError(f"{name} must be an int, a numpy.random.Generator or None, got {seed!r}")


def as_float32_matrix(x: Any, width: int, name: str = "X") -> tuple[np.ndarray, bool]:
    """Return ``(x as float32 2-D C-contiguous and aligned, was_1d)``; no copy when
    already so.

    Parameters
    ----------
    x : array_like, shape (width,) or (n, width)
    width : int
        Values per row (the network's input size).
    """
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as err:  # ragged nested lists, for example
        raise ValueError(f"{name} must be a numeric array: {err}") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be numeric, got an array of dtype {arr.dtype}")
    if arr.ndim == 1:
        was_1d = True
        arr = arr.reshape(1, -1)
    elif arr.ndim == 2:
        was_1d = False
    else:
        raise ValueError(
            f"{name} must be 1-D (one input) or 2-D (a batch), got {arr.ndim}-D "
            f"with shape {arr.shape}"
        )
    if arr.shape[1] != width:
        raise ValueError(
            f"{name} must have {width} values per row (the network's input size), "
            f"got {arr.shape[1]}"
        )
    arr = np.ascontiguousarray(arr, dtype=np.float32)
    if not arr.flags.aligned:  # as client.scatter delivers: NumPy's matmul would avoid BLAS
        arr = arr.copy()  # (measured: an epoch 6x slower); realigned once, here
    return arr, was_1d


def check_finite_rows(x: np.ndarray, name: str = "X") -> None:
    """Raise ValueError naming the first row of ``x`` with NaN or inf (block-wise scan)."""
    block = max(1, (1 << 20) // max(1, x.shape[1]))
    for start in range(0, x.shape[0], block):
        part = x[start : start + block]
        ok = np.isfinite(part).all(axis=1)
        if not ok.all():
            row = start + int(np.argmin(ok))
            raise ValueError(f"{name} contains NaN or inf (first in row {row})")
