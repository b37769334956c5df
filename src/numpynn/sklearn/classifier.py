"""NeuralNetClassifier: a drop-in for scikit-learn's MLPClassifier."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import column_or_1d
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    check_classification_targets,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import validate_data

from ..training.data import TrainingData
from .base import _BaseNeuralNet
from .docs import _COMMON_ATTRIBUTES_DOC, _COMMON_PARAMETERS_DOC, _summary_doc
from .inputs import check_labels_present, fitted_outputs_method
from .log_proba import log_probabilities, probabilities

__all__ = ["NeuralNetClassifier"]


class NeuralNetClassifier(ClassifierMixin, _BaseNeuralNet):
    __doc__ = (
        _summary_doc("classifier", "MLPClassifier", "``class_weight``, ")
        + "\n    Parameters\n    ----------"
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

    # Deliberate repetition (the classifier and the regressor): scikit-learn reads an
    # estimator's parameters from its own __init__ signature, so each spells them out.
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
        dtype=np.float32,
    ):
        self._store_parameters(locals())

    # -- targets
    def _validate_input(self, X, y, incremental, reset, dtype):
        check_labels_present(y)
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             dtype=dtype, order="C", reset=reset)
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
        return X, self._encode(self._label_binarizer.transform(y), X.dtype)

    def _encode(self, indicator: np.ndarray, dtype: Any) -> np.ndarray:
        """Class indices (multiclass), else 0/1 rows of ``dtype`` (the network's)."""
        if self._label_binarizer.y_type_ == "multiclass":
            return np.ascontiguousarray(np.argmax(indicator, axis=1), dtype=np.intp)
        return np.ascontiguousarray(indicator, dtype=dtype)

    def _output_activation(self, target: np.ndarray) -> str:
        return "softmax" if self._label_binarizer.y_type_ == "multiclass" else "logistic"

    def _validation_target(self, y_val: Any, n_rows: int) -> np.ndarray:
        check_labels_present(y_val, "y_val")
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
        return self._encode(self._label_binarizer.transform(y_val), self.network_.dtype)

    def _apply_class_weight(self, target, sample_weight, incremental, dtype):
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
        weights = per_class.astype(dtype)[idx]
        return weights if sample_weight is None else sample_weight * weights

    def _decoded(self, P: np.ndarray) -> np.ndarray:
        """Labels of the outputs ``P`` (raveled where there is one output)."""
        return self._label_binarizer.inverse_transform(P)

    def _score_outputs(self, P: np.ndarray, val: TrainingData) -> float:
        target, sw = val.target, val.sample_weight
        if target.ndim == 1:
            right = np.argmax(P, axis=1) == target
        elif target.shape[1] == 1:
            right = (P[:, 0] > 0.5) == (target[:, 0] > 0.5)
        else:
            right = ((P > 0.5) == (target > 0.5)).all(axis=1)
        return float(np.average(right, weights=sw))

    # -- public API (fit and predict are the base class's)
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

    # Deliberate parallel (predict, predict_proba, predict_log_proba): each method's own
    # numpydoc sections, the same X and what it returns; the code is not repeated.
    @fitted_outputs_method
    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes), the network's dtype
            In the order of ``classes_``; for multilabel, one probability per label.  A
            binary model's columns are ``sigmoid(-z)`` and ``sigmoid(z)`` of its logit.
        """
        return probabilities(self.out_activation_, self._outputs(X, apply_output=False))

    # Deliberate parallel (predict, predict_proba, predict_log_proba): each method's own
    # numpydoc sections, the same X and what it returns; the code is not repeated.
    @fitted_outputs_method
    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`: below 1/2 computed from the logits
        (log-softmax, log-sigmoid), finite wherever :meth:`predict_proba` is not 0 and
        ``-inf`` where it is; from 1/2 up the log of the probability itself.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes), the network's dtype
        """
        return log_probabilities(self.out_activation_, self._outputs(X, apply_output=False))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        # class_weight weighs single-label targets only (fit refuses multilabel ones).
        tags.classifier_tags.multi_label = self.class_weight is None
        return tags
