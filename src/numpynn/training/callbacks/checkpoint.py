"""Checkpoints: the model, the optimizer's state and every callback's state after each
epoch, written atomically; and resuming from the newest one, bit for bit."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from ...io import ModelContents, read_latest_checkpoint, write_checkpoint
from .base import Callback

__all__ = ["Checkpoint"]


def _checkpoint_arrays(arrays: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """The arrays of a read checkpoint under the dotted names they were written with.

    The one place that knows how numpynn.io hands them back: every version returns the
    names as written (``optimizer.m``, ``early_stopping.best_theta``), some with JSON
    scalars beside them, which the training state does not use.
    """
    return {name: value for name, value in arrays.items() if isinstance(value, np.ndarray)}


class Checkpoint(Callback):
    """Write a checkpoint into ``directory`` after every epoch (the last two are kept).

    A checkpoint holds the model, the optimizer's state (moments, step count), the
    random generator, the history and the state of every callback that has one, so that
    a run killed at any moment -- even with SIGKILL -- continues bit for bit as if never
    interrupted (``resume=True``).  Mini-batch optimizers only.

    Parameters
    ----------
    directory : str or path-like
        Created when missing.
    resume : bool, default False
        Before training, continue from the newest checkpoint in ``directory`` (when there
        is one): weights, optimizer, generator, history and callback states.
    """

    order = 100  # last: it saves the state every other callback has after the epoch
    requires = frozenset({"checkpoints"})

    def __init__(self, directory: str | os.PathLike, resume: bool = False) -> None:
        if not isinstance(directory, (str, os.PathLike)):
            raise TypeError(f"directory must be a path, got {directory!r}")
        self.directory = directory
        self.resume = bool(resume)

    def on_train_begin(self, trainer):
        super().on_train_begin(trainer)
        if self.resume:
            self._resume()

    def _resume(self) -> None:
        found = read_latest_checkpoint(self.directory)
        if found is None:
            return
        contents, arrays, training_state = found
        network = self.trainer.network
        if (tuple(contents.sizes) != tuple(network.sizes)
                or tuple(contents.hidden_activations) != tuple(network.hidden_activations)
                or contents.output_activation != network.output_activation):
            raise ValueError(f"the checkpoint in {self.directory} is for a different network "
                             f"({contents.sizes}), not {network.sizes}")
        if contents.theta.dtype != network.theta.dtype:
            raise ValueError(f"the checkpoint in {self.directory} is of a {contents.theta.dtype} "
                             f"network, not {network.theta.dtype}: resume with that dtype")
        # Everything is checked before anything changes (the weights last).
        self.trainer.load_checkpoint_state(training_state, _checkpoint_arrays(arrays),
                                           theta=contents.theta)

    def on_epoch_end(self, epoch, logs):
        training_state, arrays = self.trainer.checkpoint_state(epoch)
        net = self.trainer.network
        contents = ModelContents(net.sizes, net.hidden_activations, net.output_activation,
                                 net.theta, dict(net.metadata))
        write_checkpoint(self.directory, contents, arrays, training_state)
