"""ONNX in: a graph that is a chain of dense layers, read back as a network's contents.

A chain starts at the graph's one input and repeats, per layer::

    MatMul(x, W) [+ Add(b)]     or     Gemm(x, B, C) [+ Add(b)]     (transA = 0)
    then at most one of Relu, LeakyRelu (alpha 0.01), Tanh, Sigmoid, Identity, Softmax, Exp
    (or SELU, Mish, GELU: their operators or numpynn's composite forms, see onnx_smooth.py)

with ``W``, ``B``, ``C`` and ``b`` constants (initializers or ``Constant`` nodes).
``Identity``, ``Flatten`` and a ``Cast`` to float may sit between layers.  That covers
what numpynn writes, what skl2onnx writes for ``MLPClassifier`` / ``MLPRegressor``, and what
``torch.onnx.export`` writes for an ``nn.Sequential`` of ``Linear`` layers and activations.
After the chain's last layer, nodes that only turn its output into labels or reshape it
(``ArgMax``, ``ZipMap``, ``ArrayFeatureExtractor``, ``Cast``, ``Reshape``...) are left out.
Any other node is a ValueError that names it.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from ..core.activations import HIDDEN_ACTIVATIONS, LEAKY_SLOPE, OUTPUT_ACTIVATIONS
from .model_files import ModelContents
from .onnx_graph import META_PREFIX, import_onnx
from .onnx_smooth import smooth_activation

__all__ = ["read_onnx"]

#: ONNX operator -> numpynn activation.
ACTIVATION_FROM_OP = {
    "Relu": "relu",
    "LeakyRelu": "leaky_relu",
    "Tanh": "tanh",
    "Sigmoid": "logistic",
    "Identity": "identity",
    "Softmax": "softmax",
    "Exp": "exp",
}
#: Operators after the last layer that only make labels or reshape: left out on import.
_HEAD_OPS = frozenset({
    "ArgMax", "ArrayFeatureExtractor", "Binarizer", "Cast", "Concat", "Flatten", "Gather",
    "Greater", "GreaterOrEqual", "Identity", "LabelEncoder", "Reshape", "Shape", "Squeeze",
    "Unsqueeze", "ZipMap",
})
#: skl2onnx's binary classifier adds P(class 0) = 1 - sigmoid.
_BINARY_HEAD_OPS = frozenset({"Sub"})
_FLOAT_TYPES = (1, 10, 11)  # onnx.TensorProto FLOAT, FLOAT16, DOUBLE


class _Graph:
    """Constants, consumers and outputs of an ``onnx.GraphProto``."""

    def __init__(self, graph: Any) -> None:
        numpy_helper = import_onnx().numpy_helper
        self.constants: dict[str, np.ndarray] = {
            t.name: numpy_helper.to_array(t) for t in graph.initializer}
        self.nodes = []
        for node in graph.node:
            if node.op_type == "Constant" and not node.input:
                value = _attributes(node).get("value")
                if value is not None:
                    self.constants[node.output[0]] = numpy_helper.to_array(value)
                    continue
            self.nodes.append(node)
        self.consumers: dict[str, list[Any]] = defaultdict(list)
        self.producers = {name: node for node in self.nodes for name in node.output}
        for node in self.nodes:
            for name in set(node.input):
                if name:
                    self.consumers[name].append(node)
        self.inputs = [i for i in graph.input if i.name not in self.constants]
        self.outputs = {o.name for o in graph.output}

    def single_consumer(self, name: str) -> Any | None:
        users = self.consumers.get(name, [])
        return users[0] if len(users) == 1 else None

    def downstream(self, name: str) -> set[int]:
        """Ids of every node computed (partly) from the tensor ``name``."""
        seen: set[int] = set()
        todo = [name]
        while todo:
            for node in self.consumers.get(todo.pop(), []):
                if id(node) not in seen:
                    seen.add(id(node))
                    todo.extend(node.output)
        return seen

    def is_dynamic(self, node: Any) -> bool:
        return any(name and name not in self.constants for name in node.input)


def _attributes(node: Any) -> dict[str, Any]:
    helper = import_onnx().helper
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _cannot_map(node: Any, reason: str) -> ValueError:
    label = f"{node.name!r} ({node.op_type})" if node.name else f"of type {node.op_type}"
    return ValueError(f"cannot map ONNX node {label} to a numpynn network: {reason}")


def _weights(g: _Graph, node: Any, name: str, what: str) -> np.ndarray:
    value = g.constants.get(name)
    if value is None:
        raise _cannot_map(node, f"its {what} {name!r} is not a constant")
    if value.dtype.kind != "f":
        raise _cannot_map(node, f"its {what} {name!r} holds {value.dtype}, not floats")
    return value.astype(np.float32, copy=False)


def _bias(node: Any, value: np.ndarray, n_out: int) -> np.ndarray:
    """A bias constant broadcast along the rows: shape (), (n_out,), (1, n_out) or (1,)."""
    if value.ndim > 2 or value.size not in (1, n_out) or (value.ndim == 2 and value.shape[0] != 1):
        raise _cannot_map(node, f"its bias has shape {value.shape}; expected ({n_out},)")
    return np.broadcast_to(value.reshape(-1), (n_out,)).astype(np.float32)


def _dense(g: _Graph, node: Any) -> tuple[np.ndarray, np.ndarray, str, list[Any]]:
    """(W (n_in, n_out), b (n_out,), output tensor, nodes used) of a MatMul / Gemm layer."""
    used = [node]
    if node.op_type == "MatMul":
        weights = _weights(g, node, node.input[1], "weight matrix")
        biases = None
    else:
        attrs = _attributes(node)
        if attrs.get("transA", 0):
            raise _cannot_map(node, "Gemm with transA=1 transposes the layer's input")
        weights = _weights(g, node, node.input[1], "weight matrix")
        if attrs.get("transB", 0):
            weights = weights.T
        alpha, beta = attrs.get("alpha", 1.0), attrs.get("beta", 1.0)
        if alpha != 1.0:
            weights = weights * np.float32(alpha)
        biases = None
        if len(node.input) > 2 and node.input[2]:
            c = _weights(g, node, node.input[2], "bias")
            biases = _bias(node, c * np.float32(beta) if beta != 1.0 else c, weights.shape[-1])
    if weights.ndim != 2:
        raise _cannot_map(node, f"its weight matrix has shape {weights.shape}, not 2-D")
    out = node.output[0]
    add = g.single_consumer(out)
    if add is not None and add.op_type == "Add":
        other = [name for name in add.input if name != out]
        if len(other) == 1 and other[0] in g.constants:
            extra = _bias(add, _weights(g, add, other[0], "bias"), weights.shape[1])
            biases = extra if biases is None else biases + extra
            used.append(add)
            out = add.output[0]
    if biases is None:
        biases = np.zeros(weights.shape[1], dtype=np.float32)
    return np.ascontiguousarray(weights, dtype=np.float32), biases, out, used


def _activation(node: Any) -> str:
    name = ACTIVATION_FROM_OP[node.op_type]
    attrs = _attributes(node)
    if name == "leaky_relu" and abs(attrs.get("alpha", 0.01) - LEAKY_SLOPE) > 1e-7:
        raise _cannot_map(node, f"LeakyRelu with alpha {attrs['alpha']:g}; numpynn's leaky "
                                f"ReLU has slope {LEAKY_SLOPE}")
    if name == "softmax" and attrs.get("axis", -1) not in (1, -1):
        raise _cannot_map(node, f"Softmax along axis {attrs['axis']}, not along each row")
    return name


def _is_pass_through(g: _Graph, node: Any) -> bool:
    if node.op_type == "Identity":
        return True
    if node.op_type == "Cast":
        return _attributes(node).get("to") == 1  # to float32
    if node.op_type == "Flatten":  # of (N, d): changes nothing
        return _attributes(node).get("axis", 1) == 1
    return False


_CHAIN_OPS = frozenset(ACTIVATION_FROM_OP) | {"MatMul", "Gemm", "Add", "Cast", "Flatten"}


def _check_no_branch(g: _Graph, t: str) -> None:
    """A tensor of the chain feeds one node, or only label-making nodes after the end."""
    users = g.consumers.get(t, [])
    producer = g.producers.get(t)
    allowed = _HEAD_OPS | (_BINARY_HEAD_OPS if producer is not None
                           and producer.op_type == "Sigmoid" else set())
    if len(users) > 1 and not all(u.op_type in allowed for u in users):
        odd = next((u for u in users if u.op_type not in _CHAIN_OPS), users[-1])
        others = ", ".join(f"{u.op_type}" for u in users if u is not odd)
        raise _cannot_map(odd, f"it branches off the tensor {t!r}, which also feeds {others}; "
                               "each layer of a chain feeds the next one alone")


def _walk(g: _Graph, start: str, stop: str | None) -> tuple[list[tuple], set[int], str]:
    """Follow the chain from ``start``: layers (W, b, activation, node), nodes used, end."""
    layers: list[tuple] = []
    used: set[int] = set()
    t = start
    while t != stop:
        _check_no_branch(g, t)
        node = g.single_consumer(t)
        if node is None:
            break
        if _is_pass_through(g, node):
            used.add(id(node))
            t = node.output[0]
            continue
        if node.op_type not in ("MatMul", "Gemm") or node.input[0] != t:
            break
        weights, biases, t, nodes = _dense(g, node)
        used.update(id(n) for n in nodes)
        if layers and layers[-1][0].shape[1] != weights.shape[0]:
            raise _cannot_map(node, f"its weight matrix {weights.shape} does not follow a layer "
                                    f"of {layers[-1][0].shape[1]} nodes")
        activation, where = "identity", nodes[-1]
        smooth = smooth_activation(g, t, _attributes) if t != stop else None
        if smooth is not None:  # SELU, Mish, GELU: one operator or a few (onnx_smooth.py)
            activation, smooth_nodes, t = smooth
            used.update(id(n) for n in smooth_nodes)
            layers.append((weights, biases, activation, smooth_nodes[-1]))
            continue
        if t != stop:
            _check_no_branch(g, t)
        follower = g.single_consumer(t) if t != stop else None
        if follower is not None and follower.op_type in ACTIVATION_FROM_OP:
            activation, where = _activation(follower), follower
            used.add(id(follower))
            t = follower.output[0]
        layers.append((weights, biases, activation, where))
    return layers, used, t


def _check_leftovers(g: _Graph, used: set[int], end: str, trusted: set[int],
                     output_activation: str) -> None:
    """Every node off the chain must only make labels from its end (or be constant)."""
    after = g.downstream(end)
    allowed = _HEAD_OPS | (_BINARY_HEAD_OPS if output_activation == "logistic" else set())
    for node in g.nodes:
        if id(node) in used or id(node) in trusted or not g.is_dynamic(node):
            continue
        if id(node) not in after:
            raise _cannot_map(node, "it is not part of a chain of dense layers (MatMul or Gemm, "
                                    "Add, then Relu, LeakyRelu, Tanh, Sigmoid, Softmax or Exp)")
        if node.op_type not in allowed:
            raise _cannot_map(node, "it changes the values after the last dense layer")


def _load(source: Any) -> Any:
    onnx = import_onnx()
    if isinstance(source, onnx.ModelProto):
        return source
    if isinstance(source, (bytes, bytearray)):
        where = "the bytes given"
        load = lambda: onnx.load_from_string(bytes(source))  # noqa: E731
    elif isinstance(source, (str, os.PathLike)):
        where = str(source)
        if not Path(source).is_file():
            raise FileNotFoundError(f"{where}: no such ONNX file")
        load = lambda: onnx.load(os.fspath(source))  # noqa: E731
    else:
        raise TypeError("source must be a path, bytes or an onnx.ModelProto, got "
                        f"{type(source).__name__}")
    try:
        return load()
    except Exception as exc:  # protobuf's DecodeError and friends
        raise ValueError(f"{where}: not an ONNX model ({exc})") from exc


def _start(g: _Graph, props: dict[str, str]) -> str:
    named = props.get(META_PREFIX + "input")
    if named is not None and (named in g.consumers or any(i.name == named for i in g.inputs)):
        return named
    if len(g.inputs) != 1:
        names = ", ".join(repr(i.name) for i in g.inputs)
        raise ValueError(f"a numpynn network has one input; this ONNX graph has "
                         f"{len(g.inputs)}: {names}")
    value = g.inputs[0]
    if value.type.tensor_type.elem_type not in _FLOAT_TYPES:
        raise ValueError(f"the ONNX graph's input {value.name!r} is not a float tensor")
    return value.name


def _metadata_extra(props: dict[str, str], contents: ModelContents) -> dict:
    """numpynn's extra metadata, after checking the graph agrees with numpynn's record."""
    if META_PREFIX + "sizes" not in props:
        return {}
    try:
        sizes = tuple(json.loads(props[META_PREFIX + "sizes"]))
        hidden = tuple(json.loads(props.get(META_PREFIX + "hidden_activations", "[]")))
        extra = json.loads(props.get(META_PREFIX + "metadata", "{}"))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"the model's numpynn metadata is damaged: {exc}") from None
    output = props.get(META_PREFIX + "output_activation")
    found = (contents.sizes, contents.hidden_activations, contents.output_activation)
    if (sizes, hidden, output) != found:
        raise ValueError(f"the graph's layers {found} do not match its numpynn metadata "
                         f"{(sizes, hidden, output)}")
    return extra if isinstance(extra, dict) else {}


# numpynn.from_onnx (network/files.py) repeats this docstring's sections for users, on purpose.
def read_onnx(source: Any) -> ModelContents:
    """Read a chain of dense layers from an ONNX model (see the module docstring).

    Parameters
    ----------
    source : str, path-like, bytes or onnx.ModelProto

    Returns
    -------
    ModelContents
        Float32 ``theta`` in numpynn's layout; ``extra`` is numpynn's metadata when the
        model was written by numpynn, else ``{}``.

    Raises
    ------
    ValueError
        Not an ONNX model, or a node that does not map onto a numpynn network (named).
    """
    model = _load(source)
    g = _Graph(model.graph)
    props = {p.key: p.value for p in model.metadata_props}
    start = _start(g, props)
    stop = props.get(META_PREFIX + "network_output")
    layers, used, end = _walk(g, start, stop)
    if not layers:
        first = g.single_consumer(start) or next(iter(g.consumers.get(start, [])), None)
        if first is None:
            raise ValueError(f"the ONNX graph's input {start!r} feeds no node")
        raise _cannot_map(first, "a numpynn network starts with MatMul or Gemm")
    trusted: set[int] = set()
    if stop is not None:  # numpynn's own preprocessing and output nodes
        from_start = g.downstream(start)
        trusted = g.downstream(stop) | {id(n) for n in g.nodes if id(n) not in from_start}
    _check_leftovers(g, used, end, trusted, layers[-1][2])
    for _, _, name, node in layers[:-1]:
        if name not in HIDDEN_ACTIVATIONS:
            raise _cannot_map(node, f"{name} in a hidden layer; numpynn's hidden activations "
                                    f"are {', '.join(HIDDEN_ACTIVATIONS)}")
    if layers[-1][2] not in OUTPUT_ACTIVATIONS:
        raise _cannot_map(layers[-1][3], f"{layers[-1][2]} after the last layer; numpynn's "
                                         f"output activations are {', '.join(OUTPUT_ACTIVATIONS)}")
    sizes = (layers[0][0].shape[0],) + tuple(w.shape[1] for w, _, _, _ in layers)
    theta = np.concatenate([part for w, b, _, _ in layers for part in (w.ravel(), b)])
    contents = ModelContents(sizes, tuple(a for _, _, a, _ in layers[:-1]), layers[-1][2],
                             theta.astype(np.float32, copy=False))
    extra = _metadata_extra(props, contents)
    if not extra:
        return contents
    return ModelContents(contents.sizes, contents.hidden_activations,
                         contents.output_activation, contents.theta, extra)
