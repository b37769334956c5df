"""The callback protocol of the training loop (Keras style).

The loop (:class:`~numpynn.training.Trainer`, or the L-BFGS run of ``fit``) knows no
callback by name: it calls the hooks of each, in order, and every behaviour beyond the
gradient steps -- early stopping, checkpoints, progress, learning-rate reduction, logs,
the divergence guard -- is a callback that keeps its own state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["Callback", "FunctionCallback", "as_callbacks", "CAPABILITIES"]

#: What a training loop may offer callbacks, and what each means (for error messages).
CAPABILITIES = {
    "learning_rate": "a learning rate to change",
    "checkpoints": "a training state that a checkpoint can save and restore",
}


class Callback:
    """Base class of training callbacks: override the hooks you need.

    The hooks, in the order the loop calls them:

    - ``on_train_begin(trainer)``: before the first epoch.  ``trainer`` is the loop: it has
      ``network``, ``history`` (:class:`~numpynn.training.History`), ``epochs`` (the last
      epoch is ``epochs - 1``), ``initial_epoch``, ``has_validation`` and, for the
      mini-batch :class:`~numpynn.training.Trainer`, ``learning_rate``, ``optimizer`` and
      ``optimizer_state``.  The base class keeps it as ``self.trainer``.
    - ``on_epoch_begin(epoch)``: before the epoch's first batch (the learning rate of the
      epoch is set; a callback may change ``trainer.learning_rate`` here).
    - ``on_batch_end(batch, loss)``: after each batch's forward and backward pass, before
      its step; ``loss`` is the batch's summed (not averaged) loss.  Only callbacks that
      override it are called, so the others cost nothing per batch.
    - ``on_epoch_end(epoch, logs) -> bool | None``: ``logs`` holds ``epoch``, ``loss``,
      ``accuracy``, ``val_loss``, ``val_accuracy`` (None where they do not apply) and
      ``learning_rate``.  Returning True, or calling :meth:`stop`, ends training after
      this epoch (every callback still sees it).
    - ``on_train_end(logs)``: after the last epoch, with its logs ({} if none ran).
    - ``close()``: always, even when training fails: release files, bars.

    Checkpoints: :meth:`state` returns what the callback needs to carry on after a resume
    (JSON values, and float32 NumPy arrays, which go into the checkpoint's tensors);
    :meth:`check_state` checks a state read back and :meth:`load_state` takes it, after
    ``on_train_begin``.

    Attributes
    ----------
    order : int
        Callbacks run by increasing ``order`` (the given order among equals): 0 for most,
        -100 for the divergence guard (first), 100 for :class:`Checkpoint` (last, so that
        it saves the state every other callback has after the epoch).
    requires : frozenset of str
        What the loop must offer (see ``CAPABILITIES``); ``fit`` raises a ValueError
        naming the callback and the solver when it does not.
    state_name : str
        Key of this callback's state in checkpoints.
    """

    order: int = 0
    requires: frozenset[str] = frozenset()
    state_name: str = ""
    stop_training: bool = False
    trainer: Any = None

    def on_train_begin(self, trainer: Any) -> None:
        self.trainer = trainer

    def on_epoch_begin(self, epoch: int) -> None:
        return None

    def on_batch_end(self, batch: int, loss: float) -> None:
        return None

    def on_epoch_end(self, epoch: int, logs: Mapping[str, Any]) -> bool | None:
        return None

    def on_train_end(self, logs: Mapping[str, Any]) -> None:
        return None

    def close(self) -> None:
        return None

    def stop(self) -> None:
        """End training after the current epoch."""
        self.stop_training = True

    def state(self) -> dict[str, Any]:
        """What a checkpoint keeps of this callback: JSON values and float32 arrays."""
        return {}

    def check_state(self, state: Mapping[str, Any]) -> None:
        """ValueError unless :meth:`load_state` can take ``state``; changes nothing.

        A resume calls it for every callback before it loads any state, so that a
        damaged checkpoint leaves the network and every callback as they were.
        """
        return None

    def load_state(self, state: Mapping[str, Any]) -> None:
        """Take back what :meth:`state` returned (read from a checkpoint, and accepted by
        :meth:`check_state`)."""
        return None

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items()
                           if not k.startswith("_") and k not in ("trainer", "stop_training"))
        return f"{type(self).__name__}({fields})"


class FunctionCallback(Callback):
    """A plain function as a callback: ``function(logs)`` after every epoch, with a copy
    of the logs dict; returning True stops training.

    Parameters
    ----------
    function : callable
    """

    def __init__(self, function: Callable[[dict[str, Any]], Any]) -> None:
        self.function = function

    def on_epoch_end(self, epoch, logs):
        return self.function(dict(logs)) is True


def as_callbacks(callbacks: Iterable[Any] | None) -> list[Callback]:
    """Callback objects from a mix of :class:`Callback` objects and plain callables."""
    if callbacks is None:
        return []
    if isinstance(callbacks, (Callback, str)) or callable(callbacks):
        raise TypeError(f"callbacks must be a list of callbacks, got {callbacks!r}")
    result = []
    for item in callbacks:
        if isinstance(item, Callback):
            result.append(item)
        elif callable(item):
            result.append(FunctionCallback(item))
        else:
            raise TypeError(f"callbacks must be Callback objects or callables, got {item!r}")
    return result
