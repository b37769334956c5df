"""What the two scikit-learn estimators share: parameters, fitted views of the network,
input checks, the network's initialisation, ``predict`` and the fit, which hands the
training to numpynn's engine (:mod:`.stochastic`) or L-BFGS bridge (:mod:`.lbfgs`).

The fitted :class:`~numpynn.NeuralNetwork` is ``network_``; ``coefs_`` and ``intercepts_``
are lists of views of its flat vector ``theta`` (:mod:`.fitted_arrays`).  Its dtype is the
``dtype`` parameter's, and the input is validated into it by :mod:`.inputs`.
"""

from __future__ import annotations

import copy
import math
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import _check_sample_weight

from ..core.activations import HIDDEN_ACTIVATIONS
from ..core.initializers import INITIALIZERS, get_initializer
from ..network import NeuralNetwork
from ..training.data import TrainingData
from ..training.metrics import outputs_and_loss
from . import inputs
from .context import CallbackSupportMixin, NullContext
from .fitted_arrays import apply_initial_arrays, assign_layer_arrays, layer_arrays
from .lbfgs import fit_lbfgs
from .stochastic import fit_stochastic

STOCHASTIC_SOLVERS = ("sgd", "adam", "adamw")

def _no_init(weights: np.ndarray, rng: np.random.Generator) -> None:
    """Leave the weights at zero: the estimator fills ``theta`` itself."""


