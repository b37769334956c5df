"""Table estimators: :class:`TabularClassifier` and :class:`TabularRegressor`.

They take a table as it is -- a pandas DataFrame with numbers, text categories and gaps,
a dict of columns, or a 2-D array -- do the recipe's preprocessing inside
(:mod:`numpynn.tabular.recipe_features`) and train a
:class:`~numpynn.tabular_network.TabularNetwork` with the RealMLP-TD recipe
(:mod:`numpynn.tabular.recipe`), sized to the data::

    from numpynn.sklearn import TabularClassifier
    model = TabularClassifier(verbose=1).fit(df.drop(columns="y"), df["y"])
    model.plan_          # the width, epochs and batch size it chose, and why
    model.predict_proba(new_df)

One model holds out a share of the rows (``validation_fraction``, stratified for classes)
to pick its best epoch; a bagged ensemble (``plan_["members"]`` above 1) instead trains
on the folds of a cross-validation split, each member validating on its own fold (one in
``members`` of the rows).  No other choice looks at data beyond the training rows.
"""

from __future__ import annotations

import math
import sys
from numbers import Integral, Real
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils._param_validation import Interval
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_feature_names,
    _check_sample_weight,
    _check_y,
    check_is_fitted,
)

from ..io.onnx_graph import label_constant
from ..tabular.recipe import Recipe
from ..tabular.recipe_columns import columns_of
from ..tabular.recipe_ensemble import ensemble_outputs, fit_members
from ..tabular.recipe_features import RecipeFeatures
from ..tabular.target import TargetEncoder
from ..tabular_network import load_tabular_networks, networks_to_onnx, save_tabular_networks
from .inputs import check_labels_present
from .tabular_state import STATE_KEY, estimator_state, restore_estimator

__all__ = ["TabularClassifier", "TabularRegressor"]


