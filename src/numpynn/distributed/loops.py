"""The client's training loops for data on a cluster, as numpynn's own
:class:`~numpynn.training.loop.TrainingLoop`: the same callbacks as ``fit``
(EarlyStopping, Checkpoint, ProgressBar, ReduceLROnPlateau, CSVLogger, TerminateOnNaN,
functions) run on the client, once a round (local SGD) or once an iteration (L-BFGS).
Callbacks and the history see one "epoch" per round."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from ..training import History
from ..training.full_batch import FullBatchRun
from ..training.loop import TrainingLoop
from .lbfgs import DistributedObjective
from .local_sgd import LocalSGDRounds
from .validation import Validation

__all__ = ["LocalSGDRun", "DistributedLBFGSRun"]


class LocalSGDRun(TrainingLoop):
    """Rounds of local SGD with callbacks, on the client.

    Parameters
    ----------
    rounds : LocalSGDRounds
    sync_every : int
        Epochs per round.
    base_learning_rate : float
    callbacks : list of Callback or callables

    Attributes
    ----------
    learning_rate : float
        The rate of the round's first epoch (a callback may change it in
        ``on_epoch_begin``; the round's later epochs follow in proportion).
    optimizer, optimizer_state
        The optimizer and the averaged state (``"step"`` and its vectors).
    """

    capabilities = frozenset({"learning_rate", "checkpoints"})

    def __init__(self, rounds: LocalSGDRounds, *, sync_every: int, base_learning_rate: float,
                 callbacks: Iterable[Any]) -> None:
        super().__init__(rounds.network, callbacks)
        self.rounds = rounds
        self.optimizer = rounds.settings.optimizer
        self.solver_name = f"local SGD with optimizer={type(self.optimizer).__name__}"
        self.sync_every = sync_every
        self.base_learning_rate = self.learning_rate = base_learning_rate
        self.schedule = self.optimizer.make_schedule(1)

    @property
    def optimizer_state(self) -> dict[str, Any]:
        return self.rounds.optimizer_state

    def run(self, *, epochs: int, validation: Validation | None = None) -> History:
        """Train for ``epochs`` epochs in ``ceil(epochs / sync_every)`` rounds (fewer when a
        callback stops)."""
        self.total_epochs = epochs
        self.epochs = math.ceil(epochs / self.sync_every)
        self.has_validation = validation is not None
        self.schedule = self.optimizer.make_schedule(epochs)
        self.check_callbacks()
        self._begin()
        logs: dict[str, Any] = {}
        # The skeleton of Trainer.run's epoch loop, deliberately written again: an epoch
        # here is a round on the cluster (trainer.py is the mini-batch engine's own).
        try:
            for r in range(self.initial_epoch, self.epochs):
                logs = self._round(r, validation)
                if self._epoch_end(r, logs):
                    break
            self._end(logs)
        finally:
            self._close()
        return self.history

    def _round(self, r: int, validation: Validation | None) -> dict[str, Any]:
        first = r * self.sync_every
        count = min(self.sync_every, self.total_epochs - first)
        monitored = self._monitored()
        scheduled = [self.schedule.rate(first + i, self.base_learning_rate,
                                        monitored if i == 0 else None) for i in range(count)]
        self.learning_rate = scheduled[0]
        self._epoch_begin(r)
        factor = self.learning_rate / scheduled[0] if scheduled[0] else 1.0
        rates = [self.learning_rate] + [rate * factor for rate in scheduled[1:]]
        logs = {"epoch": r, **self.rounds.run_round(rates), "val_loss": None,
                "val_accuracy": None, "learning_rate": self.learning_rate,
                "epochs_done": first + count}
        if validation is not None:
            logs.update(validation.logs())
        return logs

    # ------------------------------------------------------------------ checkpoints
    def checkpoint_state(self, epoch: int) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """``(training_state, arrays)`` after round ``epoch``, for :class:`Checkpoint`."""
        state = dict(self.rounds.optimizer_state)
        step = int(state.pop("step", 0))
        arrays = {f"optimizer.{k}": v for k, v in state.items()}
        callbacks = self._callback_states(arrays)
        trainer = {"strategy": "local_sgd", "shards": len(self.rounds.shard_rows),
                   "sync_every": self.sync_every, "rng_states": self.rounds.rng_states,
                   "start_work": self.rounds.start_work, "shard_work": self.rounds.shard_work}
        return {"epoch": int(epoch), "history": self.history.as_dict(), "trainer": trainer,
                "optimizer": {"step": step, "schedule": self.schedule.state()},
                "callbacks": callbacks}, arrays

    def load_checkpoint_state(self, training_state: Mapping[str, Any],
                              arrays: Mapping[str, np.ndarray],
                              theta: np.ndarray | None = None) -> None:
        """Continue after :meth:`checkpoint_state`'s round: every check first."""
        trainer = training_state.get("trainer")
        if not isinstance(trainer, Mapping) or trainer.get("strategy") != "local_sgd":
            raise ValueError("the checkpoint was not written by numpynn.distributed.fit("
                             "strategy='local_sgd'); start a new run")
        for key, now in (("shards", len(self.rounds.shard_rows)),
                         ("sync_every", self.sync_every)):
            if trainer.get(key) != now:
                raise ValueError(f"the checkpoint was written with {key}={trainer.get(key)}, "
                                 f"this run has {key}={now}: resume with the same setting")
        start, work = _work_counts(trainer, self.rounds)
        optimizer = {k[len("optimizer."):]: v for k, v in arrays.items()
                     if k.startswith("optimizer.")}
        for name, cb in self._named_callbacks():
            state = dict(training_state.get("callbacks", {}).get(name, {}))
            state.update({k[len(name) + 1:]: v for k, v in arrays.items()
                          if k.startswith(name + ".")})
            if state:
                cb.load_state(state)
        if theta is not None:
            self.network.set_weights(theta)
        self.rounds.optimizer_state = {"step": int(training_state["optimizer"]["step"]),
                                       **optimizer}
        self.rounds.rng_states = list(trainer["rng_states"])
        self.rounds.start_work, self.rounds.shard_work = start, work
        self.rounds.count_network_work()
        self.schedule.load_state(training_state["optimizer"].get("schedule", {}))
        restored = History.from_dict(training_state["history"])
        for name in ("loss", "val_loss", "accuracy", "val_accuracy", "learning_rate"):
            getattr(self.history, name)[:] = getattr(restored, name)
        self.history.best_epoch = restored.best_epoch
        self.initial_epoch = int(training_state["epoch"]) + 1


