"""scikit-learn estimators: :class:`NeuralNetClassifier` and :class:`NeuralNetRegressor`.

Drop-in replacements for :class:`sklearn.neural_network.MLPClassifier` and
:class:`~sklearn.neural_network.MLPRegressor`: every parameter of scikit-learn's
estimators with the same name, meaning and default, the same fitted attributes, and the
same training semantics (initialisation, loss scaling, ``tol`` / ``n_iter_no_change``
stopping, the ``adaptive`` and ``invscaling`` learning rates, early stopping) -- run in
float32 on numpynn's flat parameter vector.  On top of scikit-learn's estimators:

- ``activation="leaky_relu"`` and a list with one activation per hidden layer;
- ``solver="adamw"`` (``alpha`` becomes the decoupled weight decay);
- ``dropout``, ``init`` and (for the classifier) ``class_weight``;
- ``fit(X, y, sample_weight=None, X_val=None, y_val=None)``: a validation set of your own;
- ``monitor="loss"``: early stopping on the validation loss instead of the score;
- ``validation_loss_curve_``;
- scikit-learn's callback API (``sklearn.callback``, 1.9 and later): one task per epoch.

The fitted :class:`~numpynn.NeuralNetwork` is ``network_``; ``coefs_`` and ``intercepts_``
are views of its flat vector ``theta``.
"""

from __future__ import annotations

import copy
import math
import warnings
from numbers import Integral, Real
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    check_classification_targets,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ..core.activations import HIDDEN_ACTIVATIONS
from ..core.backprop import Workspace
from ..core.initializers import INITIALIZERS, get_initializer
from ..core.lazy import lazy_adapter
from ..core.losses import output_and_loss
from ..network import NeuralNetwork
from ..training.optimizers import SGD, Adam, AdamW

try:  # scikit-learn >= 1.9
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # pragma: no cover - older scikit-learn: no callbacks to support

    class CallbackSupportMixin:  # type: ignore[no-redef]
        """Stand-in when ``sklearn.callback`` does not exist."""


__all__ = ["NeuralNetClassifier", "NeuralNetRegressor"]

_STOCHASTIC_SOLVERS = ("sgd", "adam", "adamw")


def _no_init(weights: np.ndarray, rng: np.random.Generator) -> None:
    """Leave the weights at zero: the estimator fills ``theta`` itself."""


