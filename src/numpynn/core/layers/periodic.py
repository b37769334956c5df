"""Periodic embeddings of numeric features: RealMLP-TD's "PBLD" input layer.

Each embedded numeric feature ``x_c`` (a column of the dense features, already scaled)
gets ``F`` learned frequencies ``w_c`` and phases ``b_c``, and a small linear map
``V_c`` (F x D), ``a_c`` (D)::

    u_c = 2 pi w_c x_c + b_c            (n, F)
    e_c = cos(u_c) @ V_c + a_c          (n, D)

(Holzmüller, Grinsztajn and Steinwart 2024, after Gorishniy, Rubachev and Babenko 2022:
periodic, with a bias inside the cosine, linear, "densenet": the feature's own column
stays in the dense stack's input beside its ``D`` embedding values).  The cosines let the
network resolve thresholds and bumps of a feature that a first dense layer of ReLU-like
units would need many units for.

Every feature is computed at once, as ``(C, n, F)`` arrays and a stacked product
(``np.matmul`` over ``C`` small ``(n, F) @ (F, D)`` matrices): a loop over the features
would pay NumPy's call overhead some 16 times per feature and batch.  Inference takes the
rows in chunks, so the temporaries stay at a few MB however many rows come.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["PeriodicViews", "PeriodicCache", "periodic_size", "periodic_views",
           "periodic_forward", "periodic_gradients", "init_periodic", "FREQUENCIES",
           "DIMS", "SIGMA"]

#: RealMLP-TD's sizes: 16 frequencies per feature (plr_hidden_1), 3 embedding values
#: (plr_hidden_2 = 4, one of which is the feature itself), frequencies ~ N(0, 0.1^2).
FREQUENCIES = 16
DIMS = 3
SIGMA = 0.1
_TWO_PI = np.float32(2.0 * np.pi)


@dataclass(frozen=True)
class PeriodicViews:
    """Views of the periodic block of one theta-shaped vector.

    Attributes
    ----------
    frequencies, phases : ndarray, shape (C, F)
    weights : ndarray, shape (C, F, D)
    biases : ndarray, shape (C, D)
    """

    frequencies: np.ndarray
    phases: np.ndarray
    weights: np.ndarray
    biases: np.ndarray


def periodic_size(columns: int, frequencies: int = FREQUENCIES, dims: int = DIMS) -> int:
    """Parameters of the block: ``C (2 F + F D + D)``."""
    return columns * (2 * frequencies + frequencies * dims + dims)


def periodic_views(block: np.ndarray, columns: int, frequencies: int = FREQUENCIES,
                   dims: int = DIMS) -> PeriodicViews:
    """Views into ``block`` (periodic_size values): frequencies, phases, weights,
    biases, each row-major, one after the other."""
    c, f, d = columns, frequencies, dims
    stops = np.cumsum([0, c * f, c * f, c * f * d, c * d])
    return PeriodicViews(block[stops[0]:stops[1]].reshape(c, f),
                         block[stops[1]:stops[2]].reshape(c, f),
                         block[stops[2]:stops[3]].reshape(c, f, d),
                         block[stops[3]:stops[4]].reshape(c, d))


def init_periodic(views: PeriodicViews, rng: np.random.Generator) -> None:
    """RealMLP-TD's start: frequencies N(0, 0.1^2), phases uniform in [-pi, pi], the
    linear map and its biases uniform in +-1/sqrt(F) (PyTorch's Linear default)."""
    f = views.frequencies.shape[1]
    views.frequencies[...] = SIGMA * rng.standard_normal(views.frequencies.shape)
    views.phases[...] = rng.uniform(-np.pi, np.pi, views.phases.shape)
    bound = 1.0 / np.sqrt(f)
    views.weights[...] = rng.uniform(-bound, bound, views.weights.shape)
    views.biases[...] = rng.uniform(-bound, bound, views.biases.shape)


class PeriodicCache:
    """A training batch's inputs and cosine arguments and values, for the backward pass.

    Parameters
    ----------
    rows, columns, frequencies : int
        Largest batch, embedded features, frequencies per feature.
    """

    def __init__(self, rows: int, columns: int, frequencies: int) -> None:
        self.x = np.empty((columns, rows), dtype=np.float32)
        self.angles = np.empty((columns, rows, frequencies), dtype=np.float32)
        self.cosines = np.empty((columns, rows, frequencies), dtype=np.float32)


#: Rows embedded at once without a cache (inference): bounds the (C, rows, F) temporaries.
_VALUES_PER_CHUNK = 1 << 20


def periodic_forward(x: np.ndarray, views: PeriodicViews, out: np.ndarray,
                     cache: PeriodicCache | None = None) -> None:
    """The embedding values of numeric features ``x`` into ``out``.

    Parameters
    ----------
    x : ndarray, shape (n, C), float32
        The embedded features (columns of the dense features).
    views : PeriodicViews
    out : ndarray, shape (n, C * D), float32
        Feature ``c``'s values go to columns ``c D .. c D + D - 1`` (may be a column
        slice of a larger array).
    cache : PeriodicCache, optional
        Keeps what :func:`periodic_gradients` needs (training).
    """
    n, columns = x.shape
    if cache is not None:
        cache.x[:, :n] = x.T
        _embed(cache.x[:, :n], views, out, cache.angles[:, :n], cache.cosines[:, :n])
        return
    frequencies = views.frequencies.shape[1]
    chunk = max(1, _VALUES_PER_CHUNK // (columns * frequencies))
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        angles = np.empty((columns, stop - start, frequencies), dtype=np.float32)
        _embed(np.ascontiguousarray(x[start:stop].T), views, out[start:stop], angles,
               angles)


def _embed(x_t: np.ndarray, views: PeriodicViews, out: np.ndarray, angles: np.ndarray,
           cosines: np.ndarray) -> None:
    """``out = cos(2 pi w x + b) @ V + a`` for features ``x_t`` (C, n), every feature at
    once: ``angles`` and ``cosines`` (C, n, F) are written (they may be one array)."""
    n, columns = x_t.shape[1], x_t.shape[0]
    scaled = views.frequencies * _TWO_PI
    np.multiply(x_t[:, :, None], scaled[:, None, :], out=angles)
    angles += views.phases[:, None, :]
    np.cos(angles, out=cosines)
    values = np.matmul(cosines, views.weights)  # (C, n, D): one small product per feature
    values += views.biases[:, None, :]
    out[...] = values.transpose(1, 0, 2).reshape(n, columns * views.biases.shape[1])


def periodic_gradients(delta: np.ndarray, views: PeriodicViews, grads: PeriodicViews,
                       cache: PeriodicCache) -> None:
    """Gradients of the block from the gradient with respect to its outputs.

    Parameters
    ----------
    delta : ndarray, shape (n, C * D), float32
        Gradient with respect to the embedding values (before any feature scale).
    views, grads : PeriodicViews
        Of theta and of the gradient vector (overwritten).
    cache : PeriodicCache
        Filled by :func:`periodic_forward` for the same batch; its angles are
        overwritten.
    """
    n = delta.shape[0]
    columns, dims = views.biases.shape
    d = np.ascontiguousarray(delta.reshape(n, columns, dims).transpose(1, 0, 2))  # (C, n, D)
    np.sum(d, axis=1, out=grads.biases)
    np.matmul(cache.cosines[:, :n].transpose(0, 2, 1), d, out=grads.weights)
    # d/du cos(u) = -sin(u): the sign is folded into the two sums below.
    d_angles = np.matmul(d, views.weights.transpose(0, 2, 1))  # (C, n, F)
    d_angles *= np.sin(cache.angles[:, :n], out=cache.angles[:, :n])
    np.sum(d_angles, axis=1, out=grads.phases)
    np.negative(grads.phases, out=grads.phases)
    np.matmul(cache.x[:, None, :n], d_angles, out=grads.frequencies[:, None, :])
    np.multiply(grads.frequencies, -_TWO_PI, out=grads.frequencies)