class DistributedLBFGSRun(FullBatchRun):
    """Exact full-batch L-BFGS over data on a cluster, with callbacks once an iteration:
    ``fit(optimizer="lbfgs")``'s loop (the same bridge, restarts, budgets and divergence
    check) with the :class:`DistributedObjective`; each iteration logs the objective as
    its loss.

    Like ``fit(optimizer="lbfgs")`` it has no learning rate and no resumable state, so
    callbacks that need those (ReduceLROnPlateau, Checkpoint) are refused.

    Parameters
    ----------
    objective : DistributedObjective
    solver : LBFGS
    callbacks : list of Callback or callables
    """

    solver_name = "optimizer='lbfgs' (full batch, on the cluster)"

    def __init__(self, objective: DistributedObjective, solver: Any,
                 callbacks: Iterable[Any]) -> None:
        super().__init__(objective.network, solver, callbacks=callbacks, objective=objective)

    def run(self, *, epochs: int, validation: Validation | None = None) -> History:
        """Run for at most ``solver.max_iter`` (else ``epochs``) iterations, with the
        validation figures once an iteration."""
        return super().run(None, epochs=epochs,
                           validation=None if validation is None else validation.logs)


def _work_counts(trainer: Mapping[str, Any], rounds: Any) -> tuple[int, list[int]]:
    """The checkpoint's ``start_work`` and ``shard_work`` (kernel switch counts), checked;
    checkpoints written before they were kept lack them, and the counts go on from this
    run's."""
    start = trainer.get("start_work", rounds.start_work)
    work = trainer.get("shard_work", rounds.shard_work)

    def count(w: Any) -> bool:
        return isinstance(w, int) and not isinstance(w, bool) and w >= 0

    if not count(start) or not isinstance(work, list) or len(work) != len(
            rounds.shard_rows) or not all(count(w) for w in work):
        raise ValueError("the checkpoint's start_work and shard_work must be a non-negative "
                         f"integer and {len(rounds.shard_rows)} of them, got {start!r} and "
                         f"{work!r}")
    return start, list(work)
