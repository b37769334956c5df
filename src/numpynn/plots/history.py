"""Training curves: loss, and accuracy when recorded, per epoch (:func:`plot_history`).

For a regression on a standardised target the loss (half the mean squared error of the
standardised values) can be drawn as the RMSE in the target's own units instead.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .figure_files import figure_class, save_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_history"]

_TRAIN = "#1f77b4"
_VALID = "#ff7f0e"


def plot_history(
    history: Any,
    path: str | PathLike[str],
    *,
    title: str | None = None,
    target_scale: float | None = None,
    target_name: str | None = None,
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
    target_scale : float, optional
        Regression: the standard deviation the target was divided by before training
        (``TargetEncoder.std``). The loss panel then shows ``sqrt(2 * loss) * target_scale``,
        the RMSE in the target's units (the training curve includes any L2 penalty).
    target_name : str, optional
        The target's name, for the y-axis of that RMSE panel.

    Returns
    -------
    pathlib.Path
        The image file written, ``path``.

    Raises
    ------
    ValueError
        No loss values at all, ``best_epoch`` outside the recorded epochs, a
        ``target_scale`` that is not a positive finite number, or an unknown image format or
        missing directory.
    TypeError
        A series is not a list of numbers / ``None``, or ``best_epoch`` is not an int.
    ImportError
        matplotlib is not installed.
    """
    Figure = figure_class()
    loss, val_loss = _series(history, "loss"), _series(history, "val_loss")
    acc, val_acc = _series(history, "accuracy"), _series(history, "val_accuracy")
    if not (np.isfinite(loss).any() or np.isfinite(val_loss).any()):
        raise ValueError("plot_history: history has no finite 'loss' or 'val_loss' values")
    best = _best_epoch(history, max(len(loss), len(val_loss), len(acc), len(val_acc)))
    loss, val_loss, name, axis_label = _loss_or_rmse(loss, val_loss, target_scale, target_name)
    fig = _draw_panels(Figure, (loss, val_loss), (acc, val_acc), best, name, axis_label)
    if title:
        fig.suptitle(title)
    return save_figure(fig, path)


def _loss_or_rmse(loss: np.ndarray, val_loss: np.ndarray, target_scale: Any,
                  target_name: str | None) -> tuple[np.ndarray, np.ndarray, str, str]:
    """The loss curves, their name and y-axis label; with ``target_scale``, the RMSE in the
    target's units, ``sqrt(2 * loss) * target_scale``, instead."""
    if target_scale is None:
        return loss, val_loss, "loss", "loss"
    scale = _check_scale(target_scale)
    loss, val_loss = (np.sqrt(2.0 * np.clip(s, 0.0, None)) * scale for s in (loss, val_loss))
    what = f" of {target_name}" if target_name else ""
    return loss, val_loss, "RMSE", f"RMSE{what} (in the target's units)"


def _draw_panels(figure_cls: type[Figure], losses: tuple[np.ndarray, np.ndarray],
                 accuracies: tuple[np.ndarray, np.ndarray], best: int | None, name: str,
                 axis_label: str) -> Figure:
    """A figure with the loss panel and, when any accuracy is recorded, the accuracy one."""
    acc, val_acc = accuracies
    has_acc = bool(np.isfinite(acc).any() or np.isfinite(val_acc).any())
    fig = figure_cls(figsize=(11.0 if has_acc else 6.5, 4.2), layout="constrained")
    axes = fig.subplots(1, 2 if has_acc else 1, squeeze=False)[0]
    _curves(axes[0], *losses, best, name)
    axes[0].set_ylabel(axis_label)
    if has_acc:
        _curves(axes[1], acc, val_acc, best, "accuracy")
        axes[1].set_ylim(min(0.0, float(np.nanmin(np.concatenate([acc, val_acc])))) - 0.02,
                         1.02)
    return fig


def _check_scale(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(float(value)) or float(value) <= 0:
        raise ValueError(f"plot_history: target_scale must be a positive finite number, got "
                         f"{value!r}")
    return float(value)


def _field(history: Any, key: str) -> Any:
    """``history[key]`` for a mapping, ``history.key`` otherwise; ``None`` when absent."""
    if isinstance(history, Mapping):
        return history.get(key)
    return getattr(history, key, None)


def _series(history: Any, key: str) -> np.ndarray:
    """Per-epoch values of ``key`` as float64 with NaN for gaps; empty if absent."""
    raw = _field(history, key)
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


def _best_epoch(history: Any, n_epochs: int) -> int | None:
    """The 0-based ``best_epoch`` of ``history``, checked against the recorded epochs."""
    best = _field(history, "best_epoch")
    if best is None:
        return None
    if isinstance(best, bool) or not isinstance(best, (int, np.integer)):
        raise TypeError(
            f"plot_history: best_epoch must be an int or None, got {type(best).__name__}"
        )
    if not 0 <= best < n_epochs:
        raise ValueError(
            f"plot_history: best_epoch={best} is outside the {n_epochs} recorded epochs"
        )
    return int(best)


def _curves(ax: Axes, train: np.ndarray, valid: np.ndarray, best: int | None, name: str) -> None:
    """Draw one panel: the training and validation curves of ``name``, and the best epoch."""
    from matplotlib.ticker import MaxNLocator

    for values, label, color in ((train, "training", _TRAIN), (valid, "validation", _VALID)):
        if np.isfinite(values).any():
            epochs = np.arange(1, len(values) + 1)
            single = np.isfinite(values).sum() == 1 or len(values) <= 30
            ax.plot(epochs, values, color=color, label=label, linewidth=1.6,
                    marker="o" if single else None, markersize=3)
    if best is not None:
        _mark_best(ax, train, valid, best)
    finite = np.concatenate([train[np.isfinite(train)], valid[np.isfinite(valid)]])
    if name != "accuracy" and finite.size and finite.min() > 0 and \
            finite.max() / finite.min() > 100:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(name)
    ax.set_title(name)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize=9)


def _mark_best(ax: Axes, train: np.ndarray, valid: np.ndarray, best: int) -> None:
    """A dashed line at the best epoch, and a star on the validation (else training) curve."""
    ref = valid if len(valid) > best and np.isfinite(valid[best]) else train
    ax.axvline(best + 1, color="0.35", linestyle="--", linewidth=1.0)
    if len(ref) > best and np.isfinite(ref[best]):
        ax.plot([best + 1], [ref[best]], marker="*", markersize=13, color="#2ca02c",
                markeredgecolor="black", linestyle="none",
                label=f"best epoch {best + 1} ({ref[best]:.4g})")
    else:
        ax.plot([], [], color="0.35", linestyle="--", label=f"best epoch {best + 1}")
