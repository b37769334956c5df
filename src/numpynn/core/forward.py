"""The forward pass: functions over a layout, per-layer weight and bias views and
activation names.

:class:`~numpynn.network.NeuralNetwork` delegates ``eval``, ``trace`` and ``_forward``
here.  Every buffer is local to one call, so many threads may evaluate one network at once.
The speed tricks live here too: the one-sample path with as few NumPy calls as possible,
a lean path for a few rows (no block buffers), row blocks that keep each layer's
activations in cache, and two cores for large inputs.  Every function computes in the
dtype of the weights (float32 or float64); the input of the first layer may be a SciPy
CSR matrix, multiplied as it is (:mod:`numpynn.core.sparse`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from . import activations as act
from . import kernels as _kernels
from .checks import as_float_matrix, check_finite_rows
from .kernels import threads as _parallel
from .layout import Layout
from .sparse import check_finite_sparse_rows, product_into

__all__ = [
    "LayerTrace",
    "rows_per_block",
    "eval_vector",
    "eval_rows",
    "eval_one_row",
    "eval_few_rows",
    "forward",
    "forward_rows",
    "trace_vector",
    "overflow_error",
]

# Rows per block in eval / loss_and_gradient: keeps each layer's block of activations in
# cache so the element-wise passes do not stream through main memory.
_TARGET_BLOCK_FLOATS = 1 << 18
# eval splits inputs of at least this many rows x widest layer over two cores.
_PARALLEL_MIN_VALUES = 1 << 24
# Inputs up to this many values are checked for NaN/inf before the forward pass.
_SMALL_INPUT = 1 << 16
#: Batches of at most this many rows take the lean path (one block, no block buffers).
FEW_ROWS = 64

#: One hidden layer for the one-sample path: (weights, biases, in-place activation).
HiddenLayer = tuple[np.ndarray, np.ndarray, Callable[..., None]]


@dataclass(frozen=True)
class LayerTrace:
    """Intermediate values of one layer for one input.

    Attributes
    ----------
    sums : ndarray, shape (n_out,), the network's dtype
        Pre-activation sums (weights times inputs plus bias).
    values : ndarray, shape (n_out,), the network's dtype
        Post-activation values.
    """

    sums: np.ndarray
    values: np.ndarray


def rows_per_block(widths: Sequence[int]) -> int:
    """Rows per block for layers of these widths (all sizes of a network)."""
    return max(64, _TARGET_BLOCK_FLOATS // max(widths))


def hidden_layers(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray],
                  hidden_activations: Sequence[str]) -> list[HiddenLayer]:
    """Each hidden layer's (weights, biases, in-place activation), for :func:`eval_vector`."""
    return [
        (w, b, act.hidden_kernel(name))
        for w, b, name in zip(weights, biases, hidden_activations)
    ]


def eval_vector(x: np.ndarray, hidden: Sequence[HiddenLayer], out_weights: np.ndarray,
                out_biases: np.ndarray, output_activation: str) -> np.ndarray:
    """One input vector of the right length and dtype: as few NumPy calls as possible.

    Parameters
    ----------
    x : ndarray, shape (sizes[0],), the weights' dtype (float32 or float64)
    hidden : list of (weights, biases, activation), from :func:`hidden_layers`
    out_weights : ndarray, shape (sizes[-2], sizes[-1])
    out_biases : ndarray, shape (sizes[-1],)
    output_activation : str

    Returns
    -------
    ndarray, shape (sizes[-1],), the weights' dtype
    """
    # x @ x is NaN or inf when x holds NaN or inf (or overflows: then look closer).
    # (ndarray.dot: the method skips the dispatch that np.dot pays on tiny vectors.)
    if not math.isfinite(x.dot(x)) and not np.isfinite(x).all():
        raise ValueError("x contains NaN or inf")
    a = x
    for w, b, kernel in hidden:
        a = a.dot(w)
        a += b
        kernel(a)
    z = a.dot(out_weights)
    z += out_biases
    if output_activation == "softmax":
        # exp neither overflows nor underflows to all zeros while every |z_i| <= 60,
        # which z @ z <= 3600 proves in one cheap call; else shift by the maximum.
        if not z.dot(z) <= 3600.0:
            top = z.max()
            if not math.isfinite(top):
                raise _vector_overflow(x, hidden, out_weights, out_biases, output_activation)
            z -= top
        np.exp(z, out=z)
        z /= z.sum()
    else:
        act.apply_output(output_activation, z)
        if not np.isfinite(z).all():  # finite inputs and weights, yet inf: too large together
            raise _vector_overflow(x, hidden, out_weights, out_biases, output_activation)
    return z


