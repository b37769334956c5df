"""The forward pass: functions over a layout, per-layer weight and bias views and
activation names.

:class:`~numpynn.network.NeuralNetwork` delegates ``eval``, ``trace`` and ``_forward``
here.  Every buffer is local to one call, so many threads may evaluate one network at once.
The speed tricks live here too: the one-sample path with as few NumPy calls as possible,
row blocks that keep each layer's activations in cache, and two cores for large inputs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from . import activations as act
from . import kernels as _kernels
from .checks import as_float32_matrix, check_finite_rows
from .kernels import threads as _parallel
from .layout import Layout

__all__ = [
    "LayerTrace",
    "rows_per_block",
    "eval_vector",
    "eval_rows",
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

#: One hidden layer for the one-sample path: (weights, biases, in-place activation).
HiddenLayer = tuple[np.ndarray, np.ndarray, Callable[..., None]]


@dataclass(frozen=True)
class LayerTrace:
    """Intermediate values of one layer for one input.

    Attributes
    ----------
    sums : ndarray, shape (n_out,), float32
        Pre-activation sums (weights times inputs plus bias).
    values : ndarray, shape (n_out,), float32
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
    """One float32 input vector of the right length: as few NumPy calls as possible.

    Parameters
    ----------
    x : ndarray, shape (sizes[0],), float32
    hidden : list of (weights, biases, activation), from :func:`hidden_layers`
    out_weights : ndarray, shape (sizes[-2], sizes[-1]), float32
    out_biases : ndarray, shape (sizes[-1],), float32
    output_activation : str

    Returns
    -------
    ndarray, shape (sizes[-1],), float32
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
        # summed in float64, finite float32 values cannot overflow (and NumPy stays quiet)
        if not math.isfinite(z.sum(dtype=np.float64)):
            raise _vector_overflow(x, hidden, out_weights, out_biases, output_activation)
    return z


def _vector_overflow(x: np.ndarray, hidden: Sequence[HiddenLayer], out_weights: np.ndarray,
                     out_biases: np.ndarray, output_activation: str) -> ValueError:
    weights = [w for w, _, _ in hidden] + [out_weights]
    biases = [b for _, b, _ in hidden] + [out_biases]
    names = [layer[2] for layer in hidden]
    return overflow_error(x.reshape(1, -1), np.full((1, 1), np.nan, dtype=np.float32),
                          weights, biases, [_hidden_name(k) for k in names],
                          output_activation, single=True)


def _hidden_name(kernel: Callable[..., None]) -> str:
    """The activation name of an in-place hidden kernel (for messages only)."""
    return next((name for name in act.HIDDEN_ACTIVATIONS if act.hidden_kernel(name) is kernel),
                "identity")


def eval_rows(x: np.ndarray, layout: Layout, weights: Sequence[np.ndarray],
              biases: Sequence[np.ndarray], hidden_activations: Sequence[str],
              output_activation: str) -> np.ndarray:
    """Outputs for a float32 batch ``x`` (n, sizes[0]), NaN/inf in ``x`` refused.

    Small inputs are checked first (cheap); for large ones NaN/inf in ``x`` shows up in
    the outputs, so ``x`` is checked only then.  Outputs that overflow float32 although
    ``x`` and the weights are finite are an error naming the row and the layer, never a
    silent inf or NaN (and never a NumPy warning: the one check is on the outputs).

    Raises
    ------
    ValueError
        ``x`` holds NaN or inf, or the outputs overflow (see :func:`overflow_error`).
    """
    if x.size <= _SMALL_INPUT:
        check_finite_rows(x, "X")
    with np.errstate(invalid="ignore", over="ignore"):
        out = forward(x, layout, weights, biases, hidden_activations, output_activation)
    if not np.isfinite(out).all():
        check_finite_rows(x, "X")
        raise overflow_error(x, out, weights, biases, hidden_activations, output_activation)
    return out


def overflow_error(x: np.ndarray, out: np.ndarray, weights: Sequence[np.ndarray],
                   biases: Sequence[np.ndarray], hidden_activations: Sequence[str],
                   output_activation: str, single: bool = False) -> ValueError:
    """The ValueError for outputs ``out`` of finite inputs ``x`` that are not finite.

    Replays the first row whose outputs are not finite, layer by layer, to name the layer
    whose sums (or activation values) first overflow float32.

    Parameters
    ----------
    x : ndarray, shape (n, sizes[0]), float32
        Finite inputs.
    out : ndarray, shape (n, sizes[-1])
        Their outputs, some not finite.
    single : bool, default False
        ``x`` is the one input of ``eval(x)`` (the message then names no row).
    """
    row = int(np.argmin(np.isfinite(out).all(axis=1)))
    a = x[row].astype(np.float32)
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
        f"the network's outputs overflowed float32 for {subject}: {where} are not finite "
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
    ndarray, shape (n, sizes[-1]), float32
    """
    sizes = layout.sizes
    n = x.shape[0]
    out = np.empty((n, sizes[-1]), dtype=np.float32)
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
    block = max(1, n if n <= 64 else min(n, rows_per_block(sizes)))
    # Buffers reused by every block: no allocation (and page faults) per block.
    hidden = [np.empty((block, s), dtype=np.float32) for s in sizes[1:-1]]
    widest = max(sizes[1:-1], default=1)
    scratch = np.empty(block * widest, dtype=np.float32)
    # Numba's one-pass bias + activation when training has already loaded it (eval
    # never imports it: that costs more than most evals).  Same bits either way.
    compiled = _kernels.loaded()
    zeros = (np.zeros(block * widest, dtype=np.float32)
             if compiled is None and "relu" in hidden_activations else None)
    for start in range(0, n, block):
        a = x[start : start + block]
        rows = a.shape[0]
        for layer in range(last + 1):
            z = out[start : start + rows] if layer == last else hidden[layer][:rows]
            np.matmul(a, weights[layer], out=z)
            if layer == last:
                z += biases[layer]
                if apply_output:
                    act.apply_output(output_activation, z)
                break
            name, width = hidden_activations[layer], z.shape[1]
            fused = compiled.HIDDEN_FORWARD.get(name) if compiled is not None else None
            if fused is not None:
                fused(z, biases[layer])
            elif name == "relu":  # against zeros filled once: see _relu_inplace
                z += biases[layer]
                np.maximum(z, zeros[: rows * width].reshape(rows, width), out=z)
            else:
                z += biases[layer]
                act.apply_hidden(name, z, scratch[: rows * width].reshape(rows, width))
            a = z


def trace_vector(x: object, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray],
                 hidden_activations: Sequence[str], output_activation: str) -> list[LayerTrace]:
    """What :meth:`NeuralNetwork.trace <numpynn.network.NeuralNetwork.trace>` returns: a
    :class:`LayerTrace` per weight layer for one input ``x`` of shape (sizes[0],)."""
    if np.ndim(x) != 1:
        raise ValueError(f"trace takes one input (1-D), got shape {np.shape(x)}")
    arr, _ = as_float32_matrix(x, weights[0].shape[0], "x")
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
