"""The fused epoch: when it applies, the codes it reads and its layer table.

For a small network NumPy's per-batch calls (and BLAS's per-call set-up) cost more than
the arithmetic: the article's 3-4-2 net spent most of an epoch outside it.
:func:`numpynn.core.kernels.fused_epoch.train_batches` runs the whole epoch in one
compiled loop instead -- gather, forward, loss, backward, penalty, clipping and the
optimizer step of every batch -- with no Python call per batch, and for small batches
of small networks with no BLAS call either: its own product loops (:func:`products`
says which).  Up to :data:`MAX_BLAS_WEIGHTS` parameters the loop calls BLAS for the
products and still saves the general path's Python and NumPy calls around them.

This module does not import Numba: it holds the thresholds, the codes and the layer
table, and :func:`load` imports the kernel when the kernel switch (:mod:`.switch`,
``NUMPYNN_KERNELS``) allows Numba -- under ``auto`` for an epoch by whose end the run's
work reaches the switch point, so that the path depends on the epoch's number and the
run's settings only, as there.

The thresholds were measured (benchmarks/README.md, "The fused epoch"): the kernel's
loops take about three times BLAS's time per multiply-add but save the general path's
fixed cost of a batch (some 40 us of NumPy and BLAS calls), so they win while a batch's
work, parameters x rows, is small (:func:`small_enough`); how the parameters are spread
over the layers matters little (8-32-2 and 64-8-2 alike).
"""

from __future__ import annotations

import importlib.util
from types import ModuleType

import numpy as np

from ..layout import Layout
from . import switch

__all__ = [
    "MAX_BATCH_WORK", "MIN_COUNTED_ROWS", "MAX_BLAS_WEIGHTS", "HIDDEN_CODES", "OUTPUT_CODES",
    "OPTIMIZER_CODES", "PENALTY_CODES", "INT_FIELDS", "FLOAT_FIELDS", "small_enough",
    "products", "load", "layer_table",
]

#: The largest batch work (parameters x rows) the fused epoch takes.  Measured on 2-core
#: AMD EPYC (Zen 4) against one-thread BLAS: break-even near 700 parameters at batch 200,
#: 2400 at batch 32, 100 to 350 at batch 1000.
MAX_BATCH_WORK = 1 << 17
#: Batches count as at least this many rows: on fewer the kernel's loops are short and
#: lose their edge (64-64-10 at batch 4 runs faster on the general path).
MIN_COUNTED_ROWS = 64
#: Larger networks still run the fused epoch, with BLAS for the products, up to this many
#: parameters; beyond it the general path is as fast or faster (256-512-512-10 at batch
#: 200: 469 ms an epoch against the fused epoch's 483).
MAX_BLAS_WEIGHTS = 1 << 17

_scipy_found: bool | None = None

# Codes the kernel branches on (ints: one compiled specialisation serves every network).
HIDDEN_CODES = {"identity": 0, "relu": 1, "leaky_relu": 2, "tanh": 3, "logistic": 4}
OUTPUT_CODES = {"softmax": 0, "logistic": 1, "identity": 2, "exp": 3}
OPTIMIZER_CODES = {"sgd": 0, "momentum": 1, "nesterov": 2, "adam": 3, "adamw": 4}
#: none; L2Penalty (strength * w); BatchScaledL2Penalty (strength * w / batch weight).
PENALTY_CODES = {"none": 0, "l2": 1, "batch_scaled_l2": 2}

#: The kernel's integer settings, in this order (an int64 array).
INT_FIELDS = ("output", "optimizer", "penalty", "penalty_loss", "count_correct",
              "stop_on_nonfinite", "first_batch", "last_batch", "batch_size", "rows",
              "dropout", "labels", "blas")
#: The kernel's float settings, in this order (a float64 array).
FLOAT_FIELDS = ("learning_rate", "momentum", "beta_1", "beta_2", "epsilon", "decay",
                "penalty", "clip_norm", "dropout", "keep_scale")

