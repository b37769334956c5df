"""The multi-layer perceptron: one flat float32 parameter vector with per-layer views.

For sizes ``(n_0, n_1, ..., n_L)`` the vector ``theta`` holds, layer by layer, the weight
matrix row-major (``n_{l-1} x n_l``; row = node it comes from, column = node it goes to)
and then that layer's biases.  For the article's 3-4-2 net that is 12 input-hidden
weights, 4 hidden biases, 8 hidden-output weights and 2 output biases: 26 values.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .core import activations as act
from .core import kernels as _kernels
from .core.backprop import Workspace
from .core.checks import as_float32_matrix, as_generator, check_finite_rows, check_sizes
from .core.initializers import get_initializer
from .core.kernels import threads as _parallel
from .core.layout import Layout

if TYPE_CHECKING:  # pragma: no cover
    from .training import History

__all__ = ["NeuralNetwork", "NeuralNet", "LayerTrace", "load", "from_onnx", "Workspace"]

# Rows per block in eval / loss_and_gradient: keeps each layer's block of activations in
# cache so the element-wise passes do not stream through main memory.
_TARGET_BLOCK_FLOATS = 1 << 18
_FLOAT32 = np.dtype(np.float32)
# eval splits inputs of at least this many rows x widest layer over two cores.
_PARALLEL_MIN_VALUES = 1 << 24
# Inputs up to this many values are checked for NaN/inf before the forward pass.
_SMALL_INPUT = 1 << 16


@dataclass(frozen=True)
class LayerTrace:
    """Intermediate values of one layer for one input.

    Attributes
    ----------
    sums : ndarray, shape (n_out,), float32
        Pre-activation sums (weights times inputs plus bias).
    values : ndarray, shape (n_out,), float32
        Post-activation values.
    """

    sums: np.ndarray
    values: np.ndarray


def _rows_per_block(widths: Sequence[int]) -> int:
    return max(64, _TARGET_BLOCK_FLOATS // max(widths))


class NeuralNetwork:
    """A fully connected network with any number of hidden layers.

    Parameters
    ----------
    *sizes : int
        Input size, any number of hidden sizes, output size.  ``NeuralNetwork(3, 4, 2)``
        is the article's network.
    hidden_activation : str or sequence of str, default "leaky_relu"
        One of ``relu``, ``leaky_relu`` (slope 0.01), ``tanh``, ``logistic``,
        ``identity``; or a list with one name per hidden layer.
    output_activation : {"softmax", "logistic", "identity", "exp"}, default "softmax"
        Also fixes the loss: cross-entropy, binary cross-entropy, squared error, Poisson
        (``exp``: the output is the mean of a count, with a log link).
    init : str or callable, default "glorot_uniform"
        ``glorot_uniform``, ``glorot_normal``, ``he_uniform``, ``he_normal``, ``uniform``
        (U(-0.01, 0.01)), or ``fill(weights, rng)``.  Biases start at zero.
    seed : int or numpy.random.Generator, optional
        Makes the initial weights reproducible.

    Attributes
    ----------
    sizes : tuple of int
    num_weights : int
        Length of the flat parameter vector.
    theta : ndarray, shape (num_weights,), float32
        All weights and biases.  ``weights[l]`` and ``biases[l]`` are views into it.
    weights : list of ndarray, shapes (sizes[l], sizes[l + 1])
    biases : list of ndarray, shapes (sizes[l + 1],)
    hidden_activations : tuple of str
        One per hidden layer.
    output_activation : str
    """

    def __init__(
        self,
        *sizes: int,
        hidden_activation: str | Sequence[str] = "leaky_relu",
        output_activation: str = "softmax",
        init: Any = "glorot_uniform",
        seed: int | np.random.Generator | None = None,
    ) -> None:
        self.layout = Layout(check_sizes(sizes))
        self.sizes = self.layout.sizes
        num_hidden = len(self.sizes) - 2
        if isinstance(hidden_activation, str) or not isinstance(hidden_activation, Sequence):
            names = [hidden_activation] * num_hidden
            act.check_hidden_activation(hidden_activation)
        else:
            names = list(hidden_activation)
            if len(names) != num_hidden:
                raise ValueError(
                    f"hidden_activation has {len(names)} names but the network has "
                    f"{num_hidden} hidden layers"
                )
        self.hidden_activations = tuple(
            act.check_hidden_activation(n, f"hidden_activation[{i}]") for i, n in enumerate(names)
        )
        self.output_activation = act.check_output_activation(output_activation)
        self.init = init
        fill = get_initializer(init)

        # theta is the only storage; W and b are views into it (see core.layout).
        self.num_weights = self.layout.num_weights
        self.theta = np.zeros(self.num_weights, dtype=np.float32)
        self._make_views()

        rng = as_generator(seed)
        for w in self.weights:
            fill(w, rng)
        if not np.isfinite(self.theta).all():
            raise ValueError("the initialiser produced NaN or inf weights")
        #: Extra JSON metadata (from a model file, or set by the user before ``save``).
        self.metadata: dict = {}

    # Pickling and copying keep theta and rebuild the views into it (pickled separately,
    # they would come back as independent arrays).
    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        del state["weights"], state["biases"], state["_hidden_layers"]
        if callable(state["init"]):  # a user's function need not be picklable
            state["init"] = getattr(state["init"], "__name__", "custom")
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._make_views()

    def _make_views(self) -> None:
        """The per-layer views into ``theta`` and, for the one-sample path, each hidden
        layer's (weights, biases, in-place activation)."""
        self.weights, self.biases = self.views_of(self.theta)
        self._hidden_layers = [
            (w, b, act.hidden_kernel(name))
            for w, b, name in zip(self.weights, self.biases, self.hidden_activations)
        ]

    # ------------------------------------------------------------------ layout
    @property
    def num_layers(self) -> int:
        """Number of weight layers (hidden layers + 1)."""
        return self.layout.num_layers

    @property
    def activations(self) -> tuple[str, ...]:
        """Activation name of every weight layer, the output layer last."""
        return self.hidden_activations + (self.output_activation,)

    def views_of(self, flat: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Per-layer weight and bias views into any vector laid out like ``theta``.

        Parameters
        ----------
        flat : ndarray, shape (num_weights,)

        Returns
        -------
        weights : list of ndarray, shapes (fan_in, fan_out), views of ``flat``
        biases : list of ndarray, shapes (fan_out,), views of ``flat``
        """
        return self.layout.views_of(flat)

    def weight_mask(self) -> np.ndarray:
        """Boolean vector, True where ``theta`` holds a weight (not a bias)."""
        return self.layout.weight_mask()

    # ------------------------------------------------------------------ weights
    def set_weights(self, weights: Any) -> None:
        """Copy a flat vector of all weights and biases in, in the article's order.

        Parameters
        ----------
        weights : array_like, shape (num_weights,)

        Raises
        ------
        ValueError
            Wrong length, or NaN / inf values.  The network is left unchanged.
        """
        arr = np.asarray(weights)
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"weights must be numeric, got an array of dtype {arr.dtype}")
        if arr.ndim != 1 or arr.shape[0] != self.num_weights:
            got = arr.shape[0] if arr.ndim == 1 else f"shape {arr.shape}"
            raise ValueError(f"expected {self.num_weights} values, got {got}")
        if not np.isfinite(arr).all():
            raise ValueError("weights contain NaN or inf")
        self.theta[:] = arr  # one copy; the views stay valid

    def get_weights(self) -> np.ndarray:
        """Return a copy of the flat vector of weights and biases, shape (num_weights,)."""
        return self.theta.copy()

    # ------------------------------------------------------------------ forward
    def eval(self, x: Any) -> np.ndarray:
        """Compute the network's outputs.

        Parameters
        ----------
        x : array_like, shape (sizes[0],) or (n, sizes[0])

        Returns
        -------
        ndarray, float32, shape (sizes[-1],) or (n, sizes[-1])
            A fresh array.  Safe to call from many threads at once.
        """
        if (
            type(x) is np.ndarray and x.ndim == 1 and x.dtype is _FLOAT32
            and x.shape[0] == self.sizes[0]
        ):
            return self._eval_vector(x)  # the single-sample fast path
        arr, was_1d = as_float32_matrix(x, self.sizes[0], "X")
        if was_1d:
            return self._eval_vector(arr[0])
        if arr.size <= _SMALL_INPUT:
            # Cheap to check first, and no NumPy warning precedes the error.
            check_finite_rows(arr, "X")
            return self._forward(arr)
        # Large inputs: NaN/inf in X shows up in the outputs; check X only then.
        with np.errstate(invalid="ignore", over="ignore"):
            out = self._forward(arr)
        if not np.isfinite(out).all():
            check_finite_rows(arr, "X")
        return out

    def _eval_vector(self, x: np.ndarray) -> np.ndarray:
        """One float32 input vector of the right length: as few NumPy calls as possible."""
        # x @ x is NaN or inf when x holds NaN or inf (or overflows: then look closer).
        # (ndarray.dot: the method skips the dispatch that np.dot pays on tiny vectors.)
        if not math.isfinite(x.dot(x)) and not np.isfinite(x).all():
            raise ValueError("x contains NaN or inf")
        a = x
        for w, b, kernel in self._hidden_layers:
            a = a.dot(w)
            a += b
            kernel(a)
        z = a.dot(self.weights[-1])
        z += self.biases[-1]
        if self.output_activation == "softmax":
            # exp neither overflows nor underflows to all zeros while every |z_i| <= 60,
            # which z @ z <= 3600 proves in one cheap call; else shift by the maximum.
            if not z.dot(z) <= 3600.0:
                top = z.max()
                if not math.isfinite(top):
                    raise ValueError("the network's sums overflowed float32 for this input")
                z -= top
            np.exp(z, out=z)
            z /= z.sum()
        else:
            act.apply_output(self.output_activation, z)
        return z

    __call__ = eval

    def _forward(self, x: np.ndarray, apply_output: bool = True) -> np.ndarray:
        """Forward pass over row blocks; every buffer is local to this call.

        With ``apply_output=False`` the result holds the output layer's sums (logits).
        Large inputs are split in two halves computed on two cores, each with
        single-threaded BLAS: many small multi-threaded products would leave the cores
        waiting on each other, and the element-wise steps would run on one core.
        """
        n = x.shape[0]
        out = np.empty((n, self.sizes[-1]), dtype=np.float32)
        if n * max(self.sizes) >= _PARALLEL_MIN_VALUES and _parallel.can_split_blas_work():
            half = n // 2
            with _parallel.single_threaded_blas():
                other = _parallel.worker().submit(
                    self._forward_rows, x[:half], out[:half], apply_output)
                self._forward_rows(x[half:], out[half:], apply_output)
                other.result()
        else:
            self._forward_rows(x, out, apply_output)
        return out

    def _forward_rows(self, x: np.ndarray, out: np.ndarray, apply_output: bool) -> None:
        """Forward pass of ``x`` into ``out``, block by block, reusing the block buffers."""
        n = x.shape[0]
        weights, biases = self.weights, self.biases
        last = self.num_layers - 1
        block = max(1, n if n <= 64 else min(n, _rows_per_block(self.sizes)))
        # Buffers reused by every block: no allocation (and page faults) per block.
        hidden = [np.empty((block, s), dtype=np.float32) for s in self.sizes[1:-1]]
        widest = max(self.sizes[1:-1], default=1)
        scratch = np.empty(block * widest, dtype=np.float32)
        # Numba's one-pass bias + activation when training has already loaded it (eval
        # never imports it: that costs more than most evals).  Same bits either way.
        compiled = _kernels.loaded()
        zeros = (np.zeros(block * widest, dtype=np.float32)
                 if compiled is None and "relu" in self.hidden_activations else None)
        for start in range(0, n, block):
            a = x[start : start + block]
            rows = a.shape[0]
            for layer in range(last + 1):
                z = out[start : start + rows] if layer == last else hidden[layer][:rows]
                np.matmul(a, weights[layer], out=z)
                if layer == last:
                    z += biases[layer]
                    if apply_output:
                        act.apply_output(self.output_activation, z)
                    break
                name, width = self.hidden_activations[layer], z.shape[1]
                fused = compiled.HIDDEN_FORWARD.get(name) if compiled is not None else None
                if fused is not None:
                    fused(z, biases[layer])
                elif name == "relu":  # against zeros filled once: see _relu_inplace
                    z += biases[layer]
                    np.maximum(z, zeros[: rows * width].reshape(rows, width), out=z)
                else:
                    z += biases[layer]
                    act.apply_hidden(name, z, scratch[: rows * width].reshape(rows, width))
                a = z

    def predict(self, X: Any) -> np.ndarray:
        """Predictions: the class index for softmax, 0/1 per output for logistic, values
        for identity and exp.

        Parameters
        ----------
        X : array_like, shape (sizes[0],) or (n, sizes[0])

        Returns
        -------
        ndarray
            softmax: int64, shape () or (n,); logistic: int64 0/1, shape (k,) or (n, k);
            identity and exp: float32, shape (k,) or (n, k).
        """
        out = self.eval(X)
        if self.output_activation == "softmax":
            return np.argmax(out, axis=-1).astype(np.int64)
        if self.output_activation == "logistic":
            return (out >= 0.5).astype(np.int64)
        return out

    def trace(self, x: Any) -> list[LayerTrace]:
        """Per-layer pre-activation sums and post-activation values for one input.

        Parameters
        ----------
        x : array_like, shape (sizes[0],)

        Returns
        -------
        list of LayerTrace
            One record per weight layer (hidden layers, then the output layer).
        """
        if np.ndim(x) != 1:
            raise ValueError(f"trace takes one input (1-D), got shape {np.shape(x)}")
        arr, _ = as_float32_matrix(x, self.sizes[0], "x")
        check_finite_rows(arr, "x")
        records = []
        a = arr[0]
        for layer in range(self.num_layers):
            sums = a @ self.weights[layer] + self.biases[layer]
            values = sums.copy()
            if layer == self.num_layers - 1:
                act.apply_output(self.output_activation, values)
            else:
                act.apply_hidden(self.hidden_activations[layer], values)
            records.append(LayerTrace(sums=sums, values=values))
            a = values
        return records

    # ------------------------------------------------------------------ training
    def loss_and_gradient(
        self,
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
        gradient : ndarray, shape (num_weights,), float32
            In the same flat order as ``theta``.
        """
        from .training.data import check_training_data

        data = check_training_data(self, X, y, sample_weight)
        grad = np.empty(self.num_weights, dtype=np.float32)
        loss = self._loss_and_gradient_checked(data.X, data.target, data.sample_weight, grad)
        return self._add_l2(loss, grad, float(l2)), grad

    def _loss_and_gradient_checked(
        self,
        X: np.ndarray,
        target: np.ndarray,
        sample_weight: np.ndarray | None,
        grad: np.ndarray,
        workspace: Workspace | None = None,
    ) -> float:
        """Full-data mean loss (without l2) and gradient into ``grad``, block by block."""
        n = X.shape[0]
        total_weight = float(n if sample_weight is None else sample_weight.sum(dtype=np.float64))
        scale = 1.0 / total_weight
        block = min(n, max(256, _rows_per_block(self.sizes)))
        ws = workspace if workspace is not None and workspace.rows >= block else Workspace(
            self, block, precise=True
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

    def _add_l2(self, loss: float, grad: np.ndarray, l2: float) -> float:
        if l2 < 0 or not np.isfinite(l2):
            raise ValueError(f"l2 must be a finite number >= 0, got {l2}")
        if l2 == 0.0:
            return loss
        grad_weights, _ = self.views_of(grad)
        for w, gw in zip(self.weights, grad_weights):
            gw += np.float32(l2) * w
        return loss + 0.5 * l2 * self.sum_of_squared_weights()

    def sum_of_squared_weights(self) -> float:
        """``sum(w ** 2)`` over every weight (biases excluded): the L2 penalty's sum."""
        return sum(float(np.dot(w.ravel(), w.ravel())) for w in self.weights)

    def fit(
        self,
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
            The run; an optimizer object carries its own learning rate, schedule and
            gradient clipping (``Adam(learning_rate=0.01, schedule="cosine",
            clip_norm=1.0)``).
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
        from .training import fit

        return fit(self, X, y, epochs=epochs, batch_size=batch_size, optimizer=optimizer,
                   learning_rate=learning_rate, l2=l2, dropout=dropout, shuffle=shuffle,
                   seed=seed, validation_data=validation_data,
                   validation_split=validation_split, sample_weight=sample_weight,
                   class_weight=class_weight, callbacks=callbacks, progress=progress,
                   early_stopping=early_stopping, patience=patience,
                   checkpoint_dir=checkpoint_dir, resume=resume)

    # ------------------------------------------------------------------ files
    def save(self, path: str | os.PathLike, metadata: dict | None = None) -> None:
        """Write the network to a safetensors model file, atomically.

        Parameters
        ----------
        path : str or path-like
        metadata : dict, optional
            JSON-able extra information kept in the file (feature names, class labels, ...);
            by default the network's own ``metadata`` (so a loaded model saves back whole).
        """
        from .io.model_files import ModelContents, write_model_file

        write_model_file(
            path,
            ModelContents(
                sizes=self.sizes,
                hidden_activations=self.hidden_activations,
                output_activation=self.output_activation,
                theta=self.theta,
                extra=dict(self.metadata if metadata is None else metadata),
            ),
        )

    def to_onnx(self, path: str | os.PathLike | None = None, *, opset: int = 17) -> Any:
        """The network as an ONNX model (default-domain operators only; needs ``onnx``).

        Input ``input``, float32 (N, sizes[0]); outputs ``probabilities`` (N, k) and
        ``label`` for softmax and logistic, ``output`` (N, k) for identity and exp.  See
        :mod:`numpynn.io.onnx_graph`; :func:`numpynn.to_onnx` also exports the preprocessing
        of a model from ``numpynn train``.

        Parameters
        ----------
        path : str or path-like, optional
            Also write the model there, atomically.
        opset : int, default 17
            Any of 13 to 21.

        Returns
        -------
        onnx.ModelProto
        """
        from .io.model_files import ModelContents
        from .io.onnx_graph import network_to_onnx, save_model

        model = network_to_onnx(
            ModelContents(sizes=self.sizes, hidden_activations=self.hidden_activations,
                          output_activation=self.output_activation, theta=self.theta,
                          extra=dict(self.metadata)),
            opset=opset)
        if path is not None:
            save_model(model, path)
        return model

    def __repr__(self) -> str:
        hidden = self.hidden_activations
        hidden_repr = repr(hidden[0]) if len(set(hidden)) == 1 else repr(list(hidden))
        if not hidden:
            hidden_repr = "None"
        return (
            f"NeuralNetwork({', '.join(map(str, self.sizes))}, hidden_activation={hidden_repr}, "
            f"output_activation={self.output_activation!r}, num_weights={self.num_weights})"
        )


#: The article's listing calls the class both ``NeuralNetwork`` and ``NeuralNet``.
NeuralNet = NeuralNetwork


def load(path: str | os.PathLike) -> NeuralNetwork:
    """Read a network from a numpynn safetensors model file.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    NeuralNetwork
        With ``.metadata``, the file's extra JSON metadata (a dict, possibly empty).

    Raises
    ------
    numpynn.ModelFileError
        The file is missing, damaged, foreign or inconsistent.
    """
    from .io.model_files import read_model_file

    contents = read_model_file(path)
    net = NeuralNetwork(
        *contents.sizes,
        hidden_activation=list(contents.hidden_activations),
        output_activation=contents.output_activation,
    )
    net.set_weights(contents.theta)
    net.metadata = dict(contents.extra)
    return net


def from_onnx(source: Any) -> NeuralNetwork:
    """Build a network from an ONNX graph that is a chain of dense layers.

    Reads what :meth:`NeuralNetwork.to_onnx` writes (weights back bit for bit), what
    skl2onnx writes for ``MLPClassifier`` / ``MLPRegressor``, and what ``torch.onnx.export``
    writes for an ``nn.Sequential`` of ``Linear`` layers and activations; see
    :mod:`numpynn.io.onnx_reader`.

    Parameters
    ----------
    source : str, path-like, bytes or onnx.ModelProto

    Returns
    -------
    NeuralNetwork
        With ``.metadata``: numpynn's metadata when numpynn wrote the model, else ``{}``.

    Raises
    ------
    ValueError
        Not an ONNX model, or a node that does not map onto a numpynn network (named).
    """
    from .io.onnx_reader import read_onnx

    contents = read_onnx(source)
    net = NeuralNetwork(
        *contents.sizes,
        hidden_activation=list(contents.hidden_activations),
        output_activation=contents.output_activation,
    )
    net.set_weights(contents.theta)
    net.metadata = dict(contents.extra)
    return net
