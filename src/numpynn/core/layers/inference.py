"""The forward pass of a table network for prediction: input block, then the dense stack.

Rows are taken a block at a time (the dense stack's input is built per block, never for
the whole input at once), and each block runs through
:func:`numpynn.core.forward.forward`, the dense network's own forward pass.  Every buffer
is local to the call, so many threads may evaluate one network at once.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..forward import forward
from .input_block import scaled_features
from .layout import InputLayout, InputViews

__all__ = ["table_forward"]

#: Rows whose dense-stack input is built at once.
ROWS_PER_BLOCK = 1 << 15


def table_forward(X: np.ndarray, layout: InputLayout, views: InputViews,
                  hidden_activations: Sequence[str], output_activation: str,
                  apply_output: bool = True, name: str = "X") -> np.ndarray:
    """Outputs (or, with ``apply_output=False``, the output sums) of input rows.

    Parameters
    ----------
    X : ndarray, shape (n, layout.n_inputs), float32, finite
    layout : InputLayout
    views : InputViews
        Views of the network's theta.
    hidden_activations : sequence of str
    output_activation : str
    apply_output : bool, default True
    name : str
        How messages call the input (a bad category code is named by row and column).

    Returns
    -------
    ndarray, shape (n, n_outputs), float32
    """
    n = X.shape[0]
    out = np.empty((n, layout.dense.sizes[-1]), dtype=np.float32)
    for start in range(0, max(n, 1), ROWS_PER_BLOCK):
        stop = min(n, start + ROWS_PER_BLOCK)
        features = scaled_features(X[start:stop], layout, views, name)
        out[start:stop] = forward(features, layout.dense, views.weights, views.biases,
                                  hidden_activations, output_activation, apply_output)
    return out
