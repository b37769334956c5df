"""ONNX out for models of the tabular recipe (``numpynn train``'s default): the raw columns
in, the original labels out, as ``numpynn predict`` computes them.

The graph does what :meth:`RecipeFeatures.transform
<numpynn.tabular.recipe_features.RecipeFeatures.transform>` and the bagged ensemble do:

- one input per column, shape (N, 1): ``tensor(double)`` for a numeric column (NaN for a
  missing value; ``numeric_type="float32"`` for float inputs), ``tensor(string)`` for a
  categorical one (the cell's text as the training rows had it: a CSV file's cells
  stripped of surrounding whitespace by the reader, a DataFrame's taken as they are; a
  number category as its shortest text, ``"3"`` for 3.0, ``"2.5"``; a missing value, or
  a value the training rows did not have, is code 0, as in Python);
- a numeric gap filled with the training median, plus the ``"<column> (missing)"``
  feature where the training rows had gaps; one-hot features of the small categorical
  columns (a binary one a single -1 / +1 feature, 0 when missing); then every dense
  feature robustly scaled, ``(x - center) * factor`` in float32, and smoothly clipped,
  ``x / sqrt(1 + (x / 3) ** 2)``; the codes of the embedded columns after them;
- the members (embeddings as ``Gather``, the feature scale, the dense stack), their
  outputs averaged;
- classification: ``probabilities`` float32 (N, k) and ``label`` (N,), the original class
  labels; regression: ``output`` float32 (N, 1) in the target's units, clipped to the
  training targets' range as ``predict`` clips it.

The features agree with Python's to float32 rounding (the smooth clip's square root is
written out, where NumPy uses ``hypot``), so the outputs do too.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..io.onnx_graph import (
    BATCH,
    DEFAULT_OPSET,
    GraphBuilder,
    check_opset,
    import_onnx,
    make_model,
    numpynn_metadata,
    save_model,
    tensor_info,
)
from ..io.onnx_tabular import add_table_networks
from .onnx import _NUMERIC_TYPES, _OUTPUT_NAMES, _class_labels, _string_hits
from .recipe_features import RecipeFeatures
from .target import TargetEncoder

__all__ = ["recipe_model_to_onnx", "recipe_file_to_onnx"]


def _numeric_block(g: GraphBuilder, plan: Any, x: str) -> list[str]:
    """The median-filled value (float32, (N, 1)) and, with a gap indicator, the flag."""
    onnx = import_onnx()
    x = g.node("Cast", [x], to=onnx.TensorProto.DOUBLE)[0]  # float32 inputs; else a no-op
    missing = g.node("IsNaN", [x])[0]
    fill = g.constant(f"{plan.name}.median", np.array([plan.median], dtype=np.float64))
    filled = g.node("Where", [missing, fill, x])[0]
    block = [g.node("Cast", [filled], to=onnx.TensorProto.FLOAT)[0]]
    if plan.indicator:
        block.append(g.node("Cast", [missing], to=onnx.TensorProto.FLOAT)[0])
    return block


def _zeros(g: GraphBuilder, name: str, x: str) -> str:
    """float32 (N, 1) zeros, shaped by the (N, 1) string input ``x``: the feature of a
    column the training rows had no category of."""
    empty = g.node("Cast", [_string_hits(g, x, [""], f"{name}.empty")],
                   to=import_onnx().TensorProto.FLOAT)[0]
    return g.node("Mul", [empty, g.constant(f"{name}.zero", np.zeros(1, np.float32))])[0]


def _codes(g: GraphBuilder, name: str, x: str, categories: list[str]) -> str:
    """float32 (N, 1): ``i + 1`` where the cell is ``categories[i]``, else 0 (a gap, which
    no training category spells, or an unseen value)."""
    if not categories:
        return _zeros(g, name, x)
    hits = _string_hits(g, x, categories, f"{name}.categories")
    hits = g.node("Cast", [hits], to=import_onnx().TensorProto.FLOAT)[0]
    numbers = g.constant(f"{name}.codes", np.arange(1, len(categories) + 1,
                                                    dtype=np.float32).reshape(-1, 1))
    return g.node("MatMul", [hits, numbers])[0]


def _one_hot_block(g: GraphBuilder, name: str, x: str, categories: list[str]) -> str:
    """The one-hot features of a small categorical column (see the module docstring)."""
    if not categories:
        return _zeros(g, name, x)
    hits = g.node("Cast", [_string_hits(g, x, categories, f"{name}.categories")],
                  to=import_onnx().TensorProto.FLOAT)[0]
    if len(categories) > 2:
        return hits
    # code 1 -> -1, code 2 -> +1 (a one-category column: -1), a gap or unseen value 0
    signs = np.array([[-1.0], [1.0]][:len(categories)], dtype=np.float32)
    return g.node("MatMul", [hits, g.constant(f"{name}.signs", signs)])[0]


def _smooth_clip(g: GraphBuilder, x: str) -> str:
    third = g.constant("smooth_clip.third", np.array([1.0 / 3.0], dtype=np.float32))
    one = g.constant("smooth_clip.one", np.array([1.0], dtype=np.float32))
    s = g.node("Mul", [x, third])[0]
    root = g.node("Sqrt", [g.node("Add", [one, g.node("Mul", [s, s])[0]])[0]])[0]
    return g.node("Div", [x, root])[0]


def _encoded(g: GraphBuilder, features: RecipeFeatures) -> str:
    """float32 (N, n_dense + n_embedded): the rows as ``features.transform`` encodes them."""
    blocks = []
    for plan in features.numeric:
        blocks += _numeric_block(g, plan, plan.name)
    for name in features.one_hot:
        blocks.append(_one_hot_block(g, name, name, features.categories[name]))
    parts = []
    if blocks:
        dense = blocks[0] if len(blocks) == 1 else g.node("Concat", blocks, axis=1)[0]
        centers = np.array([p.center for p in features.dense_plans], dtype=np.float32)
        factors = np.array([p.factor for p in features.dense_plans], dtype=np.float32)
        dense = g.node("Sub", [dense, g.constant("dense.center", centers)])[0]
        dense = g.node("Mul", [dense, g.constant("dense.factor", factors)])[0]
        parts.append(_smooth_clip(g, dense) if features.clip else dense)
    parts += [_codes(g, name, name, features.categories[name]) for name in features.embedded]
    return parts[0] if len(parts) == 1 else g.node("Concat", parts, [g.unique("encoded")],
                                                   axis=1)[0]


def _clip(g: GraphBuilder, out: str, bounds: tuple[float, float], name: str,
          result: list[str] | None = None) -> str:
    low = g.constant(f"{name}_low", np.array(bounds[0], np.float32))
    high = g.constant(f"{name}_high", np.array(bounds[1], np.float32))
    return g.node("Min", [g.node("Max", [out, low])[0], high], result)[0]


def _outputs(g: GraphBuilder, out: str, enc: TargetEncoder, k: int,
             output_range: tuple[float, float] | None,
             value_range: tuple[float, float] | None, labels: np.ndarray | None
             ) -> list[Any]:
    onnx = import_onnx()
    if enc.classes is None:  # clip(standardised) * std + mean, as predict computes it
        if output_range is not None:
            out = _clip(g, out, output_range, "out")
        std = g.constant("target.std", np.array(enc.std, dtype=np.float32))
        mean = g.constant("target.mean", np.array(enc.mean, dtype=np.float32))
        if value_range is None:
            g.node("Add", [g.node("Mul", [out, std])[0], mean], ["output"])
        else:  # in the target's units, as the table estimators' predict clips
            _clip(g, g.node("Add", [g.node("Mul", [out, std])[0], mean])[0], value_range,
                  "value", ["output"])
        return [tensor_info("output", onnx.TensorProto.FLOAT, [BATCH, k], enc.name)]
    g.node("Identity", [out], ["probabilities"])
    labels = _class_labels(enc) if labels is None else labels
    index = g.node("ArgMax", ["probabilities"], axis=1, keepdims=0)[0]
    g.node("Gather", [g.constant("classes", labels), index], ["label"], axis=0)
    elem = onnx.helper.np_dtype_to_tensor_dtype(labels.dtype) if labels.dtype != object \
        else onnx.TensorProto.STRING
    return [tensor_info("probabilities", onnx.TensorProto.FLOAT, [BATCH, k]),
            tensor_info("label", elem, [BATCH], enc.name)]


def recipe_model_to_onnx(networks: Sequence[Any], features: RecipeFeatures,
                         enc: TargetEncoder, *, output_range: tuple[float, float] | None = None,
                         value_range: tuple[float, float] | None = None,
                         labels: np.ndarray | None = None,
                         opset: int = DEFAULT_OPSET, numeric_type: str = "float64") -> Any:
    """The ONNX model of a recipe ensemble with its preprocessing (module docstring).

    Parameters
    ----------
    networks : sequence of TabularNetwork
        The bagged members, one architecture.
    features : RecipeFeatures
    enc : TargetEncoder
    output_range : (low, high), optional
        Regression: the standardised outputs are clipped to it (the recipe's output clip).
    value_range : (low, high), optional
        Regression: the outputs in the target's units are clipped to it (the table
        estimators' clip).
    labels : ndarray, optional
        Classification: the ``label`` constant (from
        :func:`~numpynn.io.onnx_graph.label_constant`); default: ``enc``'s classes as
        written in the CSV.
    opset : int, default 17
    numeric_type : {"float64", "float32"}, default "float64"
        Element type of the numeric column inputs.

    Returns
    -------
    onnx.ModelProto
    """
    if numeric_type not in _NUMERIC_TYPES:
        raise ValueError(f"numeric_type must be one of {_NUMERIC_TYPES}, got {numeric_type!r}")
    onnx = import_onnx()
    clash = [c for c in features.columns if c in _OUTPUT_NAMES]
    if clash:
        raise ValueError(f"the input column {clash[0]!r} has the name of an ONNX output "
                         f"({', '.join(_OUTPUT_NAMES)}); rename the column")
    numeric = {plan.name for plan in features.numeric}
    number = onnx.TensorProto.DOUBLE if numeric_type == "float64" else onnx.TensorProto.FLOAT
    inputs = [tensor_info(c, number, [BATCH, 1], "numeric column, NaN for a missing value")
              if c in numeric else
              tensor_info(c, onnx.TensorProto.STRING, [BATCH, 1], "categorical column, each "
                          "cell's text as in the training rows (a number as 3 or 2.5)")
              for c in features.columns]
    g = GraphBuilder(check_opset(opset), reserved=[*features.columns, *_OUTPUT_NAMES])
    members = [net.contents() for net in networks]
    out = add_table_networks(g, members, _encoded(g, features))
    outputs = _outputs(g, out, enc, members[0].sizes[-1], output_range, value_range, labels)
    meta = numpynn_metadata(members[0].dense, enc.classes, target=enc.name,
                            members=len(members), input_layers=members[0].input_metadata())
    doc = (f"numpynn tabular recipe: {len(members)} x {'-'.join(map(str, members[0].sizes))} "
           f"with the preprocessing of {len(inputs)} table columns; predicts {enc.name!r}")
    return make_model(g, inputs, outputs, meta, doc)


def recipe_file_to_onnx(path: str | os.PathLike, out: str | os.PathLike | None = None, *,
                        opset: int = DEFAULT_OPSET, numeric_type: str = "float64") -> Any:
    """:func:`recipe_model_to_onnx` of a model file that ``numpynn train`` wrote with the
    recipe; with ``out``, also written there, atomically."""
    from .recipe_model import load_recipe_parts

    ensemble, pre, enc = load_recipe_parts(path)
    model = recipe_model_to_onnx(ensemble.networks, pre.features, enc,
                                 output_range=ensemble.output_range, opset=opset,
                                 numeric_type=numeric_type)
    if out is not None:
        save_model(model, out)
    return model
