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

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np

from .column_data import NumberColumn, TextColumn, format_number, numbers_as_text
from .inference import first_non_number
from .reading import as_table
from .state import STATE_VERSION, check_classes, check_header, check_mean_std, check_name
from .table import Table
from .target_column import (
    check_no_missing,
    finite_numbers,
    raise_not_a_number,
    rows_with_target,
    target_column,
)
from .values import check_float32_range, looks_numeric, mean_and_std

__all__ = ["MAX_AUTO_CLASSES", "TargetEncoder", "rows_with_target"]

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
        Classification: the class labels in label order (text labels as spelled in the
        data, sorted as strings; numeric labels sorted by value and written plainly, ``3``
        for ``3.0``). ``None`` for regression.
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
        rows: np.ndarray | None = None,
    ) -> TargetEncoder:
        """Detect the task (unless given) and learn class labels or mean/std from training rows.

        Parameters
        ----------
        table : Table
            The data.
        target : str
            Name of the target column.
        task : {"classification", "regression"}, optional
            Force the task; default: detect it (module docstring).
        standardize : bool, default True
            Regression only: store the training mean and std so :meth:`transform` returns
            standardised values (well-conditioned training); :meth:`inverse_transform` undoes
            it.
        rows : ndarray of int64, shape (m,), optional
            The training rows (default: all of them).

        Raises
        ------
        ValueError
            ``target`` is not a column, the column has missing values (naming rows; see
            :func:`rows_with_target`), ``task`` is not one of the two, regression was asked
            for a non-numeric column, or classification found fewer than two classes.
        """
        table = as_table(table, "TargetEncoder.fit")
        if task not in (None, "classification", "regression"):
            raise ValueError(
                f"TargetEncoder.fit: task must be 'classification', 'regression' or None, "
                f"got {task!r}"
            )
        col = target_column(table, target, rows)
        if len(col) == 0:
            raise ValueError(f"TargetEncoder.fit: {table.source} has no rows")
        check_no_missing(col, table, target, rows)
        if isinstance(col, TextColumn):
            return _text_classes_encoder(col, target, task)
        y = finite_numbers(col, table, target, rows)
        if task is None:
            task = _detect_numeric_task(y)
        if task == "classification":
            labels = [format_number(v) for v in np.unique(y).tolist()]
            return _classes_encoder(target, labels, numeric=True)
        check_float32_range(y, table, target, rows)
        overflow = f"TargetEncoder.fit: target column {target!r} overflows float64"
        mean, std = mean_and_std(y, overflow) if standardize else (0.0, 1.0)
        return cls(target, "regression", mean=mean, std=std)

    # -- encode / decode ----------------------------------------------------------------------

    def transform(self, table: Table, rows: np.ndarray | None = None) -> np.ndarray:
        """Encode the target column of ``table`` (for training or evaluation).

        Parameters
        ----------
        table : Table
        rows : ndarray of int64, shape (m,), optional
            Encode these rows only (default: all; see :func:`rows_with_target`).

        Returns
        -------
        ndarray
            Classification: int64, shape (m,), values in ``[0, n_outputs)``.
            Regression: float32, shape (m, 1), standardised with the stored mean and std.

        Raises
        ------
        ValueError
            The target column is absent, has a missing value, or holds a class label the
            training rows did not have / a non-numeric regression value (naming it and the row).
        """
        table = as_table(table, "TargetEncoder.transform")
        if self.name not in table.columns:
            raise ValueError(
                f"{table.source}: no target column {self.name!r}; the columns are {table.columns}"
            )
        col = target_column(table, self.name, rows)
        check_no_missing(col, table, self.name, rows)
        if self.classes is None:
            if isinstance(col, TextColumn):
                raise_not_a_number(col, table, self.name, rows)
            y = finite_numbers(col, table, self.name, rows)
            check_float32_range(y, table, self.name, rows)
            y -= self.mean
            y /= self.std
            return y.astype(np.float32).reshape(-1, 1)
        return self._labels(col, table, rows)

    def _labels(self, col, table: Table, rows: np.ndarray | None) -> np.ndarray:
        """int64 class indices of ``col``'s values; unknown labels are an error."""
        text = numbers_as_text(col) if isinstance(col, NumberColumn) else col
        lookup = np.empty(len(text.categories), dtype=np.int64)
        for j, label in enumerate(text.categories.tolist()):
            k = self._index.get(label)
            if k is None and self.numeric_labels and looks_numeric(label):
                k = self._value_index.get(float(label))
            lookup[j] = -1 if k is None else k
        labels = lookup[text.codes]
        bad = np.flatnonzero(labels < 0)
        if bad.size:
            i = int(bad[0])
            row = i if rows is None else int(rows[i])
            raise ValueError(
                f"target column {self.name!r}: {table.where(row)} holds the class label "
                f"{text.categories[text.codes[i]]!r}, which the model was not trained on; "
                f"known classes: {self.classes}"
            )
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
        classes, numeric = check_classes(state, where)
        return cls(name, "classification", classes=classes, numeric_labels=numeric)


def _text_classes_encoder(col: TextColumn, target: str, task: Task | None) -> TargetEncoder:
    """The encoder of a text target: its labels present, sorted as strings."""
    if task == "regression":
        raise ValueError(
            f"TargetEncoder.fit: regression needs a numeric target, but column "
            f"{target!r} holds {first_non_number(col)[1]!r}"
        )
    present = col.categories[col.counts() > 0].tolist()
    return _classes_encoder(target, sorted(present), numeric=False)


def _classes_encoder(target: str, classes: list[str], *, numeric: bool) -> TargetEncoder:
    """A classification encoder for ``classes`` (in label order), at least two."""
    if len(classes) < 2:
        raise ValueError(
            f"TargetEncoder.fit: target column {target!r} has a single class {classes[0]!r}"
            " in the training rows; classification needs at least two"
        )
    return TargetEncoder(target, "classification", classes=classes, numeric_labels=numeric)


def _detect_numeric_task(y: np.ndarray) -> Task:
    """Integer values, at most MAX_AUTO_CLASSES distinct, >= 2 rows each on average."""
    if not np.array_equal(y, np.round(y)):
        return "regression"
    n_distinct = np.unique(y).size
    if n_distinct <= MAX_AUTO_CLASSES and 2 * n_distinct <= y.size:
        return "classification"
    return "regression"
