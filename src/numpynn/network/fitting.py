"""The training methods of :class:`~numpynn.network.NeuralNetwork`: the mean loss and
its gradient, the L2 penalty's parts, and ``fit``.

They are written here as functions of ``self`` and bound in the class body
(``NeuralNetwork.fit = fit``), so that the model's file stays short; each delegates to
the training layer (:func:`numpynn.training.fit`, :mod:`numpynn.core.backprop`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.backprop import Workspace, full_loss_and_gradient
from ..core.checks import check_number

if TYPE_CHECKING:  # pragma: no cover
    from ..training import History
    from .model import NeuralNetwork

__all__ = ["loss_and_gradient", "loss_and_gradient_checked", "add_l2",
           "sum_of_squared_weights", "fit"]


# training/gradcheck.py's gradcheck takes these arguments on purpose: it checks this function.
def loss_and_gradient(
    self: NeuralNetwork,
    X: Any,
    y: Any,
    l2: float = 0.0,
    sample_weight: Any = None,
) -> tuple[float, np.ndarray]:
    """Mean loss over the samples and its gradient with respect to every parameter.

    Parameters
    ----------
    X : array_like, shape (n, sizes[0])
    y : array_like
        Labels (n,) or rows (n, k); see :func:`numpynn.losses.prepare_target`.
    l2 : float, default 0.0
        Adds ``(l2 / 2) * sum(w ** 2)`` over every weight (biases excluded).
    sample_weight : array_like, shape (n,), optional
        The loss becomes ``sum(w_i loss_i) / sum(w_i)``.

    Returns
    -------
    loss : float
    gradient : ndarray, shape (num_weights,), the network's dtype
        In the same flat order as ``theta``.
    """
    from ..training.data import check_training_data

    data = check_training_data(self, X, y, sample_weight)
    grad = np.empty(self.num_weights, dtype=self.dtype)
    loss = self._loss_and_gradient_checked(data.X, data.target, data.sample_weight, grad)
    return self._add_l2(loss, grad, float(l2)), grad


def loss_and_gradient_checked(self: NeuralNetwork, X: np.ndarray, target: np.ndarray,
                              sample_weight: np.ndarray | None, grad: np.ndarray,
                              workspace: Workspace | None = None) -> float:
    """Full-data mean loss (without l2) and gradient into ``grad``, block by block
    (see :func:`numpynn.core.backprop.full_loss_and_gradient`)."""
    return full_loss_and_gradient(self, X, target, sample_weight, grad, workspace)


def add_l2(self: NeuralNetwork, loss: float, grad: np.ndarray, l2: float) -> float:
    """``loss`` plus the L2 penalty ``(l2 / 2) * sum(w ** 2)``; its gradient is added
    to ``grad`` (shape (num_weights,)) in place."""
    l2 = check_number("l2", l2, 0.0)
    if l2 == 0.0:
        return loss
    grad_weights, _ = self.views_of(grad)
    for w, gw in zip(self.weights, grad_weights):
        gw += self.dtype.type(l2) * w
    return loss + 0.5 * l2 * self.sum_of_squared_weights()


def sum_of_squared_weights(self: NeuralNetwork) -> float:
    """``sum(w ** 2)`` over every weight (biases excluded): the L2 penalty's sum."""
    return sum(float(np.dot(w.ravel(), w.ravel())) for w in self.weights)


# Deliberately the same explicit signature as numpynn.training.fit (no **options), so that
# help() and editors show every keyword here too (duplicates: a commented exception).
def fit(
    self: NeuralNetwork,
    X: Any,
    y: Any,
    *,
    epochs: int = 100,
    batch_size: int = 32,
    optimizer: Any = "adam",
    learning_rate: float | None = None,
    l2: float = 0.0,
    dropout: float = 0.0,
    shuffle: bool = True,
    seed: int | np.random.Generator | None = None,
    validation_data: tuple[Any, Any] | None = None,
    validation_split: float = 0.0,
    sample_weight: Any = None,
    class_weight: Any = None,
    callbacks: Sequence[Any] = (),
    progress: bool = False,
    early_stopping: bool = False,
    patience: int = 10,
    checkpoint_dir: str | os.PathLike | None = None,
    resume: bool = False,
) -> History:
    """Train by back-propagation: :func:`numpynn.training.fit` on this network.

    Parameters
    ----------
    X : array_like, shape (n, sizes[0])
    y : array_like
        Labels (n,) or rows (n, k), as the output activation wants.
    epochs, batch_size, optimizer, learning_rate, l2, dropout, shuffle, seed
        The run; an optimizer object carries its own learning rate, schedule and gradient
        clipping (``Adam(learning_rate=0.01, schedule="cosine", clip_norm=1.0)``).
    validation_data, validation_split, sample_weight, class_weight
        The data.
    callbacks, progress, early_stopping, patience, checkpoint_dir, resume
        Callbacks (:class:`numpynn.EarlyStopping`, :class:`numpynn.Checkpoint`, ...,
        or plain functions of the logs dict), and the keywords that stand for them.

    Returns
    -------
    History
        Per-epoch ``loss``, ``val_loss``, ``accuracy``, ``val_accuracy``, ``best_epoch``.

    Raises
    ------
    ValueError, TypeError
        Bad input, or options the optimizer cannot honour: before any training.
    TrainingDivergedError
        The loss became NaN or inf; the network keeps its last finite weights.
    """
    from ..training import fit

    return fit(self, X, y, epochs=epochs, batch_size=batch_size, optimizer=optimizer,
               learning_rate=learning_rate, l2=l2, dropout=dropout, shuffle=shuffle,
               seed=seed, validation_data=validation_data, validation_split=validation_split,
               sample_weight=sample_weight, class_weight=class_weight, callbacks=callbacks,
               progress=progress, early_stopping=early_stopping, patience=patience,
               checkpoint_dir=checkpoint_dir, resume=resume)