class _TabularEstimator(BaseEstimator):
    """What the two table estimators share; use the subclasses."""

    _task = ""
    _parameter_constraints: dict = {
        "categorical": ["array-like", None],
        "width": [Interval(Integral, 1, None, closed="left"), None],
        "epochs": [Interval(Integral, 1, None, closed="left"), None],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "time_budget": [Interval(Real, 0, None, closed="neither")],
        "learning_rate": [Interval(Real, 0, None, closed="neither"), None],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "recipe": [dict, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, *, categorical: Any = None, width: int | None = None,
                 epochs: int | None = None, batch_size: int | None = None,
                 time_budget: float = 20.0, learning_rate: float | None = None,
                 validation_fraction: float = 0.2, recipe: dict | None = None,
                 random_state: Any = None, verbose: int = 0) -> None:
        self.categorical = categorical
        self.width = width
        self.epochs = epochs
        self.batch_size = batch_size
        self.time_budget = time_budget
        self.learning_rate = learning_rate
        self.validation_fraction = validation_fraction
        self.recipe = recipe
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.input_tags.sparse = False
        return tags

    # ------------------------------------------------------------------ input
    def _check_table(self, X: Any, reset: bool) -> Any:
        """``X`` as a table (sparse, complex, empty or ragged input refused)."""
        name = type(self).__name__
        if sp.issparse(X):
            raise TypeError(f"{name} takes dense tables (DataFrame or array); got a sparse "
                            "matrix: convert it with .toarray()")
        _check_feature_names(self, X, reset=reset)
        if not hasattr(X, "columns") and not isinstance(X, dict):
            X = np.asarray(X)
            if X.dtype.kind == "c":
                raise ValueError("Complex data not supported")
            if X.ndim != 2:
                raise ValueError(f"Expected a 2-D table (rows x columns), got an array of "
                                 f"shape {X.shape}. Reshape your data with X.reshape(-1, 1) "
                                 "for one feature or X.reshape(1, -1) for one row.")
        columns = columns_of(X)
        n_rows = len(columns[0]) if columns else (X.shape[0] if hasattr(X, "shape") else 0)
        if not columns:
            raise ValueError(f"0 feature(s) (shape=({n_rows}, 0)) while a minimum of 1 is "
                             "required.")
        if n_rows == 0:
            raise ValueError(f"Found array with 0 sample(s) (shape=(0, {len(columns)})) "
                             "while a minimum of 1 is required.")
        if reset:
            self.n_features_in_ = len(columns)
        elif len(columns) != self.n_features_in_:
            raise ValueError(f"X has {len(columns)} features, but {name} is expecting "
                             f"{self.n_features_in_} features as input.")
        return X

    def _recipe(self) -> Recipe:
        settings = {"width": self.width, "epochs": self.epochs, "batch_size": self.batch_size,
                    "time_budget": float(self.time_budget),
                    "learning_rate": self.learning_rate,
                    "validation_fraction": float(self.validation_fraction)}
        return Recipe().with_options({**settings, **(self.recipe or {})})

    # ------------------------------------------------------------------ fit
    def _fit(self, X: Any, targets: np.ndarray, n_outputs: int, stratify: np.ndarray | None,
             sample_weight: Any) -> Any:
        recipe = self._recipe()
        n_rows = len(X) if hasattr(X, "iloc") or not isinstance(X, dict) else \
            len(next(iter(X.values())))
        if n_rows != targets.shape[0]:
            raise ValueError(f"Found input variables with inconsistent numbers of samples: "
                             f"[{n_rows}, {targets.shape[0]}] (rows of X, values of y)")
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, targets, dtype=np.float32,
                                                 ensure_non_negative=True)
            if not sample_weight.any():
                raise ValueError("sample_weight has only zero weights: at least one row "
                                 "must weigh more than zero")
        features = RecipeFeatures.fit(X, self.categorical,
                                      max_one_hot=9 if recipe.embeddings else None,
                                      robust=recipe.robust_scaling, clip=recipe.robust_scaling)
        fit = fit_members(recipe, features.transform(X), targets, n_dense=features.n_dense,
                          embeddings=features.embeddings, n_outputs=n_outputs,
                          task=self._task, numeric=features.numeric_columns,
                          labels=stratify, seed=self._seed(),
                          sample_weight=sample_weight, progress=self.verbose >= 2)
        self.features_ = features
        self.networks_, self.histories_, self.plan_ = fit.networks, fit.histories, fit.report()
        if self.verbose:
            print(self._describe(), file=sys.stderr)
        return self

    def _seed(self) -> int | None:
        state = self.random_state
        if state is None or isinstance(state, (int, np.integer)):
            return None if state is None else int(state)
        return int(state.randint(2**31 - 1))  # a RandomState, as scikit-learn allows

    def _describe(self) -> str:
        plan = self.plan_
        members = "" if plan["members"] == 1 else f" x {plan['members']} members"
        return (f"{type(self).__name__}: {plan['training_rows']} training rows x "
                f"{self.features_.n_dense + len(self.features_.embedded)} features -> width "
                f"{plan['width']}, {plan['epochs']} epochs, batch {plan['batch_size']}"
                f"{members} ({plan['note']}); best epochs {plan['best_epochs']}, "
                f"{plan['seconds']} s")

    # ------------------------------------------------------------------ files
    def save(self, path: Any) -> None:
        """Write the fitted estimator to one safetensors model file, atomically: every
        member's network, and the preprocessing, classes or target scaling, parameters
        and plan as JSON metadata (never pickle)."""
        check_is_fitted(self, "networks_")
        save_tabular_networks(path, self.networks_, {STATE_KEY: estimator_state(self)})

    @classmethod
    def load(cls, path: Any) -> Any:
        """A fitted estimator from a file written by :meth:`save`.

        Raises
        ------
        numpynn.ModelFileError
            Not a table network's model file (or damaged); ValueError: not this
            estimator's.
        """
        networks = load_tabular_networks(path)
        return restore_estimator(cls, networks, networks[0].metadata, str(path))

    def to_onnx(self, path: Any = None, *, opset: int = 17, preprocessing: bool = True,
                numeric_type: str = "float64") -> Any:
        """The fitted estimator as one ONNX model (written to ``path`` too, atomically).

        With ``preprocessing`` (the default) the graph takes the table's columns as they
        are, one input per column of shape (N, 1) named as in ``features_.columns``
        (``tensor(double)`` for a numeric column, NaN for a gap, or ``float`` with
        ``numeric_type="float32"``; ``tensor(string)`` for a categorical one: the cell's
        text as ``fit`` saw it, a number category as its shortest text, ``"3"`` for 3.0,
        a gap as ``""``), encodes
        them as :meth:`predict` does and outputs ``probabilities`` and ``label`` (the
        classes) or ``output`` (the regressor's values in the target's units, clipped as
        :meth:`predict` clips); see :mod:`numpynn.tabular.recipe_onnx`.  Without it, the
        input is the encoded table, ``features_.transform(X)`` (float32, one input named
        ``input``), and the members' averaged outputs come out
        (:mod:`numpynn.io.onnx_tabular`).
        """
        check_is_fitted(self, "networks_")
        if not preprocessing:
            return networks_to_onnx(self.networks_, path, opset=opset,
                                    classes=getattr(self, "classes_", None),
                                    output_transform=self._output_transform())
        from ..io.onnx_graph import save_model
        from ..tabular.recipe_onnx import recipe_model_to_onnx

        model = recipe_model_to_onnx(self.networks_, self.features_, **self._onnx_target(),
                                     opset=opset, numeric_type=numeric_type)
        if path is not None:
            save_model(model, path)
        return model

    def _output_transform(self) -> tuple[float, float, float, float] | None:
        return None

    @property
    def network_(self) -> Any:
        """The (first) fitted :class:`~numpynn.tabular_network.TabularNetwork`."""
        check_is_fitted(self, "networks_")
        return self.networks_[0]

    def _outputs(self, X: Any) -> np.ndarray:
        """The members' mean output for the rows of ``X``, float32 (n, k)."""
        check_is_fitted(self, "networks_")
        X = self._by_position(self._check_table(X, reset=False))
        return ensemble_outputs(self.networks_, self.features_.transform(X))

    def _by_position(self, X: Any) -> Any:
        """A frame for a model fitted without feature names (on an array, or a frame with
        integer column names) that lacks a fitted column by name: its columns by
        position, as scikit-learn takes them after its warning."""
        if "feature_names_in_" in self.__dict__ or not hasattr(X, "iloc"):
            return X
        fitted = self.features_.columns
        if set(fitted) <= {str(c) for c in X.columns}:
            return X  # every fitted column by name
        return {name: X.iloc[:, j].to_numpy() for j, name in enumerate(fitted)}


