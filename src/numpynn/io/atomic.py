"""Atomic file writes: a temporary file beside the target, renamed over it on success.

An interrupted write (an exception, Ctrl-C, a kill, a full disk) never leaves a broken file
where a good one was: the old file stays until ``os.replace`` swaps in the complete new one.

The temporary file is ``.{name}.{pid}.{random}.tmp`` beside the target: hidden, and with a
suffix no reader takes for a result.  A process killed outright (SIGKILL) cannot remove
it, so the next write to the same target removes every such file whose process is gone.
A failed write raises an OSError that names the target, not the temporary file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_open", "atomic_path", "remove_stale_temp_files"]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Give a fresh, empty temporary file beside ``path``; on success it replaces ``path``.

    For writers that take a file name (``safetensors.numpy.save_file``).  After the block
    the file is fsynced, given an existing target's permissions (a new target: the
    umask's) and renamed over ``path``, and the directory is fsynced.  On any exception
    the temporary file is removed and ``path`` is left as it was.

    Parameters
    ----------
    path : str or path-like
        The target; its directory must exist.
    """
    target = Path(path)
    remove_stale_temp_files(target)
    # A fresh name in the same directory (so os.replace is atomic), created with "x" so it
    # gets the usual permissions from the umask and no other writer can have it.
    tmp = target.parent / f".{target.name}.{os.getpid()}.{secrets.token_hex(6)}.tmp"
    # Everything from the file's creation on is inside the try: a Ctrl-C between two of
    # these lines (seen once, during a checkpoint's write) must not leave it behind.
    try:
        with _naming(target):
            try:
                open(tmp, "xb").close()
            except FileExistsError:  # not ours (it cannot be, short of a clash of names):
                tmp = None  # leave it be
                raise
        keep_mode = _mode_to_keep(target, tmp)
        with _naming(target):
            yield tmp
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            with contextlib.suppress(OSError):
                os.chmod(tmp, keep_mode)
            os.replace(tmp, target)
    except BaseException:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise
    _fsync_directory(target.parent)


def _mode_to_keep(target: Path, tmp: Path) -> int:
    """An existing target's permissions; for a new one, the umask's, as the fresh file
    has now (a writer that recreates the file, as safetensors' save_file does with 0600,
    must not narrow them)."""
    try:
        return os.stat(target).st_mode & 0o777
    except OSError:
        return os.stat(tmp).st_mode & 0o777


@contextlib.contextmanager
def _naming(target: Path) -> Iterator[None]:
    """Re-raise an OSError of the block (a full disk, say) with ``target`` as its file
    name: the temporary file's name, or none, would tell the user nothing."""
    try:
        yield
    except OSError as exc:
        if exc.filename == str(target):
            raise
        code = exc.errno if exc.errno is not None else errno.EIO
        raise OSError(code, exc.strerror or str(exc) or os.strerror(code), str(target)) \
            from exc


def _stale_pid(name: str, target_name: str) -> int | None:
    """The process id in a temporary name of ``target_name``, or None for other names."""
    prefix = f".{target_name}."
    if not (name.startswith(prefix) and name.endswith(".tmp")):
        return None
    match = re.fullmatch(r"(\d+)\.[0-9a-f]+", name[len(prefix):-len(".tmp")])
    return int(match.group(1)) if match else None


def _process_gone(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists, as another user's process
        return False
    return False


def remove_stale_temp_files(target: str | os.PathLike) -> list[Path]:
    """Remove the temporary files of writes to ``target`` whose process has died.

    Called by every atomic write; files of processes still running (writing now) stay.

    Returns
    -------
    list of Path
        The files removed.
    """
    target = Path(target)
    try:
        names = os.listdir(target.parent)
    except OSError:
        return []
    removed = []
    for name in names:
        pid = _stale_pid(name, target.name)
        if pid is not None and _process_gone(pid):
            with contextlib.suppress(OSError):
                (target.parent / name).unlink()
                removed.append(target.parent / name)
    return removed


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
