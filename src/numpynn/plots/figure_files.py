"""A matplotlib Figure without pyplot, and writing it to an image file atomically.

matplotlib is an optional dependency (``pip install numpynn[plot]``), imported only when a
picture is drawn. Figures are built with :class:`matplotlib.figure.Figure` directly, never
through ``pyplot``, so drawing touches no global state, needs no display and is safe from
several threads.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

from ..io.atomic import atomic_open

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def figure_class() -> type[Figure]:
    """:class:`matplotlib.figure.Figure`, or an ImportError that says how to install it."""
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - exercised only without matplotlib
        raise ImportError(
            "numpynn.plots needs matplotlib; install it with: pip install 'numpynn[plot]'"
        ) from exc
    return Figure


def save_figure(fig: Figure, path: str | PathLike[str]) -> Path:
    """Write ``fig`` to ``path`` atomically; the format comes from the suffix (default PNG).

    The image goes to a temporary file in the target directory, then is renamed over
    ``path``: a reader never sees half a file and a failed write keeps the old one.

    Raises
    ------
    ValueError
        The suffix names no format matplotlib writes, or the directory does not exist.
    """
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