class TabularClassifier(ClassifierMixin, _TabularEstimator):
    """Classifier for tables, trained with the RealMLP-TD recipe (see the module).

    Parameters
    ----------
    categorical : sequence of str, optional
        Numeric columns to treat as categories (``x<j>`` for arrays).
    width, epochs, batch_size : int, optional
        Fix the size instead of letting the data choose (:func:`numpynn.tabular.recipe.plan_size`).
    time_budget : float, default 20.0
        CPU seconds (of one core) a fit should take, for the size choice; on a busy
        machine the wall time is longer.
    learning_rate : float, optional
        Default 0.04 (with the NTK factors).
    validation_fraction : float, default 0.2
        Rows held out to choose the best epoch, for one model; the members of a bagged
        ensemble each hold out their own cross-validation fold instead (see the module).
    recipe : dict, optional
        Other :class:`~numpynn.tabular.recipe.Recipe` fields (``{"dropout": 0.0}``).
    random_state : int, RandomState or None
    verbose : int, default 0
        1: print the plan and the result; 2: also a progress bar.

    Attributes
    ----------
    classes_ : ndarray
    features_ : RecipeFeatures
    networks_ : list of TabularNetwork
        One per bagged member (cross-validation fold); predictions average them.
        ``network_`` is the first.
    histories_ : list of History
    plan_ : dict
        The width, epochs, batch size, members, rows per member, best epochs and seconds
        of the fit, and why that size (``note``).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        When X had string column names.
    """

    _task = "classification"

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> TabularClassifier:
        """Fit on a table ``X`` (n rows) and labels ``y`` (n,)."""
        self._validate_params()
        X = self._check_table(X, reset=True)
        check_labels_present(y)
        y = _check_y(y, estimator=self)
        check_classification_targets(y)
        self.classes_, labels = np.unique(y, return_inverse=True)
        if self.classes_.size < 2:
            raise ValueError("Classifier can't train when only one class is present: y has "
                             f"only the class {self.classes_[0]!r}")
        return self._fit(X, labels.astype(np.intp), self.classes_.size, labels, sample_weight)

    def _onnx_target(self) -> dict[str, Any]:
        """The classes as the ONNX ``label`` gives them, as the MLP drop-in's export does
        (:func:`~numpynn.io.onnx_graph.label_constant`: numbers as int64 or float64)."""
        return {"enc": TargetEncoder("y", "classification",
                                     classes=[str(c) for c in self.classes_]),
                "labels": label_constant(self.classes_)}

    def predict_proba(self, X: Any) -> np.ndarray:
        """float32 (n, n_classes), columns in ``classes_`` order."""
        return self._outputs(X)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """float32 (n, n_classes): the log of :meth:`predict_proba` (``-inf`` where a
        probability is 0)."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class TabularRegressor(RegressorMixin, _TabularEstimator):
    """Regressor for tables, trained with the RealMLP-TD recipe (see the module).

    The target is standardised for training; predictions are clipped to the range of the
    training targets (``recipe={"clip_outputs": False}`` to keep them unclipped).
    Parameters and attributes as for :class:`TabularClassifier` (learning rate 0.2).
    """

    _task = "regression"

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> TabularRegressor:
        """Fit on a table ``X`` (n rows) and real targets ``y`` (n,)."""
        self._validate_params()
        X = self._check_table(X, reset=True)
        y = _check_y(y, y_numeric=True, estimator=self).astype(np.float64)
        self.target_mean_ = float(y.mean())
        std = float(y.std())
        self.target_scale_ = std if std > 0 and math.isfinite(std) else 1.0
        self.target_range_ = (float(y.min()), float(y.max()))
        scaled = ((y - self.target_mean_) / self.target_scale_).astype(np.float32)
        return self._fit(X, scaled.reshape(-1, 1), 1, None, sample_weight)

    def _onnx_target(self) -> dict[str, Any]:
        """The target's scaling, and the clip in its units, as :meth:`predict` clips."""
        scale, mean, low, high = self._output_transform()
        return {"enc": TargetEncoder("y", "regression", mean=mean, std=scale),
                "value_range": None if math.isinf(low) else (low, high)}

    def _output_transform(self) -> tuple[float, float, float, float]:
        low, high = self.target_range_ if self._recipe().clip_outputs else (-np.inf, np.inf)
        return (self.target_scale_, self.target_mean_, low, high)

    def predict(self, X: Any) -> np.ndarray:
        """float32 (n,) in the target's units."""
        out = self._outputs(X)[:, 0].astype(np.float64)
        out = out * self.target_scale_ + self.target_mean_
        if self._recipe().clip_outputs:
            out = np.clip(out, *self.target_range_)
        return out.astype(np.float32)
