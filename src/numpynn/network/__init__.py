"""The multi-layer perceptron: one flat parameter vector (float32, or float64 on request)
with per-layer views.

For sizes ``(n_0, n_1, ..., n_L)`` the vector ``theta`` holds, layer by layer, the weight
matrix row-major (``n_{l-1} x n_l``; row = node it comes from, column = node it goes to)
and then that layer's biases.  For the article's 3-4-2 net that is 12 input-hidden
weights, 4 hidden biases, 8 hidden-output weights and 2 output biases: 26 values.

The package: :mod:`.model` holds :class:`NeuralNetwork` (sizes, theta and its views,
inference, ``save`` and ``to_onnx``), :mod:`.fitting` its training methods
(``loss_and_gradient``, ``fit``), :mod:`.files` :func:`load` and :func:`from_onnx`.
"""

from ..core.backprop import Workspace
from ..core.forward import LayerTrace
from .files import from_onnx, load
from .model import NeuralNet, NeuralNetwork

__all__ = ["NeuralNetwork", "NeuralNet", "LayerTrace", "load", "from_onnx", "Workspace"]
