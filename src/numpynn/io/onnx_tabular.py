"""ONNX out for table networks: the input block (embeddings as ``Gather``, periodic
embeddings as ``Cos`` and a batched ``MatMul``, the feature scale as ``Mul``), then the
dense stack as :mod:`numpynn.io.onnx_graph` writes it; a bagged ensemble averages its
members' outputs (``Mean``).

Input ``input``, float32 (N, n_dense + n_codes): dense features, then one category code
per embedded column (as :meth:`numpynn.tabular.recipe_features.RecipeFeatures.transform`
writes them).  Outputs as for a dense network: ``probabilities`` and ``label`` for softmax
(and logistic), ``output`` for identity and exp; ``output_transform`` adds
``output * scale + shift``, clipped to ``[low, high]`` (a regressor's target units).
Default-domain operators only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .onnx_graph import (
    BATCH,
    DEFAULT_OPSET,
    GraphBuilder,
    add_activation,
    import_onnx,
    make_model,
    numpynn_metadata,
    tensor_info,
)
from .tabular_files import TabularContents

__all__ = ["table_networks_to_onnx", "add_table_networks"]


def _input_block(g: GraphBuilder, member: TabularContents, prefix: str, x: str) -> str:
    """The dense stack's input: dense columns, embeddings of the code columns, scaled."""
    layout = member.layout
    views = layout.views_of(member.theta)
    parts = []
    if layout.n_dense:
        ints = {name: g.constant(f"{prefix}{name}", np.array([v], dtype=np.int64))
                for name, v in (("dense_start", 0), ("dense_stop", layout.n_dense),
                                ("dense_axis", 1))}
        parts.append(g.node("Slice", [x, ints["dense_start"], ints["dense_stop"],
                                      ints["dense_axis"]])[0])
    for j, table in enumerate(views.embeddings):
        column = g.constant(f"{prefix}code_column.{j}",
                            np.array(layout.n_dense + j, dtype=np.int64))
        codes = g.node("Gather", [x, column], axis=1)[0]
        codes = g.node("Cast", [codes], to=import_onnx().TensorProto.INT64)[0]
        weights = g.constant(f"{prefix}embeddings.{j}", np.ascontiguousarray(table), exact=True)
        parts.append(g.node("Gather", [weights, codes], axis=0)[0])
    if layout.periodic:
        parts.append(_periodic(g, layout, views.periodic, prefix, x))
    features = parts[0] if len(parts) == 1 else g.node("Concat", parts, axis=1)[0]
    if views.scale is not None:
        scale = g.constant(f"{prefix}feature_scale", np.ascontiguousarray(views.scale),
                           exact=True)
        features = g.node("Mul", [features, scale])[0]
    return features


def _periodic(g: GraphBuilder, layout: Any, p: Any, prefix: str, x: str) -> str:
    """The periodic embeddings' values (N, C D): ``cos(x 2 pi w + b) @ V + a`` per column
    (:mod:`numpynn.core.layers.periodic`), as one batched MatMul over the columns."""
    c, d = len(layout.periodic), layout.periodic_dims
    columns = g.constant(f"{prefix}periodic_columns", np.array(layout.periodic, np.int64))
    numbers = g.node("Gather", [x, columns], axis=1)[0]
    shape = g.constant(f"{prefix}periodic_shape", np.array([0, c, 1], np.int64))
    numbers = g.node("Reshape", [numbers, shape])[0]  # (N, C, 1)
    # 2 pi w in float32 as the NumPy path computes it, so the products are the same
    scaled = g.constant(f"{prefix}periodic.angular_frequencies",
                        p.frequencies * np.float32(2.0 * np.pi))
    angles = g.node("Mul", [numbers, scaled])[0]
    phases = g.constant(f"{prefix}periodic.phases", np.ascontiguousarray(p.phases), exact=True)
    cosines = g.node("Cos", [g.node("Add", [angles, phases])[0]])[0]  # (N, C, F)
    by_column = g.node("Transpose", [cosines], perm=[1, 0, 2])[0]  # (C, N, F)
    weights = g.constant(f"{prefix}periodic.weights", np.ascontiguousarray(p.weights),
                         exact=True)
    values = g.node("Transpose", [g.node("MatMul", [by_column, weights])[0]],
                    perm=[1, 0, 2])[0]  # (N, C, D)
    biases = g.constant(f"{prefix}periodic.biases", np.ascontiguousarray(p.biases), exact=True)
    flat = g.constant(f"{prefix}periodic_flat", np.array([0, c * d], np.int64))
    return g.node("Reshape", [g.node("Add", [values, biases])[0], flat])[0]


