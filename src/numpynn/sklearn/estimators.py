"""The estimators under their first module path (they live in :mod:`.classifier` and
:mod:`.regressor`)."""

from .classifier import NeuralNetClassifier
from .regressor import NeuralNetRegressor

__all__ = ["NeuralNetClassifier", "NeuralNetRegressor"]
