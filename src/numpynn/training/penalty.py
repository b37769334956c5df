"""The L2 penalty on the weights (biases excluded): the one place it is computed.

Mini-batch training, the L-BFGS objective, the validation figures and the scikit-learn
estimators all add it through :class:`L2Penalty`; how it scales with the batch is the
only thing that differs (:class:`BatchScaledL2Penalty`: scikit-learn's ``alpha``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.checks import check_number

__all__ = ["L2Penalty", "BatchScaledL2Penalty", "make_l2_penalty"]


class L2Penalty:
    """``(strength / 2) * sum(w ** 2)`` over every weight; gradient ``strength * w``.

    Parameters
    ----------
    strength : float >= 0
    weight_mask : ndarray of bool, shape (num_weights,)
        True where ``theta`` holds a weight (:meth:`NeuralNetwork.weight_mask`).
    """

    def __init__(self, strength: float, weight_mask: np.ndarray) -> None:
        self.strength = check_number("l2", strength, 0.0)
        # 0/1 of theta's dtype: theta * mask is the weights with zeros for the biases, in
        # one pass (float32 until it meets a float64 theta, see _buffers).
        self.mask = np.asarray(weight_mask, dtype=np.float32)
        self._scratch = np.empty_like(self.mask)

    def _buffers(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The mask and the scratch vector in theta's dtype (converted once)."""
        if self.mask.dtype != theta.dtype:
            self.mask = self.mask.astype(theta.dtype)
            self._scratch = np.empty_like(self.mask)
        return self.mask, self._scratch

    def coefficient(self, batch_weight: float) -> float:
        """What multiplies ``w`` in the gradient of a batch of this total sample weight."""
        return self.strength

    def loss_from(self, squared_norm: float, batch_weight: float) -> float:
        """The loss term of a batch from ``sum(w ** 2)``."""
        return 0.5 * self.strength * squared_norm

    def add(self, theta: np.ndarray, grad: np.ndarray, batch_weight: float,
            with_loss: bool = False) -> float:
        """Add the penalty's gradient to ``grad`` in place.

        Parameters
        ----------
        theta, grad : ndarray, shape (num_weights,), float32 or float64 (one dtype)
        batch_weight : float
            Total sample weight of the batch (rows, when unweighted).
        with_loss : bool, default False
            Also return the penalty's loss term (one more pass over theta).

        Returns
        -------
        float
            The loss term, or 0.0 without ``with_loss``.
        """
        mask, scratch = self._buffers(theta)
        np.multiply(theta, mask, out=scratch)
        term = self.loss_from(float(np.dot(scratch, theta)), batch_weight) if with_loss else 0.0
        scratch *= scratch.dtype.type(self.coefficient(batch_weight))
        grad += scratch
        return term

    def loss(self, theta: np.ndarray, batch_weight: float = 1.0) -> float:
        """The loss term at ``theta``, shape (num_weights,)."""
        mask, scratch = self._buffers(theta)
        np.multiply(theta, mask, out=scratch)
        return self.loss_from(float(np.dot(scratch, theta)), batch_weight)


class BatchScaledL2Penalty(L2Penalty):
    """scikit-learn's L2: ``alpha * w / batch_weight`` in the gradient, and
    ``0.5 * alpha * sum(w ** 2) / batch_weight`` added to each batch's loss."""

    def coefficient(self, batch_weight: float) -> float:
        return self.strength / batch_weight

    def loss_from(self, squared_norm: float, batch_weight: float) -> float:
        return 0.5 * self.strength * squared_norm / batch_weight


def make_l2_penalty(strength: float, network: Any) -> L2Penalty | None:
    """An :class:`L2Penalty` for ``network``, or None when ``strength`` is 0."""
    strength = check_number("l2", strength, 0.0)
    return L2Penalty(strength, network.weight_mask()) if strength > 0 else None
