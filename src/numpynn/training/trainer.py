"""The training engine: epochs of mini-batch gradient steps on the flat vector ``theta``.

One :class:`Trainer` serves ``NeuralNetwork.fit`` and the scikit-learn estimators alike;
what differs between them is passed in, not written again: the batch order, how the L2
penalty scales, what loss an epoch reports, and the callbacks.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.backprop import Workspace
from ..core.checks import as_generator, cast_checked, check_finite, check_int, check_number
from ..core.kernels import switch
from ..core.kernels.threads import single_threaded_blas
from .callbacks import TerminateOnNaN
from .data import CLASSIFYING_OUTPUTS, TrainingData, take_rows
from .epoch_parts import MeanLoss, ShuffledOrder
from .fused_run import FusedEpoch
from .history import History
from .lbfgs import LBFGS
from .loop import TrainingLoop, Validation
from .metrics import evaluate_loss
from .optimizers import Optimizer, get_optimizer
from .penalty import L2Penalty, make_l2_penalty
from .resume import check_resume_state

if TYPE_CHECKING:  # pragma: no cover
    from ..network import NeuralNetwork

__all__ = ["Trainer", "resolve_learning_rate"]

DEFAULT_LEARNING_RATE = 0.001


def resolve_learning_rate(optimizer: Optimizer, learning_rate: float | None) -> float:
    """The base rate: given here or set on the optimizer (not both), else 0.001."""
    if learning_rate is None:
        return optimizer.learning_rate or DEFAULT_LEARNING_RATE
    rate = check_number("learning_rate", learning_rate, 0.0, low_inclusive=False)
    if optimizer.learning_rate is not None and optimizer.learning_rate != rate:
        raise ValueError(f"learning_rate={learning_rate!r} and {type(optimizer).__name__}("
                         f"learning_rate={optimizer.learning_rate!r}) give two learning "
                         "rates: set it in one place")
    return rate


class Trainer(TrainingLoop):
    """Mini-batch training of one network with one optimizer state.

    The workspace (activations, deltas, gradient, batch buffers) is allocated once and
    reused for every batch; the parameters are updated in place in ``network.theta``.

    Parameters
    ----------
    network : NeuralNetwork
    optimizer : {"adam", "adamw", "sgd"} or Optimizer, default "adam"
        Its learning rate, schedule and gradient clipping apply.
    learning_rate : float > 0, optional
        The base rate, when the optimizer does not set one (default 0.001).
    batch_size : int >= 1, default 32
    l2 : float >= 0, default 0.0
        Adds ``l2 * w`` to the gradient of every weight (biases excluded).
    dropout : float in [0, 1), default 0.0
        Inverted dropout on every hidden layer, during training only.
    shuffle : bool, default True
    seed : int or numpy.random.Generator, optional
        Drives shuffling and dropout; the same seed gives bit-identical training.
    callbacks : list of Callback or callables, optional
        Default: the divergence guard (:class:`TerminateOnNaN`) alone.
    penalty : L2Penalty, optional
        Instead of ``l2``: an L2 penalty that scales otherwise (scikit-learn's).
    batch_order : callable, optional
        ``batch_order(n) -> rows`` each shuffled epoch; default a fresh permutation from
        the seed's generator.
    loss_report : MeanLoss, optional
        What loss (and accuracy) an epoch reports; default :class:`MeanLoss`.
    optimizer_state : dict, optional
        Continue from this state of ``optimizer`` (updated in place).

    Attributes
    ----------
    learning_rate : float
        The rate of the current epoch.
    optimizer_state : dict
    grad : ndarray, shape (num_weights,), the network's dtype
    epochs_done : int
        Epochs trained (restored on resume): the number of the next epoch, whose kernel
        path is weighed by the work of the epochs up to its end (core/kernels/switch.py).
    """

    capabilities = frozenset({"learning_rate", "checkpoints"})
    solver_name = "this optimizer"

    def __init__(self, network: NeuralNetwork, optimizer: Any = "adam", *,
                 learning_rate: float | None = None, batch_size: int = 32, l2: float = 0.0,
                 dropout: float = 0.0, shuffle: bool = True,
                 seed: int | np.random.Generator | None = None,
                 callbacks: Iterable[Any] | None = None, penalty: L2Penalty | None = None,
                 batch_order: Any = None, loss_report: MeanLoss | None = None,
                 optimizer_state: dict[str, Any] | None = None) -> None:
        super().__init__(network, [TerminateOnNaN()] if callbacks is None else callbacks)
        self.optimizer = get_optimizer(optimizer)
        if isinstance(self.optimizer, LBFGS):
            raise ValueError("lbfgs is a full-batch method: use fit(..., optimizer='lbfgs')")
        self.base_learning_rate = resolve_learning_rate(self.optimizer, learning_rate)
        self.learning_rate = self.base_learning_rate
        self.batch_size = check_int("batch_size", batch_size, 1)
        self.dropout = check_number("dropout", dropout, 0.0, 1.0, high_inclusive=False)
        if penalty is not None and l2:
            raise ValueError("give l2 or penalty, not both")
        self.penalty = penalty if penalty is not None else make_l2_penalty(l2, network)
        self.l2 = 0.0 if self.penalty is None else self.penalty.strength
        self.shuffle = bool(shuffle)
        self.rng = as_generator(seed)
        self.batch_order = ShuffledOrder(self.rng) if batch_order is None else batch_order
        self.loss_report = MeanLoss() if loss_report is None else loss_report
        self.optimizer_state = optimizer_state if optimizer_state is not None else \
            self.optimizer.init(network.theta, weight_mask=network.weight_mask())
        self.schedule = self.optimizer.make_schedule(1)
        self.grad = np.zeros(network.num_weights, dtype=network.theta.dtype)
        self._workspace: Workspace | None = None
        self._fused: FusedEpoch | None | bool = False  # False: not decided yet
        self._fused_blas = False  # the last epoch's products ran on SciPy's BLAS
        self._started = False
        self.epochs_done = 0
        # Training work this network did in earlier runs (of this process, or before the
        # checkpoint a run resumes from): the kernel switch counts it, so that a loop of
        # short fits (partial_fit, fit(epochs=1)) reaches the compiled path as one long
        # run does.  It travels in checkpoints, never in model files.
        self.prior_work = int(getattr(network, "training_work", 0))

    # ------------------------------------------------------------------ the run
    def run(self, data: TrainingData, *, epochs: int, validation: Validation = None
            ) -> History:
        """Train for ``epochs`` epochs (fewer when a callback stops), with every hook.

        Parameters
        ----------
        data : TrainingData
        epochs : int >= 1
            The last epoch is ``epochs - 1`` (a resumed run starts later).
        validation : TrainingData or callable, optional
            Validation data (``val_loss``, ``val_accuracy`` in the logs), or a function
            returning the validation entries of the logs.

        Returns
        -------
        History
        """
        self._check_data(data)
        self.epochs = check_int("epochs", epochs, 1)
        self.has_validation = validation is not None
        self.schedule = self.optimizer.make_schedule(self.epochs)
        self.check_callbacks()
        self._begin()
        logs: dict[str, Any] = {}
        try:
            for epoch in range(self.initial_epoch, self.epochs):
                self.learning_rate = self.schedule.rate(epoch, self.base_learning_rate,
                                                        self._monitored())
                loss, accuracy = self.train_epoch(data)
                logs = {"epoch": epoch, "loss": loss, "accuracy": accuracy, "val_loss": None,
                        "val_accuracy": None, "learning_rate": self.learning_rate}
                # Woken NumPy BLAS threads would spin on the cores the next fused epoch's
                # SciPy BLAS needs (docs/guide/speed.md, "Threads").
                with single_threaded_blas() if self._fused_blas else contextlib.nullcontext():
                    logs.update(self._validation_logs(validation, self.penalty))
                if self._epoch_end(epoch, logs):
                    break
            self._end(logs)
        finally:
            self._close()
        return self.history

    def _begin(self) -> None:
        super()._begin()
        self._started = True

    @staticmethod
    def _check_data(data: Any) -> None:
        if not isinstance(data, TrainingData):
            raise TypeError("the Trainer takes the TrainingData of "
                            "numpynn.training.check_training_data(network, X, y), "
                            f"got {type(data).__name__}")

    # ------------------------------------------------------------------ one epoch
    def _workspace_for(self, rows: int) -> Workspace:
        ws = self._workspace
        if ws is None or ws.rows < rows:
            ws = Workspace(self.network, rows, self.dropout, self.rng)
            self._workspace = ws
            self._X_batch = None  # made for dense X only (sparse batches are CSR rows)
        return ws

    def _batch(self, data: TrainingData, order: np.ndarray | None, start: int, stop: int
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Rows ``start:stop`` of the epoch's order: X (a CSR batch when X is sparse),
        targets and sample weights."""
        sw = data.sample_weight
        if order is None:
            return (data.X[start:stop], data.target[start:stop],
                    None if sw is None else sw[start:stop])
        rows = order[start:stop]
        if not isinstance(data.X, np.ndarray):
            return data.X[rows], data.target[rows], None if sw is None else sw[rows]
        if self._X_batch is None:
            self._X_batch = np.empty((self._workspace.rows, data.X.shape[1]), data.X.dtype)
        Xb = take_rows(data.X, rows, out=self._X_batch[: stop - start])
        return Xb, data.target[rows], None if sw is None else sw[rows]

    def _epoch_order(self, data: TrainingData) -> np.ndarray | None:
        """Absolute row numbers in batch order (None: all rows, in order, sliced directly)."""
        order = self.batch_order(data.n) if self.shuffle else None
        if data.rows is not None:
            order = data.rows if order is None else data.rows[order]
        return order

    def train_epoch(self, data: TrainingData) -> tuple[float, float | None]:
        """One pass over the data in mini-batches, updating the network in place.

        Runs the callbacks' ``on_epoch_begin`` and ``on_batch_end`` hooks (the epoch-end
        hooks are :meth:`run`'s).

        Returns
        -------
        loss : float
            As ``loss_report`` defines it (by default the weighted mean training loss
            over the epoch's batches, plus the L2 term).
        accuracy : float or None
            Fraction right over the epoch's batches (before each batch's update); None
            for regression outputs, or when the report does not track it.

        Raises
        ------
        TrainingDivergedError
            With the divergence guard: the loss became NaN or inf; the weights are those
            from the epoch's start.
        """
        self._check_data(data)
        if not self._started:  # used on its own, without run()
            self._begin()
        net, n, report = self.network, data.n, self.loss_report
        self._epoch_begin(self.epochs_done)
        order = self._epoch_order(data)
        multilabel = net.output_activation == "logistic" and net.sizes[-1] > 1
        count = report.tracks_accuracy and net.output_activation in CLASSIFYING_OUTPUTS \
            and not multilabel
        report.begin_epoch()
        # Overflow is the divergence guard's to report, with a clear error.
        with np.errstate(over="ignore", invalid="ignore"):
            fused_kernel = self._fused_kernel(data)
            self._fused_blas = fused_kernel is not None and fused_kernel[1]
            if fused_kernel is not None:
                correct = self._fused.run(fused_kernel, data, order, count)
            else:
                correct = self._batches(data, order, count)
        self.epochs_done += 1
        net.training_work = self._kernel_work(data, self.epochs_done)
        loss = report.epoch_loss(n, self.penalty, net.theta)
        accuracy = None
        if report.tracks_accuracy and net.output_activation in CLASSIFYING_OUTPUTS:
            accuracy = evaluate_loss(net, data)[1] if multilabel else correct / n
        return loss, accuracy

    def _batches(self, data: TrainingData, order: np.ndarray | None, count: bool) -> int:
        """The general path: the epoch's batches one by one (NumPy, BLAS and the Numba
        kernels of core/kernels/numba_kernels.py); returns the rows classified right."""
        n, report = data.n, self.loss_report
        batch = min(self.batch_size, n)
        ws = self._workspace_for(batch)
        if isinstance(ws, Workspace):  # a table network's workspace has NumPy alone
            ws.choose_kernels(self._kernel_work(data))
        theta, grad, penalty = self.network.theta, self.grad, self.penalty
        correct = 0
        for index, start in enumerate(range(0, n, batch)):
            stop = min(n, start + batch)
            Xb, tb, swb = self._batch(data, order, start, stop)
            batch_weight = float(stop - start) if swb is None else \
                float(swb.sum(dtype=np.float64))
            if batch_weight <= 0:
                continue
            loss_sum = ws.forward_backward(Xb, tb, swb, 1.0 / batch_weight, grad,
                                           count_correct=count)
            for hook in self._batch_hooks:
                hook(index, loss_sum)
            term = 0.0 if penalty is None else penalty.add(
                theta, grad, batch_weight, with_loss=report.penalty_per_batch)
            report.add_batch(loss_sum, batch_weight, stop - start, term)
            if count:
                correct += ws.last_correct
            self.optimizer.step(theta, grad, self.optimizer_state, self.learning_rate)
        return correct

    def _kernel_work(self, data: TrainingData, epochs: int | None = None) -> int:
        """The training work the kernel switch weighs for the coming epoch over ``data``:
        the network's earlier runs' (``prior_work``) and this run's, by that epoch's end
        (core/kernels/switch.py).  It depends on the epoch's number (``epochs_done``) and
        ``prior_work``, both in the checkpoint, never on the epochs asked for, so a
        resumed run takes each epoch's path as the uninterrupted run does."""
        epochs = self.epochs_done + 1 if epochs is None else epochs
        return self.prior_work + switch.training_work(
            self.network.num_weights, data.n, min(self.batch_size, data.n), epochs)

    # -- the fused epoch of small networks: training/fused_run.py, core/kernels/fused.py --
    def _fused_kernel(self, data: TrainingData) -> Any:
        """The compiled whole-epoch kernel when this trainer's epoch over ``data`` can run
        on it (dense float32 data, a network small enough, numpynn's optimizers and
        penalties, no per-batch callbacks but the divergence guard, Numba allowed by the
        kernel switch), else None: the general path."""
        if self._fused is False:
            self._fused = FusedEpoch.for_trainer(self)
        if self._fused is None:
            return None
        return self._fused.kernel(data, self._kernel_work(data))

    # ------------------------------------------------------------------ checkpoints
    def checkpoint_state(self, epoch: int) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """``(training_state, arrays)`` after ``epoch``, for
        :func:`numpynn.io.write_checkpoint`: JSON values, and arrays of the network's dtype
        under dotted names (``optimizer.m``, ``early_stopping.best_theta``)."""
        step, optimizer_arrays = self.optimizer.checkpoint_state(self.optimizer_state)
        arrays = {f"optimizer.{k}": v for k, v in optimizer_arrays.items()}
        callbacks = self._callback_states(arrays)
        training_state = {
            "epoch": int(epoch),
            "history": self.history.as_dict(),
            "trainer": {"rng": self.rng.bit_generator.state, "epochs_done": self.epochs_done,
                        "prior_work": self.prior_work},
            "optimizer": {"step": step, "schedule": self.schedule.state()},
            "callbacks": callbacks,
        }
        return training_state, arrays

    def load_checkpoint_state(self, training_state: Mapping[str, Any],
                              arrays: Mapping[str, np.ndarray],
                              theta: np.ndarray | None = None) -> None:
        """Continue from :meth:`checkpoint_state`'s output (after ``on_train_begin``):
        ``theta`` (the checkpoint's weights), the optimizer, the generator, the history,
        every callback's state; the run then starts after the checkpoint's epoch.

        Every field is checked first (:func:`numpynn.training.resume.check_resume_state`,
        then against this run: its network, optimizer, schedule, generator and
        callbacks); on any problem a ValueError names it and nothing has changed.
        """
        restore = self._checked_restore(training_state, arrays, theta)
        for cb, state in restore["callbacks"]:  # a user's load_state may raise: first
            cb.load_state(state)
        self.optimizer.load_checkpoint_state(self.optimizer_state, restore["step"],
                                             restore["optimizer_arrays"])
        self.schedule.load_state(restore["schedule"])
        self.rng.bit_generator.state = training_state["trainer"]["rng"]
        self.epochs_done = int(training_state["trainer"]["epochs_done"])
        # checkpoints written before the count was kept: the run began on a fresh network
        self.prior_work = int(training_state["trainer"].get("prior_work", 0))
        restored = History.from_dict(training_state["history"])
        for name in ("loss", "val_loss", "accuracy", "val_accuracy", "learning_rate"):
            getattr(self.history, name)[:] = getattr(restored, name)
        self.history.best_epoch = restored.best_epoch
        if restore["theta"] is not None:
            self.network.theta[:] = restore["theta"]  # last: checked like everything else
        self.initial_epoch = int(training_state["epoch"]) + 1

    def _checked_restore(self, training_state: Mapping[str, Any],
                         arrays: Mapping[str, np.ndarray], theta: np.ndarray | None
                         ) -> dict[str, Any]:
        """Everything :meth:`load_checkpoint_state` assigns, checked; ValueError if not."""
        net_theta = self.network.theta
        if theta is not None:
            theta = np.asarray(theta)
            if theta.shape != net_theta.shape or theta.dtype.kind != "f":
                raise ValueError(f"the checkpoint's weights are {theta.dtype} {theta.shape}, "
                                 f"the network's {net_theta.dtype} {net_theta.shape}")
            theta = cast_checked("the checkpoint's weights", theta, net_theta.dtype)
            check_finite("the checkpoint's weights", theta)
        check_resume_state(training_state, arrays, net_theta if theta is None else theta)
        saved_kind = training_state["trainer"]["rng"]["bit_generator"]
        if saved_kind != type(self.rng.bit_generator).__name__:
            raise ValueError(f"the checkpoint's random generator is a {saved_kind}, this "
                             f"run's a {type(self.rng.bit_generator).__name__}")
        optimizer_arrays = {k[len("optimizer."):]: v for k, v in arrays.items()
                            if k.startswith("optimizer.")}
        step = training_state["optimizer"]["step"]
        self.optimizer.check_checkpoint_state(self.optimizer_state, step, optimizer_arrays)
        schedule = dict(training_state["optimizer"].get("schedule", {}))
        self.schedule.check_state(schedule)
        callbacks = []
        for name, cb in self._named_callbacks():
            state = dict(training_state["callbacks"].get(name, {}))
            state.update({k[len(name) + 1:]: v for k, v in arrays.items()
                          if k.startswith(name + ".")})
            if state:
                cb.check_state(state)
                callbacks.append((cb, state))
        return {"callbacks": callbacks, "step": step, "optimizer_arrays": optimizer_arrays,
                "schedule": schedule, "theta": theta}
