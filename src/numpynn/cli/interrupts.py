"""^C during training: the interrupt that CPython may drop.

Python turns SIGINT into a KeyboardInterrupt at the next bytecode of the main thread.
When that bytecode belongs to a finalizer (a ``__del__``, a weakref callback, which run
whenever the garbage collector frees something), CPython prints "Exception ignored" and
drops the exception: a long training run then goes on as if ^C had not been pressed
(seen about once in 40 interrupts of ``numpynn train``).  The guard raises the
KeyboardInterrupt at once, as Python does, and remembers it; called at every epoch end
(it is a ``fit`` callback), it raises it again there if it was dropped.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

__all__ = ["InterruptGuard"]


class InterruptGuard:
    """Context manager and ``fit`` callback ``guard(logs)``; see the module.

    Outside the main thread (where no signal handler can be set) it does nothing.
    """

    def __init__(self) -> None:
        self.requested = False
        self._previous: Any = None
        self._installed = False

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True
        raise KeyboardInterrupt

    def __enter__(self) -> InterruptGuard:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._on_sigint)
            self._installed = True
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)
            self._installed = False

    def __call__(self, logs: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
