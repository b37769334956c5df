"""The :class:`TargetEncoder`: a target column to class labels or standardised numbers.

Task detection (:meth:`TargetEncoder.fit` with ``task=None``)
--------------------------------------------------------------
* Some non-missing target value is not a finite number -> ``"classification"``.
* Every value is an integer (``3``, ``3.0``), there are at most
  :data:`MAX_AUTO_CLASSES` (20) distinct values, and at least two rows per distinct value on
  average (``2 * n_distinct <= n_rows``) -> ``"classification"``.
* Otherwise -> ``"regression"``.

Pass ``task="classification"`` or ``task="regression"`` to override.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np

from .state import STATE_VERSION, check_header, check_mean_std, check_name
from .table import Table
from .values import (
    first_text_value,
    is_missing,
    listing,
    looks_numeric,
    mean_and_std,
    parse_numbers,
    require_numbers,
)

__all__ = ["MAX_AUTO_CLASSES", "TargetEncoder"]

#: Largest number of distinct integer values a numeric target may have to be detected as
#: class labels (see the module docstring).
MAX_AUTO_CLASSES = 20

_TARGET_FORMAT = "numpynn.tabular.TargetEncoder"

Task = Literal["classification", "regression"]


class TargetEncoder:
    """Encode a target column: class labels to ints, or numbers to standardised float32.

    Build one with :meth:`fit` or :meth:`from_dict`. See the module docstring for the task
    detection rule.

    Attributes
    ----------
    name : str
        The target column.
    task : {"classification", "regression"}
    classes : list of str or None
        Classification: the class labels as spelled in the CSV, in label order (text labels
        sorted as strings, numeric labels sorted by value). ``None`` for regression.
    mean, std : float
        Regression: the standardisation applied (``0.0`` and ``1.0`` when not standardising).
    n_outputs : int
        Number of network outputs the target needs: the number of classes, or 1.
    """

    def __init__(
        self,
        name: str,
        task: Task,
        *,
        classes: Sequence[str] | None = None,
        numeric_labels: bool = False,
        mean: float = 0.0,
        std: float = 1.0,
    ) -> None:
        self.name = name
        self.task: Task = task
        self.classes: list[str] | None = None if classes is None else list(classes)
        self.numeric_labels = numeric_labels
        self.mean = mean
        self.std = std
        self._index: dict[str, int] = {}
        self._value_index: dict[float, int] = {}
        if self.classes is not None:
            self._index = {c: i for i, c in enumerate(self.classes)}
            if numeric_labels:
                self._value_index = {float(c): i for i, c in enumerate(self.classes)}

    @property
    def n_outputs(self) -> int:
        """The number of classes for classification, 1 for regression."""
        return len(self.classes) if self.classes is not None else 1

    @property
    def is_classification(self) -> bool:
        return self.task == "classification"

    def __repr__(self) -> str:
        if self.classes is not None:
            return f"TargetEncoder({self.name!r}, classification, classes={self.classes})"
        return f"TargetEncoder({self.name!r}, regression, mean={self.mean:g}, std={self.std:g})"

    # -- fit ----------------------------------------------------------------------------------

    @classmethod
    def fit(
        cls,
        table: Table,
        target: str,
        *,
        task: Task | None = None,
        standardize: bool = True,
    ) -> TargetEncoder:
        """Detect the task (unless given) and learn class labels or mean/std from training rows.

        Parameters
        ----------
        table : Table
            Training rows.
        target : str
            Name of the target column.
        task : {"classification", "regression"}, optional
            Force the task; default: detect it (module docstring).
        standardize : bool, default True
            Regression only: store the training mean and std so :meth:`transform` returns
            standardised values (well-conditioned training); :meth:`inverse_transform` undoes
            it.

        Raises
        ------
        ValueError
            ``target`` is not a column, the column has missing values (naming rows), ``task``
            is not one of the two, regression was asked for a non-numeric column, or
            classification found fewer than two classes.
        """
        if not isinstance(table, Table):
            raise TypeError(f"TargetEncoder.fit: table must be a Table, got {type(table).__name__}")
        if task not in (None, "classification", "regression"):
            raise ValueError(
                f"TargetEncoder.fit: task must be 'classification', 'regression' or None, "
                f"got {task!r}"
            )
        values = table.column(target)
        if not values:
            raise ValueError(f"TargetEncoder.fit: {table.source} has no rows")
        _check_no_missing(values, table, target)
        parsed = parse_numbers(values, table, target, purpose="target")
        if task is None:
            task = "classification" if parsed is None else _detect_numeric_task(parsed[0])
        if task == "classification":
            return _fit_classes(target, values, None if parsed is None else parsed[0])
        if parsed is None:
            raise ValueError(
                f"TargetEncoder.fit: regression needs a numeric target, but column "
                f"{target!r} holds {first_text_value(values)[1]!r}"
            )
        _check_float32_range(parsed[0], table, target)
        overflow = f"TargetEncoder.fit: target column {target!r} overflows float64"
        mean, std = mean_and_std(parsed[0], overflow) if standardize else (0.0, 1.0)
        return cls(target, "regression", mean=mean, std=std)

    # -- encode / decode ----------------------------------------------------------------------

    def transform(self, table: Table) -> np.ndarray:
        """Encode the target column of ``table`` (for training or evaluation).

        Returns
        -------
        ndarray
            Classification: int64, shape (n,), values in ``[0, n_outputs)``.
            Regression: float32, shape (n, 1), standardised with the stored mean and std.

        Raises
        ------
        ValueError
            The target column is absent, has a missing value, or holds a class label the
            training rows did not have / a non-numeric regression value (naming it and the row).
        """
        if not isinstance(table, Table):
            raise TypeError(
                f"TargetEncoder.transform: table must be a Table, got {type(table).__name__}"
            )
        if self.name not in table.columns:
            raise ValueError(
                f"{table.source}: no target column {self.name!r}; the columns are {table.columns}"
            )
        values = table.column(self.name)
        _check_no_missing(values, table, self.name)
        if self.classes is None:
            y = require_numbers(values, table, self.name, purpose="target")[0]
            _check_float32_range(y, table, self.name)
            y -= self.mean
            y /= self.std
            return y.astype(np.float32).reshape(-1, 1)
        labels = np.empty(len(values), dtype=np.int64)
        for i, v in enumerate(values):
            k = self._index.get(v)
            if k is None and self.numeric_labels and looks_numeric(v):
                k = self._value_index.get(float(v))
            if k is None:
                raise ValueError(
                    f"target column {self.name!r}: {table.where(i)} holds the class label "
                    f"{v!r}, which the model was not trained on; known classes: {self.classes}"
                )
            labels[i] = k
        return labels

    def inverse_transform(self, y: np.ndarray) -> np.ndarray:
        """Map network-side targets back to the CSV's terms.

        Parameters
        ----------
        y : ndarray
            Classification: int labels, shape (n,). Regression: standardised values, shape
            (n,) or (n, 1).

        Returns
        -------
        ndarray
            Classification: str array, shape (n,), the original labels. Regression: float32,
            same shape as ``y``, in the target's original units.
        """
        arr = np.asarray(y)
        if self.classes is None:
            if not np.issubdtype(arr.dtype, np.number):
                raise TypeError(f"inverse_transform: expected numbers, got dtype {arr.dtype}")
            if arr.ndim not in (1, 2) or (arr.ndim == 2 and arr.shape[1] != 1):
                raise ValueError(
                    f"inverse_transform: expected shape (n,) or (n, 1), got {arr.shape}"
                )
            with np.errstate(over="ignore", invalid="ignore"):
                out = arr.astype(np.float32) * np.float32(self.std) + np.float32(self.mean)
            finite = np.isfinite(out)
            if not finite.all() and np.isfinite(arr).all():
                row = int(np.argmin(finite.reshape(-1)))
                raise ValueError(
                    f"inverse_transform: the value of row {row} ({float(arr.flat[row]):.6g} "
                    f"standardised) is beyond float32's range in the units of "
                    f"{self.name!r} (mean {self.mean:.6g}, std {self.std:.6g})")
            return out
        if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
            raise ValueError(
                f"inverse_transform: expected int class labels of shape (n,), got "
                f"{arr.dtype} {arr.shape}"
            )
        if arr.size and (arr.min() < 0 or arr.max() >= len(self.classes)):
            raise ValueError(
                f"inverse_transform: class labels must lie in [0, {len(self.classes)}), got "
                f"[{arr.min()}, {arr.max()}]"
            )
        return np.asarray(self.classes, dtype=str)[arr]

    def to_strings(self, y: np.ndarray) -> list[str]:
        """:meth:`inverse_transform`, then format each value for writing to a CSV file.

        Class labels come back exactly as spelled in the training CSV; regression values are
        written with 7 significant digits (float32 precision).
        """
        out = self.inverse_transform(y)
        if self.classes is not None:
            return out.tolist()
        return [format(v, ".7g") for v in out.reshape(-1).tolist()]

    # -- state --------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Return the state as plain JSON types; ``from_dict(json.loads(json.dumps(d)))`` is exact.

        Returns
        -------
        dict
            ``{"format": "numpynn.tabular.TargetEncoder", "version": 1, "name": str,
            "task": "classification", "classes": [str, ...], "numeric_labels": bool}`` or
            ``{..., "task": "regression", "mean": float, "std": float}``.
        """
        d: dict[str, Any] = {"format": _TARGET_FORMAT, "version": STATE_VERSION,
                             "name": self.name, "task": self.task}
        if self.classes is not None:
            d["classes"] = list(self.classes)
            d["numeric_labels"] = self.numeric_labels
        else:
            d["mean"] = self.mean
            d["std"] = self.std
        return d

    @classmethod
    def from_dict(cls, state: Mapping[str, Any]) -> TargetEncoder:
        """Rebuild an encoder from :meth:`to_dict` output, validating every field.

        Raises
        ------
        ValueError
            ``state`` is not such a dict or a field is missing, mistyped or inconsistent.
        """
        where = "TargetEncoder.from_dict"
        if not isinstance(state, Mapping):
            raise ValueError(f"{where}: expected a dict, got {type(state).__name__}")
        task = state.get("task")
        if task == "classification":
            check_header(state, _TARGET_FORMAT, where, {"name", "task", "classes",
                                                         "numeric_labels"})
        elif task == "regression":
            check_header(state, _TARGET_FORMAT, where, {"name", "task", "mean", "std"})
        else:
            check_header(state, _TARGET_FORMAT, where, set(state) - {"format", "version"})
            raise ValueError(f"{where}: 'task' must be 'classification' or 'regression', "
                             f"got {task!r}")
        name = check_name(state, where)
        if task == "regression":
            mean, std = check_mean_std(state, where)
            return cls(name, "regression", mean=mean, std=std)
        classes, numeric = _classes_from_state(state, where)
        return cls(name, "classification", classes=classes, numeric_labels=numeric)


