"""Weight initialisers.  Each fills a float32 (or float64) matrix in place from an explicit
Generator, drawing in the matrix's own dtype.

All take ``(weights, rng)`` where ``weights`` has shape ``(fan_in, fan_out)``; biases are
set to zero by the network, never here.  No function touches the global ``np.random``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

__all__ = [
    "INITIALIZERS",
    "glorot_uniform",
    "glorot_normal",
    "he_uniform",
    "he_normal",
    "uniform",
    "get_initializer",
]

#: Half-width of the old-style small uniform initialisation.
SMALL_UNIFORM_LIMIT = 0.01


def _fill_uniform(weights: np.ndarray, rng: np.random.Generator, limit: float) -> None:
    # Generator.random fills the matrix's own dtype directly: no float64 temporary.
    scalar = weights.dtype.type
    rng.random(out=weights, dtype=weights.dtype)
    weights *= scalar(2.0 * limit)
    weights -= scalar(limit)


def _fill_normal(weights: np.ndarray, rng: np.random.Generator, std: float) -> None:
    rng.standard_normal(out=weights, dtype=weights.dtype)
    weights *= weights.dtype.type(std)


def glorot_uniform(weights: np.ndarray, rng: np.random.Generator) -> None:
    """Glorot/Xavier uniform: U(-l, l) with ``l = sqrt(6 / (fan_in + fan_out))``.

    Parameters
    ----------
    weights : ndarray, shape (fan_in, fan_out), float32 or float64
        Filled in place.
    rng : numpy.random.Generator
    """
    fan_in, fan_out = weights.shape
    _fill_uniform(weights, rng, math.sqrt(6.0 / (fan_in + fan_out)))


def glorot_normal(weights: np.ndarray, rng: np.random.Generator) -> None:
    """Glorot/Xavier normal: N(0, 2 / (fan_in + fan_out)), filled in place."""
    fan_in, fan_out = weights.shape
    _fill_normal(weights, rng, math.sqrt(2.0 / (fan_in + fan_out)))


def he_uniform(weights: np.ndarray, rng: np.random.Generator) -> None:
    """He/Kaiming uniform: U(-l, l) with ``l = sqrt(6 / fan_in)``, filled in place."""
    fan_in = weights.shape[0]
    _fill_uniform(weights, rng, math.sqrt(6.0 / fan_in))


def he_normal(weights: np.ndarray, rng: np.random.Generator) -> None:
    """He/Kaiming normal: N(0, 2 / fan_in), filled in place."""
    fan_in = weights.shape[0]
    _fill_normal(weights, rng, math.sqrt(2.0 / fan_in))


def uniform(weights: np.ndarray, rng: np.random.Generator) -> None:
    """The old-style small uniform initialisation: U(-0.01, 0.01), filled in place."""
    _fill_uniform(weights, rng, SMALL_UNIFORM_LIMIT)


INITIALIZERS: dict[str, Callable[[np.ndarray, np.random.Generator], None]] = {
    "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
    "uniform": uniform,
}


def get_initializer(name: object) -> Callable[[np.ndarray, np.random.Generator], None]:
    """Look an initialiser up by name; ValueError listing the valid names otherwise."""
    if callable(name):
        return name  # a user-supplied fill(weights, rng)
    if not isinstance(name, str) or name not in INITIALIZERS:
        raise ValueError(f"init must be one of {sorted(INITIALIZERS)}, got {name!r}")
    return INITIALIZERS[name]
