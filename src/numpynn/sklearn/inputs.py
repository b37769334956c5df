"""The estimators' input: which dtype the network computes in, X validated into it (sparse
kept sparse), a cheap path for small dense batches, scikit-learn's validation split, and
the prediction methods' dispatch of lazy collections (:func:`fitted_outputs_method`).

``dtype=np.float32`` (the default) converts every X to float32 once: the speed.
``dtype="preserve"`` follows scikit-learn's MLP exactly: ``fit`` keeps float64 and float32
X as they are (other X becomes float64) and the network takes X's dtype; prediction
computes in NumPy's promotion of X's dtype and the network's, as scikit-learn's
``X @ coefs_`` does (float64 X on a float32 model gives float64 outputs).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import is_classifier
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import check_is_fitted, validate_data

from ..core.checks import check_float_dtype
from ..core.lazy import lazy_adapter
from ..tabular.recipe_columns import gap_mask
from ..training.data import TrainingData

__all__ = [
    "PRESERVE",
    "fit_dtype",
    "validate_X",
    "network_for",
    "split_validation",
    "as_network_input",
    "fitted_outputs_method",
    "check_labels_present",
]

PRESERVE = "preserve"
#: What ``dtype="preserve"`` lets through when fitting: scikit-learn's MLP's list.
_PRESERVED = (np.float64, np.float32)
#: Dense batches up to this many values may skip ``validate_data`` when they need nothing
#: it does (serving one row at a time is mostly call overhead).
_FAST_VALUES = 1 << 14


def fitted_outputs_method(method: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """Wrap a prediction method ``method(self, X)``: a lazy collection (a Dask array or
    dataframe) gets the lazy result of the same method, block by block; other ``X`` runs
    ``method`` once the estimator is fitted (else scikit-learn's ``NotFittedError``)."""

    @functools.wraps(method)
    def dispatch(self: Any, X: Any) -> Any:
        if (lazy := lazy_adapter(X)) is not None:
            return lazy.estimator_outputs(self, X, method.__name__)
        check_is_fitted(self)
        return method(self, X)

    return dispatch


def model_dtype(est: Any) -> np.dtype | str:
    """``est.dtype`` as ``"preserve"`` or a NumPy dtype (float32 or float64)."""
    if isinstance(est.dtype, str) and est.dtype == PRESERVE:
        return PRESERVE
    return check_float_dtype(est.dtype)


def fit_dtype(est: Any, first_pass: bool) -> Any:
    """The ``dtype`` argument of ``validate_data`` in ``fit``: the fitted network's dtype
    when training goes on (warm start, ``partial_fit``), else the estimator's setting."""
    if not first_pass:
        return est.network_.dtype
    wanted = model_dtype(est)
    return _PRESERVED if wanted == PRESERVE else wanted


def as_network_input(X: Any) -> Any:
    """A validated X as the network takes it: dense as it is, sparse as CSR."""
    return X.tocsr() if sp.issparse(X) and X.format != "csr" else X


def _fast_input(est: Any, X: Any, dtype: Any) -> Any:
    """The small dense ``X`` converted as ``validate_data`` would convert it, when that is
    all it would do (numbers, the right width, finite, no feature names); else None."""
    if not (type(X) is np.ndarray and X.ndim == 2 and 0 < X.size <= _FAST_VALUES
            and X.dtype.kind in "fiu" and X.shape[1] == est.n_features_in_
            and "feature_names_in_" not in est.__dict__ and bool(np.isfinite(X).all())):
        return None
    if isinstance(dtype, tuple):  # "preserve": float64 and float32 as they are
        dtype = X.dtype if X.dtype in dtype else dtype[0]
    return np.ascontiguousarray(X, dtype=dtype)


def validate_X(est: Any, X: Any, reset: bool) -> Any:
    """X for prediction (or a validation set): validated by scikit-learn, in the network's
    dtype (``"preserve"``: float32 or float64 as given, see :func:`network_for`)."""
    dtype = _PRESERVED if model_dtype(est) == PRESERVE else est.network_.dtype
    fast = None if reset else _fast_input(est, X, dtype)
    if fast is not None:
        return fast
    X = validate_data(est, X, accept_sparse=["csr", "csc"], dtype=dtype, order="C",
                      reset=reset)
    return as_network_input(X)


def network_for(est: Any, X: Any) -> tuple[Any, Any]:
    """``(network, X)`` to predict ``X`` with: the fitted network, or (``"preserve"``, X of
    another dtype) a copy in NumPy's promotion of the two dtypes, X converted to it."""
    net = est.network_
    if X.dtype == net.dtype:
        return net, X
    compute = np.result_type(X.dtype, net.dtype)
    if X.dtype != compute:
        X = X.astype(compute)
    return (net if net.dtype == compute else net.astype(compute)), X


def split_validation(est: Any, data: TrainingData) -> tuple[TrainingData, TrainingData]:
    """Hold out ``validation_fraction`` of the rows exactly as scikit-learn 1.9's MLP does:
    ``train_test_split`` with its ``random_state``, stratified only for a classifier with
    one output (binary targets, as scikit-learn's ``n_outputs_ == 1``), raising where
    scikit-learn raises (a class with a single member, for example)."""
    X, target, sample_weight = data.X, data.target, data.sample_weight
    stratify = None
    if is_classifier(est) and est.n_outputs_ == 1:
        stratify = target.astype(bool)  # scikit-learn's binarized y: (n, 1) bools
    arrays = [X, target] + ([] if sample_weight is None else [sample_weight])
    parts = train_test_split(*arrays, random_state=est._random_state,
                             test_size=est.validation_fraction, stratify=stratify)
    X_train, X_val, t_train, t_val = parts[:4]
    sw_train, sw_val = (parts[4], parts[5]) if sample_weight is not None else (None, None)
    if X_val.shape[0] < 2:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' or the "
            "size of your dataset."
        )
    return (TrainingData(_contiguous(X_train), np.ascontiguousarray(t_train), sw_train),
            TrainingData(_contiguous(X_val), t_val, sw_val))


def _contiguous(X: Any) -> Any:
    return as_network_input(X) if sp.issparse(X) else np.ascontiguousarray(X)


def check_labels_present(y: Any, name: str = "y") -> None:
    """ValueError naming the first row whose class label is missing (None, NaN, pd.NA).

    Call it before scikit-learn's validation: text labels with a gap fail there or in
    NumPy's sort with messages that name nothing ("boolean value of NA is ambiguous").
    """
    if sp.issparse(y):
        return  # a label indicator matrix: 0s and 1s
    if hasattr(y, "isna"):  # pandas: its own idea of missing, for every dtype
        missing = np.asarray(y.isna())
    else:
        y = np.asarray(y)
        if y.dtype != object or y.ndim == 0:
            return  # numbers: validation refuses NaN itself; NumPy strings have no gaps
        missing = gap_mask(y.reshape(-1)).reshape(y.shape)
    if missing.ndim > 1:
        missing = missing.any(axis=tuple(range(1, missing.ndim)))
    if missing.any():
        raise ValueError(f"{name} has no class label (None or NaN) in "
                         f"{int(missing.sum())} row(s), the first is row "
                         f"{int(np.argmax(missing))}; drop those rows or give each one a "
                         f"class")