def _fit_classes(target: str, values: list[str], numbers: np.ndarray | None) -> TargetEncoder:
    """A classification encoder for the labels in ``values`` (``numbers``: their values when
    every label is a number, which then orders them; else ``None``, sorted as text)."""
    if numbers is not None:  # numeric labels: one class per value, spelled as first seen
        first: dict[float, str] = {}
        for v, f in zip(values, numbers.tolist(), strict=True):
            first.setdefault(f, v)
        classes = [first[f] for f in sorted(first)]
    else:
        classes = sorted(set(values))
    if len(classes) < 2:
        raise ValueError(
            f"TargetEncoder.fit: target column {target!r} has a single class {classes[0]!r}"
            " in the training rows; classification needs at least two"
        )
    return TargetEncoder(target, "classification", classes=classes,
                         numeric_labels=numbers is not None)


def _classes_from_state(state: Mapping[str, Any], where: str) -> tuple[list[str], bool]:
    """``classes`` and ``numeric_labels`` of a classification state, checked."""
    classes, numeric = state["classes"], state["numeric_labels"]
    if not isinstance(numeric, bool):
        raise ValueError(f"{where}: 'numeric_labels' must be true or false, got {numeric!r}")
    if (not isinstance(classes, list) or len(classes) < 2
            or not all(isinstance(c, str) and c for c in classes)):
        raise ValueError(f"{where}: 'classes' must be a list of at least two non-empty "
                         "strings")
    if len(set(classes)) != len(classes):
        raise ValueError(f"{where}: 'classes' has repeated labels")
    if numeric:
        try:
            vals = [float(c) for c in classes]
        except ValueError:
            raise ValueError(f"{where}: 'numeric_labels' is true but 'classes' holds text"
                             ) from None
        if vals != sorted(set(vals)) or not all(math.isfinite(v) for v in vals):
            raise ValueError(f"{where}: numeric 'classes' must be finite, distinct and "
                             "sorted by value")
    elif classes != sorted(classes):
        raise ValueError(f"{where}: 'classes' must be sorted")
    return classes, numeric


