"""Training a :class:`~numpynn.tabular_network.TabularNetwork` with the recipe: the network,
its start, the optimizer, the per-step schedules, the best epoch (see
:mod:`numpynn.tabular.recipe`)."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.checks import as_generator
from ..core.kernels.threads import single_threaded_blas
from ..core.layers.periodic import DIMS as PERIODIC_DIMS
from ..tabular_network import TabularNetwork
from ..training import (
    Adam,
    BestEpoch,
    History,
    ProgressBar,
    ScheduledDropout,
    ScheduledWeightDecay,
    StepwiseLearningRate,
    TableTrainer,
    TerminateOnNaN,
    check_training_data,
)
from .recipe import Recipe, SizePlan, plan_size

__all__ = ["RecipeFit", "fit_recipe", "build_network", "periodic_columns", "input_width"]

BIAS_LR_FACTOR = 0.1
SCALE_LR_FACTOR = 6.0
PERIODIC_LR_FACTOR = 0.1  # RealMLP-TD's plr_lr_factor


def periodic_columns(recipe: Recipe, numeric: Sequence[int]) -> tuple[int, ...]:
    """The dense columns that get periodic embeddings: the numeric ones, when the recipe
    has numeric embeddings."""
    return tuple(numeric) if recipe.numeric_embeddings else ()


def input_width(n_dense: int, embeddings: Sequence[tuple[int, int]],
                periodic: Sequence[int]) -> int:
    """Width of the dense stack's input: dense features, embedding dims, periodic values."""
    return n_dense + sum(d for _, d in embeddings) + len(periodic) * PERIODIC_DIMS


@dataclass
class RecipeFit:
    """A trained network, its history, the size plan and the seconds it took."""

    network: TabularNetwork
    history: History
    plan: SizePlan
    seconds: float


def build_network(recipe: Recipe, plan: SizePlan, n_dense: int,
                  embeddings: list[tuple[int, int]], n_outputs: int, task: str,
                  rng: np.random.Generator, periodic: Sequence[int] = ()) -> TabularNetwork:
    """The untrained network of a plan (Glorot start; see :func:`fit_recipe` for the
    data-driven one); ``periodic``: the dense columns with periodic embeddings."""
    return TabularNetwork(
        n_dense, (plan.width,) * recipe.n_hidden, n_outputs, embeddings=embeddings,
        front_scale=recipe.front_scale, periodic=periodic,
        hidden_activation=recipe.activation_for(task),
        output_activation="softmax" if task == "classification" else "identity", seed=rng)


def _callbacks(recipe: Recipe, net: TabularNetwork, steps: int, task: str,
               has_validation: bool, progress: bool, extra: Sequence[Any] = ()) -> list[Any]:
    regularization = "flat_cos" if recipe.scheduled_regularization else "constant"
    callbacks: list[Any] = [TerminateOnNaN(), *extra]
    if recipe.schedule != "constant":
        callbacks.append(StepwiseLearningRate(steps))
    if recipe.dropout > 0:
        callbacks.append(ScheduledDropout(recipe.dropout, steps, regularization))
    if recipe.weight_decay > 0:
        # decoupled decay moves with each group's learning-rate factor (RealMLP's wd
        # factors are 1); the dense weights' NTK factors are a parametrisation, not a rate
        decay = net.per_group({"weight": 1.0, "embedding": 1.0, "scale": SCALE_LR_FACTOR,
                               "periodic": PERIODIC_LR_FACTOR})
        callbacks.append(ScheduledWeightDecay(recipe.weight_decay, steps, regularization,
                                              factors=decay))
    if recipe.best_epoch and has_validation:
        # The lowest validation loss, for classes too: RealMLP picks the most accurate
        # epoch, but on a few hundred validation rows accuracy moves in steps of one row
        # and often peaks by luck in the first epochs; on the benchmark's 7 class tables
        # the loss gave lower log-loss on all 7 and lower error on 4 (equal on 2).  The
        # loss is the smoothed one that training lowers (TableTrainer): plain log-loss
        # chose the first epochs on a table with a rare class.
        callbacks.append(BestEpoch(("val_loss",)))
    if progress:
        callbacks.append(ProgressBar())
    return callbacks


def fit_recipe(recipe: Recipe, X_train: np.ndarray, y_train: np.ndarray,
               validation: tuple[np.ndarray, np.ndarray] | None, *, n_dense: int,
               embeddings: list[tuple[int, int]], n_outputs: int, task: str,
               periodic: Sequence[int] = (),
               seed: int | np.random.Generator | None = None,
               sample_weight: np.ndarray | None = None, progress: bool = False,
               plan: SizePlan | None = None, callbacks: Sequence[Any] = ()) -> RecipeFit:
    """Plan, build, start from the data and train a network with the recipe.

    Parameters
    ----------
    recipe : Recipe
    X_train : ndarray, shape (n, n_dense + len(embeddings)), float32
        Encoded rows (:meth:`RecipeFeatures.transform`).
    y_train : ndarray
        Class indices (n,) for classification, standardised float32 (n, 1) for regression.
    validation : (X, y) or None
        Validation rows, encoded the same way: the best epoch is chosen on them.
    n_dense, embeddings
        The encoding's sizes.
    periodic : sequence of int, optional
        Dense columns that get periodic embeddings (:func:`periodic_columns`).
    n_outputs : int
    task : {"classification", "regression"}
    seed : int or Generator, optional
    sample_weight : ndarray, shape (n,), optional
    progress : bool, default False
        Show a progress bar.
    plan : SizePlan, optional
        The size to train (default: :func:`plan_size` for these rows, one member).
    callbacks : sequence, optional
        More callbacks (``fit``'s kinds), after the divergence guard and before the
        recipe's own schedules.
    """
    rng = as_generator(seed)
    n_val = 0 if validation is None else validation[0].shape[0]
    if plan is None:
        plan = plan_size(recipe, X_train.shape[0], input_width(n_dense, embeddings, periodic),
                         n_outputs, n_val, periodic=len(periodic))
    net = build_network(recipe, plan, n_dense, embeddings, n_outputs, task, rng, periodic)
    if recipe.data_init:
        net.initialize_from_data(X_train, seed=rng)
    else:
        for b in net.views.biases:
            b.fill(0.0)
    steps = math.ceil(X_train.shape[0] / plan.batch_size)
    lr_factors = net.per_group({
        "weight": net.ntk_factors() if recipe.ntk else 1.0, "bias": BIAS_LR_FACTOR,
        "scale": SCALE_LR_FACTOR, "embedding": 1.0, "periodic": PERIODIC_LR_FACTOR})
    optimizer = Adam(recipe.learning_rate_for(task), beta_2=recipe.beta_2,
                     schedule=recipe.schedule)
    trainer = TableTrainer(
        net, optimizer, batch_size=plan.batch_size, dropout=recipe.dropout, seed=rng,
        label_smoothing=recipe.label_smoothing if task == "classification" else 0.0,
        lr_factors=lr_factors,
        callbacks=_callbacks(recipe, net, steps, task, validation is not None, progress,
                             callbacks))
    data = check_training_data(net, X_train, y_train, sample_weight)
    val = None if validation is None else check_training_data(net, *validation)
    start = time.perf_counter()
    # Batches of a few hundred rows: one BLAS thread per product is faster than two
    # fighting over the cores, and far faster on a shared machine.
    with single_threaded_blas():
        history = trainer.run(data, epochs=plan.epochs, validation=val)
    return RecipeFit(net, history, plan, time.perf_counter() - start)
