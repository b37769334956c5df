"""Network diagrams: nodes in columns joined by weighted connections (:func:`draw_network`).

Input on the left, output on the right, node ``[0]`` at the top of each column, as in
Figure 2 of the article; the input and output nodes can carry names (features, classes).
Shapes come from :class:`numpynn.core.layout.Layout`, the one place that knows how sizes
turn into weight and bias shapes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.layout import Layout
from .figure_files import figure_class, save_figure
from .weight_labels import label_weights

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["draw_network"]

#: At most this many connections (and nodes per layer) get their weights written on the lines.
LABELLED_MAX_CONNECTIONS = 60
LABELLED_MAX_NODES = 12
#: Layers with more nodes than this are drawn as their first few nodes, an ellipsis, the last.
MAX_DRAWN_NODES = 20
_SHOWN_HEAD = 15  # nodes drawn at the top of a truncated layer (plus the last node)
#: Node names longer than this are cut, with an ellipsis.
MAX_NAME_CHARS = 24
_CHAR_INCHES = 0.6 / 72  # width of a character per point of font size, roughly

_POSITIVE = "#1f5fbf"
_NEGATIVE = "#d03030"
_LAYER_COLOURS = ("#dbe8f7", "#e3f2d9", "#fde3c8")  # input, hidden, output node faces


def draw_network(
    sizes: Sequence[int],
    weights: Sequence[Any],
    biases: Sequence[Any],
    path: str | PathLike[str],
    *,
    input_values: Any = None,
    input_names: Sequence[str] | None = None,
    output_names: Sequence[str] | None = None,
    title: str | None = None,
) -> Path:
    """Draw a multi-layer perceptron as nodes in columns joined by weighted connections.

    For a small net (at most 60 connections and 12 nodes per layer) every connection is
    labelled with its weight and every hidden and output node with its bias (2 decimals). A
    larger net is drawn without numbers: blue lines for positive weights, red for negative,
    wider and darker for larger ``|w|``; a layer of more than 20 nodes is drawn as its first
    15 nodes, an ellipsis and its last node.

    Parameters
    ----------
    sizes : sequence of int, length L >= 2
        Nodes per layer, input first (a network's ``sizes``).
    weights : sequence of L-1 arrays
        ``weights[k]`` has shape ``(sizes[k], sizes[k+1])`` (fan_in, fan_out): row = source
        node, column = destination node (a network's ``weights`` views will do).
    biases : sequence of L-1 arrays
        ``biases[k]`` has shape ``(sizes[k+1],)``.
    path : str or path-like
        Image file (suffix picks the format; none means PNG), written atomically.
    input_values : array-like, shape (sizes[0],), optional
        Values written next to the input nodes.
    input_names, output_names : sequence of str, optional
        Names written beside the input nodes (left, e.g. feature names) and the output nodes
        (right, e.g. class names), ``sizes[0]`` and ``sizes[-1]`` of them; names longer than
        24 characters are cut with an ellipsis.
    title : str, optional
        Figure title.

    Returns
    -------
    pathlib.Path
        The diagram's file, ``path``.

    Raises
    ------
    ValueError
        Sizes that are not positive ints, shapes that do not match ``sizes``, non-finite
        values, an unknown image format or a missing directory.
    TypeError
        Sizes that are not a sequence of ints, or non-numeric arrays.
    ImportError
        matplotlib is not installed.
    """
    Figure = figure_class()
    layout, ws, bs = _check_network(sizes, weights, biases)
    geo, left_texts, right_names = _plan(layout, input_values, input_names, output_names)
    fig, ax = _new_axes(Figure, geo, title)
    _draw_diagram(fig, ax, geo, ws, bs, left_texts, right_names, title)
    return save_figure(fig, path)


def _plan(layout: Layout, input_values: Any, input_names: Sequence[str] | None,
          output_names: Sequence[str] | None
          ) -> tuple[_Geometry, dict[int, str], list[str] | None]:
    """The texts beside the input and output nodes (checked), and the geometry: labelled
    (numbers on the lines) for a small net, with room for those texts."""
    sz = list(layout.sizes)
    inputs = _check_input_values(input_values, sz[0])
    left_texts = _input_texts(inputs, _check_names(input_names, sz[0], "input_names"), sz[0])
    right_names = _check_names(output_names, sz[-1], "output_names")
    n_connections = sum(math.prod(shape) for shape in layout.weight_shapes())
    labelled = n_connections <= LABELLED_MAX_CONNECTIONS and max(sz) <= LABELLED_MAX_NODES
    geo = _Geometry.of(sz, labelled, has_inputs=inputs is not None,
                       side_chars=(max(map(len, left_texts.values()), default=0),
                                   max(map(len, right_names or []), default=0)))
    return geo, left_texts, right_names


def _draw_diagram(fig: Figure, ax: Axes, geo: _Geometry, ws: list[np.ndarray],
                  bs: list[np.ndarray], left_texts: dict[int, str],
                  right_names: list[str] | None, title: str | None) -> None:
    """Connections, nodes, output names, (for an unlabelled net) the colour legend, and
    the title."""
    _draw_connections(ax, geo, ws)
    _draw_nodes(ax, geo, bs, left_texts)
    if right_names is not None:
        _draw_output_names(ax, geo, right_names)
    if not geo.labelled:
        _draw_legend(ax)
    if title:
        fig.suptitle(title, fontsize=12, y=1.0 - 0.12 / fig.get_figheight(), va="top")


def _check_network(
    sizes: Sequence[int], weights: Sequence[Any], biases: Sequence[Any]
) -> tuple[Layout, list[np.ndarray], list[np.ndarray]]:
    """The layout of ``sizes``, and the weights and biases as arrays of its shapes."""
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, (Sequence, np.ndarray)):
        raise TypeError(f"draw_network: sizes must be a list of ints, got {type(sizes).__name__}")
    try:
        layout = Layout(sizes)
    except (TypeError, ValueError) as exc:  # the network's own message, naming the argument
        raise type(exc)(f"draw_network: sizes {list(sizes)}: {exc}") from None
    n = layout.num_layers
    if len(weights) != n or len(biases) != n:
        raise ValueError(
            f"draw_network: sizes {list(layout.sizes)} need {n} weight matrices and {n} bias "
            f"vectors, got {len(weights)} and {len(biases)}"
        )
    ws = [np.asarray(w) for w in weights]
    bs = [np.asarray(b) for b in biases]
    for k, layer in enumerate(layout.layers):
        if ws[k].shape != layer.weight_shape:
            raise ValueError(
                f"draw_network: weights[{k}] must have shape {layer.weight_shape} "
                f"(fan_in, fan_out), got {ws[k].shape}"
            )
        if bs[k].shape != (layer.fan_out,):
            raise ValueError(
                f"draw_network: biases[{k}] must have shape ({layer.fan_out},), got {bs[k].shape}"
            )
        for name, a in ((f"weights[{k}]", ws[k]), (f"biases[{k}]", bs[k])):
            if not np.issubdtype(a.dtype, np.number) or np.issubdtype(a.dtype, np.complexfloating):
                raise TypeError(f"draw_network: {name} must be real numbers, got {a.dtype}")
            if not np.isfinite(a).all():
                raise ValueError(f"draw_network: {name} holds NaN or infinite values")
    return layout, ws, bs


def _check_input_values(input_values: Any, n_inputs: int) -> np.ndarray | None:
    if input_values is None:
        return None
    inputs = np.asarray(input_values)
    if inputs.shape != (n_inputs,) or not np.issubdtype(inputs.dtype, np.number):
        raise ValueError(
            f"draw_network: input_values must be {n_inputs} numbers (shape ({n_inputs},)), got "
            f"shape {inputs.shape} dtype {inputs.dtype}"
        )
    return inputs


def _check_names(names: Sequence[str] | None, n: int, what: str) -> list[str] | None:
    """``names`` as ``n`` strings cut to :data:`MAX_NAME_CHARS`; None stays None."""
    if names is None:
        return None
    if isinstance(names, (str, bytes)) or not isinstance(names, (Sequence, np.ndarray)):
        raise TypeError(f"draw_network: {what} must be a list of {n} names, got "
                        f"{type(names).__name__}")
    if len(names) != n:
        raise ValueError(f"draw_network: {what} must be {n} names (one per node), got "
                         f"{len(names)}")
    texts = [str(name) for name in names]
    return [t if len(t) <= MAX_NAME_CHARS else t[:MAX_NAME_CHARS - 1] + "\u2026"
            for t in texts]


def _input_texts(inputs: np.ndarray | None, names: list[str] | None, n: int
                 ) -> dict[int, str]:
    """What is written left of each input node: its name, its value, or ``name = value``."""
    texts = {}
    for j in range(n):
        parts = [] if names is None else [names[j]]
        if inputs is not None:
            parts.append(_number(float(inputs[j])))
        if parts:
            texts[j] = " = ".join(parts)
    return texts


def _shown_nodes(size: int) -> list[int]:
    """Indices drawn for a layer: all, or the first few and the last."""
    if size <= MAX_DRAWN_NODES:
        return list(range(size))
    return [*range(_SHOWN_HEAD), size - 1]


def _layer_name(k: int, n_layers: int) -> str:
    if k == 0:
        return "input"
    if k == n_layers - 1:
        return "output"
    return "hidden" if n_layers == 3 else f"hidden{k}"


@dataclass(frozen=True)
class _Geometry:
    """Where everything goes, in data units: columns ``dx`` apart, nodes ``dy`` apart,
    each column centred vertically; a truncated layer keeps one slot for its ellipsis."""

    sizes: list[int]
    labelled: bool
    shown: list[list[int]]  # node indices drawn, per layer
    slots: list[int]  # vertical places per layer (drawn nodes + the ellipsis)
    dx: float
    dy: float
    radius: float
    inch: float  # inches per data unit
    headers: list[str]
    left: float
    right: float
    top: float
    bottom: float

    @classmethod
    def of(cls, sizes: list[int], labelled: bool, *, has_inputs: bool,
           side_chars: tuple[int, int] = (0, 0)) -> _Geometry:
        """The geometry of a diagram; ``side_chars``: the longest text left of the input
        nodes and right of the output nodes, in characters (room is made for them)."""
        shown = [_shown_nodes(s) for s in sizes]
        slots = [len(s) + (1 if len(s) < sizes[k] else 0) for k, s in enumerate(shown)]
        dx = max(4.0, 0.9 * max(sizes)) if labelled else max(3.0, 0.3 * max(slots))
        dy = 1.6 if labelled else 1.0
        radius = 0.42 if labelled else min(0.32, 0.3 * dy)
        inch = 0.62 if labelled else 0.42
        n_layers = len(sizes)
        headers = [f"{_layer_name(k, n_layers)} ({sizes[k]})" for k in range(n_layers)]
        # half the width of a 10 pt bold header, in data units, so it is not clipped
        half_header = [len(h) * 0.056 / inch for h in headers]
        half_height = max((s - 1) / 2 * dy for s in slots)
        char = (10 if labelled else 7) * _CHAR_INCHES / inch  # data units per character
        left_text = radius + 0.25 + side_chars[0] * char if side_chars[0] else 0.0
        right_text = radius + 0.25 + side_chars[1] * char if side_chars[1] else 0.0
        return cls(
            sizes, labelled, shown, slots, dx, dy, radius, inch, headers,
            left=-max(radius + (1.3 if has_inputs else 0.5), half_header[0] + 0.1, left_text),
            right=(n_layers - 1) * dx + max(radius + 0.5, half_header[-1] + 0.1, right_text),
            top=half_height + radius + 0.75,
            bottom=-half_height - radius - (0.55 if labelled else 1.3),
        )

    def node_y(self, k: int, slot: int) -> float:
        return (self.slots[k] - 1) / 2 * self.dy - slot * self.dy

    def coords(self, k: int) -> dict[int, tuple[float, float]]:
        """Centre of every drawn node of layer ``k``, by node index."""
        nodes = self.shown[k]
        truncated = len(nodes) < self.sizes[k]
        xy = {}
        for pos, j in enumerate(nodes):
            slot = pos + 1 if (truncated and j == self.sizes[k] - 1) else pos  # skip ellipsis
            xy[j] = (k * self.dx, self.node_y(k, slot))
        return xy


def _new_axes(figure_cls: type[Figure], geo: _Geometry, title: str | None) -> tuple[Figure, Axes]:
    """A figure with the data's aspect ratio, so nothing is squeezed, and one bare axes."""
    title_h = 0.4 if title else 0.0
    fig = figure_cls(figsize=((geo.right - geo.left) * geo.inch,
                              (geo.top - geo.bottom) * geo.inch + title_h))
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0 - title_h / fig.get_figheight()))
    ax.set_xlim(geo.left, geo.right)
    ax.set_ylim(geo.bottom, geo.top)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


