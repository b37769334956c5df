"""Training callbacks: behaviours of the training loop that keep their own state.

:class:`Callback` documents the hooks.  Plain functions passed in ``callbacks=`` are
wrapped in :class:`FunctionCallback` (called with the logs dict; returning True stops).
"""

from .base import CAPABILITIES, Callback, FunctionCallback, as_callbacks
from .checkpoint import Checkpoint
from .logging import CSVLogger, ProgressBar
from .stopping import EarlyStopping, ReduceLROnPlateau, TerminateOnNaN

__all__ = [
    "Callback",
    "FunctionCallback",
    "EarlyStopping",
    "ReduceLROnPlateau",
    "TerminateOnNaN",
    "Checkpoint",
    "ProgressBar",
    "CSVLogger",
    "as_callbacks",
    "CAPABILITIES",
]
