"""The model, :class:`NeuralNetwork`: sizes, the flat parameter vector ``theta`` and its
per-layer views, inference; its training methods are written in :mod:`.fitting`, reading
files into a network in :mod:`.files` (see the package docstring for the layout).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core import forward as _fw
from ..core.activations import HIDDEN_ACTIVATIONS
from ..core.architecture import check_architecture
from ..core.checks import (
    as_float_matrix,
    as_generator,
    cast_checked,
    check_finite,
    check_float_dtype,
    check_name,
    check_sizes,
)
from ..core.forward import LayerTrace, eval_vector
from ..core.initializers import get_initializer
from ..core.layout import Layout
from ..core.lazy import lazy_adapter
from ..core.losses import predictions_from_outputs
from . import fitting as _fitting

if TYPE_CHECKING:  # pragma: no cover
    from ..io.model_files import ModelContents

__all__ = ["NeuralNetwork", "NeuralNet"]

_FLOAT32 = np.dtype(np.float32)
_FEW_ROWS = _fw.FEW_ROWS


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
    dtype : np.float32 or np.float64, default np.float32
        The dtype of the whole network: theta, gradients, optimizer state, outputs and
        the compiled kernels.  float32 is the fast default; float64 for tight L-BFGS
        tolerances or agreement with float64 codes.  Input is converted to it.

    Attributes
    ----------
    sizes : tuple of int
    num_weights : int
        Length of the flat parameter vector.
    dtype : numpy.dtype
        float32 or float64: theta's dtype.
    theta : ndarray, shape (num_weights,), ``dtype``
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
        dtype: Any = np.float32,
    ) -> None:
        self.dtype = check_float_dtype(dtype)
        if len(sizes) == 1 and isinstance(sizes[0], (list, tuple)):
            sizes = tuple(sizes[0])  # NeuralNetwork([3, 4, 2]) as well as (3, 4, 2)
        sizes = check_sizes(sizes)
        if isinstance(hidden_activation, str) or not isinstance(hidden_activation, Sequence):
            # one name for every hidden layer
            check_name("hidden_activation", hidden_activation, HIDDEN_ACTIVATIONS)
            hidden_activation = [hidden_activation] * (len(sizes) - 2)
        self.sizes, self.hidden_activations, self.output_activation = check_architecture(
            sizes, hidden_activation, output_activation, hidden_name="hidden_activation")
        self.layout = Layout(self.sizes)
        self.init = init
        fill = get_initializer(init)

        # theta is the only storage; W and b are views into it (see core.layout).
        self.num_weights = self.layout.num_weights
        self.theta = np.zeros(self.num_weights, dtype=self.dtype)
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
        self.dtype = self.theta.dtype  # pickles of numpynn before dtype: float32
        self._make_views()

    def _make_views(self) -> None:
        """The per-layer views into ``theta`` and, for the one-sample path, each hidden
        layer's (weights, biases, in-place activation)."""
        self.weights, self.biases = self.views_of(self.theta)
        self._hidden_layers = _fw.hidden_layers(self.weights, self.biases,
                                                self.hidden_activations)

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
        """Per-layer weight and bias views into any vector laid out like ``theta``, shape
        (num_weights,): see :meth:`numpynn.core.layout.Layout.views_of`."""
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
            Wrong length, NaN / inf values, or a value beyond the range of the network's
            dtype (float32).  The network is left unchanged.
        """
        arr = np.asarray(weights)
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"weights must be numeric, got an array of dtype {arr.dtype}")
        if arr.ndim != 1 or arr.shape[0] != self.num_weights:
            got = arr.shape[0] if arr.ndim == 1 else f"shape {arr.shape}"
            raise ValueError(f"weights must have {self.num_weights} values (num_weights), "
                             f"got {got}")
        check_finite("weights", arr)
        # cast before assigning: a float64 value beyond float32 would be stored as inf
        self.theta[:] = cast_checked("weights", arr, self.theta.dtype)  # the views stay valid

    def get_weights(self) -> np.ndarray:
        """Return a copy of the flat vector of weights and biases, shape (num_weights,)."""
        return self.theta.copy()

    def astype(self, dtype: Any) -> NeuralNetwork:
        """A copy of the network in ``dtype`` (np.float32 or np.float64), metadata included.

        float32 to float64 is exact; float64 to float32 rounds every parameter.
        """
        dtype = check_float_dtype(dtype)
        twin = NeuralNetwork(*self.sizes, hidden_activation=list(self.hidden_activations),
                             output_activation=self.output_activation, init=_leave_zeros,
                             dtype=dtype)
        twin.set_weights(self.theta)
        twin.init = self.init
        twin.metadata = dict(self.metadata)
        return twin

    # ------------------------------------------------------------------ forward
    def eval(self, x: Any) -> np.ndarray:
        """Compute the network's outputs.

        Parameters
        ----------
        x : array_like, shape (sizes[0],) or (n, sizes[0])

        Returns
        -------
        ndarray, shape (sizes[-1],) or (n, sizes[-1]), the network's dtype
            A fresh array.  Safe to call from many threads at once.
        """
        if type(x) is np.ndarray and x.dtype is self.dtype:
            if x.ndim == 1 and x.shape[0] == self.sizes[0]:  # the single-sample fast path
                return eval_vector(x, self._hidden_layers, self.weights[-1],
                                   self.biases[-1], self.output_activation)
            if x.ndim == 2 and x.shape[1] == self.sizes[0]:  # no conversion needed
                if x.shape[0] == 1:  # one row costs what one vector costs
                    return _fw.eval_one_row(x, self._hidden_layers, self.weights[-1],
                                            self.biases[-1], self.output_activation)
                if 0 < x.shape[0] <= _FEW_ROWS and x.flags.c_contiguous:
                    return _fw.eval_few_rows(x, self.weights, self.biases,
                                             self.hidden_activations, self.output_activation)
        if type(x) is not np.ndarray and (lazy := lazy_adapter(x)) is not None:
            return lazy.network_outputs(self, x, "eval")  # a Dask collection: lazy result
        arr, was_1d = as_float_matrix(x, self.sizes[0], "X", self.dtype, allow_sparse=True)
        if was_1d:
            return self._eval_vector(arr[0])
        return _fw.eval_rows(arr, self.layout, self.weights, self.biases,
                             self.hidden_activations, self.output_activation)

    def _eval_vector(self, x: np.ndarray) -> np.ndarray:
        """One input vector of the right length and dtype (see
        :func:`core.forward.eval_vector`)."""
        return eval_vector(x, self._hidden_layers, self.weights[-1], self.biases[-1],
                           self.output_activation)

    __call__ = eval

    def _forward(self, x: np.ndarray, apply_output: bool = True) -> np.ndarray:
        """Outputs (or, with ``apply_output=False``, the output layer's sums) of a batch
        ``x`` of shape (n, sizes[0]) and the network's dtype (dense, or CSR); see
        :func:`numpynn.core.forward.forward`."""
        return _fw.forward(x, self.layout, self.weights, self.biases, self.hidden_activations,
                           self.output_activation, apply_output)

    def predict(self, X: Any) -> np.ndarray:
        """Predictions: the class index for softmax, 0/1 per output for logistic, values
        for identity and exp.

        Parameters
        ----------
        X : array_like, shape (sizes[0],) or (n, sizes[0]), or a SciPy sparse matrix

        Returns
        -------
        ndarray
            softmax: int64, shape () or (n,); logistic: int64 0/1, shape (k,) or (n, k);
            identity and exp: the network's dtype, shape (k,) or (n, k).
        """
        if type(X) is not np.ndarray and (lazy := lazy_adapter(X)) is not None:
            return lazy.network_outputs(self, X, "predict")
        return predictions_from_outputs(self.output_activation, self.eval(X))

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
        return _fw.trace_vector(x, self.weights, self.biases, self.hidden_activations,
                                self.output_activation)

    # ------------------------------------------------------------------ training
    # Written in network/fitting.py (functions of ``self``), bound here as methods.
    loss_and_gradient = _fitting.loss_and_gradient
    _loss_and_gradient_checked = _fitting.loss_and_gradient_checked
    _add_l2 = _fitting.add_l2
    sum_of_squared_weights = _fitting.sum_of_squared_weights
    fit = _fitting.fit

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
        from ..io.model_files import write_model_file

        write_model_file(path, self._contents(self.metadata if metadata is None else metadata))

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
        from ..io.onnx_graph import network_to_onnx, save_model

        model = network_to_onnx(self._contents(self.metadata), opset=opset)
        if path is not None:
            save_model(model, path)
        return model

    def _contents(self, extra: dict) -> ModelContents:
        """What a model file or an ONNX graph holds: the architecture, ``theta`` (not
        copied) and ``extra`` (copied)."""
        from ..io.model_files import ModelContents

        return ModelContents(self.sizes, self.hidden_activations, self.output_activation,
                             self.theta, dict(extra))

    def __repr__(self) -> str:
        hidden = self.hidden_activations
        hidden_repr = repr(hidden[0]) if len(set(hidden)) == 1 else repr(list(hidden))
        if not hidden:
            hidden_repr = "None"
        dtype = "" if self.dtype == _FLOAT32 else f", dtype={self.dtype.name}"
        return (
            f"NeuralNetwork({', '.join(map(str, self.sizes))}, hidden_activation={hidden_repr}, "
            f"output_activation={self.output_activation!r}, num_weights={self.num_weights}"
            f"{dtype})"
        )


def _leave_zeros(weights: np.ndarray, rng: np.random.Generator) -> None:
    """An initialiser that draws nothing: the caller sets the weights itself."""


#: The article's listing calls the class both ``NeuralNetwork`` and ``NeuralNet``.
NeuralNet = NeuralNetwork

