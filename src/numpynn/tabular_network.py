"""A network for tables: category embeddings and a per-feature scale in front of a dense
stack, all in one flat float32 ``theta``.

Input rows are ``[dense features | category codes]``: ``n_dense`` numbers (already
scaled, one-hot or indicator columns), then one whole-number code per embedded column.
The network looks each code up in its column's embedding table, puts the embeddings beside
the dense features (and, for the dense columns named in ``periodic``, their periodic
embeddings: :mod:`numpynn.core.layers.periodic`), multiplies every feature by its learned
scale and runs the dense stack::

    net = TabularNetwork(5, (256, 256, 256), 3, embeddings=[(12, 8)],
                         hidden_activation="selu", seed=0)
    net.initialize_from_data(X_train[:4096], seed=0)   # RealMLP's data-driven start
    net.fit(...)  # through numpynn.training.TableTrainer, see numpynn.tabular.recipe

``theta`` holds the embedding tables, the periodic embeddings, the scale, then the dense
stack exactly as a :class:`numpynn.NeuralNetwork` lays it out
(:mod:`numpynn.core.layers.layout`).  The training engine drives it through
:meth:`make_workspace`; ``gradcheck`` checks it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from .core.activations import HIDDEN_ACTIVATIONS
from .core.architecture import check_architecture
from .core.checks import (
    as_float32_matrix,
    as_generator,
    check_finite,
    check_finite_rows,
    check_name,
)
from .core.initializers import get_initializer
from .core.layers import (
    InputLayout,
    TableWorkspace,
    init_dense_from_data,
    init_periodic,
    table_forward,
)
from .core.layers.input_block import scaled_features
from .core.losses import predictions_from_outputs

__all__ = ["TabularNetwork", "load_tabular_network", "load_tabular_networks",
           "save_tabular_networks", "networks_to_onnx"]


class TabularNetwork:
    """Embeddings + per-feature scale + dense stack (see the module docstring).

    Parameters
    ----------
    n_dense : int >= 0
        Dense features at the front of each input row.
    hidden : sequence of int, default (256, 256, 256)
        Hidden layer sizes.
    n_outputs : int, default 2
    embeddings : sequence of (cardinality, dim), default ()
        One embedding table per coded column (the columns after the dense ones).
    front_scale : bool, default True
        A learned factor per feature in front of the dense stack (starts at 1).
    periodic : sequence of int, default ()
        Dense columns (numeric features) that also get a periodic embedding (RealMLP's
        PBLD: 16 cosines, 3 values each), in increasing order.
    hidden_activation : str or sequence of str, default "selu"
        Any of :data:`numpynn.core.activations.HIDDEN_ACTIVATIONS`, or one per layer.
    output_activation : {"softmax", "logistic", "identity", "exp"}, default "softmax"
    seed : int or numpy.random.Generator, optional
        The initial weights: Glorot-uniform dense weights, zero biases, standard-normal
        embeddings, RealMLP's start of the periodic embeddings
        (:func:`numpynn.core.layers.init_periodic`).  :meth:`initialize_from_data`
        replaces the dense part.

    Attributes
    ----------
    theta : ndarray, shape (num_weights,), float32
    input_layout : InputLayout
        Where each block lives in theta.
    views : InputViews
        ``embeddings``, ``scale``, ``weights``, ``biases``: views into theta.
    sizes : tuple of int
        ``(n_inputs, *hidden, n_outputs)``: values per input row, then the dense stack.
    hidden_activations : tuple of str
    output_activation : str
    metadata : dict
        JSON metadata kept in model files.
    """

    def __init__(self, n_dense: int, hidden: Sequence[int] = (256, 256, 256),
                 n_outputs: int = 2, *, embeddings: Sequence[Sequence[int]] = (),
                 front_scale: bool = True, periodic: Sequence[int] = (),
                 hidden_activation: str | Sequence[str] = "selu",
                 output_activation: str = "softmax",
                 seed: int | np.random.Generator | None = None) -> None:
        layout = InputLayout(n_dense, embeddings, hidden, n_outputs, front_scale, periodic)
        n_hidden = layout.dense.num_layers - 1
        if isinstance(hidden_activation, str):
            check_name("hidden_activation", hidden_activation, HIDDEN_ACTIVATIONS)
            hidden_activation = [hidden_activation] * n_hidden
        _, self.hidden_activations, self.output_activation = check_architecture(
            layout.dense.sizes, hidden_activation, output_activation,
            hidden_name="hidden_activation")
        self.input_layout = layout
        self.theta = np.zeros(layout.num_weights, dtype=np.float32)
        self.views = layout.views_of(self.theta)
        rng = as_generator(seed)
        fill = get_initializer("glorot_uniform")
        for w in self.views.weights:
            fill(w, rng)
        for table in self.views.embeddings:
            table[...] = rng.standard_normal(table.shape, dtype=np.float32)
        if self.views.periodic is not None:
            init_periodic(self.views.periodic, rng)
        if self.views.scale is not None:
            self.views.scale.fill(1.0)
        self.metadata: dict = {}

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        del state["views"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.views = self.input_layout.views_of(self.theta)

    # ------------------------------------------------------------------ layout
    @property
    def sizes(self) -> tuple[int, ...]:
        """``(n_inputs, *hidden, n_outputs)``."""
        return (self.input_layout.n_inputs, *self.input_layout.dense.sizes[1:])

    @property
    def num_weights(self) -> int:
        return self.input_layout.num_weights

    @property
    def num_layers(self) -> int:
        """Dense layers (hidden layers + 1)."""
        return self.input_layout.dense.num_layers

    def views_of(self, flat: np.ndarray) -> Any:
        """:class:`~numpynn.core.layers.InputViews` of any theta-shaped vector."""
        return self.input_layout.views_of(flat)

    def weight_mask(self) -> np.ndarray:
        """True where theta holds a dense weight, an embedding value or a periodic
        embedding's parameter (what L2 and AdamW's decay act on; RealMLP decays all of
        the last), False for the dense biases and the scale."""
        return self.input_layout.per_group({"weight": 1.0, "embedding": 1.0,
                                            "periodic": 1.0}) > 0

    def per_group(self, values: dict[str, Any]) -> np.ndarray:
        """A float32 theta-shaped vector with one value per parameter group, see
        :meth:`numpynn.core.layers.InputLayout.per_group`."""
        return self.input_layout.per_group(values)

    def ntk_factors(self) -> list[float]:
        """``1 / sqrt(fan_in)`` of every dense layer: the learning-rate factors under which
        Adam on these weights moves as on NTK-parametrised ones (see the recipe)."""
        return [1.0 / math.sqrt(w.shape[0]) for w in self.views.weights]

    # ------------------------------------------------------------------ weights
    def set_weights(self, weights: Any) -> None:
        """Copy a flat vector of every parameter in, shape (num_weights,)."""
        arr = np.asarray(weights)
        if arr.dtype.kind not in "biuf" or arr.shape != (self.num_weights,):
            raise ValueError(f"weights must be {self.num_weights} numbers (num_weights), "
                             f"got an array of dtype {arr.dtype} and shape {arr.shape}")
        check_finite("weights", arr)
        self.theta[:] = arr

    def get_weights(self) -> np.ndarray:
        """A copy of theta, shape (num_weights,)."""
        return self.theta.copy()

    def initialize_from_data(self, X: Any, seed: int | np.random.Generator | None = None,
                             max_rows: int = 4096) -> None:
        """RealMLP's data-driven start of the dense stack (unit-variance sums, biases
        through random data points; :mod:`numpynn.core.layers.data_init`).

        Parameters
        ----------
        X : array_like, shape (n, n_inputs)
            Training rows; at most ``max_rows`` of them, drawn at random, are used.
        seed : int or numpy.random.Generator, optional
        max_rows : int, default 4096
        """
        rng = as_generator(seed)
        arr = self._checked_rows(X)
        if arr.shape[0] > max_rows:
            arr = arr[np.sort(rng.choice(arr.shape[0], max_rows, replace=False))]
        features = scaled_features(arr, self.input_layout, self.views)
        init_dense_from_data(features, self.views.weights, self.views.biases,
                             self.hidden_activations, rng)

    # ------------------------------------------------------------------ forward
    def _checked_rows(self, x: Any, name: str = "X") -> np.ndarray:
        arr, _ = as_float32_matrix(x, self.input_layout.n_inputs, name)
        check_finite_rows(arr, name)
        return arr

    def eval(self, x: Any) -> np.ndarray:
        """Outputs for rows ``x`` (n, n_inputs) or one row (n_inputs,): float32 (n, k)
        or (k,), a fresh array."""
        arr, was_1d = as_float32_matrix(x, self.input_layout.n_inputs, "X")
        check_finite_rows(arr, "X")
        out = self._forward(arr)
        return out[0] if was_1d else out

    __call__ = eval

    def output_sums(self, x: Any) -> np.ndarray:
        """The output layer's sums before its activation (logits), float32 (n, k)."""
        return self._forward(self._checked_rows(x), apply_output=False)

    def _forward(self, x: np.ndarray, apply_output: bool = True) -> np.ndarray:
        """Outputs (or the output sums) of checked float32 rows (n, n_inputs)."""
        return table_forward(x, self.input_layout, self.views, self.hidden_activations,
                             self.output_activation, apply_output)

    def predict(self, X: Any) -> np.ndarray:
        """Class indices (softmax), 0/1 per output (logistic) or values (identity, exp)."""
        return predictions_from_outputs(self.output_activation, self.eval(X))

    # ------------------------------------------------------------------ training
    def make_workspace(self, rows: int, dropout: float = 0.0,
                       rng: np.random.Generator | None = None,
                       label_smoothing: float = 0.0) -> TableWorkspace:
        """Buffers for training batches of at most ``rows`` rows (the engine's hook)."""
        return TableWorkspace(self, rows, dropout, rng, label_smoothing)

    def loss_and_gradient(self, X: Any, y: Any, l2: float = 0.0,
                          sample_weight: Any = None) -> tuple[float, np.ndarray]:
        """Mean loss over the rows and its gradient, shape (num_weights,), float32.

        ``l2`` adds ``(l2 / 2) * sum(w ** 2)`` over :meth:`weight_mask`'s entries.
        """
        from .training.data import check_training_data

        data = check_training_data(self, X, y, sample_weight)
        n = data.X.shape[0]
        sw = data.sample_weight
        scale = 1.0 / (n if sw is None else float(sw.sum(dtype=np.float64)))
        grad = np.zeros(self.num_weights, dtype=np.float32)
        block = min(n, 4096)
        ws = self.make_workspace(block)
        part = np.empty_like(grad) if n > block else grad
        loss = 0.0
        for start in range(0, n, block):
            stop = min(n, start + block)
            loss += ws.forward_backward(data.X[start:stop], data.target[start:stop],
                                        None if sw is None else sw[start:stop], scale, part)
            if part is not grad:
                grad += part
        loss *= scale
        if l2:
            mask = self.weight_mask()
            loss += 0.5 * float(l2) * float(np.dot(self.theta[mask], self.theta[mask]))
            grad[mask] += np.float32(l2) * self.theta[mask]
        return loss, grad

    # ------------------------------------------------------------------ files
    def save(self, path: str | os.PathLike, metadata: dict | None = None) -> None:
        """Write the network to a safetensors model file, atomically (JSON metadata,
        never pickle; :mod:`numpynn.io.tabular_files`)."""
        from .io.tabular_files import write_tabular_file

        write_tabular_file(path, self.contents(metadata))

    def contents(self, metadata: dict | None = None) -> Any:
        """The network as :class:`numpynn.io.tabular_files.TabularContents`."""
        from .io.tabular_files import TabularContents

        layout = self.input_layout
        return TabularContents(
            n_dense=layout.n_dense, embeddings=layout.embeddings,
            front_scale=layout.front_scale, periodic=layout.periodic,
            sizes=layout.dense.sizes,
            hidden_activations=self.hidden_activations,
            output_activation=self.output_activation, theta=self.theta,
            extra=dict(self.metadata if metadata is None else metadata))

    def to_onnx(self, path: str | os.PathLike | None = None, *, opset: int = 17) -> Any:
        """The network as an ONNX model (default-domain operators; needs ``onnx``):
        embeddings as ``Gather``, the scale as ``Mul``, then the dense stack.  Input
        ``input`` float32 (N, n_inputs); outputs as :meth:`NeuralNetwork.to_onnx`'s.  See
        :mod:`numpynn.io.onnx_tabular`."""
        return networks_to_onnx([self], path, opset=opset)

    def __repr__(self) -> str:
        layout = self.input_layout
        return (f"TabularNetwork(n_dense={layout.n_dense}, hidden={layout.dense.sizes[1:-1]}, "
                f"n_outputs={layout.dense.sizes[-1]}, embeddings={list(layout.embeddings)}, "
                f"front_scale={layout.front_scale}, periodic={list(layout.periodic)}, "
                f"hidden_activation={list(self.hidden_activations)}, "
                f"output_activation={self.output_activation!r}, "
                f"num_weights={self.num_weights})")


