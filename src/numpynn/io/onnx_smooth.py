"""ONNX in for SELU, Mish and GELU: their operators (``Selu`` with numpynn's constants,
``Mish``, ``Gelu`` without approximation) and the composite forms numpynn writes below
opsets 18 and 20 (:mod:`numpynn.io.onnx_graph`)::

    mish:  Mul(x, Tanh(Softplus(x)))
    gelu:  Mul(Mul(x, 0.5), Add(Erf(Mul(x, 1/sqrt 2)), 1))

:func:`smooth_activation` is the chain reader's hook: given the tensor a layer's sums
flow into, it returns the activation those nodes compute, the nodes and their output.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..core.smooth_activations import SELU_ALPHA, SELU_LAMBDA

__all__ = ["smooth_activation", "SINGLE_OPS"]

#: Operators that are one of the smooth activations by themselves.
SINGLE_OPS = {"Selu": "selu", "Mish": "mish", "Gelu": "gelu"}


def _constant(g: Any, node: Any, x: str, value: float) -> bool:
    """Whether ``node`` takes ``x`` and a scalar constant ``value`` (either order)."""
    others = [name for name in node.input if name != x]
    if len(node.input) != 2 or len(others) != 1:
        return False
    c = g.constants.get(others[0])
    return c is not None and c.size == 1 and math.isclose(float(np.ravel(c)[0]), value,
                                                          rel_tol=1e-6)


def _single(g: Any, x: str, attributes: Any) -> tuple[str, list[Any], str] | None:
    node = g.single_consumer(x)
    if node is None or node.op_type not in SINGLE_OPS:
        return None
    attrs = attributes(node)
    if node.op_type == "Selu" and not (
            math.isclose(attrs.get("alpha", SELU_ALPHA), SELU_ALPHA, rel_tol=1e-6)
            and math.isclose(attrs.get("gamma", SELU_LAMBDA), SELU_LAMBDA, rel_tol=1e-6)):
        return None
    if node.op_type == "Gelu" and attrs.get("approximate", b"none") not in (b"none", "none"):
        return None
    return SINGLE_OPS[node.op_type], [node], node.output[0]


def _only(g: Any, name: str, op_type: str) -> Any | None:
    node = g.single_consumer(name)
    return node if node is not None and node.op_type == op_type else None


def _mish(g: Any, x: str) -> tuple[str, list[Any], str] | None:
    users = g.consumers.get(x, [])
    soft = next((u for u in users if u.op_type == "Softplus"), None)
    if len(users) != 2 or soft is None:
        return None
    tanh = _only(g, soft.output[0], "Tanh")
    mul = _only(g, tanh.output[0], "Mul") if tanh is not None else None
    if mul is None or set(mul.input) != {x, tanh.output[0]} or mul not in users:
        return None
    return "mish", [soft, tanh, mul], mul.output[0]


def _gelu(g: Any, x: str) -> tuple[str, list[Any], str] | None:
    users = g.consumers.get(x, [])
    if len(users) != 2 or any(u.op_type != "Mul" for u in users):
        return None
    scaled = next((u for u in users if _constant(g, u, x, 1 / math.sqrt(2))), None)
    halved = next((u for u in users if _constant(g, u, x, 0.5)), None)
    if scaled is None or halved is None or scaled is halved:
        return None
    erf = _only(g, scaled.output[0], "Erf")
    add = _only(g, erf.output[0], "Add") if erf is not None else None
    if add is None or not _constant(g, add, erf.output[0], 1.0):
        return None
    product = _only(g, add.output[0], "Mul")
    if product is None or set(product.input) != {halved.output[0], add.output[0]}:
        return None
    return "gelu", [scaled, erf, add, halved, product], product.output[0]


def smooth_activation(g: Any, x: str, attributes: Any) -> tuple[str, list[Any], str] | None:
    """``(name, nodes, output)`` when the nodes reading ``x`` compute SELU, Mish or GELU,
    else None.  ``attributes(node)`` gives a node's attributes as a dict."""
    return _single(g, x, attributes) or _mish(g, x) or _gelu(g, x)
