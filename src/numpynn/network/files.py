"""Files into a network: :func:`load` (a numpynn model file) and :func:`from_onnx` (an
ONNX graph of dense layers).  Writing is the network's own: ``save`` and ``to_onnx``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from .model import NeuralNetwork, _leave_zeros

if TYPE_CHECKING:  # pragma: no cover
    from ..io.model_files import ModelContents

__all__ = ["load", "from_onnx"]


def load(path: str | os.PathLike) -> NeuralNetwork:
    """Read a network from a numpynn safetensors model file.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    NeuralNetwork
        With ``.metadata``, the file's extra JSON metadata (a dict, possibly empty), and
        the dtype of the file's tensors (float32, or float64).

    Raises
    ------
    numpynn.ModelFileError
        The file is missing, damaged, foreign or inconsistent.
    """
    from ..io.model_files import read_model_file

    net = _empty_network(contents := read_model_file(path))
    # The file's theta (new, finite, of the network's dtype) becomes the network's own: a
    # load then needs memory for one parameter vector, not two.
    net.theta = contents.theta
    net._make_views()
    return net


# The public face of io.onnx_reader.read_onnx: its docstring repeats that one's sections on
# purpose (users read this one; duplicates lists the pair).
def from_onnx(source: Any) -> NeuralNetwork:
    """Build a network from an ONNX graph that is a chain of dense layers.

    Reads what :meth:`NeuralNetwork.to_onnx` writes (weights back bit for bit), what
    skl2onnx writes for ``MLPClassifier`` / ``MLPRegressor``, and what ``torch.onnx.export``
    writes for an ``nn.Sequential`` of ``Linear`` layers and activations; see
    :mod:`numpynn.io.onnx_reader`.

    Parameters
    ----------
    source : str, path-like, bytes or onnx.ModelProto

    Returns
    -------
    NeuralNetwork
        With ``.metadata``: numpynn's metadata when numpynn wrote the model, else ``{}``.

    Raises
    ------
    ValueError
        Not an ONNX model, or a node that does not map onto a numpynn network (named).
    """
    from ..io.onnx_reader import read_onnx

    net = _empty_network(contents := read_onnx(source))
    net.set_weights(contents.theta)  # a copy into the network's own theta
    return net


def _empty_network(contents: ModelContents) -> NeuralNetwork:
    """A network of ``contents``' architecture, dtype and metadata, all weights zero."""
    net = NeuralNetwork(*contents.sizes, hidden_activation=list(contents.hidden_activations),
                        output_activation=contents.output_activation,
                        dtype=contents.theta.dtype, init=_leave_zeros)
    net.init = "glorot_uniform"  # what a read network reports (the default)
    net.metadata = dict(contents.extra)
    return net
