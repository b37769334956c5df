"""Safe model files: safetensors with numpynn's schema.

A numpynn model file is a standard `safetensors <https://github.com/huggingface/safetensors>`_
file, so any safetensors tool can open it and see meaningful tensors (``layers.{i}.weight``
of shape ``(fan_in, fan_out)`` and ``layers.{i}.bias``, float32 -- or float64 for a float64
network), with numpynn's JSON in
the safetensors metadata (see :mod:`numpynn.io.schema`).

Nothing is pickled, ever.  Reading opens the file with ``safetensors.safe_open``, which
checks the container, then checks the metadata and every tensor's name, dtype and shape
before it reads a tensor, and every value after; any problem is a
:class:`~numpynn.errors.ModelFileError` that names the file and says what is wrong.
Writing is atomic: ``safetensors.numpy.save_file`` writes a temporary file in the target's
directory, which is fsynced and then renamed over the target; on failure the previous file
is left untouched and the temporary file is removed.

This module is also ``numpynn.files``, numpynn 0.1's path: it re-exports the checkpoint
functions of :mod:`numpynn.io.checkpoints`.  ``safetensors`` is an optional dependency
(``pip install 'numpynn[files]'``), imported only when a file is read or written.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import ModelFileError
from .checkpoints import read_latest_checkpoint, write_checkpoint
from .numpynn_file import read_numpynn_file, write_numpynn_file
from .safetensors_access import MAX_FILE_BYTES, FileProblem
from .safetensors_access import import_safetensors as _import_safetensors  # noqa: F401 (0.1 name)
from .schema import FORMAT_NAME, FORMAT_VERSION, ModelContents

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "MAX_FILE_BYTES",
    "ModelContents",
    "write_model_file",
    "read_model_file",
    "write_checkpoint",
    "read_latest_checkpoint",
]

def write_model_file(path: str | os.PathLike, contents: ModelContents) -> None:
    """Write a model to a safetensors file, atomically.

    Parameters
    ----------
    path : str or path-like
        Target file (conventionally ``*.safetensors``). Its directory must exist. An existing
        file is replaced only once the new one is completely written and fsynced.
    contents : ModelContents
        Layer sizes, activations, the float32 (or float64) ``theta`` and JSON-able
        ``extra`` metadata; the tensors are stored in theta's dtype (F32 or F64).

    Raises
    ------
    TypeError, ValueError
        ``contents`` is not a valid :class:`ModelContents` (e.g. non-finite ``theta``).
    OSError
        The file cannot be written; an existing file at ``path`` is left as it was.
    ImportError
        ``safetensors`` is not installed.
    """
    write_numpynn_file(path, contents)


def read_model_file(path: str | os.PathLike) -> ModelContents:
    """Read and validate a numpynn model file (or the model part of a checkpoint).

    Parameters
    ----------
    path : str or path-like
        A file written by :func:`write_model_file` or :func:`write_checkpoint`.  Files
        over :data:`MAX_FILE_BYTES` and anything but a regular file are refused unopened.

    Returns
    -------
    ModelContents
        ``theta`` is a new array of shape ``(num_weights,)``, of the tensors' dtype:
        float32 (F32, the default) or float64 (F64).

    Raises
    ------
    ModelFileError
        The file is missing, unreadable, not safetensors, not numpynn's, of an unsupported
        format version, or inconsistent in any field, tensor name, dtype, shape or value.
        The message names the path and the problem.
    ImportError
        ``safetensors`` is not installed.
    """
    path = Path(path)
    try:
        return read_numpynn_file(path, MAX_FILE_BYTES).contents
    except FileProblem as exc:
        raise ModelFileError(f"{path}: {exc}") from exc.__cause__