def _from_contents(contents: Any) -> TabularNetwork:
    net = TabularNetwork(contents.n_dense, contents.sizes[1:-1], contents.sizes[-1],
                         embeddings=contents.embeddings, front_scale=contents.front_scale,
                         periodic=contents.periodic,
                         hidden_activation=list(contents.hidden_activations),
                         output_activation=contents.output_activation)
    net.set_weights(contents.theta)
    net.metadata = dict(contents.extra)
    return net


def load_tabular_networks(path: str | os.PathLike) -> list[TabularNetwork]:
    """Every network of a file written by :func:`save_tabular_networks` (or
    :meth:`TabularNetwork.save`), each with the file's ``metadata``.

    Raises
    ------
    numpynn.ModelFileError
        The file is missing, damaged, or not a table network's.
    """
    from .io.tabular_files import read_tabular_file

    return [_from_contents(c) for c in read_tabular_file(path)]


def load_tabular_network(path: str | os.PathLike) -> TabularNetwork:
    """The network of a file written by :meth:`TabularNetwork.save` (with its
    ``metadata``); a file of several (an ensemble) is refused: use
    :func:`load_tabular_networks`."""
    networks = load_tabular_networks(path)
    if len(networks) != 1:
        from .errors import ModelFileError

        raise ModelFileError(f"{path}: holds {len(networks)} networks (a bagged ensemble); "
                             "read it with load_tabular_networks")
    return networks[0]


def save_tabular_networks(path: str | os.PathLike, networks: Sequence[TabularNetwork],
                          metadata: dict | None = None) -> None:
    """Write networks of one architecture (an ensemble) into one model file, atomically;
    ``metadata`` (default: the first network's) is the file's."""
    from .io.tabular_files import write_tabular_file

    if not networks:
        raise ValueError("save_tabular_networks needs at least one network")
    extra = networks[0].metadata if metadata is None else metadata
    write_tabular_file(path, [net.contents(extra) for net in networks])


def networks_to_onnx(networks: Sequence[TabularNetwork], path: str | os.PathLike | None = None,
                     *, opset: int = 17, classes: Sequence[Any] | None = None,
                     output_transform: tuple[float, float, float, float] | None = None) -> Any:
    """One ONNX model of table networks of one architecture, their outputs averaged (a
    bagged ensemble); see :func:`numpynn.io.onnx_tabular.table_networks_to_onnx`.  With
    ``path``, also written there, atomically."""
    from .io.onnx_graph import save_model
    from .io.onnx_tabular import table_networks_to_onnx

    model = table_networks_to_onnx([net.contents() for net in networks], opset=opset,
                                   classes=classes, output_transform=output_transform)
    if path is not None:
        save_model(model, path)
    return model
