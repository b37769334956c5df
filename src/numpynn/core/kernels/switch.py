"""Which code runs the training hot loops: Numba's fused kernels, or NumPy alone.

numpynn needs NumPy only.  With Numba installed (``pip install "numpynn[fast]"``) training
uses the fused loops of :mod:`numpynn._numba_kernels`, which touch memory once where NumPy
makes several whole-array passes and Python calls.  The environment variable
``NUMPYNN_KERNELS`` chooses:

``auto`` (default)
    Numba when it imports, NumPy otherwise.
``numpy``
    NumPy alone, even with Numba installed.
``numba``
    Numba, and an error when it is missing.

Inference (``eval``, ``predict``) never imports Numba (the import and first compile cost
more than most evaluations); it uses the bias + activation kernels only when training has
already loaded them (:func:`loaded`), and they give the same bits as NumPy there.
"""

from __future__ import annotations

import os
import threading
from types import ModuleType

__all__ = ["kernels", "loaded", "CHOICES", "ENVIRONMENT_VARIABLE"]

ENVIRONMENT_VARIABLE = "NUMPYNN_KERNELS"
CHOICES = ("auto", "numpy", "numba")

_lock = threading.Lock()
_compiled: ModuleType | None = None
_import_error: Exception | None = None
_tried = False
# The last NUMPYNN_KERNELS value seen and what it meant: optimizers ask once a step.
_last_choice: tuple[str | None, ModuleType | None] | None = None


def _load() -> ModuleType | None:
    global _compiled, _import_error, _tried
    if not _tried:
        with _lock:
            if not _tried:
                try:
                    from . import numba_kernels as _numba_kernels

                    _compiled = _numba_kernels
                except Exception as exc:  # ImportError, or a Numba too old for this NumPy
                    _import_error = exc
                _tried = True
    return _compiled


def kernels() -> ModuleType | None:
    """The compiled kernels module, or None when training should use NumPy alone.

    Raises
    ------
    ValueError
        ``NUMPYNN_KERNELS`` has a value other than auto, numpy or numba.
    ImportError
        ``NUMPYNN_KERNELS=numba`` and Numba cannot be imported.
    """
    global _last_choice
    raw = os.environ.get(ENVIRONMENT_VARIABLE)
    last = _last_choice
    if last is not None and last[0] == raw:
        return last[1]
    choice = (raw or "auto").strip().lower() or "auto"
    if choice not in CHOICES:
        raise ValueError(f"{ENVIRONMENT_VARIABLE} must be one of {', '.join(CHOICES)}, "
                         f"got {choice!r}")
    compiled = None if choice == "numpy" else _load()
    if compiled is None and choice == "numba":
        raise ImportError(f"{ENVIRONMENT_VARIABLE}=numba but Numba cannot be used "
                          f"({_import_error}); pip install 'numpynn[fast]'")
    _last_choice = (raw, compiled)
    return compiled


def loaded() -> ModuleType | None:
    """The compiled kernels if they are already imported and not switched off; None
    otherwise.  Never imports Numba."""
    if _compiled is None:
        return None
    return kernels()