class _NullContext:
    """A callback context that does nothing: no callback API, or no callback listening."""

    def call_on_fit_task_begin(self, **kwargs: Any) -> None:
        return None

    def call_on_fit_task_end(self, **kwargs: Any) -> bool:
        return False

    def subcontext(self, **kwargs: Any) -> _NullContext:
        return self


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
    }

    # ------------------------------------------------------------------ fitted views
    @property
    def coefs_(self) -> list[np.ndarray]:
        """Weight matrices, shapes (fan_in, fan_out): views into ``network_.theta``."""
        if "network_" not in self.__dict__:
            raise AttributeError("coefs_ exists after fit")
        return list(self.network_.weights)

    @coefs_.setter
    def coefs_(self, values: list) -> None:
        self._set_layer_arrays(values, 0)

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """Bias vectors, shapes (fan_out,): views into ``network_.theta``."""
        if "network_" not in self.__dict__:
            raise AttributeError("intercepts_ exists after fit")
        return list(self.network_.biases)

    @intercepts_.setter
    def intercepts_(self, values: list) -> None:
        self._set_layer_arrays(values, 1)

    def _set_layer_arrays(self, values: list, which: int) -> None:
        check_is_fitted(self)
        targets = self.network_.views_of(self.network_.theta)[which]
        name = ("coefs_", "intercepts_")[which]
        if len(values) != len(targets):
            raise ValueError(f"{name} needs {len(targets)} arrays, got {len(values)}")
        arrays = [np.asarray(v) for v in values]
        for i, (arr, view) in enumerate(zip(arrays, targets)):
            if arr.shape != view.shape:
                raise ValueError(f"{name}[{i}] must have shape {view.shape}, got {arr.shape}")
        for arr, view in zip(arrays, targets):
            view[...] = arr

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

    def _validate_X(self, X: Any, reset: bool) -> np.ndarray:
        X = validate_data(self, X, accept_sparse=["csr", "csc"], dtype=np.float32, order="C",
                          reset=reset)
        return self._densify(X)

    @staticmethod
    def _densify(X: Any) -> np.ndarray:
        if sp.issparse(X):
            # The network multiplies dense float32 blocks; one dense copy, never float64.
            X = np.ascontiguousarray(X.toarray(), dtype=np.float32)
        return X

    def _init_network(self, n_features: int, hidden: list[int], n_outputs: int,
                      output_activation: str) -> None:
        """Build ``network_`` and fill its weights (``_random_state`` must be set)."""
        activations = self._hidden_activations(len(hidden))
        sizes = [n_features] + hidden + [n_outputs]
        if self.init is None:
            net = NeuralNetwork(*sizes, hidden_activation=activations,
                                output_activation=output_activation, init=_no_init)
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
                                output_activation=output_activation, init=self.init, seed=seed)
        if not np.isfinite(net.theta).all():
            raise ValueError("init produced NaN or inf weights")
        self.network_ = net
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

    # ------------------------------------------------------------------ losses
    def _batch_loss(self, loss_sum: float, weight_sum: float) -> float:
        """scikit-learn's data loss from a summed numpynn loss: squared error is also a
        mean over the outputs."""
        loss = loss_sum / weight_sum
        if self.out_activation_ == "identity":
            loss /= self.n_outputs_
        return loss

    # ------------------------------------------------------------------ validation figures
    def _validation_figures(self, X_val: np.ndarray, val: dict) -> tuple[float, float]:
        """Score (accuracy or R²) and mean data loss on the validation set."""
        net = self.network_
        z = net._forward(X_val, apply_output=False)
        sw = val["sample_weight"]
        total = float(len(X_val) if sw is None else sw.sum(dtype=np.float64))
        with np.errstate(over="ignore", invalid="ignore"):
            loss = self._batch_loss(
                output_and_loss(net.output_activation, z, val["target"], sw), total)
        if not np.isfinite(z).all():
            return math.nan, loss
        return self._score_outputs(z, val), loss

    # ------------------------------------------------------------------ the fit
    def _fit(self, X: Any, y: Any, sample_weight: Any = None, X_val: Any = None,
             y_val: Any = None, incremental: bool = False) -> _BaseNeuralNet:
        hidden = self._hidden_sizes()
        self._hidden_activations(len(hidden))
        first_pass = "network_" not in self.__dict__ or (not self.warm_start and not incremental)
        X, target = self._validate_input(X, y, incremental, reset=first_pass)
        n_features = X.shape[1]
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float32,
                                                 ensure_non_negative=True)
        sample_weight = self._apply_class_weight(target, sample_weight, incremental)
        if sample_weight is not None and not sample_weight.sum(dtype=np.float64) > 0:
            raise ValueError("sample_weight (times class_weight) sums to 0: at least one "
                             "sample needs a positive weight")
        if (X_val is None) != (y_val is None):
            raise ValueError("give both X_val and y_val, or neither")
        n_outputs = target.shape[1] if target.ndim == 2 else len(self.classes_)
        self._random_state = check_random_state(self.random_state)
        if first_pass:
            self._init_network(n_features, hidden, n_outputs, self._output_activation(target))
        else:
            self._check_network_matches(n_features, hidden, n_outputs)
        val = None
        if X_val is not None:
            X_val = self._validate_X(X_val, reset=False)
            val = {"target": self._validation_target(y_val, X_val.shape[0]),
                   "sample_weight": None}

        max_subtasks = 1 if incremental else (
            self.max_iter + 1 if self.solver == "lbfgs" else self.max_iter)
        if hasattr(self, "_init_callback_context"):
            ctx = self._init_callback_context(max_subtasks=max_subtasks)
        else:  # pragma: no cover - scikit-learn without callbacks
            ctx = _NullContext()
        metadata = None if sample_weight is None else {"sample_weight": sample_weight}
        ctx.call_on_fit_task_begin(estimator=self, X=X, y=y, metadata=metadata)
        if self.solver == "lbfgs":
            self._fit_lbfgs(X, target, sample_weight, X_val, val, ctx, (y, metadata))
        else:
            self._fit_stochastic(X, target, sample_weight, X_val, val, incremental, ctx,
                                 (y, metadata))
        if not np.isfinite(self.network_.theta).all():
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may contain "
                "large values and need to be preprocessed."
            )
        ctx.call_on_fit_task_end(estimator=self, X=X, y=y, metadata=metadata,
                                 reconstruction_attributes={})
        return self

    def _snapshot(self) -> dict:
        """Fitted attributes of the current state, for callbacks' ``fitted_estimator``."""
        return {"network_": copy.deepcopy(self.network_),
                "n_iter_": self.n_iter_}

    def _make_optimizer(self) -> Any:
        if self.solver == "sgd":
            momentum = float(self.momentum)
            opt = SGD(momentum=min(momentum, 0.5),
                      nesterov=bool(self.nesterovs_momentum) and momentum > 0)
            opt.momentum = momentum  # scikit-learn allows momentum == 1
            return opt
        if self.solver == "adamw":
            return AdamW(beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon,
                         weight_decay=self.alpha)
        return Adam(beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon)

    def _split_validation(self, X, target, sample_weight):
        """Hold out ``validation_fraction`` of the rows, stratified for single-label
        classification (binary and multiclass alike, as scikit-learn documents) when every
        class can appear on both sides."""
        stratify = None
        single_label = self.out_activation_ == "softmax" or (
            self.out_activation_ == "logistic" and self.n_outputs_ == 1)
        if single_label:
            labels = target if target.ndim == 1 else target[:, 0]
            counts = np.bincount(labels.astype(np.intp))
            counts = counts[counts > 0]
            n_val = math.ceil(self.validation_fraction * X.shape[0])
            if counts.min() >= 2 and len(counts) <= n_val <= X.shape[0] - len(counts):
                stratify = labels
        arrays = [X, target] + ([] if sample_weight is None else [sample_weight])
        parts = train_test_split(*arrays, random_state=self._random_state,
                                 test_size=self.validation_fraction, stratify=stratify)
        X_train, X_val, t_train, t_val = parts[:4]
        sw_train, sw_val = (parts[4], parts[5]) if sample_weight is not None else (None, None)
        if X_val.shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' or the "
                "size of your dataset."
            )
        return (np.ascontiguousarray(X_train), np.ascontiguousarray(t_train), sw_train,
                np.ascontiguousarray(X_val), {"target": t_val, "sample_weight": sw_val})

    def _fit_stochastic(self, X, target, sample_weight, X_val, val, incremental, ctx,
                        hook_data) -> None:
        net = self.network_
        theta = net.theta
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = self._make_optimizer()
            self._optimizer_state = self._optimizer.init(theta, weight_mask=net.weight_mask())
            self._learning_rate = float(self.learning_rate_init)
        optimizer, opt_state = self._optimizer, self._optimizer_state
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        early_stopping = self.early_stopping
        X_cb, y_cb, metadata = X, hook_data[0], hook_data[1]  # callbacks see fit's data
        if early_stopping and val is None:
            X, target, sample_weight, X_val, val = self._split_validation(X, target,
                                                                          sample_weight)
        if val is not None and self.validation_scores_ is None:
            self.validation_scores_ = []
            self.best_validation_score_ = -np.inf
        if early_stopping:
            self.best_loss_ = None
        elif self.best_loss_ is None:
            self.best_loss_ = np.inf

        n = X.shape[0]
        if self.batch_size == "auto":
            batch = min(200, n)
        else:
            if self.batch_size > n:
                warnings.warn("Got `batch_size` less than 1 or larger than sample size. "
                              "It is going to be clipped", stacklevel=3)
            batch = int(np.clip(self.batch_size, 1, n))

        dropout_rng = None
        if self.dropout > 0:  # drawn only then: without dropout, shuffles match MLP*'s
            dropout_rng = np.random.default_rng(
                self._random_state.randint(np.iinfo(np.int32).max))
        ws = Workspace(net, batch, float(self.dropout), dropout_rng)
        grad = np.empty_like(theta)
        alpha = float(self.alpha)
        l2 = alpha > 0 and self.solver != "adamw"
        if l2:
            weight_mask = net.weight_mask().astype(np.float32)
            scratch = np.empty_like(theta)
        X_buf = np.empty((batch, X.shape[1]), dtype=np.float32)
        t_buf = np.empty((batch,) + target.shape[1:], dtype=target.dtype)
        sw_buf = None if sample_weight is None else np.empty(batch, dtype=np.float32)
        sample_idx = np.arange(n)
        rs = self._random_state
        adaptive = self.solver == "sgd" and self.learning_rate == "adaptive"
        invscaling = self.solver == "sgd" and self.learning_rate == "invscaling"
        if self.solver != "sgd":
            self._learning_rate = float(self.learning_rate_init)
        best_theta = theta.copy() if early_stopping else None
        # One task per epoch for the callbacks; none to create when nobody listens.
        epochs_ctx = ctx if getattr(self, "_skl_callbacks", None) else _NullContext()

        self.n_iter_ = 0
        for _ in range(self.max_iter):
            sub = epochs_ctx.subcontext(task_name="epoch")
            sub.call_on_fit_task_begin(estimator=self, X=X_cb, y=y_cb, metadata=metadata)
            if self.shuffle:
                sample_idx = sample_idx[rs.permutation(n)]
            lr = self._learning_rate
            accumulated = 0.0
            for start in range(0, n, batch):
                stop = min(n, start + batch)
                m = stop - start
                if self.shuffle:
                    rows = sample_idx[start:stop]
                    Xb = np.take(X, rows, axis=0, out=X_buf[:m])
                    tb = np.take(target, rows, axis=0, out=t_buf[:m])
                    swb = None if sw_buf is None else np.take(sample_weight, rows,
                                                              out=sw_buf[:m])
                else:
                    Xb, tb = X[start:stop], target[start:stop]
                    swb = None if sample_weight is None else sample_weight[start:stop]
                weight_sum = m if swb is None else float(swb.sum(dtype=np.float64))
                if weight_sum <= 0:
                    continue
                batch_loss = self._batch_loss(
                    ws.forward_backward(Xb, tb, swb, 1.0 / weight_sum, grad), weight_sum)
                if l2:
                    np.multiply(theta, weight_mask, out=scratch)
                    batch_loss += 0.5 * alpha * float(np.dot(scratch, theta)) / weight_sum
                    scratch *= np.float32(alpha / weight_sum)
                    grad += scratch
                accumulated += batch_loss * m
                optimizer.update(theta, grad, opt_state, lr)
            self.n_iter_ += 1
            self.loss_ = accumulated / n
            self.t_ += n
            self.loss_curve_.append(self.loss_)
            if self.verbose:
                print(f"Iteration {self.n_iter_}, loss = {self.loss_:.8f}")
            if val is not None:
                score, val_loss = self._validation_figures(X_val, val)
                self.validation_scores_.append(score)
                self.validation_loss_curve_.append(val_loss)
                if self.verbose:
                    print(f"Validation score: {score:f}")
            if early_stopping:
                self._update_early_stopping(score, val_loss, theta, best_theta)
            else:
                if val is not None and score > self.best_validation_score_:
                    self.best_validation_score_ = score
                if self.loss_curve_[-1] > self.best_loss_ - self.tol:
                    self._no_improvement_count += 1
                else:
                    self._no_improvement_count = 0
                if self.loss_curve_[-1] < self.best_loss_:
                    self.best_loss_ = self.loss_curve_[-1]
            if invscaling:
                self._learning_rate = float(self.learning_rate_init) / (
                    (self.t_ + 1) ** self.power_t)
            stop_now = False
            if self._no_improvement_count > self.n_iter_no_change:
                what = ("Validation " + ("loss" if self.monitor == "loss" else "score")
                        if early_stopping else "Training loss")
                msg = (f"{what} did not improve more than tol={self.tol:f} for "
                       f"{self.n_iter_no_change} consecutive epochs.")
                if adaptive and self._learning_rate > 1e-6:
                    self._learning_rate /= 5.0
                    self._no_improvement_count = 0
                    if self.verbose:
                        print(f"{msg} Setting learning rate to {self._learning_rate:f}")
                else:
                    if self.verbose:
                        print(msg + " Stopping.")
                    stop_now = True
            if sub.call_on_fit_task_end(estimator=self, X=X_cb, y=y_cb, metadata=metadata,
                                        reconstruction_attributes=self._snapshot):
                stop_now = True
            if not math.isfinite(self.loss_):
                break
            if stop_now or incremental:
                break
            if self.n_iter_ == self.max_iter:
                warnings.warn(
                    f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and "
                    "the optimization hasn't converged yet.", ConvergenceWarning, stacklevel=3)
        if early_stopping:
            theta[:] = best_theta

    def _update_early_stopping(self, score: float, val_loss: float, theta: np.ndarray,
                               best_theta: np.ndarray) -> None:
        """scikit-learn's ``_update_no_improvement_count`` on the score, or on the loss."""
        if self.monitor == "loss":
            if not val_loss < self._best_validation_loss - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if val_loss < self._best_validation_loss:
                self._best_validation_loss = val_loss
                self.best_validation_score_ = score
                best_theta[:] = theta
            return
        if score < self.best_validation_score_ + self.tol:
            self._no_improvement_count += 1
        else:
            self._no_improvement_count = 0
        if score > self.best_validation_score_:
            self.best_validation_score_ = score
            best_theta[:] = theta

    def _fit_lbfgs(self, X, target, sample_weight, X_val, val, ctx, hook_data) -> None:
        """Full-batch L-BFGS-B (scipy) on the flat vector: float64 only at scipy's side."""
        from scipy.optimize import minimize

        net = self.network_
        theta = net.theta
        n = X.shape[0]
        total = float(n if sample_weight is None else sample_weight.sum(dtype=np.float64))
        block = min(n, max(256, (1 << 18) // max(net.sizes)))
        ws = Workspace(net, block, precise=True)
        grad = np.empty_like(theta)
        alpha = float(self.alpha)
        weight_mask = net.weight_mask().astype(np.float32)
        scratch = np.empty_like(theta)
        y_cb, metadata = hook_data

        def penalty() -> float:
            np.multiply(theta, weight_mask, out=scratch)
            return 0.5 * alpha * float(np.dot(scratch, theta)) / total

        def loss_and_grad(x64: np.ndarray) -> tuple[float, np.ndarray]:
            theta[:] = x64
            loss = net._loss_and_gradient_checked(X, target, sample_weight, grad, ws)
            if alpha > 0:
                loss += penalty()
                np.multiply(scratch, np.float32(alpha / total), out=scratch)
                np.add(grad, scratch, out=grad)
            if not math.isfinite(loss):
                return math.inf, np.zeros_like(x64)
            return loss, grad.astype(np.float64)

        def reported(objective: float) -> float:
            # scikit-learn reports squared error as a mean over the outputs too.
            if self.out_activation_ != "identity" or self.n_outputs_ == 1:
                return float(objective)
            pen = penalty() if alpha > 0 else 0.0
            return (float(objective) - pen) / self.n_outputs_ + pen

        state = {"iterations": 0, "ctx": ctx.subcontext(task_name="lbfgs-iter")}
        state["ctx"].call_on_fit_task_begin(estimator=self, X=X, y=y_cb, metadata=metadata)

        def after_iteration(intermediate_result) -> None:
            theta[:] = intermediate_result.x
            state["iterations"] += 1
            self.n_iter_ = state["iterations"]
            self.loss_ = reported(intermediate_result.fun)
            self.loss_curve_.append(self.loss_)
            if self.verbose:
                print(f"Iteration {self.n_iter_}, loss = {self.loss_:.8f}")
            if val is not None:
                score, val_loss = self._validation_figures(X_val, val)
                self.validation_scores_.append(score)
                self.validation_loss_curve_.append(val_loss)
                self.best_validation_score_ = max(self.best_validation_score_, score)
            stop = state["ctx"].call_on_fit_task_end(
                estimator=self, X=X, y=y_cb, metadata=metadata,
                reconstruction_attributes=self._snapshot)
            state["ctx"] = ctx.subcontext(task_name="lbfgs-iter")
            state["ctx"].call_on_fit_task_begin(estimator=self, X=X, y=y_cb,
                                                metadata=metadata)
            if stop:
                state["stopped"] = True
                raise StopIteration

        if val is not None and self.validation_scores_ is None:
            self.validation_scores_ = []
            self.best_validation_score_ = -np.inf
        self.n_iter_ = 0
        x = theta.astype(np.float64)
        iterations = evaluations = 0
        try:
            while True:
                result = minimize(
                    loss_and_grad, x, method="L-BFGS-B", jac=True, callback=after_iteration,
                    options={"maxfun": self.max_fun - evaluations,
                             "maxiter": self.max_iter - iterations, "gtol": self.tol},
                )
                iterations += int(result.nit)
                evaluations += int(result.nfev)
                # In float32 the loss stops changing on a plateau long before the gradient
                # is small, and L-BFGS-B then reports convergence on its relative reduction
                # of f.  Restarting from there (a fresh curvature memory) keeps going while
                # that makes progress and the budget lasts.
                stalled = (result.status == 0 and "stopped" not in state
                           and float(np.abs(result.jac).max()) > self.tol)
                progressed = result.fun < loss_and_grad(x)[0]
                x = result.x
                if not (stalled and progressed and iterations < self.max_iter
                        and evaluations < self.max_fun):
                    break
        finally:
            state["ctx"].call_on_fit_task_end(estimator=self)
        theta[:] = result.x
        self.n_iter_ = min(iterations, self.max_iter)
        if result.status != 0 and "stopped" not in state:
            warnings.warn(
                f"lbfgs failed to converge after {self.n_iter_} iteration(s) "
                f"(status={result.status}): {result.message}. Increase the number of "
                "iterations (max_iter) or scale the data.", ConvergenceWarning, stacklevel=3)
        self.loss_ = reported(loss_and_grad(result.x)[0])
        theta[:] = result.x
        self.best_loss_ = min(self.loss_curve_ + [self.loss_])


_COMMON_PARAMETERS_DOC = """
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        Sizes of the hidden layers.
    activation : {"identity", "logistic", "tanh", "relu", "leaky_relu"} or list of str, \
default="relu"
        Activation of the hidden layers, or a list with one activation per hidden layer.
        ``leaky_relu`` has slope 0.01 below zero.
    solver : {"lbfgs", "sgd", "adam", "adamw"}, default="adam"
        ``adamw`` is Adam with decoupled weight decay: ``alpha`` is then the decay
        (``theta -= learning_rate * alpha * weights`` each step, biases excluded) instead of
        an L2 term in the loss.
    alpha : float, default=0.0001
        Strength of the L2 penalty ``0.5 * alpha * sum(w ** 2) / n_samples_in_batch``.
    batch_size : int or "auto", default="auto"
        Mini-batch size; "auto" is ``min(200, n_samples)``.  Not used by lbfgs.
    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
        Schedule for sgd: ``invscaling`` sets ``learning_rate_init / (t_ + 1) ** power_t``
        after each epoch; ``adaptive`` divides the rate by 5 each time ``n_iter_no_change``
        epochs pass without an improvement of ``tol``, and stops below 1e-6.
    learning_rate_init : float, default=0.001
    power_t : float, default=0.5
    max_iter : int, default=200
        Epochs (stochastic solvers) or iterations (lbfgs).
    shuffle : bool, default=True
    random_state : int, RandomState instance or None, default=None
        Initial weights, shuffling, the validation split and dropout.
    tol : float, default=1e-4
    verbose : bool, default=False
    warm_start : bool, default=False
    momentum : float, default=0.9
    nesterovs_momentum : bool, default=True
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data (stratified for single-label
        classification), or use ``X_val, y_val`` given to ``fit``, and stop when the
        monitored validation figure has not improved by ``tol`` for ``n_iter_no_change``
        epochs; the best weights are restored.
    validation_fraction : float, default=0.1
    beta_1, beta_2 : float, default=0.9, 0.999
    epsilon : float, default=1e-8
    n_iter_no_change : int, default=10
    max_fun : int, default=15000
        Most loss evaluations of lbfgs.
    dropout : float in [0, 1), default=0.0
        Inverted dropout on every hidden layer while training (stochastic solvers).
    init : str, callable or None, default=None
        None: scikit-learn's initialisation (Glorot uniform for weights and biases, drawn
        from ``random_state`` exactly as MLP* draws them).  Or one of numpynn's
        initialisers (``glorot_uniform``, ``glorot_normal``, ``he_uniform``, ``he_normal``,
        ``uniform``; biases start at zero), or a callable ``fill(weights, rng)`` that fills
        a float32 (fan_in, fan_out) matrix in place.
    monitor : {"score", "loss"}, default="score"
        What early stopping watches on the validation set: the score (accuracy or R²,
        scikit-learn's behaviour) or the validation loss."""

_COMMON_ATTRIBUTES_DOC = """
    loss_ : float
        Loss (with the L2 term) at the end of the last epoch.
    best_loss_ : float or None
        Lowest training loss; None with early stopping.
    loss_curve_ : list of float
        Training loss per epoch (per iteration, for lbfgs).
    validation_loss_curve_ : list of float
        Mean validation loss (no L2 term) per epoch, when there is a validation set.
    validation_scores_ : list of float or None
        Validation score per epoch, when there is a validation set.
    best_validation_score_ : float or None
    t_ : int
        Training samples seen.
    coefs_ : list of ndarray, shapes (fan_in, fan_out), float32
        Views into ``network_.theta``.
    intercepts_ : list of ndarray, shapes (fan_out,), float32
        Views into ``network_.theta``.
    network_ : NeuralNetwork
        The fitted network; its flat vector ``theta`` holds the weights in the article's
        order.  For ``loss="poisson"`` its output activation is ``exp`` (the predicted
        mean, with the Poisson loss).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when X had string column names.
    n_iter_ : int
    n_layers_ : int
    n_outputs_ : int
    out_activation_ : str"""


class NeuralNetClassifier(ClassifierMixin, _BaseNeuralNet):
    __doc__ = (
        """Multi-layer perceptron classifier: a drop-in for scikit-learn's MLPClassifier.

    Same parameters, defaults, attributes and training semantics as
    :class:`sklearn.neural_network.MLPClassifier`, in float32 on numpynn's flat parameter
    vector; plus leaky ReLU and per-layer activations, ``adamw``, ``dropout``, ``init``,
    ``class_weight``, a validation set of your own, early stopping on the loss and
    scikit-learn's callbacks.

    Parameters
    ----------"""
        + _COMMON_PARAMETERS_DOC
        + """
    class_weight : dict, "balanced" or None, default=None
        Weights per class label, multiplied into the sample weights (single-label
        targets).  "balanced" uses ``n_samples / (n_classes * bincount(y))``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)"""
        + _COMMON_ATTRIBUTES_DOC
        + """

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from numpynn.sklearn import NeuralNetClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = NeuralNetClassifier(hidden_layer_sizes=(16,), max_iter=500,
    ...                           random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 3)
    """
    )

    _parameter_constraints: dict = {
        **_BaseNeuralNet._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dropout=0.0,
        init=None,
        class_weight=None,
        monitor="score",
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.init = init
        self.class_weight = class_weight
        self.monitor = monitor

    # -- targets
    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             dtype=np.float32, order="C", reset=reset)
        X = self._densify(X)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if "classes_" not in self.__dict__ or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same classes as in "
                        f"the previous call to fit. Previously got {self.classes_}, `y` has "
                        f"{classes}"
                    )
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(
                    f"`y` has classes not in `self.classes_`. `self.classes_` has "
                    f"{self.classes_}. 'y' has {classes}."
                )
        return X, self._encode(self._label_binarizer.transform(y))

    def _encode(self, indicator: np.ndarray) -> np.ndarray:
        if self._label_binarizer.y_type_ == "multiclass":
            return np.ascontiguousarray(np.argmax(indicator, axis=1), dtype=np.intp)
        return np.ascontiguousarray(indicator, dtype=np.float32)

    def _output_activation(self, target: np.ndarray) -> str:
        return "softmax" if self._label_binarizer.y_type_ == "multiclass" else "logistic"

    def _validation_target(self, y_val: Any, n_rows: int) -> np.ndarray:
        y_val = np.asarray(y_val) if not sp.issparse(y_val) else y_val.toarray()
        if y_val.ndim == 2 and y_val.shape[1] == 1:
            y_val = column_or_1d(y_val, warn=True)
        if y_val.shape[0] != n_rows:
            raise ValueError(f"X_val has {n_rows} rows but y_val has {y_val.shape[0]}")
        if self._label_binarizer.y_type_.startswith("multilabel"):
            if y_val.ndim != 2 or y_val.shape[1] != len(self.classes_):
                raise ValueError(f"y_val must be a label indicator matrix with "
                                 f"{len(self.classes_)} columns, got shape {y_val.shape}")
        else:
            unknown = np.setdiff1d(unique_labels(y_val), self.classes_)
            if len(unknown):
                raise ValueError(f"y_val has labels not seen in y: {unknown}")
        return self._encode(self._label_binarizer.transform(y_val))

    def _apply_class_weight(self, target, sample_weight, incremental):
        if self.class_weight is None:
            return sample_weight
        if self._label_binarizer.y_type_.startswith("multilabel"):
            raise ValueError("class_weight is not supported for multilabel targets")
        if incremental and isinstance(self.class_weight, str):
            raise ValueError("class_weight='balanced' is not supported by partial_fit: pass "
                             "a dict of weights computed on the whole data instead")
        idx = target if target.ndim == 1 else (target[:, 0] > 0.5).astype(np.intp)
        if len(self.classes_) == 1:
            idx = np.zeros_like(idx)
        per_class = compute_class_weight(self.class_weight, classes=self.classes_,
                                         y=self.classes_[idx])
        weights = per_class.astype(np.float32)[idx]
        return weights if sample_weight is None else sample_weight * weights

    def _score_outputs(self, P: np.ndarray, val: dict) -> float:
        target, sw = val["target"], val["sample_weight"]
        if target.ndim == 1:
            right = np.argmax(P, axis=1) == target
        elif target.shape[1] == 1:
            right = (P[:, 0] > 0.5) == (target[:, 0] > 0.5)
        else:
            right = ((P > 0.5) == (target > 0.5)).all(axis=1)
        return float(np.average(right, weights=sw))

    # -- public API
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, X_val=None, y_val=None):
        """Fit the network to ``X`` and ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Converted once to float32 (sparse input is made dense).
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels (any type), or a label indicator matrix for multilabel.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; the loss is a weighted mean.
        X_val : array-like of shape (n_val, n_features), default=None
            A validation set of your own: early stopping uses it instead of
            ``validation_fraction``; without early stopping it is only monitored
            (``validation_scores_``, ``validation_loss_curve_``).
        y_val : array-like of shape (n_val,) or (n_val, n_labels), default=None

        Returns
        -------
        self : NeuralNetClassifier
        """
        return self._fit(X, y, sample_weight, X_val, y_val, incremental=False)

    def _check_solver(self) -> bool:
        if self.solver not in _STOCHASTIC_SOLVERS:
            raise AttributeError(f"partial_fit is only available for stochastic optimizers. "
                                 f"{self.solver} is not stochastic.")
        return True

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
        sample_weight : array-like of shape (n_samples,), default=None
        classes : array of shape (n_classes,), default=None
            All the classes; required on the first call.

        Returns
        -------
        self : NeuralNetClassifier
        """
        if _check_partial_fit_first_call(self, classes):
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
        return self._fit(X, y, sample_weight, incremental=True)

    def _outputs(self, X) -> np.ndarray:
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        return self.network_._forward(X)

    def predict(self, X):
        """Predicted classes.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
        """
        if (lazy := lazy_adapter(X)) is not None:  # a Dask collection: lazy result
            return lazy.estimator_outputs(self, X, "predict")
        P = self._outputs(X)
        if self.n_outputs_ == 1:
            P = P.ravel()
        return self._label_binarizer.inverse_transform(P)

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes), float32
            In the order of ``classes_``; for multilabel, one probability per label.
        """
        if (lazy := lazy_adapter(X)) is not None:  # a Dask collection: lazy result
            return lazy.estimator_outputs(self, X, "predict_proba")
        P = self._outputs(X)
        if self.n_outputs_ == 1:
            p = P[:, 0]
            return np.column_stack([np.float32(1) - p, p])
        return P

    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes), float32
        """
        if (lazy := lazy_adapter(X)) is not None:  # a Dask collection: lazy result
            return lazy.estimator_outputs(self, X, "predict_log_proba")
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(proba, out=proba)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_label = True
        return tags


class NeuralNetRegressor(RegressorMixin, _BaseNeuralNet):
    __doc__ = (
        """Multi-layer perceptron regressor: a drop-in for scikit-learn's MLPRegressor.

    Same parameters, defaults, attributes and training semantics as
    :class:`sklearn.neural_network.MLPRegressor`, in float32 on numpynn's flat parameter
    vector; plus leaky ReLU and per-layer activations, ``adamw``, ``dropout``, ``init``, a
    validation set of your own, early stopping on the loss and scikit-learn's callbacks.

    Parameters
    ----------
    loss : {"squared_error", "poisson"}, default="squared_error"
        Half squared error (a mean over samples and outputs), or half Poisson deviance
        with a log link (the network outputs ``log(prediction)``)."""
        + _COMMON_PARAMETERS_DOC
        + """

    Attributes
    ----------"""
        + _COMMON_ATTRIBUTES_DOC
        + """

    Examples
    --------
    >>> import numpy as np
    >>> from numpynn.sklearn import NeuralNetRegressor
    >>> X = np.linspace(-1, 1, 200).reshape(-1, 1)
    >>> reg = NeuralNetRegressor(hidden_layer_sizes=(16,), solver="lbfgs",
    ...                          random_state=0).fit(X, X[:, 0] ** 2)
    >>> reg.predict(X[:3]).shape
    (3,)
    """
    )

    _parameter_constraints: dict = {
        **_BaseNeuralNet._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dropout=0.0,
        init=None,
        monitor="score",
    ):
        self.loss = loss
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.init = init
        self.monitor = monitor

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             y_numeric=True, dtype=np.float32, order="C", reset=reset)
        X = self._densify(X)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, self._regression_target(y, "y")

    def _regression_target(self, y: Any, name: str) -> np.ndarray:
        y = np.asarray(y)
        if y.dtype.kind not in "biuf":
            raise TypeError(f"{name} must be numeric, got dtype {y.dtype}")
        target = np.ascontiguousarray(y.reshape(y.shape[0], -1), dtype=np.float32)
        if not np.isfinite(target).all():
            raise ValueError(f"{name} contains NaN or inf, or values too large for float32")
        if self.loss == "poisson" and (target < 0).any():
            raise ValueError(f"{name} must be non-negative for loss='poisson'")
        return target

    def _output_activation(self, target: np.ndarray) -> str:
        return "exp" if self.loss == "poisson" else "identity"

    def _validation_target(self, y_val: Any, n_rows: int) -> np.ndarray:
        target = self._regression_target(y_val, "y_val")
        if target.shape[0] != n_rows:
            raise ValueError(f"X_val has {n_rows} rows but y_val has {target.shape[0]}")
        if target.shape[1] != self.n_outputs_:
            raise ValueError(f"y_val must have {self.n_outputs_} outputs, got "
                             f"{target.shape[1]}")
        return target

    def _apply_class_weight(self, target, sample_weight, incremental):
        return sample_weight

    def _score_outputs(self, P: np.ndarray, val: dict) -> float:
        return float(r2_score(val["target"], P, sample_weight=val["sample_weight"]))

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, X_val=None, y_val=None):
        """Fit the network to ``X`` and ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Converted once to float32 (sparse input is made dense).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None
        X_val : array-like of shape (n_val, n_features), default=None
            A validation set of your own (see :meth:`NeuralNetClassifier.fit`).
        y_val : array-like of shape (n_val,) or (n_val, n_outputs), default=None

        Returns
        -------
        self : NeuralNetRegressor
        """
        return self._fit(X, y, sample_weight, X_val, y_val, incremental=False)

    def _check_solver(self) -> bool:
        if self.solver not in _STOCHASTIC_SOLVERS:
            raise AttributeError(f"partial_fit is only available for stochastic optimizers. "
                                 f"{self.solver} is not stochastic.")
        return True

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : NeuralNetRegressor
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """Predicted values.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs), float32
        """
        if (lazy := lazy_adapter(X)) is not None:  # a Dask collection: lazy result
            return lazy.estimator_outputs(self, X, "predict")
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        P = self.network_._forward(X)
        return P.ravel() if P.shape[1] == 1 else P

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        return tags
