"""ONNX out for models trained on a table: the raw columns in, the original labels out.

A model from ``numpynn train`` carries its :class:`~numpynn.tabular.Preprocessor` and
:class:`~numpynn.tabular.TargetEncoder` state in its metadata.  :func:`to_onnx` turns it
into one graph that does what ``numpynn predict`` does:

- one input per column, shape (N, 1): ``tensor(double)`` for a numeric column and for a
  number-coded categorical one (NaN for a missing value; ``numeric_type="float32"`` for
  float inputs), ``tensor(string)`` for a text column (the cell as written, stripped of
  surrounding whitespace as numpynn's reader strips it; an empty cell, ``NA``, ``N/A``,
  ``NaN``, ``null``, ``None`` in any letter case, or one of the model's ``na_values`` is a
  gap; an unseen value encodes as all zeros);
- the stored preprocessing, as :meth:`Preprocessor.transform` does it: a numeric gap
  filled with the training median plus the ``"<column> (missing)"`` feature, a text gap
  as the ``column=(missing)`` category, when the training rows had gaps; standardisation
  and one-hot encoding; then the network (numpynn 0.1 files, state version 1: a gap
  filled with the training mean, a text gap all zeros);
- classification: ``probabilities`` float32 (N, k) and ``label`` (N,), the original class
  labels (string, or int64 / double for numeric labels); regression: ``output`` float32
  (N, 1) in the target's units.

Numeric columns are standardised in double precision, as ``numpynn predict`` does, so the
features are the same bits.  Text columns use ``Equal`` on strings from opset 19 on, and the
``ai.onnx.ml`` ``LabelEncoder`` below it (the default domain has no string comparison there).

Each column kind is one function in :data:`COLUMN_KINDS`, keyed by the ``kind`` of the
column in the preprocessor's JSON state.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from itertools import product
from typing import Any

import numpy as np

from ..io.model_files import ModelContents
from ..io.onnx_graph import (
    BATCH,
    DEFAULT_OPSET,
    GraphBuilder,
    add_network,
    check_opset,
    import_onnx,
    label_constant,
    make_model,
    numpynn_metadata,
    save_model,
    tensor_info,
)
from ..network import NeuralNetwork, load
from .features import Preprocessor
from .model_state import check_encoders_match, reading_options
from .target import TargetEncoder
from .values import MISSING_VALUES

__all__ = ["COLUMN_KINDS", "to_onnx", "table_model_to_onnx"]

_OUTPUT_NAMES = ("probabilities", "label", "output")
_NUMERIC_TYPES = ("float64", "float32")


# --------------------------------------------------------------------------------------------
# One function per column kind: (graph, column state, input name) -> float32 (N, w) or None
# --------------------------------------------------------------------------------------------


def numeric_column_features(g: GraphBuilder, column: Mapping[str, Any], x: str) -> str:
    """``(x - mean) / std`` in double, a missing value (NaN) filled with the stored fill
    first (the training median; the mean in 0.1 files), and, when the column has a gap
    indicator, a second feature that is 1.0 at a NaN."""
    onnx = import_onnx()
    x = g.node("Cast", [x], to=onnx.TensorProto.DOUBLE)[0]  # float32 inputs; else a no-op
    name = column["name"]
    mean = g.constant(f"{name}.mean", np.array([column["mean"]], dtype=np.float64))
    std = g.constant(f"{name}.std", np.array([column["std"]], dtype=np.float64))
    fill = g.constant(f"{name}.fill", np.array([column.get("fill", column["mean"])],
                                               dtype=np.float64))
    missing = g.node("IsNaN", [x])[0]
    filled = g.node("Where", [missing, fill, x])[0]
    centred = g.node("Sub", [filled, mean])[0]
    scaled = g.node("Div", [centred, std])[0]
    feature = g.node("Cast", [scaled], to=onnx.TensorProto.FLOAT)[0]
    if not column.get("indicator", False):
        return feature
    flag = g.node("Cast", [missing], to=onnx.TensorProto.FLOAT)[0]
    return g.node("Concat", [feature, flag], axis=1)[0]


def _string_hits(g: GraphBuilder, x: str, strings: list[str], tag: str) -> str:
    """bool (N, len(strings)): whether each cell of the (N, 1) string tensor ``x`` is each
    of ``strings``, exactly."""
    if g.opset >= 19:
        known = g.constant(tag, np.array(strings, dtype=object))
        return g.node("Equal", [x, known])[0]
    codes = g.node("LabelEncoder", [x], domain="ai.onnx.ml", keys_strings=strings,
                   values_int64s=list(range(len(strings))), default_int64=-1)[0]
    positions = g.constant(f"{tag}.codes", np.arange(len(strings), dtype=np.int64))
    return g.node("Equal", [codes, positions])[0]


def _any(g: GraphBuilder, hits: str, name: str) -> str:
    """bool (N, 1): whether any of the (N, m) ``hits`` is true."""
    onnx = import_onnx()
    counts = g.node("Cast", [hits], to=onnx.TensorProto.FLOAT)[0]
    axes = g.constant(f"{name}.axes", np.array([1], dtype=np.int64))
    total = g.node("ReduceSum", [counts, axes], keepdims=1)[0]
    zero = g.constant(f"{name}.zero", np.array([0.0], dtype=np.float32))
    return g.node("Greater", [total, zero])[0]


def _gap_spellings(na_values: list[str]) -> list[str]:
    """Every text a missing value may be spelled as: each of :data:`MISSING_VALUES` in every
    letter case (``NA``, ``Na``, ``nA``, ``na``, ...; listed, since the string ops that
    change case depend on the machine's locales), and ``na_values`` exactly."""
    spellings = set(na_values)
    for word in MISSING_VALUES:
        spellings.update("".join(chars) for chars in product(*({c.lower(), c.upper()}
                                                                for c in word)))
    return sorted(spellings)


def _text_gaps(g: GraphBuilder, x: str, name: str, na_values: list[str]) -> str:
    """bool (N, 1): the cells that spell a missing value, as the reader decides: empty,
    ``NA``, ``N/A``, ``NaN``, ``null``, ``None`` in any letter case, or one of the model's
    ``na_values``."""
    hits = _string_hits(g, x, _gap_spellings(na_values), f"{name}.missing")
    return _any(g, hits, f"{name}.missing")


def categorical_column_features(g: GraphBuilder, column: Mapping[str, Any], x: str,
                                na_values: list[str] = ()) -> str | None:
    """One 0/1 float32 feature per category, and one for the gaps when the training rows
    had them (``missing_category``); anything else (unseen, or a gap without that
    feature) all zeros. Number categories (``numbers``) are compared by value on a
    numeric input, NaN for a gap."""
    onnx = import_onnx()
    categories = list(column["categories"])
    name = column["name"]
    blocks = []
    if column.get("numbers", False):
        x = g.node("Cast", [x], to=onnx.TensorProto.DOUBLE)[0]
        values = g.constant(f"{name}.categories", np.array(categories, dtype=np.float64))
        if categories:
            blocks.append(g.node("Equal", [x, values])[0])
        gaps = g.node("IsNaN", [x])[0] if column.get("missing_category") else None
    else:
        if categories:
            blocks.append(_string_hits(g, x, categories, f"{name}.categories"))
        gaps = _text_gaps(g, x, name, list(na_values)) \
            if column.get("missing_category") else None
    if gaps is not None:
        blocks.append(gaps)
    if not blocks:
        return None
    hits = blocks[0] if len(blocks) == 1 else g.node("Concat", blocks, axis=1)[0]
    return g.node("Cast", [hits], to=onnx.TensorProto.FLOAT)[0]


def _input_kind(column: Mapping[str, Any]) -> str:
    """``"numeric"`` or ``"string"``: the input type a column's cells come in."""
    if column["kind"] == "categorical" and column.get("numbers", False):
        return "numeric"
    return COLUMN_KINDS[column["kind"]][0]


#: Column kind (``Preprocessor.to_dict()["columns"][j]["kind"]``) -> (input type, features).
COLUMN_KINDS: dict[str, tuple[str, Callable[..., str | None]]] = {
    "numeric": ("numeric", numeric_column_features),
    "categorical": ("string", categorical_column_features),
}


# --------------------------------------------------------------------------------------------
# The graph
# --------------------------------------------------------------------------------------------


def _column_inputs(pre: Preprocessor, numeric_type: str) -> tuple[list[Any], list[str]]:
    onnx = import_onnx()
    types = {"numeric": onnx.TensorProto.DOUBLE if numeric_type == "float64"
             else onnx.TensorProto.FLOAT, "string": onnx.TensorProto.STRING}
    inputs, names = [], []
    for column in pre.to_dict()["columns"]:
        name = column["name"]
        if name in _OUTPUT_NAMES:
            raise ValueError(f"the input column {name!r} has the name of an ONNX output "
                             f"({', '.join(_OUTPUT_NAMES)}); rename the column")
        elem = types[_input_kind(column)]
        doc = ("numeric column, NaN for a missing value" if _input_kind(column) == "numeric"
               else "text column, each cell stripped of surrounding whitespace")
        inputs.append(tensor_info(name, elem, [BATCH, 1], doc))
        names.append(name)
    return inputs, names


def _features(g: GraphBuilder, pre: Preprocessor, na_values: list[str]) -> str:
    """Every column's features, concatenated in the preprocessor's order: (N, n_features)."""
    blocks = []
    for column in pre.to_dict()["columns"]:
        extra = {"na_values": na_values} if column["kind"] == "categorical" else {}
        block = COLUMN_KINDS[column["kind"]][1](g, column, column["name"], **extra)
        if block is not None:
            blocks.append(block)
    return g.node("Concat", blocks, [g.unique("features")], axis=1)[0]


def _outputs(g: GraphBuilder, contents: ModelContents, enc: TargetEncoder, features: str
             ) -> tuple[list[Any], str]:
    """The network on ``features`` and the outputs in the CSV's terms; and the name of the
    network's own output."""
    onnx = import_onnx()
    k = contents.sizes[-1]
    if enc.classes is None:
        standardised = add_network(g, contents, features, g.unique("network_output"))
        std = g.constant("target.std", np.array(enc.std, dtype=np.float32))
        mean = g.constant("target.mean", np.array(enc.mean, dtype=np.float32))
        scaled = g.node("Mul", [standardised, std])[0]
        g.node("Add", [scaled, mean], ["output"])
        return [tensor_info("output", onnx.TensorProto.FLOAT, [BATCH, k], enc.name)], \
            standardised
    add_network(g, contents, features, "probabilities")
    labels = _class_labels(enc)
    index = g.node("ArgMax", ["probabilities"], axis=1, keepdims=0)[0]
    values = g.constant("classes", labels)
    g.node("Gather", [values, index], ["label"], axis=0)
    elem = onnx.helper.np_dtype_to_tensor_dtype(labels.dtype) if labels.dtype != object \
        else onnx.TensorProto.STRING
    return [tensor_info("probabilities", onnx.TensorProto.FLOAT, [BATCH, k]),
            tensor_info("label", elem, [BATCH], enc.name)], "probabilities"


def _class_labels(enc: TargetEncoder) -> np.ndarray:
    """The class labels as written in the CSV: strings, or numbers for numeric labels."""
    if not enc.numeric_labels:
        return label_constant(list(enc.classes))
    values = [float(c) for c in enc.classes]
    if all(v.is_integer() and abs(v) < 2**63 for v in values):
        return np.array(values, dtype=np.int64)
    return np.array(values, dtype=np.float64)


def table_model_to_onnx(net: NeuralNetwork, pre: Preprocessor, enc: TargetEncoder, *,
                        opset: int = DEFAULT_OPSET, numeric_type: str = "float64",
                        na_values: Sequence[str] = ()) -> Any:
    """The ONNX model of a network with its table preprocessing (module docstring).

    Parameters
    ----------
    net : NeuralNetwork
    pre : Preprocessor
    enc : TargetEncoder
    opset : int, default 17
    numeric_type : {"float64", "float32"}, default "float64"
        Element type of the numeric column inputs.
    na_values : sequence of str, optional
        The extra missing-value spellings the model's data was read with (the ``reading``
        entry of its metadata): text cells spelled so are gaps too.

    Returns
    -------
    onnx.ModelProto
    """
    if numeric_type not in _NUMERIC_TYPES:
        raise ValueError(f"numeric_type must be one of {_NUMERIC_TYPES}, got {numeric_type!r}")
    check_encoders_match(net, pre, enc)
    inputs, names = _column_inputs(pre, numeric_type)
    g = GraphBuilder(check_opset(opset), reserved=[*names, *_OUTPUT_NAMES])
    features = _features(g, pre, [str(v).strip() for v in na_values])
    contents = ModelContents(net.sizes, net.hidden_activations, net.output_activation,
                             net.theta, dict(net.metadata))
    outputs, network_output = _outputs(g, contents, enc, features)
    meta = numpynn_metadata(contents, enc.classes, input=features, target=enc.name,
                            network_output=network_output)
    doc = (f"numpynn network {'-'.join(map(str, net.sizes))} with the preprocessing of "
           f"{len(inputs)} table columns; predicts {enc.name!r}")
    return make_model(g, inputs, outputs, meta, doc)


def _table_state(meta: Mapping[str, Any]
                 ) -> tuple[Preprocessor, TargetEncoder, list[str]] | None:
    """The preprocessing ``numpynn train`` stored and the extra missing-value spellings
    its data was read with, or None when there is none."""
    if "preprocessor" not in meta or "target_encoder" not in meta:
        return None
    try:
        return (Preprocessor.from_dict(meta["preprocessor"]),
                TargetEncoder.from_dict(meta["target_encoder"]),
                reading_options(meta)["na_values"])
    except (KeyError, ValueError, TypeError) as exc:
        raise ValueError(f"the model's preprocessing metadata is damaged: {exc}") from None


def _recipe_to_onnx(model_path: str | os.PathLike, path: str | os.PathLike | None,
                    opset: int, preprocessing: bool | None, numeric_type: str) -> Any:
    """A recipe model file: with its preprocessing (:mod:`.recipe_onnx`), or with
    ``preprocessing=False`` its networks alone (the encoded features in)."""
    from ..tabular_network import networks_to_onnx
    from .recipe_model import load_recipe_parts
    from .recipe_onnx import recipe_file_to_onnx

    if preprocessing is not False:
        return recipe_file_to_onnx(model_path, path, opset=opset, numeric_type=numeric_type)
    ensemble, _, enc = load_recipe_parts(model_path)
    transform = None
    if enc.classes is None:  # clip(standardised) * std + mean, as predict computes it
        low, high = ensemble.output_range or (float("-inf"), float("inf"))
        transform = (enc.std, enc.mean, low * enc.std + enc.mean, high * enc.std + enc.mean)
    return networks_to_onnx(ensemble.networks, path, opset=opset,
                            classes=None if enc.classes is None else list(enc.classes),
                            output_transform=transform)


def to_onnx(model: NeuralNetwork | str | os.PathLike, path: str | os.PathLike | None = None,
            *, opset: int = DEFAULT_OPSET, preprocessing: bool | None = None,
            numeric_type: str = "float64") -> Any:
    """Export a network to ONNX, with its table preprocessing when it has one.

    Parameters
    ----------
    model : NeuralNetwork, or the path of a numpynn model file
        A file of the tabular recipe (``numpynn train``'s default) is exported by
        :mod:`numpynn.tabular.recipe_onnx`.
    path : str or path-like, optional
        Also write the ONNX model there, atomically.
    opset : int, default 17
        Any of 13 to 21.
    preprocessing : bool, optional
        Default: include the preprocessing a ``numpynn train`` model carries (raw columns
        in), else export the network alone (features in).  True requires it; False leaves
        it out.
    numeric_type : {"float64", "float32"}, default "float64"
        With preprocessing: the element type of the numeric column inputs.

    Returns
    -------
    onnx.ModelProto
        Passes ``onnx.checker.check_model(full_check=True)``.

    Raises
    ------
    ValueError
        Unsupported opset, ``preprocessing=True`` without preprocessing metadata, damaged
        metadata, or a column named like an output.
    """
    if isinstance(model, (str, os.PathLike)):
        from ..io.tabular_files import is_tabular_file

        if is_tabular_file(model):  # numpynn train's default: the tabular recipe
            return _recipe_to_onnx(model, path, opset, preprocessing, numeric_type)
        model = load(model)
    if not isinstance(model, NeuralNetwork):
        raise TypeError(f"model must be a NeuralNetwork or a model file path, got "
                        f"{type(model).__name__}")
    check_opset(opset)
    state = _table_state(model.metadata) if preprocessing is not False else None
    if preprocessing and state is None:
        raise ValueError("preprocessing=True, but the model carries no table preprocessing "
                         "(it was not written by 'numpynn train')")
    if state is None:
        return model.to_onnx(path, opset=opset)
    pre, enc, na_values = state
    onnx_model = table_model_to_onnx(model, pre, enc, opset=opset, numeric_type=numeric_type,
                                     na_values=na_values)
    if path is not None:
        save_model(onnx_model, path)
    return onnx_model
