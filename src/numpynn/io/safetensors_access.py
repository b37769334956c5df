"""Access to safetensors files through the library's own API.

``safetensors.safe_open`` validates the container (header length, JSON, dtypes, offsets
that tile the data exactly) and maps the file instead of reading it; numpynn adds only
cheap guards before it (a regular file, not empty, under a size ceiling: a device or FIFO
is never opened) and turns every failure of the library into :class:`FileProblem`.

``safetensors`` is an optional dependency (``pip install 'numpynn[files]'``), imported
only when a file is read or written.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from .atomic import atomic_path

__all__ = [
    "MAX_FILE_BYTES",
    "NUMPY_DTYPES",
    "FileProblem",
    "SafetensorsFile",
    "import_safetensors",
    "save_tensors",
    "storable_dtype",
]

#: Largest file read (bytes).
MAX_FILE_BYTES = 2 * 1024**3

#: safetensors dtype code -> NumPy dtype, for the dtypes NumPy represents natively.
NUMPY_DTYPES: dict[str, np.dtype] = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
    "I16": np.dtype("<i2"),
    "I8": np.dtype("i1"),
    "U64": np.dtype("<u8"),
    "U32": np.dtype("<u4"),
    "U16": np.dtype("<u2"),
    "U8": np.dtype("u1"),
    "BOOL": np.dtype("?"),
}


class FileProblem(Exception):
    """A file cannot be used; the message says why (the caller adds the path)."""


def import_safetensors() -> ModuleType:
    """``safetensors.numpy``, or an ImportError that says how to install it."""
    try:
        import safetensors.numpy as st_numpy
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "numpynn model files need the 'safetensors' package: "
            "pip install 'numpynn[files]' (or pip install safetensors)"
        ) from exc
    return st_numpy


def storable_dtype(dtype: np.dtype) -> np.dtype | None:
    """``dtype`` in little-endian order if a safetensors file can hold it, else None."""
    little = dtype.newbyteorder("<") if dtype.byteorder == ">" else dtype
    return little if any(little == d for d in NUMPY_DTYPES.values()) else None


def save_tensors(path: str | os.PathLike, tensors: Mapping[str, np.ndarray],
                 metadata: Mapping[str, str]) -> None:
    """Write ``tensors`` and str ``metadata`` to a safetensors file, atomically.

    ``safetensors.numpy.save_file`` writes a temporary file beside ``path``, which then
    replaces ``path`` (see :func:`numpynn.io.atomic.atomic_path`).
    """
    st_numpy = import_safetensors()
    with atomic_path(path) as tmp:
        st_numpy.save_file(dict(tensors), tmp, metadata=dict(metadata))


def _check_regular_file(path: Path, max_bytes: int) -> int:
    """The file's size; refuse, from ``stat`` alone, what safe_open must not open."""
    try:
        info = os.stat(path)
    except FileNotFoundError as exc:
        raise FileProblem("no such file") from exc
    except OSError as exc:
        raise FileProblem(f"cannot read the file: {exc.strerror or exc}") from exc
    if stat.S_ISDIR(info.st_mode):
        raise FileProblem("is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise FileProblem("is not a regular file (a device, FIFO or socket); not opened")
    if info.st_size > max_bytes:
        raise FileProblem(
            f"file is {info.st_size} bytes, over the {max_bytes}-byte limit for model files"
        )
    if info.st_size == 0:
        raise FileProblem("file is empty, not a safetensors model file")
    return info.st_size


def _is_interrupt(exc: BaseException) -> bool:
    return isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit))


class SafetensorsFile:
    """A safetensors file opened with ``safe_open``; use as a context manager.

    Every failure of the library (its ``SafetensorError``, OSError, ValueError, or a Rust
    panic, which surfaces as a BaseException) becomes :class:`FileProblem`.

    Parameters
    ----------
    path : path-like
    max_bytes : int
        Files larger than this are refused before they are opened.
    """

    def __init__(self, path: str | os.PathLike, max_bytes: int = MAX_FILE_BYTES) -> None:
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.size = 0  # bytes, known once opened
        self._handle: Any = None

    def __enter__(self) -> SafetensorsFile:
        import_safetensors()
        from safetensors import safe_open

        self.size = _check_regular_file(self.path, self.max_bytes)
        try:
            self._handle = safe_open(os.fspath(self.path), framework="numpy")
            self._handle.__enter__()
        except OSError as exc:  # gone or unreadable since the stat
            raise FileProblem(f"cannot read the file: {exc.strerror or exc}") from exc
        except BaseException as exc:
            if _is_interrupt(exc):
                raise
            raise FileProblem(f"not a safetensors file, or damaged (safetensors: {exc})") from exc
        return self

    def __exit__(self, *exc_info: object) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            handle.__exit__(None, None, None)

    def metadata(self) -> dict[str, str]:
        """The ``__metadata__`` str -> str mapping (empty if the file has none)."""
        return dict(self._call("read the metadata", self._handle.metadata) or {})

    def specs(self) -> dict[str, tuple[str, tuple[int, ...]]]:
        """Tensor name -> (dtype code such as ``"F32"``, shape), read from the header only."""
        out = {}
        for name in self._call("list the tensors", self._handle.keys):
            piece = self._call(f"read tensor {name!r}", self._handle.get_slice, name)
            out[name] = (str(piece.get_dtype()), tuple(int(d) for d in piece.get_shape()))
        return out

    def tensor(self, name: str) -> np.ndarray:
        """Tensor ``name`` as a new NumPy array (its dtype and shape as :meth:`specs` says)."""
        return self._call(f"read tensor {name!r}", self._handle.get_tensor, name)

    def _call(self, doing: str, method: Any, *args: Any) -> Any:
        try:
            return method(*args)
        except BaseException as exc:
            if _is_interrupt(exc):
                raise
            raise FileProblem(f"safetensors cannot {doing}: {exc}") from exc
