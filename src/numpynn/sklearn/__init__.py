"""scikit-learn estimators: drop-in replacements for MLPClassifier and MLPRegressor."""

from . import onnx as _onnx  # noqa: F401 - registers the skl2onnx converters (cheaply)
from .estimators import NeuralNetClassifier, NeuralNetRegressor

__all__ = ["NeuralNetClassifier", "NeuralNetRegressor"]
