"""Per-epoch progress for training: a tqdm bar on a terminal, plain lines elsewhere."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from typing import Any

__all__ = ["EpochProgress"]


class EpochProgress:
    """Per-epoch progress on stderr; call it with each epoch's figures (a ``fit`` callback).

    On a terminal: a tqdm bar ``epoch 37/100 |###  | 00:03 left, loss 0.0512 val_loss 0.0732
    acc 0.983 val_acc 0.967``; where the terminal is too narrow for that and a bar of
    :data:`MIN_BAR_CELLS` cells, the figures get shorter (``val_loss 0.0732 val_acc 0.967``
    at 80 columns). Elsewhere (a log file, a pipe): one plain line every tenth of the run,
    so logs stay readable.
    """

    #: The bar keeps at least this many cells when shorter figures can make room for it.
    MIN_BAR_CELLS = 20

    def __init__(self, total: int, initial: int, *, enabled: bool) -> None:
        self.total = total
        self.initial = initial
        self.enabled = enabled and initial < total
        self.bar = None
        self.started = time.monotonic()
        self.step = max(1, (total - initial) // 10)
        if not self.enabled or not sys.stderr.isatty():
            return
        try:
            from tqdm.auto import tqdm
        except ImportError:
            return
        try:  # a pseudo-terminal may report a 0 x 0 screen, where tqdm would print nothing
            sized = min(os.get_terminal_size(sys.stderr.fileno())) > 0
        except (OSError, ValueError):
            sized = False
        self.bar = tqdm(
            total=total, initial=initial, file=sys.stderr, leave=True, desc="epoch",
            dynamic_ncols=sized, ncols=None if sized else 80, nrows=None if sized else 24,
            # time left before the figures: a narrow terminal cuts the end of the line
            bar_format="{desc} {n_fmt}/{total_fmt} |{bar}| {remaining} left{postfix}",
        )

    @staticmethod
    def figures(logs: Mapping[str, Any], width: int | None = None) -> str:
        """The epoch's figures in at most ``width`` characters when a shorter form fits:
        all four, then the validation ones only, then the first alone."""
        parts = []
        for key, name, digits in (("loss", "loss", 4), ("val_loss", "val_loss", 4),
                                  ("accuracy", "acc", 3), ("val_accuracy", "val_acc", 3)):
            value = logs.get(key)
            if value is not None:
                shown = f"{value:.{digits}f}" if abs(value) < 1e4 else f"{value:.4g}"
                parts.append(f"{name} {shown}")
        forms = [parts]
        validation = [p for p in parts if p.startswith("val_")]
        if validation and len(validation) < len(parts):
            forms.append(validation)
        forms.append(parts[:1])
        for form in forms:
            text = " ".join(form)
            if width is None or len(text) <= width:
                return text
        return text

    def _figures_width(self) -> int | None:
        """Characters the bar's figures may take so that the bar keeps its minimum width."""
        ncols = self.bar.format_dict.get("ncols") if self.bar is not None else None
        if not ncols:
            return None
        # "epoch 37/100 |", "| 00:03 left, ": all of the line but the bar and the figures
        fixed = len(f"epoch {self.total}/{self.total} |") + len("| 00:00 left, ")
        return max(0, ncols - fixed - self.MIN_BAR_CELLS)

    def __call__(self, logs: Mapping[str, Any]) -> None:
        if not self.enabled:
            return
        epoch = int(logs["epoch"]) + 1
        if self.bar is not None:
            self.bar.set_postfix_str(self.figures(logs, self._figures_width()), refresh=False)
            self.bar.update(1)
            return
        done = epoch - self.initial
        if done % self.step and epoch != self.total:
            return
        elapsed = time.monotonic() - self.started
        left = elapsed / done * (self.total - epoch)
        print(f"epoch {epoch}/{self.total} {self.figures(logs)} "
              f"[{_duration(elapsed)} elapsed, {_duration(left)} left]",
              file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _duration(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
