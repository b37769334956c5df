"""The tabular recipe on a table (what ``numpynn train`` runs by default).

:class:`RecipeTableModel` is a :class:`~numpynn.tabular.TableModel` whose encoding and
network are the recipe's: the same reading, column roles, missing-value report, target
encoding and validation split, then :class:`~numpynn.tabular.recipe_features.RecipeFeatures`
and a bagged ensemble of :class:`~numpynn.tabular_network.TabularNetwork` members sized to
the data (:mod:`numpynn.tabular.recipe`).  The held-out validation rows are only reported
on; the members choose their best epochs on folds of the training rows.

The model file is a table network's (:mod:`numpynn.io.tabular_files`) with the metadata of
``numpynn train`` (``"format": "numpynn.cli.train"``): ``recipe_features`` instead of
``preprocessor``, and ``recipe`` (the plan).  :func:`load_recipe_parts` gives what
``numpynn predict`` and ``evaluate`` use: a network-like ensemble, a preprocessor-like
encoder and the target encoder.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelFileError
from ..tabular_network import load_tabular_networks, save_tabular_networks
from ..training import History
from .model import PreparedData, TableModel
from .model_state import MODEL_FORMAT, build_metadata
from .recipe import Recipe, SizePlan
from .recipe_checks import check_finite, table_for_recipe
from .recipe_ensemble import ensemble_outputs, fit_members, plan_members
from .recipe_features import RecipeFeatures
from .recipe_training import input_width, periodic_columns
from .roles import ColumnRoles
from .table import Table
from .target import TargetEncoder

__all__ = ["RecipeTableModel", "RecipeEnsemble", "RecipeInput", "load_recipe_parts"]


class RecipeInput:
    """The recipe's features of a table, with the parts of a ``Preprocessor`` that the
    command line uses (``transform``, ``n_features``, column lists)."""

    def __init__(self, features: RecipeFeatures) -> None:
        self.features = features

    def transform(self, table: Any, rows: np.ndarray | None = None) -> np.ndarray:
        """float32 (n, n_features): dense features, then category codes.

        A :class:`~numpynn.tabular.Table` is checked first, with messages that name its file
        and rows (:func:`~numpynn.tabular.recipe_checks.table_for_recipe`).
        """
        if rows is not None:
            table = table.take(rows)
        if isinstance(table, Table):
            table = table_for_recipe(table, self.features)
        return self.features.transform(table)

    @property
    def n_features(self) -> int:
        return self.features.n_dense + len(self.features.embedded)

    @property
    def feature_names(self) -> list[str]:
        return list(self.features.feature_names)

    @property
    def input_columns(self) -> list[str]:
        return list(self.features.columns)

    @property
    def numeric_columns(self) -> list[str]:
        return [p.name for p in self.features.numeric]

    @property
    def categorical_columns(self) -> list[str]:
        return list(self.features.categories)


def _of_the_members(name: str, doc: str) -> property:
    """A read-only property: the first member's attribute ``name``."""
    return property(lambda self: getattr(self.networks[0], name), doc=doc)


class RecipeEnsemble:
    """The members as one network for the command line: ``eval`` is their mean output
    (regression outputs clipped to the training targets' range), plus ``sizes``,
    ``metadata``, ``save`` and the figures the reports print."""

    def __init__(self, networks: Sequence[Any], metadata: dict | None = None,
                 output_range: tuple[float, float] | None = None) -> None:
        self.networks = list(networks)
        self.metadata = dict(metadata or {})
        self.output_range = output_range

    def eval(self, X: Any) -> np.ndarray:
        out = ensemble_outputs(self.networks, np.asarray(X, dtype=np.float32))
        if self.output_range is not None:
            np.clip(out, *self.output_range, out=out)
        return out

    def _forward(self, X: np.ndarray, apply_output: bool = True) -> np.ndarray:
        """Outputs, or (``apply_output=False``) sums whose output activation gives them:
        the log of the mean probabilities for softmax (the engine's metrics use it)."""
        out = self.eval(X)
        if apply_output or self.output_activation != "softmax":
            return out
        with np.errstate(divide="ignore"):
            return np.log(np.maximum(out, np.float32(1e-30)))

    def save(self, path: str | PathLike[str], metadata: dict | None = None) -> None:
        save_tabular_networks(path, self.networks, self.metadata if metadata is None
                              else metadata)

    # The members share their architecture: the first one's answers for all.
    sizes = _of_the_members("sizes", "``(n_inputs, *hidden, n_outputs)``.")
    output_activation = _of_the_members("output_activation", "The output activation's name.")
    hidden_activations = _of_the_members("hidden_activations", "One name per hidden layer.")
    num_layers = _of_the_members("num_layers", "Dense layers (hidden layers + 1).")

    @property
    def num_weights(self) -> int:
        return sum(net.num_weights for net in self.networks)


