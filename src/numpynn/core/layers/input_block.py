"""The input block of a table network: embeddings, then the per-feature scale.

Rows ``[dense features | category codes]`` become the dense stack's input
``x = [dense | table_1[code_1] | ... | periodic(dense_c) ...] * scale`` (the periodic
embeddings of some dense columns: :mod:`numpynn.core.layers.periodic`).  The scale
multiplies every feature by a learned factor (Holzmüller et al.'s "front scale"): a
feature whose factor shrinks to 0 is switched off, so the network can select features.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .embedding import codes_of, embed, embedding_gradients
from .layout import InputLayout, InputViews
from .periodic import PeriodicCache, periodic_forward, periodic_gradients

__all__ = ["features_into", "scaled_features", "input_block_gradients"]


def features_into(X: np.ndarray, layout: InputLayout, views: InputViews, out: np.ndarray,
                  name: str = "X", cache: PeriodicCache | None = None) -> np.ndarray | None:
    """Unscaled features of input rows into ``out``; returns the codes (None without).

    Parameters
    ----------
    X : ndarray, shape (n, layout.n_inputs), float32
    layout : InputLayout
    views : InputViews
        Views of theta (the embedding tables).
    out : ndarray, shape (n, layout.n_features), float32
    name : str
        How messages call the input.
    cache : PeriodicCache, optional
        Keeps the periodic embeddings' intermediate values for the backward pass.

    Returns
    -------
    ndarray, shape (n, n_codes), intp, or None
    """
    nd = layout.n_dense
    out[:, :nd] = X[:, :nd]
    if layout.periodic:
        periodic_forward(X[:, layout.periodic], views.periodic,
                         out[:, layout.periodic_column:], cache)
    if not layout.n_codes:
        return None
    codes = codes_of(X[:, nd:], layout.embedding_slices, nd, name)
    embed(views.embeddings, codes, layout.embedding_slices, out)
    return codes


def scaled_features(X: np.ndarray, layout: InputLayout, views: InputViews,
                    name: str = "X") -> np.ndarray:
    """The dense stack's input for rows ``X``: a new float32 array (n, n_features)."""
    features = np.empty((X.shape[0], layout.n_features), dtype=np.float32)
    features_into(X, layout, views, features, name)
    if views.scale is not None:
        features *= views.scale
    return features


def input_block_gradients(features: np.ndarray, codes: np.ndarray | None,
                          delta: np.ndarray, layout: InputLayout, views: InputViews,
                          grad_views: InputViews, scratch: Any = None,
                          cache: PeriodicCache | None = None) -> None:
    """Gradients of the scale, the embedding tables and the periodic embeddings, from
    the stack's input delta.

    Parameters
    ----------
    features : ndarray, shape (n, n_features)
        The unscaled features of the batch (:func:`features_into`).
    codes : ndarray, shape (n, n_codes), intp, or None
    delta : ndarray, shape (n, n_features)
        Gradient with respect to the scaled features; overwritten with the gradient with
        respect to the unscaled ones when there are embeddings of either kind.
    layout : InputLayout
    views, grad_views : InputViews
        Of theta and of the gradient vector.
    scratch : ndarray, shape (n, n_features), optional
        Work buffer for the scale's gradient.
    cache : PeriodicCache, optional
        The batch's :func:`features_into` cache (needed with periodic embeddings).
    """
    embedded = codes is not None or bool(layout.periodic)
    if views.scale is not None:
        product = np.multiply(features, delta, out=scratch)
        # Column sums as ones @ product: one BLAS call.
        np.matmul(np.ones(product.shape[0], dtype=product.dtype), product,
                  out=grad_views.scale)
        if embedded:
            delta *= views.scale
    if codes is not None:
        embedding_gradients(codes, delta, layout.embedding_slices, grad_views.embeddings)
    if layout.periodic:
        if cache is None:
            raise ValueError("periodic embeddings need the forward pass's PeriodicCache")
        periodic_gradients(delta[:, layout.periodic_column:], views.periodic,
                           grad_views.periodic, cache)
