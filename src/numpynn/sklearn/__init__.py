"""scikit-learn estimators: drop-in replacements for MLPClassifier and MLPRegressor."""

from .estimators import NeuralNetClassifier, NeuralNetRegressor

__all__ = ["NeuralNetClassifier", "NeuralNetRegressor"]
