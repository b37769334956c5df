"""numpynn: modern neural networks (multi-layer perceptrons) in Python and NumPy.

All weights and biases of a network live in one flat float32 vector, in the order of
the article "How To Code Modern Neural Networks Using Python and NumPy": layer by layer,
the weights row-major (row = node it comes from), then the biases.
"""

from . import _compat
from ._version import __version__
from .core import lazy as _lazy
from .core.activations import leaky, log_sig, logistic, relu, softmax
from .display import show_vec
from .errors import ModelFileError, TrainingDivergedError
from .network import LayerTrace, NeuralNet, NeuralNetwork, from_onnx, load
from .tabular_network import TabularNetwork
from .training import (
    LBFGS,
    SGD,
    Adam,
    AdamW,
    Callback,
    Checkpoint,
    ConstantSchedule,
    CosineSchedule,
    CSVLogger,
    EarlyStopping,
    History,
    Optimizer,
    ProgressBar,
    ReduceLROnPlateau,
    ReduceOnPlateau,
    StepSchedule,
    TerminateOnNaN,
    Trainer,
    gradcheck,
)

_compat.install(__name__)
# net.eval(dask_array) imports numpynn.distributed (and so Dask) only when it gets one.
_lazy.register_provider("dask", "numpynn.distributed")


def __getattr__(name: str):
    # numpynn.to_onnx lives with the table preprocessing it can export; imported on first use
    if name == "to_onnx":
        from .tabular.onnx import to_onnx

        return to_onnx
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# The public face repeats the names of the layer packages it re-exports (on purpose: one
# place lists everything `from numpynn import *` gives).
__all__ = [
    "NeuralNetwork",
    "TabularNetwork",
    "NeuralNet",
    "LayerTrace",
    "load",
    "to_onnx",
    "from_onnx",
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
    "Callback",
    "EarlyStopping",
    "Checkpoint",
    "ProgressBar",
    "ReduceLROnPlateau",
    "CSVLogger",
    "TerminateOnNaN",
    "__version__",
]
