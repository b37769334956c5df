"""Placing weight labels on the lines of a small network diagram, overlapping little."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes

_HALF_W, _HALF_H = 0.34, 0.17  # half a label box in data units (4 characters, 8 pt)
_CANDIDATES = np.linspace(0.18, 0.82, 17)  # spots along a line, as fractions of its length


def label_weights(
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

    Parameters
    ----------
    ax : matplotlib Axes
    w : ndarray, shape (fan_in, fan_out)
        The layer's weights.
    src, dst : dict of int -> (x, y)
        Centres of the drawn source and destination nodes, by node index.
    radius : float
        Node radius; lines start and end on the circles.
    placed : list of (x, y)
        Centres of the labels (and bias labels) placed so far; extended in place.
    """
    n_src = len(src)
    for pos, (i, (x0, y0)) in enumerate(sorted(src.items())):
        preferred = 0.3 + 0.4 * (pos / (n_src - 1)) if n_src > 1 else 0.4
        for j, (x1, y1) in sorted(dst.items()):
            x, y = _least_crowded_spot((x0, y0), (x1, y1), radius, preferred, placed)
            placed.append((x, y))
            angle = math.degrees(math.atan2(y1 - y0, x1 - x0))
            ax.text(x, y, f"{float(w[i, j]):.2f}", ha="center", va="center", fontsize=8,
                    rotation=angle, rotation_mode="anchor", transform_rotates_text=True,
                    zorder=2, bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none",
                                    "alpha": 0.9})


def _least_crowded_spot(
    p0: tuple[float, float],
    p1: tuple[float, float],
    radius: float,
    preferred: float,
    placed: list[tuple[float, float]],
) -> tuple[float, float]:
    """The spot on the line from node centre ``p0`` to ``p1``, between the two circles,
    whose label box overlaps ``placed`` least; ties go to the one nearest ``preferred``."""
    (x0, y0), (x1, y1) = p0, p1
    xa, xb = x0 + radius, x1 - radius
    best_key, best_xy = None, (xa, y0)
    for t in _CANDIDATES:
        x = xa + t * (xb - xa)
        y = y0 + (x - x0) / (x1 - x0) * (y1 - y0)
        cost = 0.0
        for px, py in placed:
            ox = 2 * _HALF_W - abs(x - px)
            oy = 2 * _HALF_H - abs(y - py)
            if ox > 0 and oy > 0:
                cost += ox * oy
        key = (round(cost, 6), abs(t - preferred))
        if best_key is None or key < best_key:
            best_key, best_xy = key, (x, y)
    return best_xy

