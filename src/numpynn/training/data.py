"""Checked training data: X as rows of the network's dtype (dense, or SciPy CSR kept
sparse), targets, sample weights, row subsets."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.checks import as_float_matrix, cast_checked, check_finite_rows
from ..core.losses import class_indices, prepare_target
from ..core.sparse import check_finite_sparse_rows, take_rows

if TYPE_CHECKING:  # pragma: no cover
    from ..network import NeuralNetwork

__all__ = ["TrainingData", "check_training_data", "CLASSIFYING_OUTPUTS", "take_rows"]


#: Output activations whose predictions are classes (and get an accuracy).
CLASSIFYING_OUTPUTS = ("softmax", "logistic")


def _check_rows(rows: Any, limit: int) -> None:
    """TypeError / ValueError unless ``rows`` is a 1-D integer array of numbers in
    ``[0, limit)``."""
    if not (isinstance(rows, np.ndarray) and rows.ndim == 1
            and np.issubdtype(rows.dtype, np.integer)):
        raise TypeError("TrainingData.rows must be a 1-D integer array, got "
                        f"{type(rows).__name__} {getattr(rows, 'dtype', '')}")
    if rows.size and (rows.min() < 0 or rows.max() >= limit):
        raise ValueError(f"TrainingData.rows must lie in [0, {limit}), got "
                         f"{rows.min()}..{rows.max()}")


@dataclass
class TrainingData:
    """Checked training data.

    Attributes
    ----------
    X : ndarray, shape (m, n_in), the network's dtype, C-contiguous (the caller's array
        when it already was so); or a SciPy CSR matrix of that dtype, never made dense
    target : ndarray, int labels (m,) or rows (m, k) of the network's dtype
    sample_weight : ndarray, shape (m,), the network's dtype, or None
    rows : ndarray of int, shape (n,), or None
        The rows of ``X``, ``target`` and ``sample_weight`` that make up this set (a
        training or validation part), so that splitting copies no data; None: all rows.
    """

    X: np.ndarray
    target: np.ndarray
    sample_weight: np.ndarray | None
    rows: np.ndarray | None = None

    def __post_init__(self) -> None:
        # The batch gather takes rows with np.take(mode="clip") (core/sparse.take_rows),
        # which trusts them: a bad row number is refused here, where rows are made.
        if self.rows is not None:
            _check_rows(self.rows, self.X.shape[0])

    @property
    def n(self) -> int:
        return self.X.shape[0] if self.rows is None else self.rows.shape[0]

    def subset(self, rows: np.ndarray) -> TrainingData:
        """The given rows of this set, as indices into the same arrays (no copy of X)."""
        _check_rows(rows, self.n)
        absolute = rows if self.rows is None else self.rows[rows]
        return TrainingData(self.X, self.target, self.sample_weight, absolute)

    def targets(self) -> np.ndarray:
        """This set's targets, in order."""
        return self.target if self.rows is None else self.target[self.rows]

    def weights(self) -> np.ndarray | None:
        """This set's sample weights, in order (None when unweighted)."""
        if self.sample_weight is None or self.rows is None:
            return self.sample_weight
        return self.sample_weight[self.rows]

    def materialized(self) -> TrainingData:
        """The same set with its own contiguous arrays (for full-batch methods)."""
        if self.rows is None:
            return self
        return TrainingData(take_rows(self.X, self.rows), self.targets(), self.weights())

    def total_weight(self) -> float:
        weights = self.weights()
        if weights is None:
            return float(self.n)
        return float(weights.sum(dtype=np.float64))


