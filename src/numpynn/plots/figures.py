"""Training curves and network diagrams, drawn with matplotlib (imported lazily).

matplotlib is an optional dependency (``pip install numpynn[plot]``). The figures are built
with :class:`matplotlib.figure.Figure` directly, never through ``pyplot``, so drawing touches
no global state, needs no display and is safe from several threads. Files are written
atomically: to a temporary file in the target directory, then renamed over ``path``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..io.atomic import atomic_open

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["draw_network", "plot_history"]

#: At most this many connections (and nodes per layer) get their weights written on the lines.
LABELLED_MAX_CONNECTIONS = 60
LABELLED_MAX_NODES = 12
#: Layers with more nodes than this are drawn as their first few nodes, an ellipsis, the last.
MAX_DRAWN_NODES = 20
_SHOWN_HEAD = 15  # nodes drawn at the top of a truncated layer (plus the last node)

_POSITIVE = "#1f5fbf"
_NEGATIVE = "#d03030"
_TRAIN = "#1f77b4"
_VALID = "#ff7f0e"


def _figure_class() -> type[Figure]:
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - exercised only without matplotlib
        raise ImportError(
            "numpynn.plots needs matplotlib; install it with: pip install 'numpynn[plot]'"
        ) from exc
    return Figure


def _save(fig: Figure, path: str | PathLike[str]) -> Path:
    """Write ``fig`` to ``path`` atomically; the format comes from the suffix (default PNG)."""
    target = Path(path)
    fmt = target.suffix[1:].lower() or "png"
    supported = fig.canvas.get_supported_filetypes()
    if fmt not in supported:
        raise ValueError(
            f"cannot write {str(path)!r}: unknown image format {fmt!r}; use one of "
            f"{sorted(supported)}"
        )
    directory = target.parent
    if not directory.is_dir():
        raise ValueError(f"cannot write {str(path)!r}: directory {str(directory)!r} does not exist")
    with atomic_open(target, "wb") as fh:
        fig.savefig(fh, format=fmt, dpi=150 if fmt == "png" else "figure")
    return target


# --------------------------------------------------------------------------------------------
# Training history
# --------------------------------------------------------------------------------------------


def _series(history: Any, key: str) -> np.ndarray:
    """Per-epoch values of ``key`` as float64 with NaN for gaps; empty if absent."""
    if isinstance(history, Mapping):
        raw = history.get(key)
    else:
        raw = getattr(history, key, None)
    if raw is None:
        return np.empty(0)
    if isinstance(raw, (str, bytes)) or not isinstance(raw, (Sequence, np.ndarray)):
        raise TypeError(
            f"plot_history: history {key!r} must be a list of numbers, got {type(raw).__name__}"
        )
    out = np.empty(len(raw), dtype=np.float64)
    for i, v in enumerate(raw):
        if v is None:
            out[i] = np.nan
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise TypeError(
                f"plot_history: history {key!r}[{i}] must be a number or None, got {v!r}"
            )
        out[i] = float(v) if math.isfinite(float(v)) else np.nan
    return out


def plot_history(
    history: Any, path: str | PathLike[str], *, title: str | None = None
) -> Path:
    """Plot training curves: loss, and accuracy when recorded, per epoch.

    Parameters
    ----------
    history : mapping or object
        Per-epoch lists under the keys (or attributes) ``loss``, ``val_loss``, ``accuracy``
        and ``val_accuracy``; any may be absent or empty, and entries may be ``None`` or
        non-finite (drawn as gaps). An optional ``best_epoch`` (0-based int or ``None``)
        is marked on the curves. Epochs are shown 1-based.
    path : str or path-like
        Image file; its suffix picks the format (``.png``, ``.svg``, ``.pdf``, ...; no suffix
        means PNG). Written atomically.
    title : str, optional
        Figure title.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        No loss values at all, ``best_epoch`` outside the recorded epochs, or an unknown
        image format or missing directory.
    TypeError
        A series is not a list of numbers / ``None``, or ``best_epoch`` is not an int.
    ImportError
        matplotlib is not installed.
    """
    Figure = _figure_class()
    loss, val_loss = _series(history, "loss"), _series(history, "val_loss")
    acc, val_acc = _series(history, "accuracy"), _series(history, "val_accuracy")
    if not (np.isfinite(loss).any() or np.isfinite(val_loss).any()):
        raise ValueError("plot_history: history has no finite 'loss' or 'val_loss' values")
    n_epochs = max(len(loss), len(val_loss), len(acc), len(val_acc))
    best = (history.get("best_epoch") if isinstance(history, Mapping)
            else getattr(history, "best_epoch", None))
    if best is not None:
        if isinstance(best, bool) or not isinstance(best, (int, np.integer)):
            raise TypeError(
                f"plot_history: best_epoch must be an int or None, got {type(best).__name__}"
            )
        if not 0 <= best < n_epochs:
            raise ValueError(
                f"plot_history: best_epoch={best} is outside the {n_epochs} recorded epochs"
            )
        best = int(best)
    has_acc = bool(np.isfinite(acc).any() or np.isfinite(val_acc).any())

    fig = Figure(figsize=(11.0 if has_acc else 6.5, 4.2), layout="constrained")
    axes = fig.subplots(1, 2 if has_acc else 1, squeeze=False)[0]
    _curves(axes[0], loss, val_loss, best, "loss")
    if has_acc:
        _curves(axes[1], acc, val_acc, best, "accuracy")
        axes[1].set_ylim(min(0.0, float(np.nanmin(np.concatenate([acc, val_acc])))) - 0.02,
                         1.02)
    if title:
        fig.suptitle(title)
    return _save(fig, path)


def _curves(ax: Axes, train: np.ndarray, valid: np.ndarray, best: int | None, name: str) -> None:
    from matplotlib.ticker import MaxNLocator

    for values, label, color in ((train, "training", _TRAIN), (valid, "validation", _VALID)):
        if np.isfinite(values).any():
            epochs = np.arange(1, len(values) + 1)
            single = np.isfinite(values).sum() == 1 or len(values) <= 30
            ax.plot(epochs, values, color=color, label=label, linewidth=1.6,
                    marker="o" if single else None, markersize=3)
    if best is not None:
        ref = valid if len(valid) > best and np.isfinite(valid[best]) else train
        ax.axvline(best + 1, color="0.35", linestyle="--", linewidth=1.0)
        if len(ref) > best and np.isfinite(ref[best]):
            ax.plot([best + 1], [ref[best]], marker="*", markersize=13, color="#2ca02c",
                    markeredgecolor="black", linestyle="none",
                    label=f"best epoch {best + 1} ({ref[best]:.4g})")
        else:
            ax.plot([], [], color="0.35", linestyle="--", label=f"best epoch {best + 1}")
    finite = np.concatenate([train[np.isfinite(train)], valid[np.isfinite(valid)]])
    if name == "loss" and finite.size and finite.min() > 0 and finite.max() / finite.min() > 100:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(name)
    ax.set_title(name)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize=9)


# --------------------------------------------------------------------------------------------
# Network diagram
# --------------------------------------------------------------------------------------------


def _check_network(
    sizes: Sequence[int], weights: Sequence[Any], biases: Sequence[Any]
) -> tuple[list[int], list[np.ndarray], list[np.ndarray]]:
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, (Sequence, np.ndarray)):
        raise TypeError(f"draw_network: sizes must be a list of ints, got {type(sizes).__name__}")
    sz = list(sizes)
    if len(sz) < 2:
        raise ValueError(f"draw_network: sizes needs at least 2 layers, got {sz}")
    for s in sz:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1:
            raise ValueError(f"draw_network: sizes must be positive ints, got {sz}")
    sz = [int(s) for s in sz]
    n = len(sz) - 1
    if len(weights) != n or len(biases) != n:
        raise ValueError(
            f"draw_network: sizes {sz} need {n} weight matrices and {n} bias vectors, got "
            f"{len(weights)} and {len(biases)}"
        )
    ws: list[np.ndarray] = []
    bs: list[np.ndarray] = []
    for k in range(n):
        w = np.asarray(weights[k])
        b = np.asarray(biases[k])
        if w.shape != (sz[k], sz[k + 1]):
            raise ValueError(
                f"draw_network: weights[{k}] must have shape ({sz[k]}, {sz[k + 1]}) "
                f"(fan_in, fan_out), got {w.shape}"
            )
        if b.shape != (sz[k + 1],):
            raise ValueError(
                f"draw_network: biases[{k}] must have shape ({sz[k + 1]},), got {b.shape}"
            )
        for name, a in ((f"weights[{k}]", w), (f"biases[{k}]", b)):
            if not np.issubdtype(a.dtype, np.number) or np.issubdtype(a.dtype, np.complexfloating):
                raise TypeError(f"draw_network: {name} must be real numbers, got {a.dtype}")
            if not np.isfinite(a).all():
                raise ValueError(f"draw_network: {name} holds NaN or infinite values")
        ws.append(w)
        bs.append(b)
    return sz, ws, bs


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


def draw_network(
    sizes: Sequence[int],
    weights: Sequence[Any],
    biases: Sequence[Any],
    path: str | PathLike[str],
    *,
    input_values: Any = None,
    title: str | None = None,
) -> Path:
    """Draw a multi-layer perceptron as nodes in columns joined by weighted connections.

    Input on the left, output on the right, node ``[0]`` at the top of each column, as in
    Figure 2 of the article. For a small net (at most 60 connections and 12 nodes per layer)
    every connection is labelled with its weight and every hidden and output node with its
    bias (2 decimals). A larger net is drawn without numbers: blue lines for positive weights,
    red for negative, wider and darker for larger ``|w|``; a layer of more than 20 nodes is
    drawn as its first 15 nodes, an ellipsis and its last node.

    Parameters
    ----------
    sizes : sequence of int, length L >= 2
        Nodes per layer, input first.
    weights : sequence of L-1 arrays
        ``weights[k]`` has shape ``(sizes[k], sizes[k+1])`` (fan_in, fan_out): row = source
        node, column = destination node.
    biases : sequence of L-1 arrays
        ``biases[k]`` has shape ``(sizes[k+1],)``.
    path : str or path-like
        Image file (suffix picks the format; none means PNG), written atomically.
    input_values : array-like, shape (sizes[0],), optional
        Values written next to the input nodes.
    title : str, optional
        Figure title.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        Shapes that do not match ``sizes``, non-finite values, an unknown image format or a
        missing directory.
    TypeError
        Non-numeric arrays.
    ImportError
        matplotlib is not installed.
    """
    Figure = _figure_class()
    from matplotlib.collections import LineCollection
    from matplotlib.patches import Circle

    sz, ws, bs = _check_network(sizes, weights, biases)
    inputs = None
    if input_values is not None:
        inputs = np.asarray(input_values)
        if inputs.shape != (sz[0],) or not np.issubdtype(inputs.dtype, np.number):
            raise ValueError(
                f"draw_network: input_values must be {sz[0]} numbers (shape ({sz[0]},)), got "
                f"shape {inputs.shape} dtype {inputs.dtype}"
            )

    n_layers = len(sz)
    n_connections = sum(sz[k] * sz[k + 1] for k in range(n_layers - 1))
    labelled = n_connections <= LABELLED_MAX_CONNECTIONS and max(sz) <= LABELLED_MAX_NODES
    shown = [_shown_nodes(s) for s in sz]
    slots = [len(s) + (1 if len(s) < sz[k] else 0) for k, s in enumerate(shown)]
    tallest = max(slots)

    # geometry in data units: columns `dx` apart, nodes `dy` apart, centred vertically
    dx = max(4.0, 0.9 * max(sz)) if labelled else max(3.0, 0.3 * tallest)
    dy = 1.6 if labelled else 1.0
    radius = 0.42 if labelled else min(0.32, 0.3 * dy)

    def node_y(k: int, pos: int) -> float:
        return (slots[k] - 1) / 2 * dy - pos * dy

    coords: list[dict[int, tuple[float, float]]] = []
    for k, nodes in enumerate(shown):
        xy = {}
        for pos, j in enumerate(nodes):
            p = pos + 1 if (len(nodes) < sz[k] and j == sz[k] - 1) else pos  # skip ellipsis slot
            xy[j] = (k * dx, node_y(k, p))
        coords.append(xy)

    # data extents; the figure gets the same aspect ratio so nothing is squeezed
    top_y = max(node_y(k, 0) for k in range(n_layers)) + radius + 0.75
    bottom_y = -max((slots[k] - 1) / 2 * dy for k in range(n_layers)) - radius - (
        0.55 if labelled else 1.3)
    inch = 0.62 if labelled else 0.42  # inches per data unit
    headers = [f"{_layer_name(k, n_layers)} ({sz[k]})" for k in range(n_layers)]
    # half the width of a 10 pt bold header, in data units, so it is not clipped
    half_header = [len(h) * 0.056 / inch for h in headers]
    left = -max(radius + (1.3 if inputs is not None else 0.5), half_header[0] + 0.1)
    right = (n_layers - 1) * dx + max(radius + 0.5, half_header[-1] + 0.1)
    title_h = 0.4 if title else 0.0
    fig = Figure(figsize=((right - left) * inch, (top_y - bottom_y) * inch + title_h))
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0 - title_h / fig.get_figheight()))
    ax.set_xlim(left, right)
    ax.set_ylim(bottom_y, top_y)
    ax.set_aspect("equal")
    ax.axis("off")

    w_max = max(float(np.abs(w).max()) for w in ws) or 1.0
    # label positions so far, seeded with the bias labels under the nodes
    placed: list[tuple[float, float]] = [
        (x, y - radius - 0.2) for xy in coords[1:] for (x, y) in xy.values()
    ]
    for k in range(n_layers - 1):
        w = ws[k]
        segs, colors, widths = [], [], []
        for i in shown[k]:
            for j in shown[k + 1]:
                (x0, y0), (x1, y1) = coords[k][i], coords[k + 1][j]
                segs.append(((x0 + radius, y0), (x1 - radius, y1)))
                v = float(w[i, j])
                strength = abs(v) / w_max
                if labelled:
                    colors.append("0.45")
                    widths.append(1.0)
                else:
                    rgb = _NEGATIVE if v < 0 else _POSITIVE
                    colors.append(_with_alpha(rgb, 0.15 + 0.75 * strength))
                    widths.append(0.3 + 2.7 * strength)
        ax.add_collection(LineCollection(segs, colors=colors, linewidths=widths, zorder=1))
        if labelled:
            _label_weights(ax, w, coords[k], coords[k + 1], radius, placed)

    for k in range(n_layers):
        face = "#dbe8f7" if k == 0 else ("#fde3c8" if k == n_layers - 1 else "#e3f2d9")
        for j, (x, y) in coords[k].items():
            ax.add_patch(Circle((x, y), radius, facecolor=face, edgecolor="black",
                                linewidth=1.2, zorder=3))
            ax.text(x, y, f"[{j}]", ha="center", va="center", zorder=4,
                    fontsize=10 if labelled else 7)
            if labelled and k > 0:
                ax.text(x, y - radius - 0.08, f"b={float(bs[k - 1][j]):.2f}", ha="center",
                        va="top", fontsize=8.5, color="#6a3d9a", zorder=5,
                        bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none",
                              "alpha": 0.85})
            if k == 0 and inputs is not None and (labelled or len(shown[0]) == sz[0]):
                ax.text(x - radius - 0.12, y, _number(float(inputs[j])), ha="right",
                        va="center", fontsize=10 if labelled else 7, zorder=4)
        if len(shown[k]) < sz[k]:  # ellipsis in the skipped slot
            x, y = k * dx, node_y(k, len(shown[k]) - 1)
            ax.text(x, y, "\u22ee", ha="center", va="center", fontsize=16, zorder=4)
        ax.text(k * dx, top_y - 0.65, headers[k],
                ha="center", va="bottom", fontsize=10, fontweight="bold")

    if not labelled:
        from matplotlib.lines import Line2D

        handles = [Line2D([], [], color=_POSITIVE, linewidth=2, label="positive weight"),
                   Line2D([], [], color=_NEGATIVE, linewidth=2, label="negative weight")]
        ax.legend(handles=handles, loc="lower center", fontsize=8, frameon=False, ncol=2,
                  bbox_to_anchor=(0.5, 0.0))

    if title:
        fig.suptitle(title, fontsize=12, y=1.0 - 0.12 / fig.get_figheight(), va="top")
    return _save(fig, path)


def _number(v: float) -> str:
    """``3.0``, ``-4.5``, ``0.001234``: short, but always recognisably a float."""
    text = f"{v:.4g}"
    return text if any(c in text for c in ".en") else text + ".0"


def _with_alpha(color: str, alpha: float) -> tuple[float, float, float, float]:
    r, g, b = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return (r, g, b, alpha)


def _label_weights(
    ax: Axes,
    w: np.ndarray,
    src: dict[int, tuple[float, float]],
    dst: dict[int, tuple[float, float]],
    radius: float,
    placed: list[tuple[float, float]],
) -> None:
    """Write each weight on its line where it overlaps the fewest labels placed so far.

    Candidate spots run along the line between the two circles; the preferred spot is
    staggered by source node (lines from lower sources carry their labels further along) and
    a greedy search moves a label away from earlier labels and nodes in ``placed``.
    """
    half_w, half_h = 0.34, 0.17  # half a label box in data units (4 characters, 8 pt)
    candidates = np.linspace(0.18, 0.82, 17)
    n_src = len(src)
    for pos, (i, (x0, y0)) in enumerate(sorted(src.items())):
        preferred = 0.3 + 0.4 * (pos / (n_src - 1)) if n_src > 1 else 0.4
        for j, (x1, y1) in sorted(dst.items()):
            xa, xb = x0 + radius, x1 - radius
            best = None
            for t in candidates:
                x = xa + t * (xb - xa)
                y = y0 + (x - x0) / (x1 - x0) * (y1 - y0)
                cost = 0.0
                for px, py in placed:
                    ox = 2 * half_w - abs(x - px)
                    oy = 2 * half_h - abs(y - py)
                    if ox > 0 and oy > 0:
                        cost += ox * oy
                key = (round(cost, 6), abs(t - preferred))
                if best is None or key < best[0]:
                    best = (key, x, y)
            assert best is not None
            _, x, y = best
            placed.append((x, y))
            angle = math.degrees(math.atan2(y1 - y0, x1 - x0))
            ax.text(x, y, f"{float(w[i, j]):.2f}", ha="center", va="center", fontsize=8,
                    rotation=angle, rotation_mode="anchor", transform_rotates_text=True,
                    zorder=2, bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none",
                                    "alpha": 0.9})
