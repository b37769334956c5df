"""numpynn: modern neural networks (multi-layer perceptrons) in Python and NumPy.

All weights and biases of a network live in one flat float32 vector, in the order of
the article "How To Code Modern Neural Networks Using Python and NumPy": layer by layer,
the weights row-major (row = node it comes from), then the biases.
"""

from .activations import leaky, log_sig, logistic, relu, softmax
from .display import show_vec
from .errors import ModelFileError, TrainingDivergedError
from .gradcheck import gradcheck
from .network import LayerTrace, NeuralNet, NeuralNetwork, load
from .optimizers import LBFGS, SGD, Adam, AdamW, Optimizer
from .training import (
    ConstantSchedule,
    CosineSchedule,
    History,
    ReduceOnPlateau,
    StepSchedule,
    Trainer,
)

__version__ = "0.1.0"

__all__ = [
    "NeuralNetwork",
    "NeuralNet",
    "LayerTrace",
    "load",
    "leaky",
    "relu",
    "log_sig",
    "logistic",
    "softmax",
    "show_vec",
    "gradcheck",
    "ModelFileError",
    "TrainingDivergedError",
    "Optimizer",
    "SGD",
    "Adam",
    "AdamW",
    "LBFGS",
    "History",
    "Trainer",
    "ConstantSchedule",
    "StepSchedule",
    "CosineSchedule",
    "ReduceOnPlateau",
    "__version__",
]