def _output_range(enc: TargetEncoder, y_train: np.ndarray, clip: bool
                  ) -> tuple[float, float] | None:
    """The standardised training targets' range (regression with clipping), else None."""
    if enc.is_classification or not clip or y_train.size == 0:
        return None
    return float(y_train.min()), float(y_train.max())


class RecipeTableModel(TableModel):
    """The tabular recipe on a table file, DataFrame or Arrow table (see the module).

    Parameters
    ----------
    task : {"classification", "regression"}, optional
    validation_split : float, default 0.2
        Rows held out for the report (not for training).
    max_categories : int, default 100
    seed : int, default 42
    time_budget : float, default 20.0
        CPU seconds for the size plan (:func:`numpynn.tabular.recipe.plan_size`).
    recipe : dict, optional
        Other :class:`~numpynn.tabular.recipe.Recipe` fields.
    """

    def __init__(self, *, task: str | None = None, validation_split: float = 0.2,
                 max_categories: int = 100, seed: int = 42, time_budget: float = 20.0,
                 recipe: dict | None = None) -> None:
        super().__init__(task=task, validation_split=validation_split,
                         max_categories=max_categories, seed=seed)
        self.recipe = Recipe(time_budget=float(time_budget)).with_options(recipe)

    def _fit_features(self, table: Table, target: str, roles: ColumnRoles,
                      train_rows: np.ndarray, order: np.ndarray) -> tuple[Any, np.ndarray]:
        """The recipe's features fitted on the training rows, and the float32 features of
        the rows ``order`` (dense features, then category codes)."""
        check_finite(table, roles.features)  # the row of an infinity, before X's message
        columns = {name: table.column(name) for name in roles.features}
        recipe = self.recipe
        pre = RecipeFeatures.fit({k: v[train_rows] for k, v in columns.items()},
                                 categorical=roles.categorical,
                                 max_one_hot=9 if recipe.embeddings else None,
                                 robust=recipe.robust_scaling, clip=recipe.robust_scaling)
        return RecipeInput(pre), pre.transform({k: v[order] for k, v in columns.items()})

    def _finish_preparing(self, table: Table, target: str, rows: np.ndarray, n_train: int,
                          roles: ColumnRoles, na_values: list[str]) -> None:
        """:attr:`metadata_` (the members are built by :meth:`train`)."""
        training = {"data": table.source, "rows": int(rows.size), "training_rows": n_train,
                    "validation_rows": int(rows.size - n_train), "target": target,
                    "task": self.task or "auto", "validation_split": self.validation_split,
                    "seed": self.seed, "recipe": "realmlp", "left_out": roles.left_out}
        meta = build_metadata(self.preprocessor_.features, self.target_encoder_,
                              id_columns=roles.id_columns, na_values=na_values,
                              training=training)
        meta["recipe_features"] = meta.pop("preprocessor")  # not a Preprocessor's state
        self.metadata_ = meta

    def size_plan(self, prepared: PreparedData) -> SizePlan:
        """The width, epochs, batch size and members :meth:`train` will use for these
        rows, with its estimate of the CPU seconds (``estimated_seconds``)."""
        pre = self.preprocessor_.features
        periodic = periodic_columns(self.recipe, pre.numeric_columns)
        return plan_members(self.recipe, prepared.y_train.shape[0],
                            input_width(pre.n_dense, pre.embeddings, periodic),
                            self.target_encoder_.n_outputs, len(periodic))

    def train(self, prepared: PreparedData, *, callbacks: Iterable[Any] = (),
              progress: bool = False, checkpoint_dir: Any = None, resume: bool = False
              ) -> History:
        """Train the members on the training rows; the first member's History.

        Checkpoints are not supported (``checkpoint_dir`` must be None).  ``callbacks``
        (``fit``'s kinds) run in every member's training, member after member, beside the
        recipe's own schedules.
        """
        if checkpoint_dir is not None or resume:
            raise ValueError("the tabular recipe does not write checkpoints; use the plain "
                             "network (numpynn train --recipe plain) for --checkpoint-dir")
        enc = self.target_encoder_
        labels = prepared.y_train if enc.is_classification else None
        pre = self.preprocessor_.features
        fit = fit_members(self.recipe, prepared.X_train, prepared.y_train,
                          n_dense=pre.n_dense, embeddings=pre.embeddings,
                          n_outputs=enc.n_outputs,
                          task="classification" if enc.is_classification else "regression",
                          numeric=pre.numeric_columns, labels=labels, seed=self.seed,
                          progress=progress,
                          callbacks=list(callbacks))
        self.fit_ = fit
        output_range = _output_range(enc, prepared.y_train, self.recipe.clip_outputs)
        self.metadata_["recipe"] = {**fit.report(), "output_range":
                                    None if output_range is None else list(output_range)}
        self.network_ = RecipeEnsemble(fit.networks, self.metadata_, output_range)
        self.history_ = fit.histories[0]
        self.metadata_["results"] = {"epochs": self.history_.epochs,
                                     "best_epoch": self.history_.best_epoch,
                                     "stopped_early": False}
        return self.history_

    def transform(self, data: Any) -> np.ndarray:
        return self.preprocessor_.transform(self.read(data))

    @classmethod
    def load(cls, path: str | PathLike[str]) -> RecipeTableModel:
        """A model from a file written by :meth:`save` (``numpynn train``'s default)."""
        net, pre, enc = load_recipe_parts(path)
        model = cls(seed=net.metadata.get("training", {}).get("seed", 42))
        model.network_, model.preprocessor_, model.target_encoder_ = net, pre, enc
        model.metadata_ = dict(net.metadata)
        return model


