"""What runs on the workers: checked partitions, per-partition loss and gradient sums, and
numpynn's own training of a shard for one round.

Every function here is a plain function of its arguments (no worker state), so Dask may
run it anywhere and run it again after a worker is lost, with the same result.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.losses import class_indices
from ..training import Trainer, check_training_data, evaluate_loss
from ..training.data import TrainingData
from .collections import as_float_block, realigned

__all__ = ["aligned", "PartitionSums", "LocalSettings", "RoundJob", "ShardResult",
           "prepare_partition", "partition_size", "class_counts", "weighted_by_class",
           "split_part", "concat_shard", "loss_gradient_sums", "sum_in_order", "train_shard"]


# ---------------------------------------------------------------------------- data
def prepare_partition(network: Any, x: Any, y: Any, w: Any = None) -> TrainingData | None:
    """One partition, checked as ``fit`` checks its data, realigned once; None when it
    has no rows (dataframes often have empty partitions).

    Parameters
    ----------
    network : NeuralNetwork
        For the input and output sizes, the output activation and the dtype (theta's:
        the rows are converted to it once, here, and to nothing else).
    x : ndarray or pandas.DataFrame, shape (m, sizes[0])
    y : ndarray or pandas object, the partition's targets
    w : ndarray or pandas.Series, shape (m,), optional
    """
    X = as_float_block(x, network.theta.dtype)
    if X.ndim == 2 and X.shape[0] == 0:
        return None
    target = realigned(y)
    weights = None if w is None else realigned(w)
    return check_training_data(network, X, target, weights)


def aligned(data: TrainingData) -> TrainingData:
    """``data``, or a realigned copy when it arrived from another worker: deserialised
    buffers are often not aligned for their dtype, and NumPy's matmul then leaves BLAS for a
    slow loop that also adds in another order (other bits on another worker)."""
    arrays = (data.X, data.target, data.sample_weight)
    if all(a is None or (a.flags.aligned and a.flags.c_contiguous) for a in arrays):
        return data
    X, target, weights = (None if a is None else realigned(a) for a in arrays)
    return TrainingData(X, target, weights, data.rows)


def partition_size(data: TrainingData | None) -> tuple[int, float]:
    """``(rows, total sample weight)`` of a prepared partition."""
    return (0, 0.0) if data is None else (data.n, data.total_weight())


def class_counts(data: TrainingData, num_classes: int) -> np.ndarray:
    """Rows of each class in a prepared partition, shape (num_classes,), int64."""
    return np.bincount(class_indices(data.target), minlength=num_classes)


def weighted_by_class(data: TrainingData, per_class: np.ndarray) -> TrainingData:
    """``data`` with each row's sample weight times its class's weight (``per_class``,
    of the network's dtype), as ``check_training_data(class_weight=...)`` weighs them."""
    per_sample = per_class[class_indices(data.target)]
    weights = per_sample if data.sample_weight is None else data.sample_weight * per_sample
    return TrainingData(data.X, data.target, weights)


def split_part(data: TrainingData, held_out: int, seed: int, validation: bool
               ) -> TrainingData:
    """The training (or, with ``validation``, the held-out) rows of a partition: the
    ``held_out`` rows of a permutation drawn from ``seed`` are held out, and each part
    keeps the partition's row order."""
    order = np.random.default_rng(seed).permutation(data.n)
    rows = np.sort(order[:held_out] if validation else order[held_out:])
    return data.subset(rows).materialized()


def concat_shard(*parts: TrainingData) -> TrainingData:
    """The prepared partitions of one shard as one set, in the given order."""
    if len(parts) == 1:
        return aligned(parts[0])
    weights = [p.sample_weight for p in parts]
    if any(w is None for w in weights) and not all(w is None for w in weights):
        weights = [np.ones(p.n, p.X.dtype) if w is None else w for p, w in zip(parts, weights)]
    return TrainingData(
        np.concatenate([p.X for p in parts]),
        np.concatenate([p.target for p in parts]),
        None if weights[0] is None else np.concatenate(weights))


# ---------------------------------------------------------------------------- sums
@dataclass
class PartitionSums:
    """Sums over the rows of some partitions, in float64.

    Attributes
    ----------
    loss : float
        Sum of ``w_i * loss_i``.
    gradient : ndarray, shape (num_weights,), float64
        Gradient of that sum.
    weight : float
        Sum of ``w_i`` (rows, when unweighted).
    correct : float
        Rows predicted right (classification; unweighted, as ``fit`` reports accuracy),
        else 0.
    rows : int
    """

    loss: float
    gradient: np.ndarray | None
    weight: float
    correct: float = 0.0
    rows: int = 0


def _network_at(template: Any, theta: np.ndarray) -> Any:
    """A private copy of ``template`` with weights ``theta`` (tasks may share a worker)."""
    net = copy.deepcopy(template)
    net.theta[:] = theta
    return net


def loss_gradient_sums(template: Any, theta: np.ndarray, data: TrainingData,
                       with_gradient: bool = True) -> PartitionSums:
    """The summed loss (and its gradient) of one prepared partition at ``theta``.

    A partition of total weight 0 (class weights can make one) adds 0 to the loss and
    the gradient, and its rows still count for the accuracy.
    """
    net = _network_at(template, theta)
    data = aligned(data)
    weight = data.total_weight()
    if not with_gradient:
        with np.errstate(invalid="ignore", divide="ignore"):  # a mean over weight 0
            loss, accuracy = evaluate_loss(net, data)
        correct = 0.0 if accuracy is None else accuracy * data.n
        return PartitionSums(loss * weight if weight else 0.0, None, weight, correct, data.n)
    if not weight:
        return PartitionSums(0.0, np.zeros(net.num_weights), 0.0, rows=data.n)
    grad = np.empty_like(net.theta)  # the network's dtype
    loss = net._loss_and_gradient_checked(data.X, data.target, data.sample_weight, grad)
    # The partition's mean times its weight: sums that add up across partitions.
    return PartitionSums(loss * weight, grad.astype(np.float64, copy=False) * weight, weight,
                         rows=data.n)


def sum_in_order(*parts: PartitionSums) -> PartitionSums:
    """The sum of ``parts`` in the order given (float64): the same bits every time."""
    first = parts[0]
    total = PartitionSums(first.loss, None if first.gradient is None else first.gradient.copy(),
                          first.weight, first.correct, first.rows)
    for part in parts[1:]:
        total.loss += part.loss
        total.weight += part.weight
        total.correct += part.correct
        total.rows += part.rows
        if total.gradient is not None:
            total.gradient += part.gradient
    return total


# ---------------------------------------------------------------------------- training
@dataclass(frozen=True)
class LocalSettings:
    """How every shard trains, the same for the whole run (``fit``'s meanings).  The
    learning rate's schedule and gradient clipping are the optimizer's."""

    optimizer: Any
    batch_size: int
    l2: float
    dropout: float
    shuffle: bool


@dataclass
class RoundJob:
    """One shard's work for one round: where to start and what rates to use.

    Attributes
    ----------
    theta : ndarray, shape (num_weights,), the network's dtype
    optimizer_state : dict
        ``"step"`` and the optimizer's vectors, of theta's dtype (empty: a fresh state).
    rng_state : dict
        The shard's generator state (``bit_generator.state``).
    rates : list of float
        One learning rate per epoch of the round.
    prior_work : int
        The training work this shard did in the earlier rounds (``training_work`` of the
        network it trained): the kernel switch counts it, so that a run of many short
        rounds reaches the compiled path where one long run would (core/kernels/switch.py).
    """

    theta: np.ndarray
    optimizer_state: dict[str, Any]
    rng_state: dict[str, Any]
    rates: list[float] = field(default_factory=list)
    prior_work: int = 0


@dataclass
class ShardResult:
    """What comes back from a shard after a round: weights, state and the last epoch's
    figures."""

    theta: np.ndarray
    optimizer_state: dict[str, Any]
    rng_state: dict[str, Any]
    rows: int
    loss: float
    accuracy: float | None
    work: int = 0  # the shard's training work after the round (RoundJob.prior_work)


def _make_trainer(network: Any, settings: LocalSettings, rng: np.random.Generator) -> Trainer:
    """numpynn's own mini-batch engine, as ``fit`` builds it (with the divergence guard,
    which raises TrainingDivergedError here and so on the client)."""
    optimizer = copy.deepcopy(settings.optimizer)
    return Trainer(network, optimizer, learning_rate=None if optimizer.learning_rate else 1.0,
                   batch_size=settings.batch_size, l2=settings.l2, dropout=settings.dropout,
                   shuffle=settings.shuffle, seed=rng)


def train_shard(template: Any, settings: LocalSettings, job: RoundJob,
                shard: TrainingData) -> ShardResult:
    """``len(job.rates)`` epochs of numpynn's training over ``shard`` from ``job``'s state.

    With one shard holding all the data, one round of E epochs is ``fit(epochs=E)``,
    bit for bit.
    """
    net = _network_at(template, job.theta)
    shard = aligned(shard)
    rng = np.random.default_rng()
    rng.bit_generator.state = job.rng_state
    net.training_work = job.prior_work
    trainer = _make_trainer(net, settings, rng)
    optimizer = trainer.optimizer
    if job.optimizer_state:
        arrays = {k: v for k, v in job.optimizer_state.items() if k != "step"}
        optimizer.load_checkpoint_state(trainer.optimizer_state,
                                        int(job.optimizer_state["step"]), arrays)
    loss, accuracy = float("nan"), None
    for rate in job.rates:
        trainer.learning_rate = rate
        loss, accuracy = trainer.train_epoch(shard)
    step, arrays = optimizer.checkpoint_state(trainer.optimizer_state)
    return ShardResult(net.theta, {"step": step, **arrays}, rng.bit_generator.state, shard.n,
                       loss, accuracy, net.training_work)