def _vector_overflow(x: np.ndarray, hidden: Sequence[HiddenLayer], out_weights: np.ndarray,
                     out_biases: np.ndarray, output_activation: str) -> ValueError:
    """:func:`overflow_error` for the one input of :func:`eval_vector`."""
    weights = [w for w, _, _ in hidden] + [out_weights]
    biases = [b for _, b, _ in hidden] + [out_biases]
    names = [_hidden_name(kernel) for _, _, kernel in hidden]
    return overflow_error(x.reshape(1, -1), np.full((1, 1), np.nan), weights, biases, names,
                          output_activation, single=True)


def _hidden_name(kernel: Callable[..., None]) -> str:
    """The activation name of an in-place hidden kernel (for messages only)."""
    return next((name for name in act.HIDDEN_ACTIVATIONS if act.hidden_kernel(name) is kernel),
                "identity")


def eval_rows(x: np.ndarray, layout: Layout, weights: Sequence[np.ndarray],
              biases: Sequence[np.ndarray], hidden_activations: Sequence[str],
              output_activation: str) -> np.ndarray:
    """Outputs for a batch ``x`` (n, sizes[0]) of the weights' dtype (or a CSR matrix of
    it), NaN/inf in ``x`` refused.

    Small inputs are checked first (cheap); for large ones NaN/inf in ``x`` shows up in
    the outputs, so ``x`` is checked only then.  Outputs that overflow although ``x`` and
    the weights are finite are an error naming the row and the layer, never a silent inf
    or NaN (and never a NumPy warning: the one check is on the outputs).

    Raises
    ------
    ValueError
        ``x`` holds NaN or inf, or the outputs overflow (see :func:`overflow_error`).
    """
    if not isinstance(x, np.ndarray):  # CSR: its stored values are all there is to check
        check_finite_sparse_rows(x, "X")
    elif x.shape[0] == 1:
        return eval_one_row(x, hidden_layers(weights[:-1], biases[:-1], hidden_activations),
                            weights[-1], biases[-1], output_activation)
    elif x.size <= _SMALL_INPUT:
        check_finite_rows(x, "X")
    with np.errstate(invalid="ignore", over="ignore"):
        out = forward(x, layout, weights, biases, hidden_activations, output_activation)
    if not np.isfinite(out).all():
        if isinstance(x, np.ndarray):
            check_finite_rows(x, "X")
        raise overflow_error(x, out, weights, biases, hidden_activations, output_activation)
    return out


def overflow_error(x: np.ndarray, out: np.ndarray, weights: Sequence[np.ndarray],
                   biases: Sequence[np.ndarray], hidden_activations: Sequence[str],
                   output_activation: str, single: bool = False) -> ValueError:
    """The ValueError for outputs ``out`` of finite inputs ``x`` that are not finite.

    Replays the first row whose outputs are not finite, layer by layer, to name the layer
    whose sums (or activation values) first overflow the weights' dtype.

    Parameters
    ----------
    x : ndarray or CSR matrix, shape (n, sizes[0]), the weights' dtype
        Finite inputs.
    out : ndarray, shape (n, sizes[-1])
        Their outputs, some not finite.
    single : bool, default False
        ``x`` is the one input of ``eval(x)`` (the message then names no row).
    """
    dtype = weights[-1].dtype
    row = int(np.argmin(np.isfinite(out).all(axis=1)))
    picked = x[row]
    a = (picked.toarray()[0] if hasattr(picked, "toarray") else picked).astype(dtype)
    last = len(weights) - 1
    where = "the output activation"
    with np.errstate(all="ignore"):
        for layer in range(last + 1):
            sums = a @ weights[layer] + biases[layer]
            if not np.isfinite(sums).all():
                where = f"the sums of layer {layer + 1} of {last + 1}"
                break
            a = sums.copy()
            name = output_activation if layer == last else hidden_activations[layer]
            if layer == last:
                act.apply_output(name, a)
            else:
                act.apply_hidden(name, a)
            if not np.isfinite(a).all():
                where = f"the {name} values of layer {layer + 1} of {last + 1}"
                break
    subject = "this input" if single else f"row {row} of X"
    return ValueError(
        f"the network's outputs overflowed {dtype} for {subject}: {where} are not finite "
        "(the input and the weights are finite, but too large together)"
    )


