"""A per-input weight summary for wide networks (:func:`plot_feature_weights`).

A network with many inputs draws as an unreadable fan of lines. What the fan would show is
how strongly each input feeds the first hidden layer: the L2 norm of the input's row of
first-layer weights (row ``i`` of ``weights[0]``, shape ``(fan_in, fan_out)``). This draws
those norms as a bar chart labelled with the feature names, largest first.
"""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .figure_files import figure_class, save_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_feature_weights", "input_weight_norms"]

#: At most this many inputs get a bar; the rest are counted in the title.
MAX_BARS = 40
_BAR = "#1f5fbf"


def input_weight_norms(first_layer_weights: Any) -> np.ndarray:
    """The L2 norm of each input's first-layer weight row, float64 ``(fan_in,)``.

    Parameters
    ----------
    first_layer_weights : array-like, shape (fan_in, fan_out)
        A network's ``weights[0]``: row = input node, column = first hidden node.

    Raises
    ------
    ValueError
        Not a 2-D array of finite real numbers.
    """
    w = np.asarray(first_layer_weights)
    if w.ndim != 2 or not np.issubdtype(w.dtype, np.number) or np.iscomplexobj(w):
        raise ValueError("plot_feature_weights: weights must be a 2-D array of real numbers "
                         f"(fan_in, fan_out), got {w.dtype} {w.shape}")
    if not np.isfinite(w).all():
        raise ValueError("plot_feature_weights: weights hold NaN or infinite values")
    return np.sqrt(np.einsum("ij,ij->i", w, w, dtype=np.float64))


def plot_feature_weights(
    first_layer_weights: Any,
    path: str | PathLike[str],
    *,
    feature_names: Sequence[str] | None = None,
    title: str | None = None,
    max_bars: int = MAX_BARS,
) -> Path:
    """Draw each input's first-layer weight norm as a horizontal bar, largest at the top.

    With standardised (or 0/1 one-hot) inputs, a larger norm means the input moves the first
    hidden layer more; an input with a norm near zero is all but ignored.

    Parameters
    ----------
    first_layer_weights : array-like, shape (fan_in, fan_out)
        A network's ``weights[0]``.
    path : str or path-like
        Image file (the suffix picks the format; none means PNG), written atomically.
    feature_names : sequence of str, optional
        One name per input (``fan_in``); default ``[0]``, ``[1]``, ...
    title : str, optional
        Figure title.
    max_bars : int, default 40
        Draw the ``max_bars`` largest norms; the title says how many inputs there are.

    Returns
    -------
    pathlib.Path
        The image file, ``path``.

    Raises
    ------
    ValueError
        Weights that are not a finite 2-D array, names that do not match the inputs, an
        unknown image format or a missing directory.
    ImportError
        matplotlib is not installed.
    """
    Figure = figure_class()
    norms = input_weight_norms(first_layer_weights)
    names = _names(feature_names, norms.size)
    if isinstance(max_bars, bool) or not isinstance(max_bars, (int, np.integer)) or \
            max_bars < 1:
        raise ValueError(f"plot_feature_weights: max_bars must be an int >= 1, got "
                         f"{max_bars!r}")
    fig = _draw_bars(Figure, norms, names, np.argsort(-norms, kind="stable")[:max_bars])
    if title:
        fig.suptitle(title)
    return save_figure(fig, path)


def _draw_bars(figure_cls: type[Figure], norms: np.ndarray, names: list[str],
               order: np.ndarray) -> Figure:
    """A figure with one bar per input of ``order`` (indices, largest norm first)."""
    shown = len(order)
    fig = figure_cls(figsize=(7.5, 1.2 + 0.24 * shown), layout="constrained")
    ax = fig.add_subplot()
    positions = np.arange(shown)
    ax.barh(positions, norms[order], color=_BAR, height=0.7)
    ax.set_yticks(positions, [names[i] for i in order], fontsize=8)
    ax.invert_yaxis()  # largest at the top
    ax.set_xlabel("L2 norm of the input's first-layer weights")
    ax.grid(True, axis="x", alpha=0.3)
    which = f"the {shown} largest of {norms.size} inputs" if shown < norms.size else \
        f"all {norms.size} inputs"
    ax.set_title(f"first-layer weight per input ({which})", fontsize=10)
    return fig


def _names(feature_names: Sequence[str] | None, n: int) -> list[str]:
    if feature_names is None:
        return [f"[{i}]" for i in range(n)]
    if isinstance(feature_names, (str, bytes)) or len(feature_names) != n:
        got = repr(feature_names) if isinstance(feature_names, (str, bytes)) else \
            f"{len(feature_names)} names"
        raise ValueError(f"plot_feature_weights: feature_names must be {n} names (one per "
                         f"input), got {got}")
    return [str(name) for name in feature_names]