def _draw_connections(ax: Axes, geo: _Geometry, ws: list[np.ndarray]) -> None:
    """One line per drawn connection; weights written on them in a labelled diagram."""
    from matplotlib.collections import LineCollection

    w_max = max(float(np.abs(w).max()) for w in ws) or 1.0
    coords = [geo.coords(k) for k in range(len(geo.sizes))]
    # label positions so far, seeded with the bias labels under the nodes
    placed = [(x, y - geo.radius - 0.2) for xy in coords[1:] for (x, y) in xy.values()]
    for k, w in enumerate(ws):
        segs, colors, widths = [], [], []
        for i in geo.shown[k]:
            for j in geo.shown[k + 1]:
                (x0, y0), (x1, y1) = coords[k][i], coords[k + 1][j]
                segs.append(((x0 + geo.radius, y0), (x1 - geo.radius, y1)))
                v = float(w[i, j])
                strength = abs(v) / w_max
                if geo.labelled:
                    colors.append("0.45")
                    widths.append(1.0)
                else:
                    rgb = _NEGATIVE if v < 0 else _POSITIVE
                    colors.append(_with_alpha(rgb, 0.15 + 0.75 * strength))
                    widths.append(0.3 + 2.7 * strength)
        ax.add_collection(LineCollection(segs, colors=colors, linewidths=widths, zorder=1))
        if geo.labelled:
            label_weights(ax, w, coords[k], coords[k + 1], geo.radius, placed)


