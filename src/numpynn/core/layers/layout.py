"""Where the input layers of a table network live in the one flat ``theta``.

A table network reads rows ``[dense features | category codes]``.  Its parameters are,
in this order, one slice of theta each:

1. one embedding table per coded column, ``(cardinality, dim)`` row-major;
2. the periodic embeddings of some dense columns (optional,
   :mod:`numpynn.core.layers.periodic`): frequencies, phases, linear maps, biases;
3. the per-feature scale (optional), one value per feature the dense stack reads
   (dense features, then every embedding's dims, then every periodic embedding's);
4. the dense stack, laid out exactly as :class:`numpynn.core.layout.Layout` says for sizes
   ``(n_dense + sum(dims) + C * D, *hidden, n_outputs)``: its slice *is* a dense
   network's theta.

:class:`InputLayout` is the one place that knows these offsets; it composes with
``Layout`` instead of repeating it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..checks import check_int, check_sizes
from ..layout import Layout
from .periodic import DIMS, FREQUENCIES, PeriodicViews, periodic_size, periodic_views

__all__ = ["EmbeddingSlice", "InputLayout", "InputViews", "PARAMETER_GROUPS"]

#: The kinds of parameter a table network holds (keys of :meth:`InputLayout.per_group`).
PARAMETER_GROUPS = ("embedding", "periodic", "scale", "weight", "bias")


@dataclass(frozen=True)
class EmbeddingSlice:
    """One embedding table: ``cardinality x dim`` values from ``start``; its output columns
    are ``column .. column + dim - 1`` of the dense stack's input."""

    start: int
    cardinality: int
    dim: int
    column: int

    @property
    def stop(self) -> int:
        return self.start + self.cardinality * self.dim


@dataclass(frozen=True)
class InputViews:
    """Views of one theta-shaped vector, per parameter block.

    Attributes
    ----------
    embeddings : list of ndarray, shapes (cardinality, dim)
    periodic : PeriodicViews or None
        The periodic embeddings' frequencies, phases, weights and biases.
    scale : ndarray, shape (n_features,), or None
    weights, biases : lists of ndarray
        The dense stack's per-layer views (see :meth:`Layout.views_of`).
    dense : ndarray, shape (dense.num_weights,)
        The dense stack's whole slice.
    """

    embeddings: list[np.ndarray]
    periodic: PeriodicViews | None
    scale: np.ndarray | None
    weights: list[np.ndarray]
    biases: list[np.ndarray]
    dense: np.ndarray


