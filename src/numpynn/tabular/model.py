"""``TableModel``: a network with its table preprocessing, trained from a file or a DataFrame.

``numpynn train`` is this class driven from the command line, so a model made in Python
works with ``numpynn predict``, ``evaluate`` and ``inspect``, and the other way round::

    from numpynn.tabular import TableModel

    model = TableModel(hidden=(32, 32)).fit("penguins.csv", target="species")
    model.notes_                          # what it left out and why, gaps, early stopping
    model.predict(df)                     # labels (or values in the target's units)
    model.predict_proba(df)               # float32 (n, n_classes), rows sum to 1
    model.save("penguins.safetensors")    # JSON metadata, never pickle
    TableModel.load("penguins.safetensors").predict("new.parquet")
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from os import PathLike
from typing import Any

import numpy as np

from .columns import UnseenCategoryWarning
from .features import Preprocessor
from .model_state import build_metadata, encoders_from_metadata, reading_options
from .reading import read_table
from .roles import ColumnRoles, choose_columns, missing_report
from .split import train_validation_split
from .table import Table
from .target import TargetEncoder, rows_with_target

__all__ = ["TableModel", "PreparedData", "MINI_BATCH_LEARNING_RATE"]

#: The learning rate of adam, adamw and sgd when none is given (``numpynn train --lr``'s
#: default too); lbfgs takes none.
MINI_BATCH_LEARNING_RATE = 0.01


@dataclass
class PreparedData:
    """The encoded rows of one training run (what :meth:`TableModel.prepare` returns).

    ``X_train`` and the validation features are views of one float32 matrix whose rows are
    the training rows, then the validation rows: nothing is copied.
    """

    table: Table
    rows: np.ndarray  # int64: the rows with a target value
    train_rows: np.ndarray  # int64 (n_train,)
    val_rows: np.ndarray  # int64 (n_validation,)
    X_train: np.ndarray  # float32 (n_train, n_features)
    y_train: np.ndarray  # int64 (n_train,) or float32 (n_train, 1)
    validation: tuple[np.ndarray, np.ndarray] | None
    roles: ColumnRoles


class TableModel:
    """A multi-layer perceptron with the preprocessing of a table (see the module docstring).

    Parameters
    ----------
    hidden : sequence of int, default (16, 16)
        Hidden layer sizes.
    activation : str, default "leaky_relu"
        Hidden activation.
    task : {"classification", "regression"}, optional
        Default: detected from the target (see :class:`TargetEncoder`).
    epochs, batch_size, learning_rate, optimizer, l2, dropout
        As for :meth:`numpynn.NeuralNetwork.fit` (defaults 100, 32, None, "adam", 0, 0).
        ``learning_rate=None`` is 0.01 for adam, adamw and sgd, and none for lbfgs
        (which takes no learning rate: giving one with it is an error).
    early_stopping : bool, default True
        Keep the weights of the epoch with the lowest validation loss, and stop after
        ``patience`` epochs without a lower one (with ``optimizer="lbfgs"``: iterations).
    patience : int, default 10
    validation_split : float, default 0.2
        Share of the rows held out (at random, ``seed``) for validation.
    class_weight : "balanced" or dict, optional
        Classification: weigh the rows of rare classes up.
    max_categories : int, default 100
        A text column with more distinct values is left out unless named in ``keep``.
    seed : int, default 42
        The split, the initial weights and the shuffling.

    Attributes
    ----------
    network_, preprocessor_, target_encoder_ : the fitted parts
    metadata_ : dict
        What :meth:`save` stores beside the weights.
    notes_ : list of str
        What the reading and the column rules decided, one line each.
    history_ : History
    """

    def __init__(self, *, hidden: Sequence[int] = (16, 16), activation: str = "leaky_relu",
                 task: str | None = None, epochs: int = 100, batch_size: int = 32,
                 learning_rate: float | None = None, optimizer: str = "adam", l2: float = 0.0,
                 dropout: float = 0.0, early_stopping: bool = True, patience: int = 10,
                 validation_split: float = 0.2, class_weight: Any = None,
                 max_categories: int = 100, seed: int = 42) -> None:
        self.hidden = tuple(hidden)
        self.activation, self.task, self.epochs = activation, task, epochs
        self.batch_size, self.learning_rate, self.optimizer = batch_size, learning_rate, optimizer
        self.l2, self.dropout = l2, dropout
        self.early_stopping, self.patience = early_stopping, patience
        self.validation_split, self.class_weight = validation_split, class_weight
        self.max_categories, self.seed = max_categories, seed
        self.notes_: list[str] = []

    # -- training -----------------------------------------------------------------------------

    def fit(self, data: Any, target: str, *, features: Sequence[str] | None = None,
            drop: Sequence[str] = (), id_columns: Sequence[str] = (),
            categorical: Sequence[str] = (), keep: Sequence[str] = (),
            na_values: Iterable[str] = (), callbacks: Iterable[Callable] = (),
            progress: bool = False) -> TableModel:
        """Read ``data``, choose and encode the columns, train; returns ``self``.

        Parameters
        ----------
        data : path, DataFrame, pyarrow Table or Table
            Anything :func:`~numpynn.tabular.read_table` reads.
        target : str
            The column to predict. Rows without a value are left out (a note says how many).
        features, drop, id_columns, categorical, keep : sequence of str
            Column roles, see :func:`~numpynn.tabular.roles.choose_columns`.
        na_values : iterable of str
            More missing-value spellings, for reading ``data`` (and new data later).
        callbacks : iterable of callables
            Called after every epoch with the epoch's figures (see ``NeuralNetwork.fit``).
        progress : bool, default False
            Show a progress bar.
        """
        prepared = self.prepare(data, target, features=features, drop=drop,
                                id_columns=id_columns, categorical=categorical, keep=keep,
                                na_values=na_values)
        self.train(prepared, callbacks=callbacks, progress=progress)
        return self

    def prepare(self, data: Any, target: str, *, features: Sequence[str] | None = None,
                drop: Sequence[str] = (), id_columns: Sequence[str] = (),
                categorical: Sequence[str] = (), keep: Sequence[str] = (),
                na_values: Iterable[str] = ()) -> PreparedData:
        """The first half of :meth:`fit`: read, split, choose the columns, fit the encodings
        (:meth:`_fit_features`, the target's), encode, and :meth:`_finish_preparing` (the
        untrained network and its metadata). :meth:`train` is the second half."""
        na_values = [na_values] if isinstance(na_values, str) else list(na_values)
        table = data if isinstance(data, Table) else read_table(data, na_values=na_values)
        self.notes_ = list(table.notes)
        rows, train_rows, val_rows = self._split(table, target)
        roles = choose_columns(table, target, features=features, drop=drop,
                               id_columns=id_columns, categorical=categorical, keep=keep,
                               max_categories=self.max_categories, rows=train_rows)
        self.notes_ += roles.notes
        report = missing_report(table, roles.features, rows)
        if report:
            self.notes_.append(report)
        order = np.concatenate([train_rows, val_rows])
        pre, X = self._fit_features(table, target, roles, train_rows, order)
        enc = TargetEncoder.fit(table, target, task=self.task, rows=rows)  # every label
        if not enc.is_classification:  # regression: mean and std of the training rows only
            enc = TargetEncoder.fit(table, target, task="regression", rows=train_rows)
        y = enc.transform(table, order)
        n = train_rows.size
        validation = (X[n:], y[n:]) if val_rows.size else None
        self.preprocessor_, self.target_encoder_ = pre, enc
        self._finish_preparing(table, target, rows, n, roles, na_values)
        return PreparedData(table, rows, train_rows, val_rows, X[:n], y[:n], validation, roles)

    def _fit_features(self, table: Table, target: str, roles: ColumnRoles,
                      train_rows: np.ndarray, order: np.ndarray) -> tuple[Any, np.ndarray]:
        """The preprocessor fitted on the training rows, and the float32 features of the
        rows ``order``, shape (order.size, n_features)."""
        pre = Preprocessor.fit(table, target, roles.features, max_categories=None,
                               categorical_columns=roles.categorical, rows=train_rows)
        return pre, pre.transform(table, order)

    def _finish_preparing(self, table: Table, target: str, rows: np.ndarray, n_train: int,
                          roles: ColumnRoles, na_values: list[str]) -> None:
        """The untrained network and :attr:`metadata_`, once the encodings are fitted."""
        pre, enc = self.preprocessor_, self.target_encoder_
        self.network_ = self._network(pre, enc)
        record = self._training_record(table, target, rows, n_train, roles)
        self.metadata_ = build_metadata(pre, enc, id_columns=roles.id_columns,
                                        na_values=na_values, training=record)
        self.network_.metadata = self.metadata_  # checkpoints carry the preprocessing too

    def _split(self, table: Table, target: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The rows with a target value, and their training and validation rows."""
        rows = rows_with_target(table, target)
        left = table.n_rows - rows.size
        if left:
            self.notes_.append(f"left out {left} row{'s' if left != 1 else ''} whose target "
                               f"{target!r} is missing")
        if rows.size == 0:
            raise ValueError(f"{table.source}: no row has a value in the target column "
                             f"{target!r}")
        if self.validation_split == 0:
            return rows, rows, rows[:0]
        if rows.size < 2:
            raise ValueError(f"{rows.size} data row cannot be split into training and "
                             "validation rows; add rows or set validation_split to 0 "
                             "(--validation-split 0)")
        train, val = train_validation_split(rows.size, self.validation_split, seed=self.seed)
        return rows, rows[train], rows[val]

    def _network(self, pre: Preprocessor, enc: TargetEncoder) -> Any:
        from ..network import NeuralNetwork

        return NeuralNetwork(
            pre.n_features, *self.hidden, enc.n_outputs, hidden_activation=self.activation,
            output_activation="softmax" if enc.is_classification else "identity",
            seed=self.seed)

    def _training_record(self, table: Table, target: str, rows: np.ndarray, n_train: int,
                         roles: ColumnRoles) -> dict[str, Any]:
        return {
            "data": table.source, "rows": int(rows.size), "training_rows": n_train,
            "validation_rows": int(rows.size - n_train), "target": target,
            "task": self.task or "auto", "validation_split": self.validation_split,
            "seed": self.seed, "hidden": list(self.hidden), "activation": self.activation,
            "optimizer": self.optimizer, "learning_rate": self.fit_learning_rate,
            "batch_size": self.batch_size, "l2": self.l2, "dropout": self.dropout,
            "early_stopping": self.early_stopping, "patience": self.patience,
            "class_weight": self.class_weight if isinstance(self.class_weight, str) else
            None if self.class_weight is None else {str(k): float(v) for k, v in
                                                     dict(self.class_weight).items()},
            "left_out": roles.left_out,
        }

    def train(self, prepared: PreparedData, *, callbacks: Iterable[Callable] = (),
              progress: bool = False, checkpoint_dir: Any = None, resume: bool = False) -> Any:
        """The second half of :meth:`fit`: train the network on ``prepared``; the History.

        ``checkpoint_dir`` and ``resume`` are those of ``NeuralNetwork.fit``. The network
        keeps the best epoch's weights when ``early_stopping``.
        """
        history = self.network_.fit(
            prepared.X_train, prepared.y_train, epochs=self.epochs,
            batch_size=self.batch_size, optimizer=self.optimizer,
            learning_rate=self.fit_learning_rate, l2=self.l2, dropout=self.dropout,
            seed=self.seed,
            validation_data=prepared.validation, callbacks=list(callbacks), progress=progress,
            early_stopping=self.early_stopping, patience=self.patience,
            class_weight=self.class_weight, checkpoint_dir=checkpoint_dir, resume=resume)
        self.history_ = history
        self.metadata_["results"] = {"epochs": history.epochs, "best_epoch": history.best_epoch,
                                     "stopped_early": history.stopped_early}
        return history

    @property
    def fit_learning_rate(self) -> float | None:
        """The learning rate :meth:`train` passes to ``fit``: ``learning_rate``, else 0.01
        for a mini-batch optimizer and None for lbfgs."""
        if self.learning_rate is not None:
            return self.learning_rate
        return None if self.optimizer == "lbfgs" else MINI_BATCH_LEARNING_RATE

    # -- using the model ----------------------------------------------------------------------

    def read(self, data: Any) -> Table:
        """``data`` as a Table, read the way the training data was (``na_values``, text
        columns kept as text)."""
        self._check_fitted()
        if isinstance(data, Table):
            return data
        return read_table(data, **reading_options(self.metadata_))

    def transform(self, data: Any) -> np.ndarray:
        """float32 (n, n_features): the features of ``data``'s rows."""
        table = self.read(data)
        return self.preprocessor_.transform(table)

    def _outputs(self, data: Any) -> np.ndarray:
        with warnings.catch_warnings():
            warnings.simplefilter("always", UnseenCategoryWarning)
            X = self.transform(data)
        return self.network_.eval(X)

    def predict(self, data: Any) -> np.ndarray:
        """Labels (str, shape (n,)) or, for regression, float32 values (n,) in the target's
        units."""
        outputs = self._outputs(data)
        enc = self.target_encoder_
        if enc.is_classification:
            return enc.inverse_transform(outputs.argmax(axis=1))
        return enc.inverse_transform(outputs[:, 0])

    def predict_proba(self, data: Any) -> np.ndarray:
        """float32 (n, n_classes): class probabilities, columns in ``classes_`` order."""
        self._check_fitted()
        if not self.target_encoder_.is_classification:
            raise ValueError("predict_proba: this is a regression model")
        return self._outputs(data)

    @property
    def classes_(self) -> list[str] | None:
        self._check_fitted()
        return self.target_encoder_.classes

    @property
    def id_columns_(self) -> list[str]:
        self._check_fitted()
        return list(self.metadata_.get("id_columns", []))

    def _check_fitted(self) -> None:
        if not hasattr(self, "network_"):
            raise ValueError("this TableModel is not fitted yet: call fit (or load) first")

    # -- files --------------------------------------------------------------------------------

    def save(self, path: str | PathLike[str], *, metadata: dict | None = None) -> None:
        """Write the model file (safetensors; the preprocessing as JSON metadata).

        ``metadata`` entries are added to (and override) :attr:`metadata_`.
        """
        self._check_fitted()
        self.network_.save(path, metadata={**self.metadata_, **(metadata or {})})

    @classmethod
    def load(cls, path: str | PathLike[str]) -> TableModel:
        """A model from a file written by :meth:`save` or ``numpynn train`` (also 0.1's).

        Raises
        ------
        numpynn.ModelFileError
            Not such a model file.
        """
        from ..network import load

        net = load(path)
        pre, enc = encoders_from_metadata(net.metadata, net, path)
        training = net.metadata.get("training", {})
        model = cls(hidden=net.sizes[1:-1], seed=training.get("seed", 42))
        model.network_, model.preprocessor_, model.target_encoder_ = net, pre, enc
        model.metadata_ = dict(net.metadata)
        return model
