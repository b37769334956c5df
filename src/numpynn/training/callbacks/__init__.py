"""Training callbacks: behaviours of the training loop that keep their own state.

:class:`Callback` documents the hooks.  Plain functions passed in ``callbacks=`` are
wrapped in :class:`FunctionCallback` (called with the logs dict; returning True stops).
"""

from .base import CAPABILITIES, Callback, FunctionCallback, as_callbacks
from .best_epoch import BestEpoch
from .checkpoint import Checkpoint
from .logging import CSVLogger, ProgressBar
from .scheduled import ScheduledDropout, ScheduledWeightDecay, StepwiseLearningRate
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
    # the tabular recipe's
    "BestEpoch",
    "StepwiseLearningRate",
    "ScheduledDropout",
    "ScheduledWeightDecay",
]