@dataclass(frozen=True)
class InputLayout:
    """Offsets of a table network's parameters (see the module docstring).

    Parameters
    ----------
    n_dense : int >= 0
        Dense feature columns at the front of each input row.
    embeddings : sequence of (cardinality, dim)
        One per coded column, in column order (each int >= 1).
    hidden : sequence of int
        Hidden layer sizes.
    n_outputs : int >= 1
    front_scale : bool, default True
        Whether a per-feature scale sits in front of the dense stack.
    periodic : sequence of int, default ()
        Dense columns (numeric features) that also get a periodic embedding of
        ``periodic_dims`` values from ``periodic_frequencies`` cosines.
    periodic_frequencies, periodic_dims : int, default 16, 3
    """

    n_dense: int
    embedding_slices: tuple[EmbeddingSlice, ...]
    front_scale: bool
    dense: Layout
    scale_start: int = field(repr=False)
    dense_start: int = field(repr=False)
    num_weights: int = field(repr=False)
    periodic: tuple[int, ...] = ()
    periodic_frequencies: int = FREQUENCIES
    periodic_dims: int = DIMS
    periodic_start: int = field(repr=False, default=0)

    def __init__(self, n_dense: int, embeddings: Sequence[Sequence[int]],
                 hidden: Sequence[int], n_outputs: int, front_scale: bool = True,
                 periodic: Sequence[int] = (), periodic_frequencies: int = FREQUENCIES,
                 periodic_dims: int = DIMS) -> None:
        n_dense = check_int("n_dense", n_dense, 0)
        periodic = _check_periodic(periodic, n_dense)
        frequencies = check_int("periodic_frequencies", periodic_frequencies, 1)
        periodic_dims = check_int("periodic_dims", periodic_dims, 1)
        slices, offset, column = [], 0, n_dense
        for i, pair in enumerate(embeddings):
            if len(pair) != 2:
                raise ValueError(f"embeddings[{i}] must be (cardinality, dim), got {pair!r}")
            card = check_int(f"embeddings[{i}] cardinality", pair[0], 1)
            dim = check_int(f"embeddings[{i}] dim", pair[1], 1)
            slices.append(EmbeddingSlice(offset, card, dim, column))
            offset += card * dim
            column += dim
        if column == 0:
            raise ValueError("a table network needs at least one input feature "
                             "(n_dense + embedding dims is 0)")
        column += len(periodic) * periodic_dims
        dense = Layout(check_sizes((column, *hidden, n_outputs)))
        periodic_start = offset
        scale_start = offset + periodic_size(len(periodic), frequencies, periodic_dims)
        dense_start = scale_start + (column if front_scale else 0)
        values = dict(n_dense=n_dense, embedding_slices=tuple(slices),
                      front_scale=bool(front_scale), dense=dense, periodic=periodic,
                      periodic_frequencies=frequencies, periodic_dims=periodic_dims,
                      periodic_start=periodic_start, scale_start=scale_start,
                      dense_start=dense_start, num_weights=dense_start + dense.num_weights)
        for key, value in values.items():
            object.__setattr__(self, key, value)

    # -- sizes ---------------------------------------------------------------------------
    @property
    def n_codes(self) -> int:
        """Coded (embedded) columns at the end of each input row."""
        return len(self.embedding_slices)

    @property
    def n_inputs(self) -> int:
        """Values per input row: dense features, then one code per embedded column."""
        return self.n_dense + self.n_codes

    @property
    def n_features(self) -> int:
        """Width of the dense stack's input (dense features + embedding dims + periodic
        embedding values)."""
        return self.dense.sizes[0]

    @property
    def periodic_column(self) -> int:
        """The first column of the periodic embeddings' values in the stack's input."""
        return self.n_features - len(self.periodic) * self.periodic_dims

    @property
    def embeddings(self) -> tuple[tuple[int, int], ...]:
        """``(cardinality, dim)`` of every embedding table."""
        return tuple((e.cardinality, e.dim) for e in self.embedding_slices)

    # -- views and per-element vectors ---------------------------------------------------
    def views_of(self, flat: np.ndarray) -> InputViews:
        """Per-block views into any vector laid out like theta, shape (num_weights,)."""
        if flat.shape != (self.num_weights,):
            raise ValueError(f"flat must have shape ({self.num_weights},) (num_weights), "
                             f"got {flat.shape}")
        tables = [flat[e.start:e.stop].reshape(e.cardinality, e.dim)
                  for e in self.embedding_slices]
        periodic = None
        if self.periodic:
            periodic = periodic_views(flat[self.periodic_start:self.scale_start],
                                      len(self.periodic), self.periodic_frequencies,
                                      self.periodic_dims)
        scale = flat[self.scale_start:self.dense_start] if self.front_scale else None
        dense = flat[self.dense_start:]
        weights, biases = self.dense.views_of(dense)
        return InputViews(tables, periodic, scale, weights, biases, dense)

    def per_group(self, values: Mapping[str, float | Sequence[float]],
                  dtype: type = np.float32) -> np.ndarray:
        """A theta-shaped vector holding one value per parameter group.

        Parameters
        ----------
        values : dict
            ``"embedding"``, ``"periodic"`` (all four of its parts), ``"scale"``: one
            number each; ``"weight"``, ``"bias"``: one number, or one per dense layer.
            Missing groups get 0.

        Returns
        -------
        ndarray, shape (num_weights,)
        """
        unknown = sorted(set(values) - set(PARAMETER_GROUPS))
        if unknown:
            raise ValueError(f"parameter groups are {list(PARAMETER_GROUPS)}, got {unknown}")
        out = np.zeros(self.num_weights, dtype=dtype)
        views = self.views_of(out)
        for table in views.embeddings:
            table[...] = values.get("embedding", 0.0)
        out[self.periodic_start:self.scale_start] = values.get("periodic", 0.0)
        if views.scale is not None:
            views.scale[...] = values.get("scale", 0.0)
        for group, arrays in (("weight", views.weights), ("bias", views.biases)):
            per_layer = values.get(group, 0.0)
            if np.ndim(per_layer) == 0:
                per_layer = [per_layer] * len(arrays)
            if len(per_layer) != len(arrays):
                raise ValueError(f"{group} needs one value or {len(arrays)} (one per layer), "
                                 f"got {len(per_layer)}")
            for array, value in zip(arrays, per_layer):
                array[...] = value
        return out


def _check_periodic(columns: Sequence[int], n_dense: int) -> tuple[int, ...]:
    """The periodic embeddings' dense columns: distinct, increasing, in 0..n_dense-1."""
    out = tuple(check_int("periodic column", c, 0) for c in columns)
    if any(c >= n_dense for c in out) or list(out) != sorted(set(out)):
        raise ValueError(f"periodic must list distinct dense columns (0..{n_dense - 1}) in "
                         f"increasing order, got {list(columns)}")
    return out
