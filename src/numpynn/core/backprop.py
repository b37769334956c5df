"""Buffers and the forward + backward pass of one batch (back-propagation).

A :class:`Workspace` belongs to one ``fit`` (or one ``loss_and_gradient``) call, never to
the network, so concurrent ``eval`` calls stay safe.  Its buffers have the network's dtype
(float32 or float64); a batch of X may be a SciPy CSR matrix, which the first layer
multiplies as it is (:mod:`numpynn.core.sparse`): only activations are dense.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import activations as act
from . import kernels as _kernels
from .forward import rows_per_block
from .losses import class_indices, delta_in_place, label_positions, output_and_loss
from .sparse import product_into, transposed_product_into

__all__ = ["Workspace", "full_loss_and_gradient"]


class Workspace:
    """Buffers for forward and backward passes over at most ``rows`` samples.

    One workspace belongs to one ``fit`` (or one ``loss_and_gradient``) call, never to the
    network, so concurrent ``eval`` calls stay safe.

    Parameters
    ----------
    network : NeuralNetwork
    rows : int
        Largest batch the workspace serves.
    dropout : float, default 0.0
        Probability of dropping a hidden unit during training (inverted dropout).
    rng : numpy.random.Generator, optional
        Source of dropout masks.
    precise : bool, default False
        Full-precision cross-entropy for confident rows (see
        :func:`numpynn.losses.output_and_loss`); for full-batch gradients.

    Attributes
    ----------
    kernels : module or None
        The compiled kernels its passes use, or None for NumPy alone: NumPy unless
        ``NUMPYNN_KERNELS=numba``, until :meth:`choose_kernels` weighs a run's work.
    """

    def __init__(
        self,
        network: Any,
        rows: int,
        dropout: float = 0.0,
        rng: np.random.Generator | None = None,
        precise: bool = False,
    ) -> None:
        self.network = network
        self.rows = rows
        self.precise = precise
        sizes = network.sizes
        self.dtype = dtype = network.theta.dtype
        self.scalar = dtype.type  # scalars in the arrays' dtype: no silent promotion
        self.values = [np.empty((rows, s), dtype=dtype) for s in sizes[1:]]
        self.deltas = [np.empty((rows, s), dtype=dtype) for s in sizes[1:-1]]
        # Pre-activation sums of the layers whose derivative needs them (mish, gelu).
        self.pre = [np.empty((rows, s), dtype=dtype) if name in act.NEEDS_PRE_ACTIVATION
                    else None for s, name in zip(sizes[1:-1], network.hidden_activations)]
        # NumPy unless NUMPYNN_KERNELS=numba, until the trainer weighs the run's work
        # (choose_kernels; core/kernels/switch.py).
        self.kernels = None
        self.choose_kernels(0)
        # Scratch for activations (and, on the NumPy path, their derivatives), sized for the
        # widest hidden layer.
        widest = max(sizes[1:-1], default=1)
        self.float_scratch = np.empty(rows * widest, dtype=dtype)
        self.row_offsets = np.arange(rows) * sizes[-1]  # for flat label positions
        # (Also with the kernels: activations they lack run on the NumPy path.)
        self.bool_scratch = np.empty(rows * widest, dtype=bool)
        # Bias gradients as ones @ delta: a BLAS call, faster than a column sum.
        self.ones = np.ones(rows, dtype=dtype)
        # The compiled path's buffers (kept for a later choose_kernels that picks it).
        self.picked = np.empty(rows, dtype=dtype)  # each row's shifted label logit
        self.no_weights = np.empty(0, dtype=dtype)  # the kernels' "no weights"
        self.dropout = float(dropout)
        self.rng = rng if rng is not None else np.random.default_rng()
        if self.dropout > 0:
            self.keep_scale = self.scalar(1.0 / (1.0 - self.dropout))
            self.masks = [np.empty((rows, s), dtype=dtype) for s in sizes[1:-1]]
            self.dropped = [np.empty((rows, s), dtype=dtype) for s in sizes[1:-1]]
        self._grad_views: tuple[np.ndarray, list, list] | None = None
        self.last_correct = 0

    def choose_kernels(self, work_size: int) -> None:
        """Pick the kernels of the batches from now on (an epoch's, by the trainer) for a
        run of ``work_size`` training work by the epoch's end
        (:func:`numpynn.core.kernels.switch.training_work`): Numba's fused loops when the
        kernel switch says so for that work, else NumPy.

        Never the compiled loops for full-batch (``precise``) work: there BLAS's blocked
        sums over many rows are more exact than a kernel's running float32 sums, and
        L-BFGS's line searches notice.
        """
        self.kernels = None if self.precise else _kernels.kernels(work_size=work_size)

    def _views_of_grad(self, grad: np.ndarray) -> tuple[list, list]:
        cached = self._grad_views
        if cached is None or cached[0] is not grad:
            cached = (grad, *self.network.views_of(grad))
            self._grad_views = cached
        return cached[1], cached[2]

    def forward_backward(
        self,
        X: np.ndarray,
        target: np.ndarray,
        sample_weight: np.ndarray | None,
        scale: float,
        grad: np.ndarray,
        count_correct: bool = False,
    ) -> float:
        """One forward and backward pass over a batch.

        Parameters
        ----------
        X : ndarray, shape (n, sizes[0]), the network's dtype, n <= rows; or a CSR
            matrix of that dtype
        target : ndarray, labels (n,) or rows (n, k) of the network's dtype, checked by
            :func:`numpynn.losses.prepare_target` (labels in range)
        sample_weight : ndarray, shape (n,), the network's dtype, optional
        scale : float
            Multiplies the output delta: ``1 / sum(w)`` for a mean loss.
        grad : ndarray, shape (num_weights,), the network's dtype
            Overwritten with the gradient of ``scale * sum_i w_i loss_i``.
        count_correct : bool, default False
            Set ``last_correct`` to the number of rows whose predicted class (before this
            batch's update) is the target's; for single-label classification.

        Returns
        -------
        float
            ``sum_i w_i loss_i`` over the batch (not scaled).
        """
        n = X.shape[0]
        grad_w, grad_b = self._views_of_grad(grad)
        last = len(self.network.weights) - 1
        inputs = self._forward_hidden(X)

        # Output layer: outputs, loss, delta = dLoss/dz and its bias gradient.
        delta = self.values[last][:n]
        self._product(inputs[last], self.network.weights[last], delta)
        loss_sum = self._output_layer(delta, self.network.biases[last], target, sample_weight,
                                      scale, grad_b[last], count_correct)
        self._backward(inputs, delta, grad_w, grad_b)
        return loss_sum

    def _product(self, a: Any, weights: np.ndarray, out: np.ndarray) -> None:
        """``out = a @ weights``; ``a`` is dense, or X as a CSR batch (the first layer)."""
        if isinstance(a, np.ndarray):
            np.matmul(a, weights, out=out)
        else:
            product_into(a, weights, out, self.kernels)

    def _forward_hidden(self, X: np.ndarray) -> list[np.ndarray]:
        """Hidden layers' values into ``self.values``; every layer's input, X first.

        A layer's input is the (possibly dropped-out) values of the layer before.
        """
        net = self.network
        n = X.shape[0]
        hidden = net.hidden_activations
        compiled = self.kernels
        inputs = [X]
        a = X
        for layer in range(len(net.weights) - 1):
            z = self.values[layer][:n]
            self._product(a, net.weights[layer], z)
            fused = compiled.hidden_forward(hidden[layer], self.dtype) if compiled else None
            if fused is not None:
                fused(z, net.biases[layer])
            else:
                z += net.biases[layer]
                if self.pre[layer] is not None:
                    self.pre[layer][:n] = z
                act.apply_hidden(hidden[layer], z, self.float_scratch[:z.size].reshape(z.shape))
            if self.dropout > 0:
                mask = self.masks[layer][:n]
                self.rng.random(out=mask, dtype=self.dtype)
                np.greater_equal(mask, self.scalar(self.dropout), out=mask)
                mask *= self.keep_scale
                a = np.multiply(z, mask, out=self.dropped[layer][:n])
            else:
                a = z
            inputs.append(a)
        return inputs

    def _backward(self, inputs: list[np.ndarray], delta: np.ndarray, grad_w: list,
                  grad_b: list) -> None:
        """Weight gradients of every layer and bias gradients below the output layer, from
        the output delta; the delta of layer l is dLoss/dz_l."""
        net = self.network
        n = delta.shape[0]
        hidden = net.hidden_activations
        compiled = self.kernels
        for layer in range(len(net.weights) - 1, -1, -1):
            if isinstance(inputs[layer], np.ndarray):
                np.matmul(inputs[layer].T, delta, out=grad_w[layer])
            else:  # X as a CSR batch: a sparse-dense product into the gradient
                transposed_product_into(inputs[layer], delta, grad_w[layer], self.kernels)
            if layer == 0:
                break
            below = self.deltas[layer - 1][:n]
            np.matmul(delta, net.weights[layer].T, out=below)
            if self.dropout > 0:
                below *= self.masks[layer - 1][:n]
            values = self.values[layer - 1][:n]
            backward = (compiled.hidden_backward(hidden[layer - 1], self.dtype)
                        if compiled is not None else None)
            if backward is not None:
                backward(below, values, grad_b[layer - 1])
            else:
                pre = self.pre[layer - 1]
                act.multiply_by_derivative(
                    hidden[layer - 1], values, below,
                    self.bool_scratch[:below.size].reshape(below.shape),
                    self.float_scratch[:below.size].reshape(below.shape),
                    None if pre is None else pre[:n],
                )
                np.matmul(self.ones[:n], below, out=grad_b[layer - 1])
            delta = below

    def _output_layer(self, z, bias, target, sample_weight, scale, grad_bias,
                      count_correct) -> float:
        """Overwrite the output sums ``z`` (without bias) with the delta; return the loss."""
        net = self.network
        compiled = self.kernels
        output = net.output_activation
        if compiled is not None:
            weights = self.no_weights if sample_weight is None else sample_weight
        if compiled is not None and output == "softmax" and target.ndim == 1:
            picked = self.picked[:z.shape[0]]
            self.last_correct = compiled.softmax_labels_shift(z, bias, target, picked)
            np.exp(z, out=z)  # NumPy's vectorised exp beats a scalar one in the loop
            return compiled.softmax_labels_finish(z, target, picked, weights,
                                                  self.scalar(scale), grad_bias)
        if compiled is not None and output == "identity":
            return compiled.identity_squared_error(z, bias, target, weights,
                                                   self.scalar(scale), grad_bias)
        z += bias
        positions = (
            label_positions(target, z.shape[1], self.row_offsets) if target.ndim == 1 else None
        )
        precise = self.precise and output == "softmax"
        loss_sum = output_and_loss(output, z, target, sample_weight, positions, precise)
        if count_correct:
            predicted = z.argmax(axis=1) if z.shape[1] > 1 else (z[:, 0] >= 0.5)
            self.last_correct = int(np.count_nonzero(predicted == class_indices(target)))
        delta_in_place(z, target, sample_weight, scale, positions, precise)
        if compiled is not None:
            compiled.column_sums(z, grad_bias)
        else:
            np.matmul(self.ones[:z.shape[0]], z, out=grad_bias)
        return loss_sum


def full_loss_and_gradient(
    network: Any,
    X: np.ndarray,
    target: np.ndarray,
    sample_weight: np.ndarray | None,
    grad: np.ndarray,
    workspace: Workspace | None = None,
) -> float:
    """Full-data mean loss (without l2) and its gradient into ``grad``, block by block.

    Parameters
    ----------
    network : NeuralNetwork
    X : ndarray, shape (n, sizes[0]), the network's dtype; or a CSR matrix of it
    target : ndarray
        Checked by :func:`numpynn.core.losses.prepare_target`.
    sample_weight : ndarray, shape (n,), the network's dtype, optional
    grad : ndarray, shape (num_weights,), the network's dtype
        Overwritten with the gradient of the mean loss.
    workspace : Workspace, optional
        Reused when it has room for a block; else one is made (full precision).

    Returns
    -------
    float
        The mean loss ``sum_i w_i loss_i / sum_i w_i``.
    """
    n = X.shape[0]
    total_weight = float(n if sample_weight is None else sample_weight.sum(dtype=np.float64))
    scale = 1.0 / total_weight
    block = min(n, max(256, rows_per_block(network.sizes)))
    ws = workspace if workspace is not None and workspace.rows >= block else Workspace(
        network, block, precise=True
    )
    block_grad = grad if n <= block else np.empty_like(grad)
    loss_sum = 0.0
    for start in range(0, n, block):
        stop = min(n, start + block)
        sw = None if sample_weight is None else sample_weight[start:stop]
        loss_sum += ws.forward_backward(
            X[start:stop], target[start:stop], sw, scale, block_grad
        )
        if block_grad is not grad:
            if start == 0:
                grad[:] = block_grad
            else:
                grad += block_grad
    return loss_sum * scale