# Columns of the layer table (one row per weight layer).
(FAN_IN, FAN_OUT, W_START, B_START, SOURCE, VALUES, DROPPED, MASK, DELTAS,
 MASK_PREFIX) = range(10)


def small_enough(num_weights: int, batch_rows: int) -> bool:
    """True when batches of ``batch_rows`` rows through a network of ``num_weights``
    parameters run faster in the fused epoch's own loops than on the general path."""
    return num_weights * max(batch_rows, MIN_COUNTED_ROWS) <= MAX_BATCH_WORK


def products(num_weights: int, batch_rows: int) -> str | None:
    """How the fused epoch computes the matrix products for such batches: ``"loops"``
    (its own, :func:`small_enough`), ``"blas"`` (BLAS calls from the compiled loop, up to
    :data:`MAX_BLAS_WEIGHTS` parameters), or None: the general path."""
    if small_enough(num_weights, batch_rows):
        return "loops"
    return "blas" if num_weights <= MAX_BLAS_WEIGHTS else None


def load(work_size: int) -> ModuleType | None:
    """The compiled whole-epoch kernel module, or None where the kernel switch says NumPy
    for an epoch by whose end the run has done ``work_size`` of training work (see
    :mod:`.switch`: ``NUMPYNN_KERNELS=numpy``, Numba missing, or too little work under
    ``auto``), or SciPy is missing (the kernel's BLAS calls go through SciPy's BLAS; both come with
    ``numpynn[fast]``).

    Raises
    ------
    ImportError
        ``NUMPYNN_KERNELS=numba`` and Numba cannot be imported (from :mod:`.switch`).
    """
    global _scipy_found
    if switch.kernels(work_size=work_size) is None:
        return None
    if _scipy_found is None:  # Numba's np.dot, in the kernel, needs SciPy's BLAS
        _scipy_found = importlib.util.find_spec("scipy") is not None
    if not _scipy_found:
        return None
    from . import fused_epoch

    return fused_epoch


def layer_table(layout: Layout, rows: int, dropout: bool) -> tuple[np.ndarray, int]:
    """Where each layer's weights, biases and batch buffers lie, for the kernel.

    Every buffer holds ``rows`` rows of one layer's units, stored unit by unit (see
    :mod:`.fused_layers`): the gathered input rows, each layer's values (the output
    layer's: its delta), and for hidden layers their delta and, with dropout, the mask
    and the values times it.

    Parameters
    ----------
    layout : Layout
        The network's layout of theta.
    rows : int
        The largest batch.
    dropout : bool
        Reserve room for the masks and the dropped-out values of the hidden layers.

    Returns
    -------
    table : ndarray, shape (num_layers, 10), int64
        Per layer: fan_in, fan_out, weight and bias offsets in theta, then offsets in
        the scratch vector of its input, values, dropped-out values, mask and delta, and
        the number of hidden units before it (where its dropout draws start, per row).
    scratch_size : int
        Length of the float32 scratch vector the table's offsets point into.
    """
    sizes = layout.sizes
    hidden = rows * sum(sizes[1:-1])
    values = rows * sizes[0]  # the gathered input comes first, at 0
    dropped = values + rows * sum(sizes[1:])
    masks = dropped + (hidden if dropout else 0)
    deltas = masks + (hidden if dropout else 0)
    size = deltas + hidden
    table = np.zeros((layout.num_layers, 10), dtype=np.int64)
    source, before = 0, 0
    for index, layer in enumerate(layout.layers):
        table[index] = (layer.fan_in, layer.fan_out, layer.weight_start, layer.bias_start,
                        source, values, dropped, masks, deltas, before)
        source = dropped if dropout else values
        width = rows * layer.fan_out
        values, dropped, masks, deltas = (values + width, dropped + width, masks + width,
                                          deltas + width)
        before += layer.fan_out
    return table, size
