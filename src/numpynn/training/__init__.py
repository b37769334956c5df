"""Training: checked data, optimizers and their schedules, the one engine (``Trainer``),
``fit``, the L-BFGS bridge, callbacks, metrics and the gradient check.

Nothing here imports :mod:`numpynn.network`: the engine works on any object with the
network's ``theta``, views and forward / backward methods.
"""

from .callbacks import (
    Callback,
    Checkpoint,
    CSVLogger,
    EarlyStopping,
    FunctionCallback,
    ProgressBar,
    ReduceLROnPlateau,
    TerminateOnNaN,
)
from .data import CLASSIFYING_OUTPUTS, TrainingData, check_training_data
from .epoch_parts import MeanLoss, ShuffledOrder
from .fit import _split_validation, fit  # noqa: F401 - tests use the split
from .gradcheck import gradcheck
from .history import History
from .lbfgs import LBFGS, minimize_lbfgs
from .metrics import accuracy_of, evaluate_loss
from .optimizers import OPTIMIZERS, SGD, Adam, AdamW, Optimizer, get_optimizer
from .penalty import BatchScaledL2Penalty, L2Penalty
from .plateau import Plateau
from .schedules import (
    ConstantSchedule,
    CosineSchedule,
    ReduceOnPlateau,
    Schedule,
    StepSchedule,
    get_schedule,
)
from .tabular_parts import *  # noqa: F403 - the tabular recipe's parts, listed there
from .tabular_parts import __all__ as _tabular_parts
from .trainer import Trainer

# numpynn/__init__.py's __all__ repeats part of this list on purpose (what the root re-exports).
__all__ = [
    "History",
    "TrainingData",
    "Trainer",
    "fit",
    "check_training_data",
    "Callback",
    "FunctionCallback",
    "EarlyStopping",
    "Checkpoint",
    "ProgressBar",
    "ReduceLROnPlateau",
    "CSVLogger",
    "TerminateOnNaN",
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
    "minimize_lbfgs",
    "L2Penalty",
    "BatchScaledL2Penalty",
    "Plateau",
    "MeanLoss",
    "ShuffledOrder",
    "CLASSIFYING_OUTPUTS",
    *_tabular_parts,
]