# Opens as fit and loss_and_gradient do, (network, X, y, sample_weight, ...), on purpose.
def check_training_data(
    network: NeuralNetwork,
    X: Any,
    y: Any,
    sample_weight: Any = None,
    class_weight: Any = None,
) -> TrainingData:
    """Validate and convert training data; raises ValueError/TypeError naming the problem.

    Parameters
    ----------
    network : NeuralNetwork
    X : array_like, shape (n, sizes[0]), or a SciPy sparse matrix
        Converted to the network's dtype (no copy when it already has it and is
        C-contiguous; sparse matrices become CSR, never dense).
    y : array_like, labels (n,) or rows (n, k)
    sample_weight : array_like, shape (n,), optional
        Non-negative, finite, not all zero.
    class_weight : "balanced" or dict {class index: weight}, optional
        Classification only; multiplies into the sample weights.

    Returns
    -------
    TrainingData
    """
    theta = getattr(network, "theta", None)  # an ensemble of networks has none: float32
    dtype = theta.dtype if theta is not None else np.dtype(np.float32)
    if getattr(X, "ndim", None) != 2 and np.ndim(X) != 2:
        raise ValueError(f"X must be 2-D (n samples, {network.sizes[0]} features), "
                         f"got shape {np.shape(X)}")
    Xc, _ = as_float_matrix(X, network.sizes[0], "X", dtype, allow_sparse=True)
    if Xc.shape[0] == 0:
        raise ValueError("X is empty: it has 0 rows")
    if isinstance(Xc, np.ndarray):
        check_finite_rows(Xc, "X")
    else:
        check_finite_sparse_rows(Xc, "X")
    target = prepare_target(network.output_activation, y, network.sizes[-1], Xc.shape[0],
                            dtype)
    weights = None
    if sample_weight is not None:
        sw = np.asarray(sample_weight)
        if sw.dtype.kind not in "biuf":
            raise TypeError(f"sample_weight must be numeric, got dtype {sw.dtype}")
        if sw.shape != (Xc.shape[0],):
            raise ValueError(
                f"sample_weight must have shape ({Xc.shape[0]},), got {sw.shape}"
            )
        # a copy (the caller's array stays as it was), refusing values beyond the dtype
        weights = np.array(cast_checked("sample_weight", sw, dtype))
        if not np.isfinite(weights).all() or (weights < 0).any():
            raise ValueError("sample_weight must be finite and non-negative")
        if weights.sum() <= 0:
            raise ValueError("sample_weight sums to 0")
    if class_weight is not None:
        per_sample = _class_weights(network, target, class_weight)
        weights = per_sample if weights is None else weights * per_sample
        if weights.sum() <= 0:
            raise ValueError("class_weight and sample_weight leave every sample at weight 0")
    return TrainingData(Xc, target, weights)


def _class_weights(network: NeuralNetwork, target: np.ndarray, class_weight: Any
                   ) -> np.ndarray:
    """Per-sample weights of the network's dtype, shape (n,), from ``class_weight``
    ("balanced" or a dict {class index: weight})."""
    if network.output_activation in ("identity", "exp"):
        raise ValueError(f"class_weight applies to classification, not "
                         f"{network.output_activation} outputs")
    if network.output_activation == "logistic" and network.sizes[-1] > 1:
        raise ValueError("class_weight needs single-label targets (one logistic output "
                         "or softmax)")
    classes = class_indices(target)
    num_classes = max(2, network.sizes[-1])
    per_class = np.ones(num_classes, dtype=network.theta.dtype)
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(f"class_weight must be 'balanced' or a dict, "
                             f"got {class_weight!r}")
        counts = np.bincount(classes, minlength=num_classes).astype(np.float64)
        present = counts > 0
        per_class[present] = classes.size / (present.sum() * counts[present])
    elif isinstance(class_weight, Mapping):
        for key, value in class_weight.items():
            if not isinstance(key, (int, np.integer)) or not 0 <= key < num_classes:
                raise ValueError(f"class_weight key {key!r} is not a class index "
                                 f"0..{num_classes - 1}")
            v = float(value)
            if not math.isfinite(v) or v < 0:
                raise ValueError(f"class_weight for class {key} must be finite and >= 0, "
                                 f"got {value!r}")
            per_class[key] = v
    else:
        raise TypeError(f"class_weight must be 'balanced' or a dict, "
                        f"got {type(class_weight).__name__}")
    return per_class[classes]
