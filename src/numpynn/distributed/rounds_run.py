"""The client's side of local SGD: one round at a time, and once a round what ``fit`` does
once an epoch -- the learning rate's schedule, validation, early stopping, checkpoints,
progress and the callbacks.  Callbacks and the history see one "epoch" per round."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..training import History
from ..training.progress import EpochProgress
from .local_sgd import LocalSGDRounds
from .validation import Validation

__all__ = ["RoundsRun"]


class RoundsRun:
    """Rounds of :class:`LocalSGDRounds` with the per-round behaviours.

    Parameters
    ----------
    rounds : LocalSGDRounds
    epochs, sync_every : int
        ``ceil(epochs / sync_every)`` rounds; the last may have fewer epochs.
    base_rate : float
    schedule : Schedule
        Asked for every epoch's rate; the loss it sees is the last round's.
    validation : Validation, optional
    callbacks : list of callables
        ``callback(logs)`` after every round; True stops.
    early_stopping : bool
    patience : int
        Rounds without a lower monitored loss before stopping.
    checkpoint_dir : path, optional
    resume : bool
    progress : bool
    """

    def __init__(self, rounds: LocalSGDRounds, *, epochs: int, sync_every: int,
                 base_rate: float, schedule: Any, validation: Validation | None,
                 callbacks: list[Any], early_stopping: bool, patience: int,
                 checkpoint_dir: Any, resume: bool, progress: bool) -> None:
        self.rounds = rounds
        self.network = rounds.network
        self.epochs, self.sync_every = epochs, sync_every
        self.num_rounds = math.ceil(epochs / sync_every)
        self.base_rate, self.schedule = base_rate, schedule
        self.validation, self.callbacks = validation, callbacks
        self.early_stopping, self.patience = early_stopping, patience
        self.checkpoint_dir, self.resume, self.progress = checkpoint_dir, resume, progress
        self.history = History()
        self.best_loss = math.inf
        self.best_theta = self.network.theta.copy()
        self.bad_rounds = 0
        self.start_round = 0

    def _rates(self, first_epoch: int, count: int) -> list[float]:
        monitored = self._monitored()
        return [float(self.schedule.rate(first_epoch + i, self.base_rate,
                                         monitored if i == 0 else None))
                for i in range(count)]

    def _monitored(self) -> float | None:
        h = self.history
        if self.validation is not None and h.val_loss:
            return h.val_loss[-1]
        return h.loss[-1] if h.loss else None

    def _record(self, round_index: int, logs: dict[str, Any]) -> bool:
        """History, early stopping and callbacks after a round; True to stop."""
        h = self.history
        h.loss.append(logs["loss"])
        h.learning_rate.append(logs["learning_rate"])
        for name in ("accuracy", "val_loss", "val_accuracy"):
            if logs.get(name) is not None:
                getattr(h, name).append(logs[name])
        monitored = self._monitored()
        if monitored < self.best_loss:
            self.best_loss, self.bad_rounds = monitored, 0
            h.best_epoch = round_index
            self.best_theta[:] = self.network.theta
        else:
            self.bad_rounds += 1
        if self.checkpoint_dir is not None:
            from .checkpoints import write_round_checkpoint

            write_round_checkpoint(self, round_index)
        stop = any([cb(dict(logs)) is True for cb in self.callbacks])
        if self.early_stopping and self.bad_rounds >= max(1, self.patience):
            h.stopped_early = stop = True
        return stop

    def run(self) -> History:
        """Train; the network keeps the last round's weights (the best round's with early
        stopping)."""
        if self.resume:
            from .checkpoints import resume_from_checkpoint

            resume_from_checkpoint(self)
        bar = EpochProgress(self.num_rounds, min(self.start_round, self.num_rounds),
                            enabled=self.progress)
        try:
            for r in range(self.start_round, self.num_rounds):
                first = r * self.sync_every
                rates = self._rates(first, min(self.sync_every, self.epochs - first))
                logs = {"epoch": r, **self.rounds.run_round(rates), "val_loss": None,
                        "val_accuracy": None, "learning_rate": rates[-1],
                        "epochs_done": first + len(rates)}
                if self.validation is not None:
                    logs.update(self.validation.logs())
                bar(logs)
                if self._record(r, logs):
                    break
        finally:
            bar.close()
        if self.early_stopping and self.history.best_epoch is not None:
            self.network.theta[:] = self.best_theta
        return self.history

    def state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """What a checkpoint keeps besides the weights: JSON values and float32 arrays."""
        step = int(self.rounds.optimizer_state.get("step", 0))
        arrays = {f"optimizer.{k}": v for k, v in self.rounds.optimizer_state.items()
                  if isinstance(v, np.ndarray)}
        arrays["best_theta"] = self.best_theta
        scalars = {"strategy": "local_sgd", "shards": len(self.rounds.shard_rows),
                   "sync_every": self.sync_every, "optimizer_step": step,
                   "rng_states": self.rounds.rng_states, "history": self.history.as_dict(),
                   "schedule": self.schedule.state(),
                   "best_loss": self.best_loss if math.isfinite(self.best_loss) else None,
                   "bad_rounds": self.bad_rounds}
        return scalars, arrays