def forward(x: np.ndarray, layout: Layout, weights: Sequence[np.ndarray],
            biases: Sequence[np.ndarray], hidden_activations: Sequence[str],
            output_activation: str, apply_output: bool = True) -> np.ndarray:
    """Forward pass over row blocks; every buffer is local to this call.

    With ``apply_output=False`` the result holds the output layer's sums (logits).
    Large inputs are split in two halves computed on two cores, each with
    single-threaded BLAS: many small multi-threaded products would leave the cores
    waiting on each other, and the element-wise steps would run on one core.

    Returns
    -------
    ndarray, shape (n, sizes[-1]), the weights' dtype
    """
    sizes = layout.sizes
    n = x.shape[0]
    if 0 < n <= FEW_ROWS and isinstance(x, np.ndarray):
        return forward_few_rows(x, weights, biases, hidden_activations, output_activation,
                                apply_output)
    out = np.empty((n, sizes[-1]), dtype=weights[-1].dtype)
    args = (sizes, weights, biases, hidden_activations, output_activation, apply_output)
    if n * max(sizes) >= _PARALLEL_MIN_VALUES and _parallel.can_split_blas_work():
        half = n // 2
        with _parallel.single_threaded_blas():
            other = _parallel.worker().submit(forward_rows, x[:half], out[:half], *args)
            forward_rows(x[half:], out[half:], *args)
            other.result()
    else:
        forward_rows(x, out, *args)
    return out


def forward_rows(x: np.ndarray, out: np.ndarray, sizes: tuple[int, ...],
                 weights: Sequence[np.ndarray], biases: Sequence[np.ndarray],
                 hidden_activations: Sequence[str], output_activation: str,
                 apply_output: bool) -> None:
    """Forward pass of ``x`` into ``out``, block by block, reusing the block buffers."""
    n = x.shape[0]
    last = len(weights) - 1
    dtype = weights[-1].dtype
    block = max(1, n if n <= FEW_ROWS else min(n, rows_per_block(sizes)))
    # Buffers reused by every block: no allocation (and page faults) per block.
    hidden = [np.empty((block, s), dtype=dtype) for s in sizes[1:-1]]
    widest = max(sizes[1:-1], default=1)
    scratch = np.empty(block * widest, dtype=dtype)
    # Numba's one-pass bias + activation when training has already loaded it (eval
    # never imports it: that costs more than most evals).  Same bits either way.
    compiled = _kernels.loaded()
    zeros = (np.zeros(block * widest, dtype=dtype)
             if compiled is None and "relu" in hidden_activations else None)
    for start in range(0, n, block):
        a = x[start : start + block]
        rows = a.shape[0]
        for layer in range(last + 1):
            z = out[start : start + rows] if layer == last else hidden[layer][:rows]
            if layer == 0 and not isinstance(a, np.ndarray):  # a CSR block of X
                product_into(a, weights[0], z, compiled)
            else:
                np.matmul(a, weights[layer], out=z)
            if layer == last:
                z += biases[layer]
                if apply_output:
                    act.apply_output(output_activation, z)
                break
            name, width = hidden_activations[layer], z.shape[1]
            fused = compiled.hidden_forward(name, dtype) if compiled is not None else None
            if fused is not None:
                fused(z, biases[layer])
            elif name == "relu":  # against zeros filled once: see _relu_inplace
                z += biases[layer]
                np.maximum(z, zeros[: rows * width].reshape(rows, width), out=z)
            else:
                z += biases[layer]
                act.apply_hidden(name, z, scratch[: rows * width].reshape(rows, width))
            a = z


