"""What the two training loops share: the callbacks, the history and the validation
figures of each epoch.

:class:`~numpynn.training.Trainer` (mini-batch steps) and the L-BFGS run of ``fit``
(:class:`~numpynn.training.full_batch.FullBatchRun`) are both a :class:`TrainingLoop`:
callbacks see the same object and the same logs from either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from .callbacks.base import CAPABILITIES, Callback, as_callbacks
from .data import TrainingData
from .history import History
from .metrics import evaluate_loss
from .penalty import L2Penalty

__all__ = ["TrainingLoop", "Validation", "check_callbacks_for"]

#: Validation data, or a function returning the validation entries of the logs.
Validation = TrainingData | Callable[[], Mapping[str, Any]] | None



def check_callbacks_for(loop: type, callbacks: Iterable[Any]) -> None:
    """ValueError naming the first of ``callbacks`` that needs what the training loop class
    ``loop`` lacks (its ``capabilities``), before a loop is even built."""
    for cb in as_callbacks(callbacks):
        missing = sorted(cb.requires - loop.capabilities)
        if missing:
            needs = ", ".join(CAPABILITIES.get(m, m) for m in missing)
            raise ValueError(f"{type(cb).__name__} cannot be used with "
                             f"{loop.solver_name}: it needs {needs}, and "
                             f"{loop.solver_description} has none")

class TrainingLoop:
    """The callback dispatch and per-epoch bookkeeping of a training run.

    Attributes
    ----------
    network : NeuralNetwork
    callbacks : list of Callback
        Sorted by ``order`` (stable).
    history : History
    epochs, initial_epoch : int
        The run covers epochs ``initial_epoch .. epochs - 1``.
    has_validation : bool
    capabilities : frozenset of str
        What this loop offers callbacks (see ``Callback.requires``).
    validation_label_smoothing : float
        ``val_loss`` against labels smoothed by this much (a label-smoothed training's
        own loss, as Keras measures it); 0 for the plain loss.
    """

    capabilities: frozenset[str] = frozenset()
    validation_label_smoothing: float = 0.0
    solver_name = "this training loop"
    solver_description = "it"

    def __init__(self, network: Any, callbacks: Iterable[Any]) -> None:
        self.network = network
        self.callbacks: list[Callback] = sorted(as_callbacks(callbacks),
                                                key=lambda cb: cb.order)
        self.history = History()
        self.epochs = 0
        self.initial_epoch = 0
        self.has_validation = False
        self._batch_hooks: list[Callable[[int, float], None]] = []

    def check_callbacks(self) -> None:
        """ValueError naming the first callback that needs what this loop lacks."""
        check_callbacks_for(type(self), self.callbacks)

    # -- the hooks, in the order a run calls them
    def _begin(self) -> None:
        self.history = History()
        for cb in self.callbacks:
            cb.stop_training = False
            cb.on_train_begin(self)
        self._batch_hooks = [cb.on_batch_end for cb in self.callbacks
                             if type(cb).on_batch_end is not Callback.on_batch_end]

    def _epoch_begin(self, epoch: int) -> None:
        for cb in self.callbacks:
            cb.on_epoch_begin(epoch)

    def _epoch_end(self, epoch: int, logs: dict[str, Any]) -> bool:
        """Record the epoch and call every callback; True when one of them stops."""
        self.history.record(logs)
        stop = False
        for cb in self.callbacks:
            if cb.on_epoch_end(epoch, logs) is True or cb.stop_training:
                stop = True
        return stop

    def _end(self, logs: Mapping[str, Any]) -> None:
        for cb in self.callbacks:
            cb.on_train_end(logs)

    def _close(self) -> None:
        for cb in self.callbacks:
            cb.close()

    def _validation_logs(self, validation: Validation, penalty: L2Penalty | None
                         ) -> dict[str, Any]:
        """``val_loss`` (with the penalty) and ``val_accuracy``, or what the function says."""
        if validation is None:
            return {}
        if callable(validation):
            return dict(validation())
        # Weights that overflowed are the divergence guard's to report, not NumPy's.
        with np.errstate(over="ignore", invalid="ignore"):
            val_loss, val_accuracy = evaluate_loss(self.network, validation, penalty,
                                                   self.validation_label_smoothing)
        return {"val_loss": val_loss, "val_accuracy": val_accuracy}

    def _named_callbacks(self) -> list[tuple[str, Any]]:
        """Callbacks with a state name, made unique in list order (early_stopping,
        early_stopping_2, ...)."""
        named, seen = [], {}
        for cb in self.callbacks:
            if cb.state_name:
                seen[cb.state_name] = seen.get(cb.state_name, 0) + 1
                count = seen[cb.state_name]
                named.append((cb.state_name if count == 1 else f"{cb.state_name}_{count}", cb))
        return named

    def _callback_states(self, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
        """Every named callback's state for a checkpoint: JSON values by callback name;
        array values go into ``arrays`` as ``"<name>.<key>"``."""
        callbacks: dict[str, Any] = {}
        for name, cb in self._named_callbacks():
            values = {}
            for key, value in cb.state().items():
                if isinstance(value, np.ndarray):
                    arrays[f"{name}.{key}"] = value
                else:
                    values[key] = value
            callbacks[name] = values
        return callbacks

    def _monitored(self) -> float | None:
        """The loss a schedule watches: the last validation loss, else training loss."""
        history = self.history
        if self.has_validation and history.val_loss:
            return history.val_loss[-1]
        return history.loss[-1] if history.loss else None