def load_recipe_parts(path: str | PathLike[str]) -> tuple[RecipeEnsemble, RecipeInput,
                                                          TargetEncoder]:
    """The ensemble, the input encoding and the target encoder of a recipe model file.

    Raises
    ------
    numpynn.ModelFileError
        Not a table network's file, or one without the recipe's metadata, or damaged.
    """
    networks = load_tabular_networks(path)
    meta = networks[0].metadata
    if meta.get("format") != MODEL_FORMAT or "recipe_features" not in meta:
        raise ModelFileError(f"{path}: a table network's model file, but not one written by "
                             "numpynn train (it has no recipe_features metadata)")
    try:
        pre = RecipeInput(RecipeFeatures.from_dict(meta["recipe_features"]))
        enc = TargetEncoder.from_dict(meta["target_encoder"])
        clip = meta.get("recipe", {}).get("output_range")
        output_range = None if clip is None else (float(clip[0]), float(clip[1]))
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(f"{path}: damaged recipe metadata: {exc}") from None
    if networks[0].sizes[0] != pre.n_features or networks[0].sizes[-1] != enc.n_outputs:
        raise ModelFileError(f"{Path(path)}: the recipe metadata ({pre.n_features} inputs, "
                             f"{enc.n_outputs} outputs) does not match the networks "
                             f"{'-'.join(map(str, networks[0].sizes))}")
    return RecipeEnsemble(networks, meta, output_range), pre, enc
