"""Forward + backward of one batch through a table network (input block + dense stack).

:class:`TableWorkspace` has the protocol of :class:`numpynn.core.backprop.Workspace`
(``forward_backward`` and ``last_correct``), so the one training engine drives it; it adds
what the tabular recipe needs: a dropout rate that may change between batches (scheduled
dropout), label smoothing, and gradients that flow through the dense stack into the
per-feature scale, the embedding tables and the periodic embeddings.  It belongs to one
training run, never to the network, so ``eval`` stays safe in many threads.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import activations as act
from ..checks import check_number
from ..label_smoothing import check_label_smoothing, smoothed_rows
from ..losses import class_indices, delta_in_place, output_and_loss
from .input_block import features_into, input_block_gradients
from .periodic import PeriodicCache

__all__ = ["TableWorkspace"]


class TableWorkspace:
    """Buffers for forward and backward passes over at most ``rows`` rows.

    Parameters
    ----------
    network : TabularNetwork
        Anything with ``input_layout``, ``views``, ``hidden_activations`` and
        ``output_activation``.
    rows : int
        Largest batch served.
    dropout : float in [0, 1), default 0.0
        Inverted dropout after every hidden activation; :attr:`dropout` may change later.
    rng : numpy.random.Generator, optional
        Source of the dropout masks.
    label_smoothing : float in [0, 1), default 0.0
        Softmax outputs with integer labels train on smoothed rows
        (:func:`numpynn.core.label_smoothing.smoothed_rows`).
    """

    def __init__(self, network: Any, rows: int, dropout: float = 0.0,
                 rng: np.random.Generator | None = None, label_smoothing: float = 0.0) -> None:
        self.network = network
        self.rows = rows
        layout = network.input_layout
        sizes = layout.dense.sizes
        self.features = np.empty((rows, layout.n_features), dtype=np.float32)
        self.scaled = np.empty_like(self.features) if layout.front_scale else self.features
        self.input_delta = np.empty_like(self.features)
        self.periodic = (PeriodicCache(rows, len(layout.periodic), layout.periodic_frequencies)
                         if layout.periodic else None)
        self.values = [np.empty((rows, s), dtype=np.float32) for s in sizes[1:]]
        self.deltas = [np.empty((rows, s), dtype=np.float32) for s in sizes[1:-1]]
        self.pre = [np.empty((rows, s), dtype=np.float32) if name in act.NEEDS_PRE_ACTIVATION
                    else None for s, name in zip(sizes[1:-1], network.hidden_activations)]
        widest = max(max(sizes[1:-1], default=1), layout.n_features)
        self.float_scratch = np.empty(rows * widest, dtype=np.float32)
        self.bool_scratch = np.empty(rows * widest, dtype=bool)
        self.ones = np.ones(rows, dtype=np.float32)
        self.smoothed = np.empty((rows, sizes[-1]), dtype=np.float32)
        self.rng = rng if rng is not None else np.random.default_rng()
        self.label_smoothing = check_label_smoothing(label_smoothing)
        self.masks: list[np.ndarray] | None = None
        self.dropout = dropout
        self._grad_views: tuple[np.ndarray, Any] | None = None
        self.last_correct = 0

    @property
    def dropout(self) -> float:
        """The dropout rate of the next batches (settable: scheduled dropout)."""
        return self._dropout

    @dropout.setter
    def dropout(self, rate: float) -> None:
        self._dropout = check_number("dropout", rate, 0.0, 1.0, high_inclusive=False)
        if self._dropout > 0 and self.masks is None:
            sizes = self.network.input_layout.dense.sizes
            self.masks = [np.empty((self.rows, s), dtype=np.float32) for s in sizes[1:-1]]
            self.dropped = [np.empty((self.rows, s), dtype=np.float32) for s in sizes[1:-1]]

    def _scratch(self, shape: tuple[int, int], kind: type = np.float32) -> np.ndarray:
        buffer = self.float_scratch if kind is np.float32 else self.bool_scratch
        return buffer[:shape[0] * shape[1]].reshape(shape)

    def _views_of_grad(self, grad: np.ndarray) -> Any:
        cached = self._grad_views
        if cached is None or cached[0] is not grad:
            cached = (grad, self.network.input_layout.views_of(grad))
            self._grad_views = cached
        return cached[1]

    def forward_backward(self, X: np.ndarray, target: np.ndarray,
                         sample_weight: np.ndarray | None, scale: float, grad: np.ndarray,
                         count_correct: bool = False) -> float:
        """One forward and backward pass over a batch.

        Parameters
        ----------
        X : ndarray, shape (n, n_inputs), float32, n <= rows
        target : ndarray, labels (n,) or float32 rows (n, k)
        sample_weight : ndarray, shape (n,), float32, optional
        scale : float
            Multiplies the output delta: ``1 / sum(w)`` for a mean loss.
        grad : ndarray, shape (num_weights,), float32
            Overwritten with the gradient of ``scale * sum_i w_i loss_i``.
        count_correct : bool, default False
            Set ``last_correct`` (rows whose predicted class is the target's).

        Returns
        -------
        float
            ``sum_i w_i loss_i`` over the batch (with smoothed labels when smoothing).
        """
        net = self.network
        layout, views = net.input_layout, net.views
        grad_views = self._views_of_grad(grad)
        n = X.shape[0]
        features = self.features[:n]
        codes = features_into(X, layout, views, features, cache=self.periodic)
        stack_input = features
        if views.scale is not None:
            stack_input = np.multiply(features, views.scale, out=self.scaled[:n])
        inputs = self._forward_hidden(stack_input)
        z = self.values[-1][:n]
        np.matmul(inputs[-1], views.weights[-1], out=z)
        loss_sum = self._output_layer(z, views.biases[-1], target, sample_weight, scale,
                                      grad_views.biases[-1], count_correct)
        needs_input_delta = (views.scale is not None or codes is not None
                             or self.periodic is not None)
        delta = self._backward(inputs, z, grad_views, needs_input_delta)
        if needs_input_delta:
            input_block_gradients(features, codes, delta, layout, views, grad_views,
                                  self._scratch(delta.shape), self.periodic)
        return loss_sum

    def _forward_hidden(self, a: np.ndarray) -> list[np.ndarray]:
        """Hidden layers' values into ``self.values``; every layer's input, ``a`` first."""
        net = self.network
        views, n = net.views, a.shape[0]
        inputs = [a]
        for layer, name in enumerate(net.hidden_activations):
            z = self.values[layer][:n]
            np.matmul(a, views.weights[layer], out=z)
            z += views.biases[layer]
            if self.pre[layer] is not None:
                self.pre[layer][:n] = z
            act.apply_hidden(name, z, self._scratch(z.shape))
            a = z
            if self._dropout > 0:
                mask = self.masks[layer][:n]
                self.rng.random(out=mask, dtype=np.float32)
                np.greater_equal(mask, np.float32(self._dropout), out=mask)
                mask *= np.float32(1.0 / (1.0 - self._dropout))
                a = np.multiply(z, mask, out=self.dropped[layer][:n])
            inputs.append(a)
        return inputs

    def _backward(self, inputs: list[np.ndarray], delta: np.ndarray, grad_views: Any,
                  needs_input_delta: bool) -> np.ndarray | None:
        """Weight gradients of every layer, bias gradients below the output layer; returns
        the gradient with respect to the stack's input (None unless asked for)."""
        net = self.network
        views, n = net.views, delta.shape[0]
        for layer in range(len(views.weights) - 1, -1, -1):
            np.matmul(inputs[layer].T, delta, out=grad_views.weights[layer])
            if layer == 0:
                if not needs_input_delta:
                    return None
                return np.matmul(delta, views.weights[0].T, out=self.input_delta[:n])
            below = self.deltas[layer - 1][:n]
            np.matmul(delta, views.weights[layer].T, out=below)
            if self._dropout > 0:
                below *= self.masks[layer - 1][:n]
            pre = self.pre[layer - 1]
            act.multiply_by_derivative(
                net.hidden_activations[layer - 1], self.values[layer - 1][:n], below,
                self._scratch(below.shape, bool), self._scratch(below.shape),
                None if pre is None else pre[:n])
            np.matmul(self.ones[:n], below, out=grad_views.biases[layer - 1])
            delta = below
        return None  # pragma: no cover - the loop returns at layer 0

    def _output_layer(self, z: np.ndarray, bias: np.ndarray, target: np.ndarray,
                      sample_weight: np.ndarray | None, scale: float, grad_bias: np.ndarray,
                      count_correct: bool) -> float:
        """Overwrite the output sums ``z`` (without bias) with the delta; return the loss."""
        output = self.network.output_activation
        z += bias
        if count_correct:
            predicted = z.argmax(axis=1) if z.shape[1] > 1 else (z[:, 0] >= 0)
            self.last_correct = int(np.count_nonzero(predicted == class_indices(target)))
        if output == "softmax" and target.ndim == 1 and self.label_smoothing > 0:
            target = smoothed_rows(target, z.shape[1], self.label_smoothing, self.smoothed)
        loss_sum = output_and_loss(output, z, target, sample_weight)
        delta_in_place(z, target, sample_weight, scale)
        np.matmul(self.ones[:z.shape[0]], z, out=grad_bias)
        return loss_sum
