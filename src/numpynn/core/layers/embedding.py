"""Embedding layer: each category code picks one row of its column's table.

Forward is a gather (``table[codes]``); backward is the transpose, a scatter-add: every
row's gradient is added to the table row its code picked.  Codes arrive as float32 columns
of the input rows (exact for codes below 2**24) and are checked before any gather.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .layout import EmbeddingSlice

__all__ = ["codes_of", "embed", "embedding_gradients"]

#: float32 holds every integer up to this exactly.
MAX_EXACT_CODE = 1 << 24


def codes_of(columns: np.ndarray, slices: Sequence[EmbeddingSlice], first_column: int = 0,
             name: str = "X") -> np.ndarray:
    """The category codes of the coded columns, checked.

    Parameters
    ----------
    columns : ndarray, shape (n, len(slices)), float
        The coded columns of a batch of input rows.
    slices : sequence of EmbeddingSlice
    first_column : int
        Index of the first coded column in the input rows (for messages).
    name : str
        How messages call the input.

    Returns
    -------
    ndarray, shape (n, len(slices)), intp

    Raises
    ------
    ValueError
        A code that is not a whole number in ``[0, cardinality)``, named by column.
    """
    codes = columns.astype(np.intp)
    for j, spec in enumerate(slices):
        column = columns[:, j]
        bad = (codes[:, j] != column) | (column < 0) | (column >= spec.cardinality)
        if bad.any():
            row = int(np.argmax(bad))
            raise ValueError(
                f"{name}[{row}, {first_column + j}] holds category code {column[row]!r}; "
                f"codes of this column must be whole numbers 0..{spec.cardinality - 1}"
            )
    return codes


def embed(tables: Sequence[np.ndarray], codes: np.ndarray,
          slices: Sequence[EmbeddingSlice], out: np.ndarray) -> None:
    """Write every coded column's embedding into its columns of ``out``.

    Parameters
    ----------
    tables : sequence of ndarray, shapes (cardinality, dim)
    codes : ndarray, shape (n, len(tables)), intp
        From :func:`codes_of`.
    slices : sequence of EmbeddingSlice
    out : ndarray, shape (n, n_features)
        Columns ``spec.column .. spec.column + dim - 1`` are overwritten for each table.
    """
    for j, (table, spec) in enumerate(zip(tables, slices)):
        np.take(table, codes[:, j], axis=0, out=out[:, spec.column:spec.column + spec.dim],
                mode="clip")  # codes are checked; "raise" would buffer out


def embedding_gradients(codes: np.ndarray, delta: np.ndarray,
                        slices: Sequence[EmbeddingSlice],
                        grad_tables: Sequence[np.ndarray]) -> None:
    """Overwrite each table's gradient by scatter-adding its columns of ``delta``.

    Parameters
    ----------
    codes : ndarray, shape (n, len(slices)), intp
    delta : ndarray, shape (n, n_features)
        Gradient with respect to the dense stack's (unscaled) input.
    slices : sequence of EmbeddingSlice
    grad_tables : sequence of ndarray, shapes (cardinality, dim)
        Views into the gradient vector.
    """
    for j, (grad, spec) in enumerate(zip(grad_tables, slices)):
        grad.fill(0)
        # Unbuffered: rows that share a code all add up (np.add.at, not grad[codes] +=).
        np.add.at(grad, codes[:, j], delta[:, spec.column:spec.column + spec.dim])
