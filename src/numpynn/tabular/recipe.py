"""The tabular recipe: RealMLP-TD (Holzmüller, Grinsztajn and Steinwart, "Better by
Default", NeurIPS 2024) on numpynn's engine, sized to the data and the machine.

Its ingredients, each one a field of :class:`Recipe` that the ablation switches off:

==================  =====================================================================
preprocessing       robust scaling + smooth clipping of numbers, median fill + gap
                    indicators, one-hot for small categories, embeddings (dim 8) for
                    large ones (:mod:`numpynn.tabular.recipe_features`)
numeric embeddings  every numeric column's value also enters as 3 values of 16 learned
                    cosines (PBLD: :mod:`numpynn.core.layers.periodic`; lr x 0.1)
front scale         a learned factor per feature in front of the network (lr x 6)
NTK                 per-layer learning rates ``1 / sqrt(fan_in)`` (see below)
activation          SELU (classification), Mish (regression)
data-driven init    unit-variance first sums, biases through data points ("he+5")
Adam                beta_2 = 0.95, learning rate 0.04 (classification) / 0.2 (regression)
schedule            coslog4: four warm restarts on a log time scale, per step, warm-up
                    built in
label smoothing     0.1
dropout             0.15, flat then cosine to 0 (``flat_cos``), per step
weight decay        0.02, decoupled, ``flat_cos``, not on biases
best epoch          the weights of the epoch with the lowest validation loss (for classes
                    against smoothed labels, as the training loss)
output clipping     regression predictions clipped to the training targets' range
temperature         classifiers: one factor on the output sums fitted on the validation
                    rows to the lowest log-loss (:mod:`numpynn.tabular.calibration`)
==================  =====================================================================

**NTK parametrisation as learning rates.**  RealMLP writes a layer as ``x W / sqrt(fan_in)``
with ``W`` standard normal and trains ``W`` with Adam.  Adam's step does not depend on
the gradient's scale, so training ``V = W / sqrt(fan_in)`` (a plain dense layer, what
numpynn stores) with the learning rate multiplied by ``1 / sqrt(fan_in)`` takes the same
steps (Adam's epsilon aside, 1e-8 against gradients far larger), and decoupled weight
decay shrinks ``V`` exactly as it shrinks ``W``.  So the dense stack stays a standard one
(model files, ONNX), and the parametrisation is a per-layer learning-rate factor.

**Sized to the data.**  The paper trains 256 epochs of width-256 layers on a GPU; here
:func:`plan_size` keeps that where it fits a time budget (``Recipe.time_budget``, 20 s by
default: CPU seconds of one core, estimated from the work a fit takes) and otherwise
narrows the layers, then shortens the run; where the full size fits several times, it
trains a bagged ensemble of up to five cross-validation members instead of one model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Any

__all__ = ["Recipe", "SizePlan", "plan_size", "ABLATIONS"]


@dataclass(frozen=True)
class Recipe:
    """Every setting of the recipe (see the module docstring); defaults are RealMLP-TD's.

    ``None`` means: chosen for the task (learning rate, activation) or from the data
    (width, epochs, batch size: :func:`plan_size`).
    """

    width: int | None = None
    n_hidden: int = 3
    epochs: int | None = None
    batch_size: int | None = None
    time_budget: float = 20.0
    learning_rate: float | None = None
    activation: str | None = None
    robust_scaling: bool = True
    embeddings: bool = True
    numeric_embeddings: bool = True
    front_scale: bool = True
    ntk: bool = True
    data_init: bool = True
    beta_2: float = 0.95
    schedule: str = "coslog4"
    label_smoothing: float = 0.1
    dropout: float = 0.15
    weight_decay: float = 0.02
    scheduled_regularization: bool = True
    best_epoch: bool = True
    clip_outputs: bool = True
    temperature_scaling: bool = True
    validation_fraction: float = 0.2
    max_members: int = 5

    def with_options(self, options: dict[str, Any] | None) -> Recipe:
        """A copy with some fields changed (names checked)."""
        if not options:
            return self
        names = {f.name for f in fields(self)}
        unknown = sorted(set(options) - names)
        if unknown:
            raise ValueError(f"unknown recipe option(s) {unknown}; the options are "
                             f"{sorted(names)}")
        return replace(self, **options)

    def learning_rate_for(self, task: str) -> float:
        if self.learning_rate is not None:
            return self.learning_rate
        rate = 0.04 if task == "classification" else 0.2
        # Without the NTK factors the hidden layers would move sqrt(256) = 16 times
        # faster; the ablation divides by that instead of retuning.
        return rate if self.ntk else rate / 16.0

    def activation_for(self, task: str) -> str:
        if self.activation is not None:
            return self.activation
        return "selu" if task == "classification" else "mish"


#: What each row of the ablation table switches off (options of :class:`Recipe`).
ABLATIONS: dict[str, dict[str, Any]] = {
    "recipe (all)": {},
    "standardise, no smooth clip": {"robust_scaling": False},
    "one-hot, no embeddings": {"embeddings": False},
    "no numeric embeddings": {"numeric_embeddings": False},
    "no front scale": {"front_scale": False},
    "no NTK factors": {"ntk": False},
    "ReLU": {"activation": "relu"},
    "Glorot init, zero biases": {"data_init": False},
    "Adam beta_2 0.999": {"beta_2": 0.999},
    "cosine, no restarts": {"schedule": "warmup_cosine"},
    "no label smoothing": {"label_smoothing": 0.0},
    "no dropout": {"dropout": 0.0},
    "no weight decay": {"weight_decay": 0.0},
    "constant dropout/decay": {"scheduled_regularization": False},
    "last epoch": {"best_epoch": False},
    "no output clipping": {"clip_outputs": False},
    "no temperature scaling": {"temperature_scaling": False},
    "one model, no bagging": {"max_members": 1},
}


@dataclass(frozen=True)
class SizePlan:
    """What :func:`plan_size` chose, and why (``note``, one line)."""

    width: int
    epochs: int
    batch_size: int
    estimated_seconds: float
    note: str
    members: int = 1

    def as_dict(self) -> dict[str, Any]:
        return {"width": self.width, "epochs": self.epochs, "batch_size": self.batch_size,
                "members": self.members,
                "estimated_seconds": round(self.estimated_seconds, 1), "note": self.note}


# The cost model of one training epoch, in CPU seconds of one core with single-threaded
# BLAS (measured on this project's 2-core reference machine with process_time, then
# rounded up by about 1.4x): matrix products at MATMUL_RATE multiply-adds per second, each
# hidden unit of a training row ELEMENT_SECONDS (activation, dropout, derivative: the
# larger part at width 256), of a validation row VALIDATION_ELEMENT_SECONDS, each step
# STEP_SECONDS of overhead.  On a shared machine the wall time is longer by the load.
MATMUL_RATE = 4e10
ELEMENT_SECONDS = 2.5e-8
VALIDATION_ELEMENT_SECONDS = 6e-9
STEP_SECONDS = 5e-4
#: A periodic embedding's forward and backward pass, per training row and numeric column
#: (16 cosines and sines, their products and sums; measured like the rest).
PERIODIC_SECONDS = 1e-7
WIDTHS = (256, 192, 128)
FULL_EPOCHS = 256
MIN_EPOCHS = 32
LEAST_EPOCHS = 10


def epoch_seconds(rows: int, features: int, width: int, n_hidden: int, outputs: int,
                  batch_size: int, validation_rows: int = 0, periodic: int = 0) -> float:
    """Estimated seconds of one epoch (training rows' forward + backward, validation
    rows' forward); ``periodic`` numeric columns have periodic embeddings."""
    sizes = [features] + [width] * n_hidden + [outputs]
    macs = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    elements = width * n_hidden
    per_row = 3 * macs / MATMUL_RATE + elements * ELEMENT_SECONDS + periodic * PERIODIC_SECONDS
    val_per_row = (macs / MATMUL_RATE + elements * VALIDATION_ELEMENT_SECONDS
                   + periodic * PERIODIC_SECONDS / 3)
    steps = math.ceil(rows / batch_size)
    return rows * per_row + validation_rows * val_per_row + steps * STEP_SECONDS


def plan_size(recipe: Recipe, rows: int, features: int, outputs: int,
              validation_rows: int = 0, bagging: bool = False, periodic: int = 0
              ) -> SizePlan:
    """Width, epochs, batch size and ensemble members for ``rows`` rows per member.

    RealMLP-TD's 256 epochs at width 256 and batch 256 when they fit the time budget --
    and then, with ``bagging``, as many members (cross-validation folds, at most
    ``recipe.max_members``) as the budget holds; else one member, the widest of 256,
    192, 128 that still gets 32 epochs; else width 128 and as many epochs as fit (at
    least 10).  Batches grow to 512 above 32,768 rows.  Fields the recipe sets are kept.
    ``features`` is the dense stack's input width; ``periodic`` counts the numeric columns
    with periodic embeddings (their own cost).
    """
    plan = _plan_one(recipe, rows, features, outputs, validation_rows, periodic)
    if not bagging or recipe.max_members < 2 or plan.epochs < (recipe.epochs or FULL_EPOCHS):
        return plan
    members = max(1, min(recipe.max_members, int(recipe.time_budget / plan.estimated_seconds)))
    note = plan.note if members == 1 else f"{plan.note}, {members} bagged members"
    return replace(plan, members=members, estimated_seconds=members * plan.estimated_seconds,
                   note=note)


def _plan_one(recipe: Recipe, rows: int, features: int, outputs: int,
              validation_rows: int, periodic: int = 0) -> SizePlan:
    """One member's plan (see :func:`plan_size`)."""
    batch = recipe.batch_size or (256 if rows <= 32768 else 512)
    budget = recipe.time_budget

    def seconds(width: int, epochs: int) -> float:
        return epochs * epoch_seconds(rows, features, width, recipe.n_hidden, outputs,
                                      batch, validation_rows, periodic)

    if recipe.width is not None and recipe.epochs is not None:
        return SizePlan(recipe.width, recipe.epochs, batch,
                        seconds(recipe.width, recipe.epochs), "as the recipe sets")
    widths = (recipe.width,) if recipe.width is not None else WIDTHS
    full = recipe.epochs or FULL_EPOCHS
    for width in widths:
        fitting = min(full, int(budget / seconds(width, 1)))
        if fitting >= full or (fitting >= MIN_EPOCHS and recipe.epochs is None):
            note = ("RealMLP-TD's size" if (width, fitting) == (256, FULL_EPOCHS) else
                    f"width {width}, {fitting} epochs fit the {budget:g} s budget")
            return SizePlan(width, fitting, batch, seconds(width, fitting), note)
    width = widths[-1]
    fitting = int(budget / seconds(width, 1))
    epochs = recipe.epochs or max(LEAST_EPOCHS, min(full, fitting))
    why = (f"for the {budget:g} s budget" if epochs <= fitting else
           f"the least it trains, about {seconds(width, epochs):.0f} s")
    return SizePlan(width, epochs, batch, seconds(width, epochs),
                    f"large data: width {width}, {epochs} epochs {why}")
