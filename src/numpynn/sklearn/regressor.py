"""NeuralNetRegressor: a drop-in for scikit-learn's MLPRegressor."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils import column_or_1d
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import validate_data

from ..training.data import TrainingData
from .base import _BaseNeuralNet
from .docs import _COMMON_ATTRIBUTES_DOC, _COMMON_PARAMETERS_DOC, _summary_doc

__all__ = ["NeuralNetRegressor"]


class NeuralNetRegressor(RegressorMixin, _BaseNeuralNet):
    __doc__ = (
        _summary_doc("regressor", "MLPRegressor")
        + """
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

    # Deliberate repetition (the classifier and the regressor): scikit-learn reads an
    # estimator's parameters from its own __init__ signature, so each spells them out.
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
        dtype=np.float32,
    ):
        self._store_parameters(locals())

    def _validate_input(self, X, y, incremental, reset, dtype):
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             y_numeric=True, dtype=dtype, order="C", reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, self._regression_target(y, "y", X.dtype)

    def _regression_target(self, y: Any, name: str, dtype: Any) -> np.ndarray:
        """Targets as (n, n_outputs) rows of ``dtype`` (the network's)."""
        y = np.asarray(y)
        if y.dtype.kind not in "biuf":
            raise TypeError(f"{name} must be numeric, got dtype {y.dtype}")
        target = np.ascontiguousarray(y.reshape(y.shape[0], -1), dtype=dtype)
        if not np.isfinite(target).all():
            raise ValueError(f"{name} contains NaN or inf, or values too large for "
                             f"{target.dtype}")
        if self.loss == "poisson" and (target < 0).any():
            raise ValueError(f"{name} must be non-negative for loss='poisson'")
        return target

    def _output_activation(self, target: np.ndarray) -> str:
        return "exp" if self.loss == "poisson" else "identity"

    def _validation_target(self, y_val: Any, n_rows: int) -> np.ndarray:
        target = self._regression_target(y_val, "y_val", self.network_.dtype)
        if target.shape[0] != n_rows:
            raise ValueError(f"X_val has {n_rows} rows but y_val has {target.shape[0]}")
        if target.shape[1] != self.n_outputs_:
            raise ValueError(f"y_val must have {self.n_outputs_} outputs, got "
                             f"{target.shape[1]}")
        return target

    def _apply_class_weight(self, target, sample_weight, incremental, dtype):
        return sample_weight

    def _decoded(self, P: np.ndarray) -> np.ndarray:
        """The outputs ``P`` are the predicted values."""
        return P

    def _score_outputs(self, P: np.ndarray, val: TrainingData) -> float:
        return float(r2_score(val.target, P, sample_weight=val.sample_weight))

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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        # fit refuses negative targets under the Poisson loss: say so.
        tags.target_tags.positive_only = self.loss == "poisson"
        return tags
