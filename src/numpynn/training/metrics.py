"""Loss and accuracy of a network on checked data: the validation figures (of ``fit`` and
of the scikit-learn estimators) and the per-iteration figures of L-BFGS."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..core.label_smoothing import check_label_smoothing, smoothed_rows
from ..core.losses import class_indices, output_and_loss
from .data import CLASSIFYING_OUTPUTS, TrainingData, take_rows
from .penalty import L2Penalty, make_l2_penalty

if TYPE_CHECKING:  # pragma: no cover
    from ..network import NeuralNetwork

__all__ = ["accuracy_of", "evaluate_loss", "outputs_and_loss"]


def accuracy_of(output_activation: str, outputs: np.ndarray, target: np.ndarray) -> float:
    """Fraction of samples classified right (all outputs right, for multi-label)."""
    if output_activation == "logistic" and outputs.shape[1] > 1:
        return float(((outputs >= 0.5) == (target >= 0.5)).all(axis=1).mean())
    predicted = (outputs[:, 0] >= 0.5) if outputs.shape[1] == 1 else outputs.argmax(axis=1)
    return float((predicted == class_indices(target)).mean())


def outputs_and_loss(network: NeuralNetwork, data: TrainingData,
                     label_smoothing: float = 0.0) -> tuple[np.ndarray, float]:
    """The outputs on a data set and its mean loss (without any penalty).

    Parameters
    ----------
    network : NeuralNetwork
    data : TrainingData
    label_smoothing : float, default 0.0
        Softmax outputs with integer labels: the loss against rows smoothed by this much
        (the loss a label-smoothed training lowers).

    Returns
    -------
    outputs : ndarray, shape (data.n, sizes[-1]), the network's dtype
    loss : float
        ``sum_i w_i loss_i / sum_i w_i``.
    """
    if data.rows is None:
        outputs = network._forward(data.X, apply_output=False)
    else:  # gather the set's rows block by block rather than copying them all
        outputs = np.empty((data.n, network.sizes[-1]), dtype=network.theta.dtype)
        block = 1 << 14
        for start in range(0, data.n, block):
            part = take_rows(data.X, data.rows[start : start + block])
            outputs[start : start + block] = network._forward(part, apply_output=False)
    label_smoothing = check_label_smoothing(label_smoothing)
    targets = data.targets()
    if label_smoothing and network.output_activation == "softmax" and targets.ndim == 1:
        targets = smoothed_rows(targets, outputs.shape[1], label_smoothing)
    loss_sum = output_and_loss(network.output_activation, outputs, targets, data.weights())
    return outputs, loss_sum / data.total_weight()


def evaluate_loss(
    network: NeuralNetwork, data: TrainingData, l2: float | L2Penalty | None = 0.0,
    label_smoothing: float = 0.0,
) -> tuple[float, float | None]:
    """Mean loss (with the L2 term) and accuracy (None for regression outputs) on data.

    Parameters
    ----------
    network : NeuralNetwork
    data : TrainingData
    l2 : float or L2Penalty, default 0.0
        The L2 strength, or the penalty object of a training run.
    label_smoothing : float, default 0.0
        The loss against smoothed labels (softmax, integer labels); accuracy is the
        labels' own.
    """
    outputs, loss = outputs_and_loss(network, data, label_smoothing)
    penalty = l2 if isinstance(l2, L2Penalty) or l2 is None else make_l2_penalty(l2, network)
    if penalty is not None:
        loss += penalty.loss(network.theta)
    accuracy = None
    if network.output_activation in CLASSIFYING_OUTPUTS:
        accuracy = accuracy_of(network.output_activation, outputs, data.targets())
    return loss, accuracy
