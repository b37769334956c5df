"""Loss and accuracy of a network on checked data (validation figures, L-BFGS iterations)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..core.losses import class_indices, output_and_loss
from .data import CLASSIFYING_OUTPUTS, TrainingData

if TYPE_CHECKING:  # pragma: no cover
    from ..network import NeuralNetwork

__all__ = ["accuracy_of", "evaluate_loss"]


def accuracy_of(output_activation: str, outputs: np.ndarray, target: np.ndarray) -> float:
    """Fraction of samples classified right (all outputs right, for multi-label)."""
    if output_activation == "logistic" and outputs.shape[1] > 1:
        return float(((outputs >= 0.5) == (target >= 0.5)).all(axis=1).mean())
    predicted = (outputs[:, 0] >= 0.5) if outputs.shape[1] == 1 else outputs.argmax(axis=1)
    return float((predicted == class_indices(target)).mean())


def evaluate_loss(
    network: NeuralNetwork, data: TrainingData, l2: float = 0.0
) -> tuple[float, float | None]:
    """Mean loss (with the l2 term) and accuracy (None for regression outputs) on data."""
    if data.rows is None:
        logits = network._forward(data.X, apply_output=False)
    else:  # gather the set's rows block by block rather than copying them all
        logits = np.empty((data.n, network.sizes[-1]), dtype=np.float32)
        block = 1 << 14
        for start in range(0, data.n, block):
            part = np.take(data.X, data.rows[start : start + block], axis=0)
            logits[start : start + block] = network._forward(part, apply_output=False)
    target = data.targets()
    loss_sum = output_and_loss(network.output_activation, logits, target, data.weights())
    loss = loss_sum / data.total_weight() + _l2_term(network, l2)
    accuracy = None
    if network.output_activation in CLASSIFYING_OUTPUTS:
        accuracy = accuracy_of(network.output_activation, logits, target)
    return loss, accuracy


def _l2_term(network: NeuralNetwork, l2: float) -> float:
    return 0.5 * l2 * network.sum_of_squared_weights() if l2 else 0.0
