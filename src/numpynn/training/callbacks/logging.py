"""Callbacks that report: a progress bar and the history as a CSV file."""

from __future__ import annotations

import csv
import math
import os
from typing import Any

from ...io.atomic import atomic_open
from ..progress import EpochProgress
from .base import Callback

__all__ = ["ProgressBar", "CSVLogger"]


class ProgressBar(Callback):
    """Per-epoch progress on stderr (:class:`~numpynn.training.progress.EpochProgress`):
    a tqdm bar on a terminal, a plain line every tenth of the run elsewhere."""

    def __init__(self) -> None:
        self._bar: EpochProgress | None = None

    def on_epoch_begin(self, epoch):
        if self._bar is None:  # here, not at train begin: a resumed run starts later
            self._bar = EpochProgress(self.trainer.epochs, epoch, enabled=True)

    def on_epoch_end(self, epoch, logs):
        self._bar(logs)

    def close(self):
        if self._bar is not None:
            self._bar.close()
            self._bar = None


class CSVLogger(Callback):
    """The history as a CSV file, rewritten atomically after every epoch.

    Columns: ``epoch`` (from 1), ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``,
    ``learning_rate`` (empty where a figure does not apply).  The whole file is written
    from the run's history each time, so after a resume it holds every epoch exactly once.

    Parameters
    ----------
    path : str or path-like
    """

    columns = ("loss", "accuracy", "val_loss", "val_accuracy", "learning_rate")

    def __init__(self, path: str | os.PathLike) -> None:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a path, got {path!r}")
        self.path = path

    def on_epoch_end(self, epoch, logs):
        history = self.trainer.history
        with atomic_open(self.path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(("epoch", *self.columns))
            for row in range(history.epochs):
                writer.writerow((row + 1, *(_cell(getattr(history, name), row)
                                            for name in self.columns)))


def _cell(values: list[float], row: int) -> Any:
    if row >= len(values) or math.isnan(values[row]):
        return ""
    return repr(float(values[row]))