def _member(g: GraphBuilder, member: TabularContents, prefix: str, x: str) -> str:
    """One member's outputs (after its output activation)."""
    a = _input_block(g, member, prefix, x)
    activations = member.hidden_activations + (member.output_activation,)
    for i, ((w, b), name) in enumerate(zip(member.dense.layer_arrays(), activations)):
        weights = g.constant(f"{prefix}layers.{i}.weight", w, exact=True)
        biases = g.constant(f"{prefix}layers.{i}.bias", b, exact=True)
        sums = g.node("Add", [g.node("MatMul", [a, weights])[0], biases])[0]
        a = add_activation(g, name, sums)
    return a


def add_table_networks(g: GraphBuilder, members: Sequence[TabularContents], x: str) -> str:
    """The members' outputs on the encoded rows ``x`` (float32 (N, n_inputs)), averaged
    (``Mean``) when there are several; returns the output's name."""
    outs = [_member(g, m, "" if len(members) == 1 else f"members.{i}.", x)
            for i, m in enumerate(members)]
    return outs[0] if len(outs) == 1 else g.node("Mean", outs)[0]


def _finish(g: GraphBuilder, out: str, kind: str, k: int,
            transform: tuple[float, float, float, float] | None) -> list[Any]:
    onnx = import_onnx()
    float_type, int_type = onnx.TensorProto.FLOAT, onnx.TensorProto.INT64
    if kind == "softmax":
        g.node("Identity", [out], ["probabilities"])
        g.node("ArgMax", ["probabilities"], ["label"], axis=1, keepdims=0)
        return [tensor_info("probabilities", float_type, [BATCH, k]),
                tensor_info("label", int_type, [BATCH], "index of the largest probability")]
    if kind == "logistic":
        g.node("Identity", [out], ["probabilities"])
        half = g.constant("half", np.array(0.5, dtype=np.float32))
        g.node("Cast", [g.node("GreaterOrEqual", ["probabilities", half])[0]], ["label"],
               to=int_type)
        return [tensor_info("probabilities", float_type, [BATCH, k]),
                tensor_info("label", int_type, [BATCH, k], "1 where the probability >= 0.5")]
    if transform is not None:
        scale, shift, low, high = (g.constant(n, np.array(v, dtype=np.float32)) for n, v in
                                   zip(("out_scale", "out_shift", "out_low", "out_high"),
                                       transform))
        out = g.node("Add", [g.node("Mul", [out, scale])[0], shift])[0]
        out = g.node("Max", [out, low])[0]
        out = g.node("Min", [out, high])[0]
    g.node("Identity", [out], ["output"])
    return [tensor_info("output", float_type, [BATCH, k])]


def table_networks_to_onnx(members: Sequence[TabularContents], *, opset: int = DEFAULT_OPSET,
                           classes: Sequence[Any] | None = None,
                           output_transform: tuple[float, float, float, float] | None = None,
                           ) -> Any:
    """The ONNX model of one table network or of a bagged ensemble (mean of the members).

    Parameters
    ----------
    members : sequence of TabularContents
        One or more networks of one architecture.
    opset : int, default 17
        13..21 (Mish and GELU use their own operators from 18 and 20).
    classes : sequence, optional
        Class names, kept in the metadata.
    output_transform : (scale, shift, low, high), optional
        For identity outputs: ``clip(output * scale + shift, low, high)``.

    Returns
    -------
    onnx.ModelProto
        Passes ``onnx.checker.check_model(full_check=True)``.
    """
    members = list(members)
    if not members or not all(isinstance(m, TabularContents) for m in members):
        raise TypeError("members must be one or more TabularContents")
    first = members[0]
    onnx = import_onnx()
    g = GraphBuilder(opset, reserved=["input", "probabilities", "label", "output"])
    out = add_table_networks(g, members, "input")
    k = first.sizes[-1]
    outputs = _finish(g, out, first.output_activation, k, output_transform)
    inputs = [tensor_info("input", onnx.TensorProto.FLOAT, [BATCH, first.layout.n_inputs],
                          "dense features, then one category code per embedded column")]
    meta = numpynn_metadata(first.dense, list(classes) if classes is not None else None,
                            input="input", input_layers=first.input_metadata(),
                            members=len(members))
    doc = (f"numpynn table network{'s' if len(members) > 1 else ''}: {len(members)} x "
           f"{first.layout.n_inputs} inputs -> {'-'.join(map(str, first.sizes))}")
    return make_model(g, inputs, outputs, meta, doc)
