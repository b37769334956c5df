"""The training loop: batches, shuffling, validation, early stopping, schedules, callbacks,
checkpoints and the divergence guard.

``Trainer`` runs epochs over data with one optimizer state and one workspace; ``fit`` is
the full loop around it.  Everything works on the network's flat vector ``theta``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.backprop import Workspace
from ..core.checks import as_generator
from ..core.checks import check_number as _check_number
from ..errors import TrainingDivergedError
from .data import CLASSIFYING_OUTPUTS, TrainingData, check_training_data
from .history import History
from .metrics import _l2_term, evaluate_loss
from .optimizers import LBFGS, get_optimizer
from .progress import EpochProgress
from .schedules import get_schedule

if TYPE_CHECKING:  # pragma: no cover
    from ..network import NeuralNetwork

__all__ = ["Trainer", "fit"]


# ---------------------------------------------------------------------------
# Trainer: epochs of mini-batch gradient steps
# ---------------------------------------------------------------------------
class Trainer:
    """Mini-batch training of one network with one optimizer state.

    The workspace (activations, deltas, gradient, batch buffers) is allocated once and
    reused for every batch; the parameters are updated in place in ``network.theta``.

    Parameters
    ----------
    network : NeuralNetwork
    optimizer : str or Optimizer, default "adam"
    learning_rate : float, default 0.001
    batch_size : int, default 32
    l2 : float, default 0.0
        Adds ``l2 * w`` to the gradient of every weight (biases excluded).
    dropout : float in [0, 1), default 0.0
        Inverted dropout on every hidden layer, during training only.
    clip_norm : float, optional
        Rescale the gradient when its global L2 norm exceeds this.
    shuffle : bool, default True
    seed : int or numpy.random.Generator, optional
        Drives shuffling and dropout; the same seed gives bit-identical training.
    """

    def __init__(
        self,
        network: NeuralNetwork,
        optimizer: Any = "adam",
        *,
        learning_rate: float = 0.001,
        batch_size: int = 32,
        l2: float = 0.0,
        dropout: float = 0.0,
        clip_norm: float | None = None,
        shuffle: bool = True,
        seed: int | np.random.Generator | None = None,
    ) -> None:
        self.network = network
        self.optimizer = get_optimizer(optimizer)
        if isinstance(self.optimizer, LBFGS):
            raise ValueError("lbfgs is a full-batch method: use fit(..., optimizer='lbfgs')")
        self.learning_rate = _check_number("learning_rate", learning_rate, 0.0,
                                           low_inclusive=False)
        if self.optimizer.learning_rate is not None:
            self.learning_rate = self.optimizer.learning_rate
        if isinstance(batch_size, (bool, np.bool_)) or not isinstance(
            batch_size, (int, np.integer)
        ) or batch_size < 1:
            raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}")
        self.batch_size = int(batch_size)
        self.l2 = _check_number("l2", l2, 0.0)
        self.dropout = _check_number("dropout", dropout, 0.0, 1.0, high_inclusive=False)
        self.clip_norm = None if clip_norm is None else _check_number(
            "clip_norm", clip_norm, 0.0, low_inclusive=False)
        self.shuffle = bool(shuffle)
        self.rng = as_generator(seed)
        self.optimizer_state = self.optimizer.init(network.theta,
                                                   weight_mask=network.weight_mask())
        self.grad = np.zeros(network.num_weights, dtype=np.float32)
        self._grad_weights, _ = network.views_of(self.grad)
        # l2 * w is formed here, per layer, with no temporary on every step.
        self._l2_scratch, _ = network.views_of(np.empty_like(self.grad))
        self._workspace: Workspace | None = None
        self.epochs_done = 0

    def _workspace_for(self, rows: int) -> Workspace:
        ws = self._workspace
        if ws is None or ws.rows < rows:
            ws = Workspace(self.network, rows, self.dropout, self.rng)
            self._workspace = ws
            n_in = self.network.sizes[0]
            self._X_batch = np.empty((rows, n_in), dtype=np.float32)
        return ws

    def train_epoch(self, data: TrainingData) -> tuple[float, float | None]:
        """One pass over the data in mini-batches, updating the network in place.

        Returns
        -------
        loss : float
            Weighted mean training loss over the epoch's batches, plus the l2 term.
        accuracy : float or None
            Fraction right over the epoch's batches (before each batch's update);
            None for regression (identity, exp) outputs.

        Raises
        ------
        TrainingDivergedError
            The loss became NaN or inf; the weights are those from the epoch's start.
        """
        if not isinstance(data, TrainingData):
            raise TypeError("train_epoch takes the TrainingData of "
                            "numpynn.training.check_training_data(network, X, y), "
                            f"got {type(data).__name__}")
        net = self.network
        n = data.n
        batch = min(self.batch_size, n)
        ws = self._workspace_for(batch)
        classify = net.output_activation in CLASSIFYING_OUTPUTS
        theta_at_start = net.theta.copy()
        # Absolute row numbers in batch order (None: all rows, in order, sliced directly).
        order = self.rng.permutation(n) if self.shuffle else None
        if data.rows is not None:
            order = data.rows if order is None else data.rows[order]
        multilabel = net.output_activation == "logistic" and net.sizes[-1] > 1
        loss_sum = weight_seen = correct = 0.0
        # Overflow is caught by the divergence guard, which raises a clear error instead.
        with np.errstate(over="ignore", invalid="ignore"):
            for start in range(0, n, batch):
                stop = min(n, start + batch)
                if order is None:
                    Xb, tb = data.X[start:stop], data.target[start:stop]
                    swb = None if data.sample_weight is None else data.sample_weight[start:stop]
                else:
                    rows = order[start:stop]
                    Xb = np.take(data.X, rows, axis=0, out=self._X_batch[: stop - start])
                    tb = data.target[rows]
                    swb = None if data.sample_weight is None else data.sample_weight[rows]
                batch_weight = float(stop - start) if swb is None else float(swb.sum())
                if batch_weight <= 0:
                    continue
                batch_loss = ws.forward_backward(Xb, tb, swb, 1.0 / batch_weight, self.grad,
                                                 count_correct=classify and not multilabel)
                if not math.isfinite(batch_loss):
                    net.theta[:] = theta_at_start
                    raise TrainingDivergedError(self.epochs_done, batch_loss, self.learning_rate)
                loss_sum += batch_loss
                weight_seen += batch_weight
                if classify and not multilabel:
                    correct += ws.last_correct
                self._step()
        if not np.isfinite(net.theta).all():
            net.theta[:] = theta_at_start
            raise TrainingDivergedError(self.epochs_done, math.nan, self.learning_rate)
        self.epochs_done += 1
        loss = loss_sum / max(weight_seen, 1e-30) + _l2_term(net, self.l2)
        accuracy = None
        if classify:
            if multilabel:
                _, accuracy = evaluate_loss(net, data)  # exact-match accuracy
            else:
                accuracy = correct / n
        return loss, accuracy

    def _step(self) -> None:
        grad = self.grad
        if self.l2 > 0:
            l2 = np.float32(self.l2)
            for w, gw, s in zip(self.network.weights, self._grad_weights, self._l2_scratch):
                np.multiply(w, l2, out=s)
                gw += s
        if self.clip_norm is not None:
            norm = math.sqrt(float(np.dot(grad, grad)))
            if norm > self.clip_norm:
                grad *= np.float32(self.clip_norm / norm)
        self.optimizer.update(self.network.theta, grad, self.optimizer_state, self.learning_rate)

    # -- checkpoint support: flat float32 arrays and JSON-able scalars only
    def state_arrays(self) -> dict[str, np.ndarray]:
        return {k: v for k, v in self.optimizer_state.items() if isinstance(v, np.ndarray)}

    def state_scalars(self) -> dict[str, Any]:
        return {
            "optimizer_step": int(self.optimizer_state.get("step", 0)),
            "rng": self.rng.bit_generator.state,
            "learning_rate": self.learning_rate,
            "epochs_done": self.epochs_done,
        }

    def load_state(self, arrays: Mapping[str, np.ndarray], scalars: Mapping[str, Any]) -> None:
        for key, value in arrays.items():
            if key in self.optimizer_state and isinstance(self.optimizer_state[key], np.ndarray):
                if value.shape != self.optimizer_state[key].shape:
                    raise ValueError(f"optimizer state {key!r} has shape {value.shape}, "
                                     f"expected {self.optimizer_state[key].shape}")
                self.optimizer_state[key][:] = value
        self.optimizer_state["step"] = int(scalars.get("optimizer_step", 0))
        if "rng" in scalars:
            self.rng.bit_generator.state = scalars["rng"]
        self.epochs_done = int(scalars.get("epochs_done", 0))


# ---------------------------------------------------------------------------
# fit
# ---------------------------------------------------------------------------
def _split_validation(data: TrainingData, fraction: float, rng: np.random.Generator
                      ) -> tuple[TrainingData, TrainingData]:
    n_val = int(math.ceil(data.n * fraction))
    if n_val < 1 or n_val >= data.n:
        raise ValueError(f"validation_split={fraction} leaves no rows for training or for "
                         f"validation with {data.n} samples")
    order = rng.permutation(data.n)
    return data.subset(np.sort(order[n_val:])), data.subset(np.sort(order[:n_val]))


def fit(
    network: NeuralNetwork,
    X: Any,
    y: Any,
    *,
    epochs: int = 100,
    batch_size: int = 32,
    optimizer: Any = "adam",
    learning_rate: float = 0.001,
    l2: float = 0.0,
    dropout: float = 0.0,
    schedule: Any = None,
    clip_norm: float | None = None,
    shuffle: bool = True,
    seed: int | np.random.Generator | None = None,
    validation_data: tuple[Any, Any] | None = None,
    validation_split: float = 0.0,
    early_stopping: bool = False,
    patience: int = 10,
    min_delta: float = 0.0,
    sample_weight: Any = None,
    class_weight: Any = None,
    callbacks: Iterable[Callable[[dict[str, Any]], Any]] = (),
    progress: bool = False,
    checkpoint_dir: Any = None,
    resume: bool = False,
) -> History:
    """Train ``network`` by back-propagation.

    Parameters
    ----------
    network : NeuralNetwork
    X : array_like, shape (n, sizes[0])
        Used in place when it already is float32 and C-contiguous; never copied to float64.
    y : array_like
        softmax: integer labels (n,) or probability rows (n, k); logistic: 0/1 rows (n, k)
        (or (n,) for one output); identity: values (n, k) (or (n,) for one output).
    epochs : int, default 100
        Most epochs (iterations, for lbfgs).
    batch_size : int, default 32
    optimizer : {"adam", "adamw", "sgd", "lbfgs"} or Optimizer, default "adam"
    learning_rate : float, default 0.001
        Base rate; an Optimizer's own ``learning_rate`` wins when set.
    l2 : float, default 0.0
        Loss term ``(l2 / 2) * sum(w ** 2)`` over the weights (not the biases).
    dropout : float in [0, 1), default 0.0
        Inverted dropout on every hidden layer, during training only.
    schedule : {"constant", "step", "cosine", "plateau"} or Schedule, optional
    clip_norm : float, optional
        Clip the gradient by its global norm.
    shuffle : bool, default True
    seed : int or Generator, optional
        Shuffling, dropout and the validation split; same seed, same weights, bit for bit.
    validation_data : (X_val, y_val), optional
    validation_split : float in [0, 1), default 0.0
        Hold out this random fraction of the rows for validation instead.
    early_stopping : bool, default False
        Stop after ``patience`` epochs without an improvement of ``min_delta`` in the
        monitored loss (validation loss when there is validation data, else training
        loss), then restore the best weights.
    patience : int, default 10
    min_delta : float, default 0.0
    sample_weight : array_like, shape (n,), optional
    class_weight : "balanced" or dict, optional
    callbacks : iterable of callables
        Each is called after every epoch with a dict (epoch, loss, val_loss, accuracy,
        val_accuracy, learning_rate); returning True stops training.
    progress : bool, default False
        Show a progress bar (tqdm when installed).
    checkpoint_dir : path, optional
        Write the model and optimizer state there, atomically, after every epoch.
    resume : bool, default False
        Continue from the newest checkpoint in ``checkpoint_dir``.

    Returns
    -------
    History

    Raises
    ------
    ValueError, TypeError
        Bad input, before any training (the weights stay untouched).
    TrainingDivergedError
        The loss became NaN or inf; the network keeps its last finite weights.
    """
    if isinstance(epochs, (bool, np.bool_)) or not isinstance(epochs, (int, np.integer)) \
            or epochs < 1:
        raise ValueError(f"epochs must be an int >= 1, got {epochs!r}")
    rng = as_generator(seed)
    data = check_training_data(network, X, y, sample_weight, class_weight)
    validation_split = _check_number("validation_split", validation_split, 0.0, 1.0,
                                     high_inclusive=False)
    if validation_data is not None:
        if validation_split:
            raise ValueError("give validation_data or validation_split, not both")
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError("validation_data must be a pair (X_val, y_val)")
        try:
            val = check_training_data(network, validation_data[0], validation_data[1])
        except (ValueError, TypeError) as err:
            raise type(err)(f"validation_data: {err}") from None
    elif validation_split:
        data, val = _split_validation(data, validation_split, rng)
    else:
        val = None
    if not isinstance(patience, (int, np.integer)) or patience < 0:
        raise ValueError(f"patience must be an int >= 0, got {patience!r}")
    min_delta = _check_number("min_delta", min_delta, 0.0)
    callbacks = list(callbacks)
    for cb in callbacks:
        if not callable(cb):
            raise TypeError(f"callbacks must be callables, got {cb!r}")
    if resume and checkpoint_dir is None:
        raise ValueError("resume=True needs checkpoint_dir")

    opt = get_optimizer(optimizer)
    if isinstance(opt, LBFGS):
        if dropout:
            raise ValueError("dropout is not supported with lbfgs (a full-batch method)")
        return _fit_lbfgs(network, data.materialized(), val, opt, epochs, float(l2), callbacks,
                          progress)

    trainer = Trainer(network, opt, learning_rate=learning_rate, batch_size=batch_size, l2=l2,
                      dropout=dropout, clip_norm=clip_norm, shuffle=shuffle, seed=rng)
    sched = get_schedule(schedule, epochs)
    base_rate = trainer.learning_rate
    history = History()
    best_loss = math.inf
    best_theta = network.theta.copy()
    epochs_without_improvement = 0
    start_epoch = 0
    if resume:
        start_epoch, best_loss, epochs_without_improvement = _resume(
            checkpoint_dir, network, trainer, sched, history, best_theta)
    bar = EpochProgress(epochs, start_epoch, enabled=bool(progress))
    try:
        last_monitored = history.val_loss[-1] if (val and history.val_loss) else (
            history.loss[-1] if history.loss else None)
        for epoch in range(start_epoch, epochs):
            trainer.learning_rate = sched.rate(epoch, base_rate, last_monitored)
            loss, accuracy = trainer.train_epoch(data)
            history.loss.append(loss)
            history.learning_rate.append(trainer.learning_rate)
            if accuracy is not None:
                history.accuracy.append(accuracy)
            val_loss = val_accuracy = None
            if val is not None:
                val_loss, val_accuracy = evaluate_loss(network, val, trainer.l2)
                history.val_loss.append(val_loss)
                if val_accuracy is not None:
                    history.val_accuracy.append(val_accuracy)
            monitored = val_loss if val is not None else loss
            last_monitored = monitored
            if monitored < best_loss - min_delta:
                best_loss = monitored
                history.best_epoch = epoch
                best_theta[:] = network.theta
                epochs_without_improvement = 0
            else:
                epochs_without_improvement += 1
            logs = {"epoch": epoch, "loss": loss, "val_loss": val_loss, "accuracy": accuracy,
                    "val_accuracy": val_accuracy, "learning_rate": trainer.learning_rate}
            bar(logs)
            if checkpoint_dir is not None:
                _write_checkpoint(checkpoint_dir, network, trainer, sched, history, epoch,
                                  best_loss, epochs_without_improvement, best_theta)
            stop = any([bool(cb(dict(logs)) is True) for cb in callbacks])
            if early_stopping and epochs_without_improvement >= max(1, patience):
                history.stopped_early = True
                stop = True
            if stop:
                break
    finally:
        bar.close()
    if early_stopping and history.best_epoch is not None:
        network.theta[:] = best_theta
    return history


def _write_checkpoint(directory, network, trainer, sched, history, epoch, best_loss,
                      bad_epochs, best_theta) -> None:
    from ..io.model_files import ModelContents, write_checkpoint

    arrays = trainer.state_arrays()
    arrays["best_theta"] = best_theta
    training_state = {
        "epoch": epoch,
        "history": history.as_dict(),
        "trainer": trainer.state_scalars(),
        "schedule": sched.state(),
        "best_loss": best_loss if math.isfinite(best_loss) else None,
        "epochs_without_improvement": bad_epochs,
    }
    contents = ModelContents(network.sizes, network.hidden_activations,
                             network.output_activation, network.theta, dict(network.metadata))
    write_checkpoint(directory, contents, arrays, training_state)


def _resume(directory, network, trainer, sched, history, best_theta) -> tuple[int, float, int]:
    from ..io.model_files import read_latest_checkpoint

    found = read_latest_checkpoint(directory)
    if found is None:
        return 0, math.inf, 0
    contents, arrays, state = found
    if tuple(contents.sizes) != network.sizes or tuple(
        contents.hidden_activations
    ) != network.hidden_activations or contents.output_activation != network.output_activation:
        raise ValueError(f"the checkpoint in {directory} is for a different network "
                         f"({contents.sizes}), not {network.sizes}")
    network.set_weights(contents.theta)
    arrays = dict(arrays)
    saved_best = arrays.pop("best_theta", None)
    if saved_best is not None and saved_best.shape == best_theta.shape:
        best_theta[:] = saved_best
    trainer.load_state(arrays, state.get("trainer", {}))
    sched.load_state(state.get("schedule", {}))
    restored = History.from_dict(state.get("history", {}))
    for name in ("loss", "val_loss", "accuracy", "val_accuracy", "learning_rate"):
        getattr(history, name).extend(getattr(restored, name))
    history.best_epoch = restored.best_epoch
    best = state.get("best_loss")
    return (int(state["epoch"]) + 1, math.inf if best is None else float(best),
            int(state.get("epochs_without_improvement", 0)))


def _fit_lbfgs(network, data, val, opt: LBFGS, epochs, l2, callbacks, progress) -> History:
    """Full-batch L-BFGS-B (scipy) on the flat vector."""
    try:
        from scipy.optimize import minimize
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("optimizer='lbfgs' needs SciPy: pip install numpynn[lbfgs]") from err
    l2 = _check_number("l2", l2, 0.0)
    grad = np.zeros(network.num_weights, dtype=np.float32)
    history = History()
    best = {"loss": math.inf}
    bar = EpochProgress(opt.max_iter or epochs, 0, enabled=bool(progress))
    stop_requested = []

    def loss_and_grad(theta64: np.ndarray) -> tuple[float, np.ndarray]:
        network.theta[:] = theta64  # float32 parameters; float64 only at scipy's boundary
        loss = network._loss_and_gradient_checked(data.X, data.target, data.sample_weight, grad)
        loss = network._add_l2(loss, grad, l2)
        if not math.isfinite(loss):
            return math.inf, np.zeros_like(theta64)
        return loss, grad.astype(np.float64)

    def after_iteration(intermediate_result) -> None:
        theta64 = intermediate_result.x
        network.theta[:] = theta64
        loss, accuracy = evaluate_loss(network, data, l2)
        epoch = len(history.loss)
        history.loss.append(loss)
        history.learning_rate.append(float("nan"))
        if accuracy is not None:
            history.accuracy.append(accuracy)
        val_loss = val_accuracy = None
        if val is not None:
            val_loss, val_accuracy = evaluate_loss(network, val, l2)
            history.val_loss.append(val_loss)
            if val_accuracy is not None:
                history.val_accuracy.append(val_accuracy)
        monitored = val_loss if val is not None else loss
        if monitored < best["loss"]:
            best["loss"] = monitored
            history.best_epoch = epoch
        logs = {"epoch": epoch, "loss": loss, "val_loss": val_loss, "accuracy": accuracy,
                "val_accuracy": val_accuracy, "learning_rate": None}
        bar(logs)
        if any([bool(cb(dict(logs)) is True) for cb in callbacks]):
            stop_requested.append(epoch)
            raise StopIteration

    theta0 = network.theta.astype(np.float64)
    try:
        result = minimize(
            loss_and_grad, theta0, jac=True, method="L-BFGS-B", callback=after_iteration,
            options={"maxiter": opt.max_iter or epochs, "maxfun": opt.max_fun,
                     "gtol": opt.tol, "ftol": opt.tol, "maxcor": opt.memory},
        )
        final = result.x
    finally:
        bar.close()
    if not np.isfinite(final).all():
        raise TrainingDivergedError(len(history.loss), math.nan)
    network.theta[:] = final
    if not history.loss:  # converged before the first iteration finished
        loss, accuracy = evaluate_loss(network, data, l2)
        history.loss.append(loss)
        if accuracy is not None:
            history.accuracy.append(accuracy)
        history.best_epoch = 0
    return history
