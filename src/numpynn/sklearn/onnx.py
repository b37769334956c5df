"""skl2onnx converters for :class:`NeuralNetClassifier` and :class:`NeuralNetRegressor`.

With the converters registered, ``skl2onnx.to_onnx(pipeline, X[:1])`` converts a Pipeline
(a ``StandardScaler``, a ``ColumnTransformer``...) that ends in a numpynn estimator.  The
estimator's part is the graph of :mod:`numpynn.io.onnx_graph`, written into skl2onnx's
graph, so leaky ReLU, per-layer activations and multi-output shapes come out right:

- classifier: ``label`` (N,) with the values of ``classes_`` (int64, double or string; for
  multi-label, int64 (N, k) indicators) and ``probabilities`` float32 (N, n_classes), as
  ``predict`` and ``predict_proba`` return them; never a ZipMap;
- regressor: ``variable`` float32 (N, n_outputs).

Importing this module (``numpynn.sklearn`` does) costs nothing: it registers the converters
at once when skl2onnx is already imported, and else right after skl2onnx is first imported.
:func:`register_converters` does it by hand.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..io.model_files import ModelContents
from ..io.onnx_graph import add_network, label_constant
from .classifier import NeuralNetClassifier
from .regressor import NeuralNetRegressor

__all__ = ["register_converters"]

_CLASSIFIER_ALIAS = "NumpynnNeuralNetClassifier"
_REGRESSOR_ALIAS = "NumpynnNeuralNetRegressor"


class _Skl2OnnxGraph:
    """The graph interface of :func:`numpynn.io.onnx_graph.add_network` over skl2onnx's
    scope (unique names) and container (nodes and initializers)."""

    def __init__(self, scope: Any, container: Any) -> None:
        self._scope, self._container = scope, container
        self.opset = container.target_opset

    def unique(self, hint: str) -> str:
        return self._scope.get_unique_variable_name(hint)

    def constant(self, name: str, array: np.ndarray, *, exact: bool = False) -> str:
        from onnx import TensorProto, numpy_helper

        # skl2onnx would write layers_0_weight: keep numpynn's name while it is free (in a
        # pipeline an earlier step may have taken it: then a unique one, not an error).
        taken = self._scope.onnx_variable_names
        if name in taken:
            name = self.unique(name)
        taken.add(name)
        array = np.asarray(array)
        if array.dtype == object:
            self._container.add_initializer(name, TensorProto.STRING, list(array.shape),
                                            [str(v) for v in array.ravel()])
        else:
            tensor = numpy_helper.from_array(array, name)
            self._container.add_initializer(name, tensor.data_type, list(array.shape), tensor)
        return name

    def node(self, op_type: str, inputs: Sequence[str], outputs: Sequence[str] | None = None,
             *, domain: str = "", **attrs: Any) -> list[str]:
        outs = list(outputs) if outputs is not None else [self.unique(op_type.lower())]
        self._container.add_node(op_type, list(inputs), outs, op_domain=domain,
                                 name=self._scope.get_unique_operator_name(op_type), **attrs)
        return outs


def _contents(network: Any) -> ModelContents:
    return ModelContents(network.sizes, network.hidden_activations,
                         network.output_activation, network.theta)


def _float_input(g: _Skl2OnnxGraph, variable: Any) -> str:
    from onnx import TensorProto
    from skl2onnx.common.data_types import FloatTensorType

    if isinstance(variable.type, FloatTensorType):
        return variable.full_name
    return g.node("Cast", [variable.full_name], to=TensorProto.FLOAT)[0]


def _is_multilabel(est: NeuralNetClassifier) -> bool:
    return est._label_binarizer.y_type_.startswith("multilabel")


# --------------------------------------------------------------------------------------------
# Parser, shape calculators, converters
# --------------------------------------------------------------------------------------------


def _label_type(est: NeuralNetClassifier) -> Any:
    from skl2onnx.common.data_types import (
        DoubleTensorType,
        Int64TensorType,
        StringTensorType,
    )

    if _is_multilabel(est):
        return Int64TensorType
    kind = label_constant(est.classes_).dtype.kind
    return {"i": Int64TensorType, "f": DoubleTensorType}.get(kind, StringTensorType)


def _parse_classifier(scope: Any, model: Any, inputs: list, custom_parsers: Any = None
                      ) -> list:
    """Outputs ``label`` and ``probabilities``, and no ZipMap."""
    from skl2onnx.common.data_types import FloatTensorType

    operator = scope.declare_local_operator(_CLASSIFIER_ALIAS, model)
    operator.inputs = inputs
    operator.outputs.append(scope.declare_local_variable("label", _label_type(model)()))
    operator.outputs.append(scope.declare_local_variable("probabilities", FloatTensorType()))
    return operator.outputs


def _classifier_shapes(operator: Any) -> None:
    from skl2onnx.common.data_types import FloatTensorType

    est = operator.raw_operator
    n = operator.inputs[0].get_first_dimension()
    k = est.network_.sizes[-1]
    if _is_multilabel(est):
        operator.outputs[0].type = _label_type(est)([n, k])
    else:
        operator.outputs[0].type = _label_type(est)([n])
        k = len(est.classes_)  # binary: one logistic output, two probabilities
    operator.outputs[1].type = FloatTensorType([n, k])


def _regressor_shapes(operator: Any) -> None:
    from skl2onnx.common.data_types import FloatTensorType

    n = operator.inputs[0].get_first_dimension()
    operator.outputs[0].type = FloatTensorType([n, operator.raw_operator.network_.sizes[-1]])


def _convert_classifier(scope: Any, operator: Any, container: Any) -> None:
    from onnx import TensorProto

    est = operator.raw_operator
    g = _Skl2OnnxGraph(scope, container)
    x = _float_input(g, operator.inputs[0])
    label, probabilities = operator.outputs[0].full_name, operator.outputs[1].full_name
    contents = _contents(est.network_)
    if contents.output_activation == "softmax":
        add_network(g, contents, x, probabilities)
        index = g.node("ArgMax", [probabilities], axis=1, keepdims=0)[0]
        classes = g.constant("classes", label_constant(est.classes_))
        g.node("Gather", [classes, index], [label], axis=0)
        return
    half = g.constant("half", np.array(0.5, dtype=np.float32))
    if _is_multilabel(est):  # LabelBinarizer's threshold: strictly above 0.5
        add_network(g, contents, x, probabilities)
        above = g.node("Greater", [probabilities, half])[0]
        g.node("Cast", [above], [label], to=TensorProto.INT64)
        return
    # binary: one logistic output; predict_proba is (1 - p, p)
    p = add_network(g, contents, x)
    one = g.constant("one", np.array(1.0, dtype=np.float32))
    g.node("Concat", [g.node("Sub", [one, p])[0], p], [probabilities], axis=1)
    above = g.node("Cast", [g.node("Greater", [p, half])[0]], to=TensorProto.INT64)[0]
    flat = g.constant("flat", np.array([-1], dtype=np.int64))
    index = g.node("Reshape", [above, flat])[0]
    classes = g.constant("classes", label_constant(est.classes_))
    g.node("Gather", [classes, index], [label], axis=0)


def _convert_regressor(scope: Any, operator: Any, container: Any) -> None:
    est = operator.raw_operator
    g = _Skl2OnnxGraph(scope, container)
    x = _float_input(g, operator.inputs[0])
    add_network(g, _contents(est.network_), x, operator.outputs[0].full_name)


def register_converters() -> None:
    """Register the numpynn estimators with skl2onnx (again is harmless).

    Raises
    ------
    ImportError
        skl2onnx is not installed.
    """
    try:
        from skl2onnx import update_registered_converter
    except ImportError as exc:
        raise ImportError("converting numpynn estimators with skl2onnx needs skl2onnx: "
                          "pip install skl2onnx") from exc
    update_registered_converter(NeuralNetClassifier, _CLASSIFIER_ALIAS, _classifier_shapes,
                                _convert_classifier, parser=_parse_classifier,
                                options={"zipmap": [False]})
    update_registered_converter(NeuralNetRegressor, _REGRESSOR_ALIAS, _regressor_shapes,
                                _convert_regressor)


# --------------------------------------------------------------------------------------------
# Registration when skl2onnx arrives
# --------------------------------------------------------------------------------------------


def _register_quietly() -> None:
    try:
        register_converters()
    except Exception as exc:  # never break the user's `import skl2onnx`
        warnings.warn(f"numpynn could not register its skl2onnx converters: {exc}",
                      RuntimeWarning, stacklevel=2)


class _AfterSkl2OnnxImport(importlib.abc.MetaPathFinder):
    """Finds nothing itself: wraps skl2onnx's loader to register once it has run."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != "skl2onnx":
            return None
        sys.meta_path.remove(self)  # once, and not for the lookup below
        spec = importlib.util.find_spec(fullname)
        loader = getattr(spec, "loader", None)
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        run_module = loader.exec_module

        def exec_module(module: Any) -> None:
            run_module(module)
            _register_quietly()

        loader.exec_module = exec_module
        return spec


def _register_when_available() -> None:
    if "skl2onnx" in sys.modules:
        _register_quietly()
    elif not any(isinstance(f, _AfterSkl2OnnxImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _AfterSkl2OnnxImport())


_register_when_available()
