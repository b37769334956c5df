"""Two-core helpers: a shared worker thread and single-threaded BLAS while it is used.

NumPy releases the GIL inside its loops and BLAS calls, so two Python threads can keep two
cores busy.  While both run matrix products, each BLAS call must use one thread (else
four threads fight over two cores); ``single_threaded_blas`` arranges that through
threadpoolctl when it is installed, with a process-wide count so that overlapping users
(eval from several threads) restore the setting only when the last one leaves.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

__all__ = ["cores", "worker", "single_threaded_blas", "can_split_blas_work"]

_lock = threading.Lock()
_worker: ThreadPoolExecutor | None = None
_controller: Any = None  # threadpoolctl.ThreadpoolController, or False when unavailable
_users = 0
_limit_context: Any = None


def cores() -> int:
    """Number of CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def worker() -> ThreadPoolExecutor:
    """The shared worker thread (one), created on first use."""
    global _worker
    if _worker is None:
        with _lock:
            if _worker is None:
                _worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="numpynn")
    return _worker


def _blas_controller() -> Any:
    global _controller
    if _controller is None:
        with _lock:
            if _controller is None:
                try:
                    from threadpoolctl import ThreadpoolController

                    _controller = ThreadpoolController()
                except Exception:  # not installed, or an unusual BLAS: stay serial
                    _controller = False
    return _controller


def can_split_blas_work() -> bool:
    """True when two threads may each run single-threaded matrix products."""
    return cores() >= 2 and bool(_blas_controller())


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """BLAS calls use one thread inside this block (needs threadpoolctl)."""
    global _users, _limit_context
    controller = _blas_controller()
    with _lock:
        _users += 1
        if _users == 1 and controller:
            _limit_context = controller.limit(limits=1, user_api="blas")
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0 and _limit_context is not None:
                _limit_context.restore_original_limits()
                _limit_context = None
