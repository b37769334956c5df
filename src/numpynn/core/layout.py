"""The layout of the flat parameter vector ``theta``: the ONE place that knows it.

For sizes ``(n_0, n_1, ..., n_L)`` theta holds, layer by layer, the weight matrix
row-major (``n_{l-1} x n_l``; row = node it comes from, column = node it goes to) and then
that layer's biases.  The article's 3-4-2 net: 12 + 4 + 8 + 2 = 26 values.  The network,
model files, checkpoints, the estimators' ``coefs_`` and the plots all use this class.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .checks import check_sizes

__all__ = ["Layout", "LayerSlice"]


@dataclass(frozen=True)
class LayerSlice:
    """Where one weight layer lives in theta.

    Attributes
    ----------
    weight_start, bias_start : int
        Offsets of the weight matrix and of the bias vector.
    fan_in, fan_out : int
        The weight matrix is ``(fan_in, fan_out)``; the biases ``(fan_out,)``.
    """

    weight_start: int
    bias_start: int
    fan_in: int
    fan_out: int

    @property
    def weight_shape(self) -> tuple[int, int]:
        return (self.fan_in, self.fan_out)

    @property
    def stop(self) -> int:
        """One past the layer's last value."""
        return self.bias_start + self.fan_out


@dataclass(frozen=True)
class Layout:
    """Offsets and shapes of every layer's weights and biases in theta.

    Parameters
    ----------
    sizes : sequence of int
        Input size, hidden sizes, output size (checked: positive ints, at least two).
    """

    sizes: tuple[int, ...]
    layers: tuple[LayerSlice, ...] = field(init=False, repr=False)
    num_weights: int = field(init=False)

    def __init__(self, sizes: Sequence[int]) -> None:
        checked = check_sizes(sizes)
        layers, offset = [], 0
        for fan_in, fan_out in zip(checked[:-1], checked[1:]):
            layers.append(LayerSlice(offset, offset + fan_in * fan_out, fan_in, fan_out))
            offset += fan_in * fan_out + fan_out
        object.__setattr__(self, "sizes", checked)
        object.__setattr__(self, "layers", tuple(layers))
        object.__setattr__(self, "num_weights", offset)

    @staticmethod
    def count(sizes: Sequence[int]) -> int:
        """Length of theta for ``sizes``, without building a Layout (no per-layer objects):
        for checking a file's declared size before anything is allocated."""
        return sum(int(a) * int(b) + int(b) for a, b in zip(sizes[:-1], sizes[1:]))

    @property
    def num_layers(self) -> int:
        """Number of weight layers (hidden layers + 1)."""
        return len(self.layers)

    def weight_shapes(self) -> list[tuple[int, int]]:
        """``(fan_in, fan_out)`` of every weight layer."""
        return [layer.weight_shape for layer in self.layers]

    def views_of(self, flat: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Per-layer weight and bias views into any vector laid out like theta.

        Parameters
        ----------
        flat : ndarray, shape (num_weights,)

        Returns
        -------
        weights : list of ndarray, shapes (fan_in, fan_out), views of ``flat``
        biases : list of ndarray, shapes (fan_out,), views of ``flat``
        """
        if flat.shape != (self.num_weights,):
            raise ValueError(f"flat must have shape ({self.num_weights},) (num_weights), "
                             f"got {flat.shape}")
        weights = [flat[s.weight_start:s.bias_start].reshape(s.fan_in, s.fan_out)
                   for s in self.layers]
        biases = [flat[s.bias_start:s.stop] for s in self.layers]
        return weights, biases

    def weight_mask(self) -> np.ndarray:
        """Boolean vector, True where theta holds a weight (not a bias)."""
        mask = np.zeros(self.num_weights, dtype=bool)
        for s in self.layers:
            mask[s.weight_start:s.bias_start] = True
        return mask

    def flatten(self, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray],
                dtype: type = np.float32) -> np.ndarray:
        """One theta vector from per-layer arrays (shapes checked).

        Returns
        -------
        ndarray, shape (num_weights,)
        """
        if len(weights) != self.num_layers or len(biases) != self.num_layers:
            raise ValueError(f"weights and biases must hold {self.num_layers} arrays each "
                             f"(one per layer), got {len(weights)} and {len(biases)}")
        theta = np.empty(self.num_weights, dtype=dtype)
        w_views, b_views = self.views_of(theta)
        for i, (w, b, wv, bv) in enumerate(zip(weights, biases, w_views, b_views)):
            w, b = np.asarray(w), np.asarray(b)
            if w.shape != wv.shape or b.shape != bv.shape:
                raise ValueError(f"weights[{i}] and biases[{i}] must have shapes {wv.shape} "
                                 f"and {bv.shape}, got {w.shape} and {b.shape}")
            wv[...] = w
            bv[...] = b
        return theta