class _BaseNeuralNet(CallbackSupportMixin, BaseEstimator):
    """Shared machinery of the two estimators; use the subclasses."""

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(HIDDEN_ACTIVATIONS)), list, tuple],
        "solver": [StrOptions({"lbfgs", "sgd", "adam", "adamw"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "init": [StrOptions(set(INITIALIZERS)), callable, None],
        "monitor": [StrOptions({"score", "loss"})],
        "dtype": [StrOptions({inputs.PRESERVE, "float32", "float64"}),
                  Options(type, {np.float32, np.float64}),
                  Options(np.dtype, {np.dtype(np.float32), np.dtype(np.float64)})],
    }

    # ------------------------------------------------------------------ fitted views
    @property
    def coefs_(self) -> list[np.ndarray]:
        """Weight matrices, shapes (fan_in, fan_out): views into ``network_.theta``;
        assigning an item (or the list) writes into the network."""
        return layer_arrays(self, 0)

    @coefs_.setter
    def coefs_(self, values: list) -> None:
        assign_layer_arrays(self, values, 0)

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """Bias vectors, shapes (fan_out,): views into ``network_.theta``; assigning an
        item (or the list) writes into the network."""
        return layer_arrays(self, 1)

    @intercepts_.setter
    def intercepts_(self, values: list) -> None:
        assign_layer_arrays(self, values, 1)

    # ------------------------------------------------------------------ setup
    def _hidden_sizes(self) -> list[int]:
        sizes = self.hidden_layer_sizes
        if not hasattr(sizes, "__iter__"):
            sizes = [sizes]
        sizes = list(sizes)
        for i, s in enumerate(sizes):
            if isinstance(s, (bool, np.bool_)) or not isinstance(s, (Integral, np.integer)):
                raise ValueError(f"hidden_layer_sizes[{i}] must be an int, got {s!r}")
            if s <= 0:
                raise ValueError(f"hidden_layer_sizes must be > 0, got {sizes}.")
        return [int(s) for s in sizes]

    def _hidden_activations(self, num_hidden: int) -> list[str]:
        activation = self.activation
        if isinstance(activation, str):
            return [activation] * num_hidden
        names = list(activation)
        if len(names) != num_hidden:
            raise ValueError(
                f"activation has {len(names)} entries but hidden_layer_sizes has "
                f"{num_hidden} hidden layers: give one activation per hidden layer"
            )
        for i, name in enumerate(names):
            if not isinstance(name, str) or name not in HIDDEN_ACTIVATIONS:
                raise ValueError(
                    f"activation[{i}] must be one of {sorted(HIDDEN_ACTIVATIONS)}, got {name!r}"
                )
        return names

    def _validate_X(self, X: Any, reset: bool) -> Any:
        """X for prediction: the network's dtype (``"preserve"``: as given), sparse as CSR."""
        return inputs.validate_X(self, X, reset)

    def _outputs(self, X: Any, apply_output: bool = True) -> np.ndarray:
        """The network's outputs (or logits) for ``X``, validated: the network's dtype, or
        under ``dtype="preserve"`` NumPy's promotion of X's dtype and the network's."""
        X = self._validate_X(X, reset=False)
        network, X = inputs.network_for(self, X)
        return network._forward(X, apply_output)

    def _init_network(self, n_features: int, hidden: list[int], n_outputs: int,
                      output_activation: str, dtype: Any = np.float32) -> None:
        """Build ``network_`` of ``dtype`` and fill its weights (``_random_state`` must be
        set); arrays assigned to ``coefs_`` / ``intercepts_`` before fit replace them."""
        activations = self._hidden_activations(len(hidden))
        sizes = [n_features] + hidden + [n_outputs]
        if self.init is None:
            net = NeuralNetwork(*sizes, hidden_activation=activations,
                                output_activation=output_activation, init=_no_init,
                                dtype=dtype)
            # scikit-learn's Glorot uniform, for weights and biases alike, drawn from the
            # same RandomState in the same order: the same starting point as MLP*.
            rs = self._random_state
            for layer, (w, b) in enumerate(zip(net.weights, net.biases)):
                feeding = activations[min(layer, len(activations) - 1)] if activations else (
                    self.activation if isinstance(self.activation, str) else "relu")
                factor = 2.0 if feeding == "logistic" else 6.0
                bound = np.sqrt(factor / (w.shape[0] + w.shape[1]))
                w[...] = rs.uniform(-bound, bound, w.shape)
                b[...] = rs.uniform(-bound, bound, b.shape)
        else:
            get_initializer(self.init)
            seed = np.random.default_rng(self._random_state.randint(np.iinfo(np.int32).max))
            net = NeuralNetwork(*sizes, hidden_activation=activations,
                                output_activation=output_activation, init=self.init, seed=seed,
                                dtype=dtype)
        if not np.isfinite(net.theta).all():
            raise ValueError("init produced NaN or inf weights")
        self.network_ = net
        apply_initial_arrays(self)
        self.n_layers_ = len(sizes)
        self.n_outputs_ = n_outputs
        self.out_activation_ = output_activation
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_ = []
        self.validation_loss_curve_ = []
        self._no_improvement_count = 0
        self.validation_scores_ = None
        self.best_validation_score_ = None
        self.best_loss_ = np.inf
        self._best_validation_loss = np.inf

    def _check_network_matches(self, n_features: int, hidden: list[int], n_outputs: int
                               ) -> None:
        expected = tuple([n_features] + hidden + [n_outputs])
        if tuple(self.network_.sizes) != expected:
            raise ValueError(
                f"the fitted network has layer sizes {tuple(self.network_.sizes)} but this "
                f"data and hidden_layer_sizes need {expected}; fit again without "
                "warm_start to start over"
            )

    # Deliberate parallel (predict, predict_proba, predict_log_proba): each method's own
    # numpydoc sections, the same X and what it returns; the code is not repeated.
    @inputs.fitted_outputs_method
    def predict(self, X):
        """Predicted classes (the classifier) or values (the regressor).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Class labels (label indicator rows for multilabel), or values in the network's
            dtype; one output comes as shape (n_samples,).
        """
        P = self._outputs(X)
        return self._decoded(P.ravel() if self.n_outputs_ == 1 else P)

    # ------------------------------------------------------------------ figures
    @property
    def _loss_divisor(self) -> int:
        """scikit-learn's squared error is also a mean over the outputs."""
        return self.n_outputs_ if self.out_activation_ == "identity" else 1

    def _validation_figures(self, val: TrainingData) -> tuple[float, float]:
        """Score (accuracy or R²) and mean data loss on the validation set."""
        with np.errstate(over="ignore", invalid="ignore"):
            outputs, loss = outputs_and_loss(self.network_, val)
        loss /= self._loss_divisor
        if not np.isfinite(outputs).all():
            return math.nan, loss
        return self._score_outputs(outputs, val), loss

    def _snapshot(self) -> dict:
        """Fitted attributes of the current state, for callbacks' ``fitted_estimator``."""
        return {"network_": copy.deepcopy(self.network_), "n_iter_": self.n_iter_}

    # ------------------------------------------------------------------ the fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, X_val=None, y_val=None):
        """Fit the network to ``X`` and ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Converted once to the network's dtype (float32; with ``dtype="preserve"``
            float64 and float32 stay as they are); sparse input stays sparse (CSR).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The classifier's class labels (any type), or a label indicator matrix for
            multilabel; the regressor's target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; the loss is a weighted mean.
        X_val : array-like of shape (n_val, n_features), default=None
            A validation set of your own: early stopping uses it instead of
            ``validation_fraction``; without early stopping it is only monitored
            (``validation_scores_``, ``validation_loss_curve_``).
        y_val : array-like of shape (n_val,) or (n_val, n_outputs), default=None

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight, X_val, y_val, incremental=False)

    def _checked_input(self, X, y, sample_weight, incremental, first_pass):
        """X (dense or CSR), targets and sample weights, all in the network's dtype."""
        X, target = self._validate_input(X, y, incremental, reset=first_pass,
                                         dtype=inputs.fit_dtype(self, first_pass))
        X = inputs.as_network_input(X)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype,
                                                 ensure_non_negative=True)
        sample_weight = self._apply_class_weight(target, sample_weight, incremental, X.dtype)
        if sample_weight is not None and not sample_weight.sum(dtype=np.float64) > 0:
            raise ValueError("sample_weight (times class_weight) sums to 0: at least one "
                             "sample needs a positive weight")
        return X, target, sample_weight

    def _callback_context(self, incremental: bool) -> Any:
        max_subtasks = 1 if incremental else (
            self.max_iter + 1 if self.solver == "lbfgs" else self.max_iter)
        if hasattr(self, "_init_callback_context"):
            return self._init_callback_context(max_subtasks=max_subtasks)
        return NullContext()  # pragma: no cover - scikit-learn without callbacks

    def _fit(self, X: Any, y: Any, sample_weight: Any = None, X_val: Any = None,
             y_val: Any = None, incremental: bool = False) -> _BaseNeuralNet:
        hidden = self._hidden_sizes()
        self._hidden_activations(len(hidden))
        if self.solver == "lbfgs" and self.dropout:  # numpynn's own option: not ignored
            raise ValueError(f"dropout={self.dropout!r} does not work with solver='lbfgs' "
                             "(full-batch steps, without dropout): use a stochastic solver "
                             "or dropout=0.0")
        first_pass = "network_" not in self.__dict__ or (not self.warm_start and not incremental)
        X, target, sample_weight = self._checked_input(X, y, sample_weight, incremental,
                                                       first_pass)
        if (X_val is None) != (y_val is None):
            raise ValueError("give both X_val and y_val, or neither")
        n_outputs = target.shape[1] if target.ndim == 2 else len(self.classes_)
        self._random_state = check_random_state(self.random_state)
        if first_pass:
            self._init_network(X.shape[1], hidden, n_outputs, self._output_activation(target),
                               X.dtype)
        else:
            self._check_network_matches(X.shape[1], hidden, n_outputs)
        val = None
        if X_val is not None:
            X_val = self._validate_X(X_val, reset=False).astype(X.dtype, copy=False)
            val = TrainingData(X_val, self._validation_target(y_val, X_val.shape[0]), None)

        ctx = self._callback_context(incremental)
        metadata = None if sample_weight is None else {"sample_weight": sample_weight}
        ctx.call_on_fit_task_begin(estimator=self, X=X, y=y, metadata=metadata)
        data = TrainingData(X, target, sample_weight)
        if self.solver == "lbfgs":
            fit_lbfgs(self, data, val, ctx, (y, metadata))
        else:
            fit_stochastic(self, data, val, incremental, ctx, (y, metadata))
        # A float32 loss overflows before the weights do: a non-finite loss is the same
        # divergence, and raises as MLPClassifier's non-finite weights do.
        loss = getattr(self, "loss_", None)
        if not np.isfinite(self.network_.theta).all() or (
                loss is not None and not math.isfinite(loss)):
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may contain "
                "large values and need to be preprocessed."
            )
        ctx.call_on_fit_task_end(estimator=self, X=X, y=y, metadata=metadata,
                                 reconstruction_attributes={})
        return self

    def _split_validation(self, data: TrainingData) -> tuple[TrainingData, TrainingData]:
        """Hold out ``validation_fraction`` of the rows as scikit-learn does
        (:func:`.inputs.split_validation`)."""
        return inputs.split_validation(self, data)

    def __sklearn_is_fitted__(self) -> bool:
        """Fitted once ``network_`` exists (arrays assigned to ``coefs_`` before fit do not
        make an estimator fitted); cheaper than scikit-learn's scan of the attributes."""
        return "network_" in self.__dict__

    def _check_solver(self) -> bool:
        if self.solver not in STOCHASTIC_SOLVERS:
            raise AttributeError(f"partial_fit is only available for stochastic optimizers. "
                                 f"{self.solver} is not stochastic.")
        return True

    def _store_parameters(self, parameters: dict[str, Any]) -> None:
        """``__init__``'s arguments as attributes of the same names, and nothing else
        (scikit-learn's rule for estimators)."""
        for name, value in parameters.items():
            if name not in ("self", "__class__"):
                setattr(self, name, value)
