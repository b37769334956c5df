"""The recipe's members: which rows each trains and validates on, their training, and the
ensemble's outputs.  Shared by the scikit-learn estimators and ``numpynn train``.

One member holds out ``validation_fraction`` of the rows (stratified for classes) to pick
its best epoch.  Several members (a bagged ensemble, when :func:`plan_size` finds the
budget holds RealMLP-TD's full size more than once) train on the folds of a
cross-validation split, each validating on its own fold, so every row trains some member;
their outputs are averaged.  NumPy only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..tabular_network import TabularNetwork
from ..training import History
from .calibration import fit_inverse_temperature, scale_output_layer
from .recipe import Recipe, SizePlan, plan_size
from .recipe_training import fit_recipe, input_width, periodic_columns

__all__ = ["MIN_ROWS_FOR_VALIDATION", "BaggedFit", "member_rows", "fit_members",
           "ensemble_outputs", "plan_members"]

#: Fewer rows than this train one member on all of them (and keep its last epoch).
MIN_ROWS_FOR_VALIDATION = 10

Rows = tuple[np.ndarray, np.ndarray | None]


@dataclass
class BaggedFit:
    """The members' networks and histories, their rows, the plan and the seconds."""

    networks: list[TabularNetwork]
    histories: list[History]
    rows: list[Rows]
    plan: SizePlan
    seconds: float
    output_scale: float = 1.0

    def report(self) -> dict[str, Any]:
        """The plan with what the fit did: members, rows per member, best epochs, seconds."""
        train, val = self.rows[0]
        return {**self.plan.as_dict(), "members": len(self.networks),
                "training_rows": int(train.size),
                "validation_rows": 0 if val is None else int(val.size),
                "best_epochs": [h.best_epoch for h in self.histories],
                "output_scale": round(self.output_scale, 3),
                "seconds": round(self.seconds, 2)}


def _stratified_parts(n: int, labels: np.ndarray | None, parts: int,
                      rng: np.random.Generator) -> list[np.ndarray]:
    """``parts`` disjoint sets of rows covering 0..n-1, each class spread evenly."""
    groups = [np.arange(n)] if labels is None else [np.flatnonzero(labels == c)
                                                     for c in np.unique(labels)]
    out: list[list[np.ndarray]] = [[] for _ in range(parts)]
    offset = 0
    for group in groups:
        shuffled = rng.permutation(group)
        for k in range(parts):  # deal the class round-robin, continuing across classes
            out[(k + offset) % parts].append(shuffled[k::parts])
        offset += shuffled.size
    return [np.sort(np.concatenate(p)) for p in out]


def member_rows(n: int, members: int, validation_fraction: float,
                labels: np.ndarray | None, rng: np.random.Generator) -> list[Rows]:
    """Training and validation rows of every member (see the module docstring)."""
    rows = np.arange(n)
    if n < MIN_ROWS_FOR_VALIDATION:
        return [(rows, None)]
    if labels is not None and np.bincount(labels).min(initial=n) < max(2, members):
        labels = None  # too few rows of a class to spread it over the parts
    if members > 1:
        folds = _stratified_parts(n, labels, members, rng)
        return [(np.setdiff1d(rows, fold, assume_unique=True), fold) for fold in folds]
    n_val = min(n - 1, max(1, int(round(validation_fraction * n))))
    parts = max(2, int(round(n / n_val)))
    val = _stratified_parts(n, labels, parts, rng)[0]
    return [(np.setdiff1d(rows, val, assume_unique=True), val)]


def plan_members(recipe: Recipe, n: int, n_features: int, n_outputs: int,
                 periodic: int = 0) -> SizePlan:
    """The size plan for ``n`` rows (``n_features`` wide at the dense stack, ``periodic``
    of them numeric columns with periodic embeddings): bagging allowed where there is
    validation."""
    n_val = 0 if n < MIN_ROWS_FOR_VALIDATION else int(round(recipe.validation_fraction * n))
    return plan_size(recipe, n - n_val, n_features, n_outputs, n_val, bagging=n_val > 0,
                     periodic=periodic)


def fit_members(recipe: Recipe, encoded: np.ndarray, targets: np.ndarray, *, n_dense: int,
                embeddings: list[tuple[int, int]], n_outputs: int, task: str,
                numeric: Sequence[int] = (),
                labels: np.ndarray | None = None, seed: int | None = None,
                sample_weight: np.ndarray | None = None, progress: bool = False,
                callbacks: Sequence[Any] = ()) -> BaggedFit:
    """Plan the size and train every member on its rows.

    Parameters
    ----------
    recipe : Recipe
    encoded : ndarray, shape (n, n_dense + len(embeddings)), float32
        :meth:`RecipeFeatures.transform` of the rows.
    targets : ndarray
        Class indices (n,), or standardised float32 (n, 1) for regression.
    n_dense, embeddings, n_outputs, task
        The encoding's sizes, the output count, "classification" or "regression".
    numeric : sequence of int, optional
        The dense columns holding numeric columns' values
        (:attr:`RecipeFeatures.numeric_columns`): the recipe's periodic embeddings.
    labels : ndarray of int, shape (n,), optional
        Class indices to stratify by (classification).
    seed : int, optional
    sample_weight : ndarray, shape (n,), optional
    progress : bool
    callbacks : sequence, optional
        Called in every member's training, member after member (:func:`fit_recipe`).
    """
    rng = np.random.default_rng(seed)
    periodic = periodic_columns(recipe, numeric)
    plan = plan_members(recipe, targets.shape[0], input_width(n_dense, embeddings, periodic),
                        n_outputs, len(periodic))
    parts = member_rows(targets.shape[0], plan.members, recipe.validation_fraction, labels,
                        rng)
    fits = []
    for train, val in parts:
        fits.append(fit_recipe(
            recipe, encoded[train], targets[train],
            None if val is None else (encoded[val], targets[val]), n_dense=n_dense,
            embeddings=embeddings, n_outputs=n_outputs, task=task, periodic=periodic,
            seed=rng,
            sample_weight=None if sample_weight is None else sample_weight[train],
            progress=progress, plan=plan, callbacks=callbacks))
    networks = [f.network for f in fits]
    beta = 1.0
    if recipe.temperature_scaling and task == "classification" and parts[0][1] is not None:
        beta = _fit_output_scale(networks, encoded, targets, parts)
    return BaggedFit(networks, [f.history for f in fits], parts, plan,
                     sum(f.seconds for f in fits), beta)


def _fit_output_scale(networks: list[TabularNetwork], encoded: np.ndarray,
                      labels: np.ndarray, parts: list[Rows]) -> float:
    """Temperature scaling of every member by one factor, fitted on the members' output
    sums for their own validation rows pooled (with bagging: every row once, out of fold)
    -- five times the rows one fold has, where a small table's fold may have 30."""
    logits = np.concatenate([net.output_sums(encoded[val]) for net, (_, val) in
                             zip(networks, parts)])
    beta = fit_inverse_temperature(logits, np.concatenate([labels[val] for _, val in parts]))
    for net in networks:
        scale_output_layer(net, beta)
    return beta


def ensemble_outputs(networks: list[TabularNetwork], encoded: np.ndarray) -> np.ndarray:
    """The members' mean output for encoded rows, float32 (n, k)."""
    out = networks[0].eval(encoded)
    for net in networks[1:]:
        out += net.eval(encoded)
    if len(networks) > 1:
        out /= np.float32(len(networks))
    return out
