"""Training: checked data, optimizers, schedules, the history, the engine (``Trainer``,
``fit``), the L-BFGS bridge, metrics and the gradient check.

Nothing here imports :mod:`numpynn.network`: the engine works on any object with the
network's ``theta``, views and forward / backward methods.
"""

from .data import CLASSIFYING_OUTPUTS, TrainingData, check_training_data
from .engine import Trainer, _split_validation, fit  # noqa: F401 - tests use the split
from .gradcheck import gradcheck
from .history import History
from .metrics import accuracy_of, evaluate_loss
from .optimizers import LBFGS, OPTIMIZERS, SGD, Adam, AdamW, Optimizer, get_optimizer
from .schedules import (
    ConstantSchedule,
    CosineSchedule,
    ReduceOnPlateau,
    Schedule,
    StepSchedule,
    get_schedule,
)

__all__ = [
    "History",
    "TrainingData",
    "Trainer",
    "fit",
    "check_training_data",
    "Schedule",
    "ConstantSchedule",
    "StepSchedule",
    "CosineSchedule",
    "ReduceOnPlateau",
    "get_schedule",
    "accuracy_of",
    "evaluate_loss",
    "gradcheck",
    "Optimizer",
    "SGD",
    "Adam",
    "AdamW",
    "LBFGS",
    "OPTIMIZERS",
    "get_optimizer",
    "CLASSIFYING_OUTPUTS",
]
