"""The training parts of the tabular recipe, gathered for ``numpynn.training``: the table
networks' engine, per-entry learning-rate factors, the run-progress schedules and the
step-wise callbacks."""

from .callbacks import BestEpoch, ScheduledDropout, ScheduledWeightDecay, StepwiseLearningRate
from .optimizers import set_lr_factors
from .schedules import (
    CosLogSchedule,
    FlatCosineSchedule,
    OneCycleSchedule,
    ProgressSchedule,
    WarmupCosineSchedule,
)
from .table_trainer import TableTrainer

__all__ = [
    "TableTrainer",
    "set_lr_factors",
    "ProgressSchedule",
    "WarmupCosineSchedule",
    "OneCycleSchedule",
    "CosLogSchedule",
    "FlatCosineSchedule",
    "BestEpoch",
    "StepwiseLearningRate",
    "ScheduledDropout",
    "ScheduledWeightDecay",
]
