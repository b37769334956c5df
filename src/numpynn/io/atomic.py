"""Atomic file writes: a temporary file beside the target, renamed over it on success.

An interrupted write (an exception, Ctrl-C, a kill, a full disk) never leaves a broken file
where a good one was: the old file stays until ``os.replace`` swaps in the complete new one.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_open", "atomic_path"]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Give a fresh, empty temporary file beside ``path``; on success it replaces ``path``.

    For writers that take a file name (``safetensors.numpy.save_file``).  After the block
    the file is fsynced, given an existing target's permissions and renamed over
    ``path``, and the directory is fsynced.  On any exception the temporary file is
    removed and ``path`` is left as it was.

    Parameters
    ----------
    path : str or path-like
        The target; its directory must exist.
    """
    target = Path(path)
    # A fresh name in the same directory (so os.replace is atomic), created with "x" so it
    # gets the usual permissions from the umask and no other writer can have it.
    tmp = target.parent / f".{target.name}.{os.getpid()}.{secrets.token_hex(6)}.tmp"
    try:
        keep_mode = os.stat(target).st_mode & 0o777
    except OSError:
        keep_mode = None
    open(tmp, "xb").close()
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        if keep_mode is not None:
            with contextlib.suppress(OSError):
                os.chmod(tmp, keep_mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_directory(target.parent)


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "wb", **open_kwargs: Any) -> Iterator[IO]:
    """Open a temporary file beside ``path`` for writing; on success it replaces ``path``.

    The data is flushed and fsynced before the rename, an existing file's permissions are
    kept, and the directory is fsynced after it (see :func:`atomic_path`).  On any
    exception the temporary file is removed and ``path`` is left as it was.

    Parameters
    ----------
    path : str or path-like
    mode : {"wb", "w"}
    **open_kwargs
        Passed to :func:`open` (``encoding``, ``newline``, ...).
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"mode must be 'wb' or 'w', got {mode!r}")
    with atomic_path(path) as tmp, open(tmp, mode, **open_kwargs) as fh:
        yield fh


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (best effort: not every platform allows it)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