def _draw_nodes(
    ax: Axes, geo: _Geometry, bs: list[np.ndarray], left_texts: dict[int, str]
) -> None:
    """Circles with their index, biases under them (labelled), input names and values,
    headers."""
    from matplotlib.patches import Circle

    n_layers = len(geo.sizes)
    fontsize = 10 if geo.labelled else 7
    for k in range(n_layers):
        face = _LAYER_COLOURS[0 if k == 0 else (2 if k == n_layers - 1 else 1)]
        for j, (x, y) in geo.coords(k).items():
            ax.add_patch(Circle((x, y), geo.radius, facecolor=face, edgecolor="black",
                                linewidth=1.2, zorder=3))
            ax.text(x, y, f"[{j}]", ha="center", va="center", zorder=4, fontsize=fontsize)
            if geo.labelled and k > 0:
                ax.text(x, y - geo.radius - 0.08, f"b={float(bs[k - 1][j]):.2f}", ha="center",
                        va="top", fontsize=8.5, color="#6a3d9a", zorder=5,
                        bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none",
                              "alpha": 0.85})
            if k == 0 and j in left_texts:
                ax.text(x - geo.radius - 0.12, y, left_texts[j], ha="right",
                        va="center", fontsize=fontsize, zorder=4)
        if len(geo.shown[k]) < geo.sizes[k]:  # ellipsis in the skipped slot
            x, y = k * geo.dx, geo.node_y(k, len(geo.shown[k]) - 1)
            ax.text(x, y, "\u22ee", ha="center", va="center", fontsize=16, zorder=4)
        ax.text(k * geo.dx, geo.top - 0.65, geo.headers[k],
                ha="center", va="bottom", fontsize=10, fontweight="bold")


def _draw_output_names(ax: Axes, geo: _Geometry, names: list[str]) -> None:
    """Each output node's name (a class, the target) to its right."""
    last = len(geo.sizes) - 1
    for j, (x, y) in geo.coords(last).items():
        ax.text(x + geo.radius + 0.12, y, names[j], ha="left", va="center",
                fontsize=10 if geo.labelled else 7, zorder=4)


def _draw_legend(ax: Axes) -> None:
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=_POSITIVE, linewidth=2, label="positive weight"),
               Line2D([], [], color=_NEGATIVE, linewidth=2, label="negative weight")]
    ax.legend(handles=handles, loc="lower center", fontsize=8, frameon=False, ncol=2,
              bbox_to_anchor=(0.5, 0.0))


def _number(v: float) -> str:
    """``3.0``, ``-4.5``, ``0.001234``: short, but always recognisably a float."""
    text = f"{v:.4g}"
    return text if any(c in text for c in ".en") else text + ".0"


def _with_alpha(color: str, alpha: float) -> tuple[float, float, float, float]:
    r, g, b = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return (r, g, b, alpha)
