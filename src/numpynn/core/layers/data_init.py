"""Data-driven initialisation of a dense stack (Holzmüller et al., RealMLP).

Layer by layer, on a sample of training rows pushed through the layers below:

- **weights**: standard normal, then each column divided by the standard deviation of
  its output on the sample, so every unit starts with unit-variance sums;
- **biases** ("he+5"): unit ``j``'s bias is minus its sum at a random convex combination
  of 5 sample rows (Dirichlet(1, ..., 1) weights), so the unit's kink passes through the
  data instead of missing it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .. import activations as act

__all__ = ["init_dense_from_data", "unit_std_weights", "data_point_biases"]

#: Rows of the sample that "he+5" mixes for each unit's bias.
BIAS_POINTS = 5


def unit_std_weights(inputs: np.ndarray, weights: np.ndarray, rng: np.random.Generator
                     ) -> np.ndarray:
    """Fill ``weights`` (fan_in, fan_out) with normal values scaled so that every column
    of ``inputs @ weights`` has standard deviation 1; return those sums (n, fan_out)."""
    weights[...] = rng.standard_normal(weights.shape, dtype=np.float32)
    sums = inputs @ weights
    std = sums.std(axis=0)
    std[~(std > 0)] = 1.0  # a unit that sees constant input keeps its normal weights
    weights /= std
    sums /= std
    return sums


def data_point_biases(sums: np.ndarray, biases: np.ndarray, rng: np.random.Generator,
                      points: int = BIAS_POINTS) -> None:
    """Fill ``biases`` (fan_out,) with minus each unit's sum at a random convex
    combination of ``points`` rows of ``sums`` (n, fan_out)."""
    n, width = sums.shape
    rows = rng.integers(0, n, size=(width, points))
    mix = rng.exponential(1.0, size=(width, points))
    mix /= mix.sum(axis=1, keepdims=True)
    picked = sums[rows, np.arange(width)[:, None]]  # (width, points)
    biases[...] = -(picked * mix).sum(axis=1)


def init_dense_from_data(inputs: np.ndarray, weights: Sequence[np.ndarray],
                         biases: Sequence[np.ndarray], hidden_activations: Sequence[str],
                         rng: np.random.Generator) -> None:
    """Initialise every layer of a dense stack from ``inputs`` (n, fan_in of layer 0).

    Parameters
    ----------
    inputs : ndarray, shape (n, sizes[0]), float32
        A sample of (preprocessed) training rows, as the stack sees them.
    weights, biases : sequences of ndarray
        The stack's views into theta, overwritten in place.
    hidden_activations : sequence of str
    rng : numpy.random.Generator
    """
    a = np.ascontiguousarray(inputs, dtype=np.float32)
    last = len(weights) - 1
    for layer, (w, b) in enumerate(zip(weights, biases)):
        sums = unit_std_weights(a, w, rng)
        data_point_biases(sums, b, rng)
        if layer == last:
            break
        sums += b
        act.apply_hidden(hidden_activations[layer], sums)
        a = sums
