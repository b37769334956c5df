"""Lazy inference on Dask collections: one task per block of rows, nothing gathered.

``NeuralNetwork.eval`` / ``predict`` and the estimators' ``predict`` / ``predict_proba`` /
``predict_log_proba`` hand Dask input here (through :mod:`numpynn.core.lazy`).  The model
is copied when the call is made and put into the task graph once, so the lazy result is
that of the weights at call time, whatever training happens before it is computed.
"""

from __future__ import annotations

import copy
from typing import Any

import dask
import numpy as np

from .collections import as_float_block, lazy_rows, realigned, row_blocks

__all__ = ["DaskAdapter", "predict"]

_NETWORK_METHODS = ("eval", "predict")
_ESTIMATOR_METHODS = ("predict", "predict_proba", "predict_log_proba")


def _network_block(network: Any, method: str, block: Any) -> np.ndarray:
    """``network.eval`` or ``network.predict`` of one computed block (in memory)."""
    return getattr(network, method)(as_float_block(block, network.theta.dtype))


def _estimator_block(estimator: Any, method: str, block: Any) -> np.ndarray:
    """The estimator's method on one computed block: dataframe partitions stay pandas
    objects, so that the estimator checks their column names as it does in memory."""
    if not hasattr(block, "columns"):
        block = realigned(block)  # the estimator converts to its own dtype, as in memory
    return np.asarray(getattr(estimator, method)(block))


def _network_output_spec(network: Any, method: str) -> tuple[tuple[int, ...], np.dtype]:
    k = network.sizes[-1]
    if method == "eval" or network.output_activation not in ("softmax", "logistic"):
        return (k,), network.theta.dtype
    return ((), np.dtype(np.int64)) if network.output_activation == "softmax" else \
        ((k,), np.dtype(np.int64))


class DaskAdapter:
    """What :func:`numpynn.core.lazy.lazy_adapter` returns for Dask collections."""

    def network_outputs(self, network: Any, x: Any, method: str) -> Any:
        """Lazy ``network.eval(x)`` or ``network.predict(x)`` of a Dask array or dataframe.

        Returns
        -------
        dask.array.Array
            ``eval``: the network's dtype, shape (n, sizes[-1]); ``predict``: as
            ``NeuralNetwork.predict`` for a 2-D input.  Row blocks are the input's
            blocks (unknown sizes for a dataframe's partitions).
        """
        if method not in _NETWORK_METHODS:
            raise ValueError(f"method must be one of {_NETWORK_METHODS}, got {method!r}")
        blocks = row_blocks(x, "X", network.sizes[0])
        tail, dtype = _network_output_spec(network, method)
        frozen = dask.delayed(copy.deepcopy(network), pure=True)
        return lazy_rows(blocks, _network_block, (frozen, method), tail, dtype)

    def estimator_outputs(self, estimator: Any, x: Any, method: str) -> Any:
        """Lazy ``estimator.<method>(x)`` of a Dask array or dataframe.

        The output's dtype and row shape come from the method run on one row of zeros
        (a dataframe's own sample row), on the client.
        """
        from sklearn.utils.validation import check_is_fitted

        if method not in _ESTIMATOR_METHODS:
            raise ValueError(f"method must be one of {_ESTIMATOR_METHODS}, got {method!r}")
        check_is_fitted(estimator)
        blocks = row_blocks(x, "X", getattr(estimator, "n_features_in_", None))
        if blocks.columns is not None:
            sample = x._meta_nonempty.iloc[:1]
        else:
            sample = np.zeros((1, x.shape[1]), dtype=np.float32)
        example = np.asarray(getattr(estimator, method)(sample))
        frozen = dask.delayed(copy.deepcopy(estimator), pure=True)
        return lazy_rows(blocks, _estimator_block, (frozen, method), example.shape[1:],
                         example.dtype)


def predict(model: Any, X: Any, method: str = "predict") -> Any:
    """Lazy predictions of a network or a fitted numpynn estimator on a Dask collection.

    The same as ``model.predict(X)`` (or ``model.eval(X)``, ``model.predict_proba(X)``,
    ...) with ``X`` a Dask array or dataframe.

    Parameters
    ----------
    model : NeuralNetwork or NeuralNetClassifier / NeuralNetRegressor
    X : dask.array.Array, shape (n, n_features), or dask.dataframe.DataFrame
    method : str, default "predict"
        ``"eval"`` or ``"predict"`` for a network; ``"predict"``, ``"predict_proba"`` or
        ``"predict_log_proba"`` for an estimator.

    Returns
    -------
    dask.array.Array
        One task per block of ``X``; ``.compute()`` equals the in-memory result.
    """
    adapter = DaskAdapter()
    if hasattr(model, "theta") and hasattr(model, "sizes"):
        return adapter.network_outputs(model, X, method)
    return adapter.estimator_outputs(model, X, method)