def _check_float32_range(y: np.ndarray, table: Table, column: str) -> None:
    """A regression target the network's float32 outputs can reach: |y| <= float32 max.
    (Beyond it, training would run to the end and every prediction be infinite.)"""
    limit = float(np.finfo(np.float32).max)
    beyond = np.abs(y) > limit  # NaN (missing) compares False
    if beyond.any():
        i = int(np.argmax(beyond))
        raise ValueError(
            f"target column {column!r}: {table.where(i)} holds {table.column(column)[i]!r}, "
            f"beyond float32's range (largest {limit:.6g}), which the network's outputs "
            "cannot reach; rescale the column"
        )


def _check_no_missing(values: list[str], table: Table, column: str) -> None:
    missing = [i for i, v in enumerate(values) if is_missing(v)]
    if missing:
        rows = listing((table.where(i) for i in missing), len(missing), quote=False)
        raise ValueError(
            f"target column {column!r} has {len(missing)} missing value(s): {rows}; "
            "remove those rows"
        )


def _detect_numeric_task(y: np.ndarray) -> Task:
    """Integer values, at most MAX_AUTO_CLASSES distinct, >= 2 rows each on average."""
    if not np.array_equal(y, np.round(y)):
        return "regression"
    n_distinct = np.unique(y).size
    if n_distinct <= MAX_AUTO_CLASSES and 2 * n_distinct <= y.size:
        return "classification"
    return "regression"