def forward_few_rows(x: np.ndarray, weights: Sequence[np.ndarray],
                     biases: Sequence[np.ndarray], hidden_activations: Sequence[str],
                     output_activation: str, apply_output: bool = True) -> np.ndarray:
    """:func:`forward_rows` for a dense batch of at most :data:`FEW_ROWS` rows, without
    block buffers: the same operations in the same order, so the same bits, in a fraction
    of the calls (what a one-row predict costs is mostly calls).

    Returns
    -------
    ndarray, shape (n, sizes[-1]), the weights' dtype (a new array)
    """
    compiled = _kernels.loaded()
    last = len(weights) - 1
    a = x
    for layer in range(last):
        z = np.matmul(a, weights[layer])
        name = hidden_activations[layer]
        fused = compiled.hidden_forward(name, z.dtype) if compiled is not None else None
        if fused is not None:
            fused(z, biases[layer])
        else:
            z += biases[layer]
            act.apply_hidden(name, z)
        a = z
    z = np.matmul(a, weights[last])
    z += biases[last]
    if apply_output:
        act.apply_output(output_activation, z)
    return z


def eval_one_row(x: np.ndarray, hidden: Sequence[HiddenLayer], out_weights: np.ndarray,
                 out_biases: np.ndarray, output_activation: str) -> np.ndarray:
    """Outputs for a batch of one row, shape (1, sizes[0]), of the weights' dtype: the
    one-sample path's (:func:`eval_vector`), so a row costs and gives the same as a vector.

    Returns
    -------
    ndarray, shape (1, sizes[-1])
    """
    row = x[0]
    if not math.isfinite(row.dot(row)) and not np.isfinite(row).all():
        check_finite_rows(x, "X")
    return eval_vector(row, hidden, out_weights, out_biases, output_activation)[None]


def eval_few_rows(x: np.ndarray, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray],
                  hidden_activations: Sequence[str], output_activation: str) -> np.ndarray:
    """Outputs for a C-contiguous batch of 2 to :data:`FEW_ROWS` rows of the weights'
    dtype, NaN/inf refused: :func:`eval_rows`'s result with its per-call work cut."""
    flat = x.reshape(-1)
    # flat @ flat is NaN or inf when x holds NaN or inf (or overflows: then look closer).
    if not math.isfinite(flat.dot(flat)) and not np.isfinite(x).all():
        check_finite_rows(x, "X")
    with np.errstate(invalid="ignore", over="ignore"):  # overflow: the clear error below
        out = forward_few_rows(x, weights, biases, hidden_activations, output_activation)
    if not np.isfinite(out).all():  # finite inputs and weights, yet inf: too large together
        raise overflow_error(x, out, weights, biases, hidden_activations, output_activation)
    return out


def trace_vector(x: object, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray],
                 hidden_activations: Sequence[str], output_activation: str) -> list[LayerTrace]:
    """What :meth:`NeuralNetwork.trace <numpynn.network.NeuralNetwork.trace>` returns: a
    :class:`LayerTrace` per weight layer for one input ``x`` of shape (sizes[0],)."""
    if np.ndim(x) != 1:
        raise ValueError(f"trace takes one input (1-D), got shape {np.shape(x)}")
    arr, _ = as_float_matrix(x, weights[0].shape[0], "x", weights[0].dtype)
    check_finite_rows(arr, "x")
    records = []
    a = arr[0]
    last = len(weights) - 1
    for layer in range(last + 1):
        sums = a @ weights[layer] + biases[layer]
        values = sums.copy()
        if layer == last:
            act.apply_output(output_activation, values)
        else:
            act.apply_hidden(hidden_activations[layer], values)
        records.append(LayerTrace(sums=sums, values=values))
        a = values
    return records
