"""Access to safetensors files through the library's own API.

``safetensors.safe_open`` validates the container (header length, JSON, dtypes, offsets
that tile the data exactly); numpynn adds only cheap guards before it (a regular file,
not empty, under a size ceiling: a device or FIFO is never opened) and turns every
failure of the library into :class:`FileProblem`.

Tensor data is read with plain reads straight into the caller's array
(:meth:`SafetensorsFile.read_into`), at the offsets the validated header gives: through
safe_open's memory map, every page read would stay resident beside the copy, and a load
would need twice the file's size in memory (three times with the copy
``get_tensor`` makes first).

``safetensors`` is an optional dependency (``pip install 'numpynn[files]'``), imported
only when a file is read or written.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import struct
import sys
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

    Raises
    ------
    OSError
        The file cannot be written (a full disk, say); the message names ``path``.
    """
    st_numpy = import_safetensors()
    with atomic_path(path) as tmp:
        try:
            st_numpy.save_file(dict(tensors), tmp, metadata=dict(metadata))
        except (TypeError, ValueError):
            raise
        except Exception as exc:  # the library's SafetensorError: an I/O error, say
            raise _as_os_error(exc, path) from exc


def _as_os_error(exc: Exception, path: str | os.PathLike) -> OSError:
    """An OSError naming ``path`` for a failed write (``... (os error 28)`` -> ENOSPC)."""
    found = re.search(r"os error (\d+)", str(exc))
    code = int(found.group(1)) if found else errno.EIO
    reason = os.strerror(code) if found else f"cannot write the file ({exc})"
    return OSError(code, reason, os.fspath(path))


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


def _read_at(fd: int, buffer: memoryview, offset: int) -> int:
    """Read into ``buffer`` from ``offset`` of ``fd``; the number of bytes read (0: end).

    No Python file object and no copy of the whole: ``preadv`` fills the buffer in place
    (elsewhere, pieces of at most 16 MiB are read and copied in).
    """
    if hasattr(os, "preadv"):
        return os.preadv(fd, [buffer], offset)
    piece = _pread(fd, min(len(buffer), 1 << 24), offset)  # pragma: no cover - no preadv
    buffer[: len(piece)] = piece  # pragma: no cover
    return len(piece)  # pragma: no cover


def _pread(fd: int, count: int, offset: int) -> bytes:
    """``count`` bytes (fewer at the end) from ``offset`` of ``fd``."""
    if hasattr(os, "pread"):
        return os.pread(fd, count, offset)
    os.lseek(fd, offset, os.SEEK_SET)  # pragma: no cover - Windows
    return os.read(fd, count)  # pragma: no cover


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
        self._raw: int | None = None  # a descriptor of the same file, for plain reads
        self._offsets: dict[str, tuple[int, int]] | None = None

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
        try:
            self._raw = os.open(self.path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        except OSError as exc:
            self.__exit__()
            raise FileProblem(f"cannot read the file: {exc.strerror or exc}") from exc
        return self

    def __exit__(self, *exc_info: object) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            handle.__exit__(None, None, None)
        raw, self._raw = self._raw, None
        if raw is not None:
            os.close(raw)

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

    def tensor_names(self) -> list[str]:
        """The names of the tensors the header lists (cheap: no tensor is looked at)."""
        return list(self._call("list the tensors", self._handle.keys))

    def tensor(self, name: str) -> np.ndarray:
        """Tensor ``name`` as a new NumPy array (its dtype and shape as :meth:`specs` says)."""
        return self._call(f"read tensor {name!r}", self._handle.get_tensor, name)

    def read_into(self, name: str, out: np.ndarray) -> None:
        """Read tensor ``name``'s bytes into ``out``, a C-contiguous array of the tensor's
        dtype and shape (the caller checked them with :meth:`specs`).

        Raises
        ------
        FileProblem
            The tensor's bytes do not fill ``out`` exactly, or the file cannot be read.
        """
        begin, end = self._data_offsets().get(name, (0, -1))
        if not out.flags.c_contiguous:
            raise FileProblem(f"tensor {name!r}: cannot read into a non-contiguous array")
        view = memoryview(out.reshape(-1).view(np.uint8))  # the array's bytes, in place
        if end - begin != view.nbytes:
            raise FileProblem(f"tensor {name!r} holds {max(0, end - begin)} bytes, expected "
                              f"{view.nbytes} for its dtype and shape")
        try:
            done = 0
            while done < view.nbytes:
                got = _read_at(self._raw, view[done:], begin + done)
                if not got:
                    raise FileProblem(f"tensor {name!r} is cut short (the file ends early)")
                done += got
        except OSError as exc:
            raise FileProblem(f"cannot read tensor {name!r}: {exc.strerror or exc}") from exc
        if sys.byteorder == "big" and out.dtype.byteorder == "=" and out.dtype.itemsize > 1:
            out.byteswap(inplace=True)  # the file is little-endian

    def _data_offsets(self) -> dict[str, tuple[int, int]]:
        """Tensor name -> absolute (begin, end) byte offsets, from the header safe_open
        has already validated (read once; it is at most the library's header limit)."""
        if self._offsets is None:
            try:
                (length,) = struct.unpack("<Q", _pread(self._raw, 8, 0))
                header = json.loads(_pread(self._raw, length, 8))
                base = 8 + length
                self._offsets = {
                    name: (base + int(entry["data_offsets"][0]),
                           base + int(entry["data_offsets"][1]))
                    for name, entry in header.items() if name != "__metadata__"}
            except (OSError, ValueError, KeyError, TypeError, IndexError,
                    struct.error) as exc:
                raise FileProblem(f"cannot read the tensor offsets of the header: {exc}") from exc
        return self._offsets

    def _call(self, doing: str, method: Any, *args: Any) -> Any:
        try:
            return method(*args)
        except BaseException as exc:
            if _is_interrupt(exc):
                raise
            raise FileProblem(f"safetensors cannot {doing}: {exc}") from exc
