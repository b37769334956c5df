"""ONNX out: a network's sizes, activations and flat ``theta`` as an ONNX graph.

The graph uses operators of the default ONNX domain only: per layer ``MatMul`` + ``Add``
with the initializers ``layers.{i}.weight`` (``fan_in x fan_out``, as in the safetensors
model file) and ``layers.{i}.bias``, then the layer's activation (``Relu``, ``LeakyRelu``
with alpha 0.01, ``Tanh``, ``Sigmoid``, ``Identity``, ``Softmax``, ``Exp``, ``Selu``;
Mish and GELU as their operators from opsets 18 and 20, else from ``Softplus``, ``Tanh``
and ``Erf``).  Outputs:

- softmax: ``probabilities`` float32 (N, k) and ``label`` int64 (N,), the arg max;
- logistic: ``probabilities`` float32 (N, k) and ``label`` int64 (N, k), 1 where >= 0.5;
- identity, exp: ``output`` float32 (N, k).

The batch dimension ``N`` is dynamic.  ``metadata_props`` holds the numpynn version, the
sizes, the activations, the class names (when known) and the model's extra metadata.

:class:`GraphBuilder` collects nodes and initializers; :func:`add_network` writes a network
into any builder with the same three methods (the skl2onnx converters in
:mod:`numpynn.sklearn.onnx` pass an adapter over skl2onnx's scope and container).
Adding an activation or a layer kind is one entry in :data:`ACTIVATION_OPS` or
:data:`LAYER_BUILDERS`.

``onnx`` is an optional dependency (``pip install 'numpynn[onnx]'``), imported only here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import numpy as np

from ..core.activations import LEAKY_SLOPE
from ..core.smooth_activations import SELU_ALPHA, SELU_LAMBDA
from .atomic import atomic_open
from .model_files import ModelContents

__all__ = [
    "SUPPORTED_OPSETS",
    "DEFAULT_OPSET",
    "ACTIVATION_OPS",
    "LAYER_BUILDERS",
    "GraphBuilder",
    "add_network",
    "check_opset",
    "import_onnx",
    "label_constant",
    "make_model",
    "network_to_onnx",
    "save_model",
]

#: Opsets of the default domain that exports are checked against.
SUPPORTED_OPSETS = range(13, 22)
DEFAULT_OPSET = 17
#: Opset of ``ai.onnx.ml`` for the one ML operator used below opset 19 (string LabelEncoder).
ML_OPSET = 2
#: Name of the batch dimension.
BATCH = "N"
#: Prefix of the keys numpynn writes into ``metadata_props``.
META_PREFIX = "numpynn."

#: Activation name -> (ONNX operator, attributes).  Softmax normalises each row.
ACTIVATION_OPS: dict[str, tuple[str, dict[str, Any]]] = {
    "relu": ("Relu", {}),
    "leaky_relu": ("LeakyRelu", {"alpha": LEAKY_SLOPE}),
    "tanh": ("Tanh", {}),
    "logistic": ("Sigmoid", {}),
    "identity": ("Identity", {}),
    "softmax": ("Softmax", {"axis": -1}),
    "exp": ("Exp", {}),
    "selu": ("Selu", {"alpha": SELU_ALPHA, "gamma": SELU_LAMBDA}),
}


def import_onnx():
    """The ``onnx`` module, or an ImportError that says how to install it."""
    try:
        import onnx
    except ImportError as exc:
        raise ImportError(
            "ONNX export and import need the 'onnx' package: pip install 'numpynn[onnx]' "
            "(or pip install onnx)"
        ) from exc
    return onnx


def check_opset(opset: object) -> int:
    """Return ``opset`` if it is a supported opset of the default domain, else raise."""
    if isinstance(opset, bool) or not isinstance(opset, (int, np.integer)):
        raise TypeError(f"opset must be an int, got {type(opset).__name__}")
    if int(opset) not in SUPPORTED_OPSETS:
        raise ValueError(
            f"opset must be one of {SUPPORTED_OPSETS.start}..{SUPPORTED_OPSETS.stop - 1}, "
            f"got {opset}"
        )
    return int(opset)


class Graph(Protocol):
    """What :func:`add_network` needs from a graph under construction."""

    opset: int

    def unique(self, hint: str) -> str: ...

    def constant(self, name: str, array: np.ndarray, *, exact: bool = False) -> str: ...

    def node(self, op_type: str, inputs: Sequence[str], outputs: Sequence[str] | None = None,
             *, domain: str = "", **attrs: Any) -> list[str]: ...


class GraphBuilder:
    """Nodes and initializers of one graph, with unique names.

    Parameters
    ----------
    opset : int
        Default-domain opset the nodes must be valid in.
    reserved : sequence of str
        Names already taken (graph inputs and outputs).
    """

    def __init__(self, opset: int, reserved: Sequence[str] = ()) -> None:
        self.opset = check_opset(opset)
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self.domains: set[str] = set()
        self._taken: set[str] = set(reserved)

    def unique(self, hint: str) -> str:
        """A fresh tensor name starting with ``hint``."""
        name, i = hint, 1
        while name in self._taken:
            name, i = f"{hint}_{i}", i + 1
        self._taken.add(name)
        return name

    def constant(self, name: str, array: np.ndarray, *, exact: bool = False) -> str:
        """Add ``array`` as an initializer; return its name (``name`` itself when ``exact``)."""
        if exact and name in self._taken:
            raise ValueError(f"the name {name!r} is taken twice in the ONNX graph")
        name = self.unique(name)
        self.initializers.append(import_onnx().numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(self, op_type: str, inputs: Sequence[str], outputs: Sequence[str] | None = None,
             *, domain: str = "", **attrs: Any) -> list[str]:
        """Add a node; without ``outputs`` it gets one fresh output.  Returns the outputs."""
        outs = list(outputs) if outputs is not None else [self.unique(op_type.lower())]
        self._taken.update(outs)
        helper = import_onnx().helper
        self.nodes.append(helper.make_node(op_type, list(inputs), outs, name=self.unique(
            f"{op_type}_node"), domain=domain or None, **attrs))
        if domain:
            self.domains.add(domain)
        return outs


# --------------------------------------------------------------------------------------------
# The network: one table entry per layer kind, one per activation
# --------------------------------------------------------------------------------------------


def _mish(g: Graph, x: str, output: str | None) -> str:
    """Mish: the Mish operator from opset 18, else ``x * tanh(softplus(x))``."""
    outputs = None if output is None else [output]
    if g.opset >= 18:
        return g.node("Mish", [x], outputs)[0]
    squashed = g.node("Tanh", g.node("Softplus", [x]))[0]
    return g.node("Mul", [x, squashed], outputs)[0]


def _gelu(g: Graph, x: str, output: str | None) -> str:
    """GELU (erf form): the Gelu operator from opset 20, else ``x (1 + erf(x / sqrt 2)) / 2``."""
    outputs = None if output is None else [output]
    if g.opset >= 20:
        return g.node("Gelu", [x], outputs)[0]
    root_half = g.constant("gelu_inv_sqrt2", np.array(1 / np.sqrt(2), dtype=np.float32))
    half = g.constant("gelu_half", np.array(0.5, dtype=np.float32))
    one = g.constant("gelu_one", np.array(1.0, dtype=np.float32))
    cdf = g.node("Add", [g.node("Erf", g.node("Mul", [x, root_half]))[0], one])[0]
    return g.node("Mul", [g.node("Mul", [x, half])[0], cdf], outputs)[0]


#: Activations written as several nodes (or an operator of a late opset).
COMPOSITE_ACTIVATIONS: dict[str, Callable[[Graph, str, str | None], str]] = {
    "mish": _mish, "gelu": _gelu}


def add_activation(g: Graph, name: str, x: str, output: str | None = None) -> str:
    """Apply the activation ``name`` (a key of :data:`ACTIVATION_OPS` or
    :data:`COMPOSITE_ACTIVATIONS`) to ``x``."""
    if name in COMPOSITE_ACTIVATIONS:
        return COMPOSITE_ACTIVATIONS[name](g, x, output)
    op_type, attrs = ACTIVATION_OPS[name]
    return g.node(op_type, [x], None if output is None else [output], **attrs)[0]


def add_dense_layer(g: Graph, index: int, weights: np.ndarray, biases: np.ndarray,
                    x: str) -> str:
    """``x @ W + b`` with the initializers ``layers.{index}.weight`` and ``.bias``."""
    w = g.constant(f"layers.{index}.weight", weights, exact=True)
    b = g.constant(f"layers.{index}.bias", biases, exact=True)
    product = g.node("MatMul", [x, w])[0]
    return g.node("Add", [product, b])[0]


#: Layer kind -> builder ``(graph, index, weights, biases, input) -> pre-activation sums``.
LAYER_BUILDERS: dict[str, Callable[..., str]] = {"dense": add_dense_layer}


def add_network(g: Graph, contents: ModelContents, x: str, output: str | None = None) -> str:
    """Write the whole network, input ``x`` (float32, (N, sizes[0])) to its outputs.

    Parameters
    ----------
    g : Graph
    contents : ModelContents
        Sizes, activations and ``theta`` of the network.
    x : str
        Name of the input tensor.
    output : str, optional
        Name for the output tensor (after the output activation); default a fresh name.

    Returns
    -------
    str
        The output tensor, float32, (N, sizes[-1]).
    """
    activations = contents.hidden_activations + (contents.output_activation,)
    last = len(activations) - 1
    for i, ((weights, biases), name) in enumerate(zip(contents.layer_arrays(), activations)):
        # The graph is float32 throughout: a float64 network's weights are rounded to it.
        weights, biases = weights.astype(np.float32, copy=False), biases.astype(np.float32,
                                                                                copy=False)
        sums = LAYER_BUILDERS["dense"](g, i, weights, biases, x)
        x = add_activation(g, name, sums, output if i == last else None)
    return x


def label_constant(classes: Sequence[Any]) -> np.ndarray:
    """Class labels as a constant for ``Gather``: int64, float64 or a str (object) array."""
    arr = np.asarray(classes)
    if arr.dtype.kind in "biu":
        return arr.astype(np.int64)
    if arr.dtype.kind == "f":
        return arr.astype(np.float64)
    if arr.dtype.kind in "UO":
        return np.array([str(c) for c in arr.tolist()], dtype=object)
    raise TypeError(f"class labels must be numbers or strings, got dtype {arr.dtype}")


# --------------------------------------------------------------------------------------------
# The model: inputs, outputs, metadata, checked
# --------------------------------------------------------------------------------------------


def tensor_info(name: str, elem_type: int, shape: Sequence[int | str], doc: str = "") -> Any:
    """A graph input or output: name, element type (``onnx.TensorProto.FLOAT``...), shape."""
    return import_onnx().helper.make_tensor_value_info(name, elem_type, list(shape), doc)


def numpynn_metadata(contents: ModelContents, class_names: Sequence[Any] | None = None,
                     **more: Any) -> dict[str, str]:
    """The ``metadata_props`` numpynn writes: strings as they are, anything else as JSON."""
    from .._version import __version__

    props = {
        "version": __version__,
        "sizes": list(contents.sizes),
        "hidden_activations": list(contents.hidden_activations),
        "output_activation": contents.output_activation,
        "metadata": contents.extra,
    }
    if class_names is not None:
        props["classes"] = [c if isinstance(c, (str, int, float)) else c.item()
                            for c in class_names]
    props.update(more)
    return {META_PREFIX + key: value if isinstance(value, str)
            else json.dumps(value, ensure_ascii=False, allow_nan=False)
            for key, value in props.items()}


def make_model(g: GraphBuilder, inputs: Sequence[Any], outputs: Sequence[Any],
               metadata: Mapping[str, str], doc: str = "") -> Any:
    """Assemble a checked ``onnx.ModelProto`` from a builder and its inputs and outputs."""
    onnx = import_onnx()
    from .._version import __version__

    graph = onnx.helper.make_graph(g.nodes, "numpynn", list(inputs), list(outputs),
                                   initializer=g.initializers, doc_string=doc)
    opsets = [onnx.helper.make_opsetid("", g.opset)]
    opsets += [onnx.helper.make_opsetid(d, ML_OPSET) for d in sorted(g.domains)]
    model = onnx.helper.make_model(
        graph, opset_imports=opsets, producer_name="numpynn", producer_version=__version__,
        ir_version=onnx.helper.find_min_ir_version_for(opsets), doc_string=doc)
    onnx.helper.set_model_props(model, dict(metadata))
    onnx.checker.check_model(model, full_check=True)
    return model


def _describe(contents: ModelContents) -> str:
    hidden = ", ".join(contents.hidden_activations) or "no"
    return (f"numpynn network {'-'.join(map(str, contents.sizes))}: {hidden} hidden "
            f"activation(s), {contents.output_activation} output")


def add_network_outputs(g: GraphBuilder, contents: ModelContents, x: str) -> list[Any]:
    """The network on ``x`` and its outputs, named as in the module docstring."""
    onnx = import_onnx()
    k = contents.sizes[-1]
    float_type, int_type = onnx.TensorProto.FLOAT, onnx.TensorProto.INT64
    kind = contents.output_activation
    if kind == "softmax":
        add_network(g, contents, x, "probabilities")
        g.node("ArgMax", ["probabilities"], ["label"], axis=1, keepdims=0)
        return [tensor_info("probabilities", float_type, [BATCH, k]),
                tensor_info("label", int_type, [BATCH], "index of the largest probability")]
    if kind == "logistic":
        add_network(g, contents, x, "probabilities")
        half = g.constant("half", np.array(0.5, dtype=np.float32))
        positive = g.node("GreaterOrEqual", ["probabilities", half])[0]
        g.node("Cast", [positive], ["label"], to=int_type)
        return [tensor_info("probabilities", float_type, [BATCH, k]),
                tensor_info("label", int_type, [BATCH, k], "1 where the probability >= 0.5")]
    add_network(g, contents, x, "output")
    return [tensor_info("output", float_type, [BATCH, k])]


def network_to_onnx(contents: ModelContents, *, opset: int = DEFAULT_OPSET) -> Any:
    """The ONNX model of a network alone: input ``input`` float32 (N, sizes[0]).

    Parameters
    ----------
    contents : ModelContents
        The network; ``extra["classes"]``, when a list, names the classes.
    opset : int, default 17
        One of 13..21.

    Returns
    -------
    onnx.ModelProto
        Passes ``onnx.checker.check_model(full_check=True)``.
    """
    if not isinstance(contents, ModelContents):
        raise TypeError(f"contents must be a ModelContents, got {type(contents).__name__}")
    onnx = import_onnx()
    g = GraphBuilder(opset, reserved=["input"])
    inputs = [tensor_info("input", onnx.TensorProto.FLOAT, [BATCH, contents.sizes[0]])]
    outputs = add_network_outputs(g, contents, "input")
    classes = contents.extra.get("classes")
    classes = classes if isinstance(classes, list) else None
    meta = numpynn_metadata(contents, classes, input="input")
    return make_model(g, inputs, outputs, meta, _describe(contents))


def save_model(model: Any, path: str | os.PathLike) -> None:
    """Write an ``onnx.ModelProto`` to ``path`` atomically (a complete file or none)."""
    data = model.SerializeToString()
    with atomic_open(path, "wb") as fh:
        fh.write(data)
