"""A table model's predictions on a Dask dataframe of raw columns.

A table model is what ``numpynn train`` writes: the network plus, in its metadata, the
:class:`~numpynn.tabular.Preprocessor` (columns to features) and the
:class:`~numpynn.tabular.TargetEncoder` (outputs to labels or values).  Each partition is
turned into a :class:`~numpynn.tabular.Table`, encoded and evaluated in its own task.
"""

from __future__ import annotations

import copy
import os
from typing import Any

import dask
import numpy as np

from ..network import NeuralNetwork, load
from ..tabular import Preprocessor, Table, TargetEncoder
from .collections import RowBlocks, lazy_rows

__all__ = ["TableModel", "predict_table"]


class TableModel:
    """A network with the preprocessing of ``numpynn train`` (from its metadata).

    Parameters
    ----------
    network : NeuralNetwork
        With ``metadata["preprocessor"]`` and ``metadata["target_encoder"]``.

    Raises
    ------
    ValueError
        The metadata lacks the preprocessing, or it does not fit the network.
    """

    def __init__(self, network: NeuralNetwork) -> None:
        meta = network.metadata
        if "preprocessor" not in meta or "target_encoder" not in meta:
            raise ValueError("model has no preprocessing in its metadata: it was not "
                             "written by 'numpynn train'")
        self.network = network
        self.pre = Preprocessor.from_dict(meta["preprocessor"])
        self.enc = TargetEncoder.from_dict(meta["target_encoder"])
        if self.pre.n_features != network.sizes[0]:
            raise ValueError(f"the preprocessing makes {self.pre.n_features} features but "
                             f"the network takes {network.sizes[0]}")

    def outputs_of(self, partition: Any, proba: bool) -> np.ndarray:
        """Predictions for one pandas partition: labels (str), probabilities or values."""
        outputs = self.network.eval(self.pre.transform(_as_table(partition)))
        if self.enc.classes is None:
            return self.enc.inverse_transform(outputs)[:, 0]
        if proba:
            return outputs
        return self.enc.inverse_transform(outputs.argmax(axis=1)).astype(object)


def _as_table(partition: Any) -> Table:
    """A pandas partition as a :class:`Table` of strings (missing values as "")."""
    columns = [str(c) for c in partition.columns]
    data = []
    for name in partition.columns:
        column = partition[name]
        missing = column.isna().to_numpy()
        data.append(["" if gone else str(value).strip()
                     for value, gone in zip(column.tolist(), missing)])
    return Table(columns, data, source="<dask partition>")


def _table_block(model: TableModel, proba: bool, partition: Any) -> np.ndarray:
    return model.outputs_of(partition, proba)


def predict_table(model: Any, frame: Any, *, proba: bool = False) -> Any:
    """Lazy predictions of a table model on a Dask dataframe of raw columns.

    Parameters
    ----------
    model : str, path-like, NeuralNetwork or TableModel
        A model file written by ``numpynn train`` (or the network loaded from one).
    frame : dask.dataframe.DataFrame
        With (at least) the columns the model was trained on; other columns are ignored.
    proba : bool, default False
        Classification: the class probabilities instead of the labels.

    Returns
    -------
    dask.array.Array
        One task per partition.  Classification: labels (object, shape (n,)) or
        probabilities (float32, shape (n, n_classes)); regression: float32 values in the
        target's units, shape (n,).
    """
    if isinstance(model, (str, os.PathLike)):
        model = load(model)
    if isinstance(model, NeuralNetwork):
        model = TableModel(model)
    if not isinstance(model, TableModel):
        raise TypeError(f"model must be a model file, a NeuralNetwork or a TableModel, got "
                        f"{type(model).__name__}")
    if not hasattr(frame, "columns"):
        raise TypeError(f"frame must be a Dask dataframe, got {type(frame).__name__}")
    absent = [c for c in model.pre.input_columns if c not in [str(n) for n in frame.columns]]
    if absent:
        raise ValueError(f"frame lacks the column(s) {absent} that the model was trained "
                         f"with; it has {list(frame.columns)}")
    if proba and model.enc.classes is None:
        raise ValueError("proba=True needs a classification model; this one is a regression")
    frame = frame[model.pre.input_columns]
    # Raw columns of any type: the preprocessing checks them, partition by partition.
    blocks = RowBlocks(list(frame.to_delayed()), None, list(model.pre.input_columns))
    if model.enc.classes is None:
        tail, dtype = (), np.dtype(np.float32)
    else:
        tail, dtype = ((len(model.enc.classes),), np.dtype(np.float32)) if proba else \
            ((), np.dtype(object))
    frozen = dask.delayed(copy.deepcopy(model), pure=True)
    return lazy_rows(blocks, _table_block, (frozen, bool(proba)), tail, dtype)

