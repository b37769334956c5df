"""The Trainer's fused epoch: one compiled loop for all batches of a small network.

:class:`FusedEpoch` turns a :class:`~numpynn.training.Trainer`'s settings (optimizer and
its state, penalty, dropout, clipping, the divergence guard) into the arguments of
:func:`numpynn.core.kernels.fused_epoch.train_batches`, runs it over the epoch's batch
order and hands the batches' figures to the trainer's loss report.

It serves what the general path serves, with its own product loops or with BLAS calls
(:func:`numpynn.core.kernels.fused.products`); the trainer keeps the general path for
networks beyond :data:`~numpynn.core.kernels.fused.MAX_BLAS_WEIGHTS` parameters, for
optimizer and penalty classes other than numpynn's own (subclasses included), for
per-batch callbacks other than the divergence guard (:class:`TerminateOnNaN`), for
sparse X and float64 networks, and where the kernel switch says NumPy
(``NUMPYNN_KERNELS=numpy``, no Numba, or under ``auto`` an epoch by whose end the run's
work does not reach the switch point: :mod:`numpynn.core.kernels.switch`).

What stays the same as on the general path: the batch order (any ``batch_order``, drawn
before the epoch), the dropout masks (the same draws from the same generator, in the same
order: drawn for a block of batches at once), the optimizer's state dict (its vectors are
updated in place, ``step`` counts every step), the loss report (``add_batch`` for every
batch, after the loop) and the guard (a batch whose loss is not finite stops the loop
before its step, and the guard then restores the epoch's starting weights and raises).
The weights agree with the general path's to float32 rounding (sums in another order),
and are bit-identical from run to run on one machine; so the same seed gives the same
model only on the same path (as between NumPy alone and Numba's kernels already).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.kernels import fused
from .callbacks import TerminateOnNaN
from .data import TrainingData
from .epoch_parts import ShuffledOrder
from .optimizers import SGD, Adam, AdamW
from .penalty import BatchScaledL2Penalty, L2Penalty

if TYPE_CHECKING:  # pragma: no cover
    from .trainer import Trainer

__all__ = ["FusedEpoch", "adam_step_scales"]

#: Dropout draws (float32 values) held at once: the epoch runs in blocks of batches.
MASK_BLOCK = 1 << 21
_NO_FLOATS = np.empty(0, dtype=np.float32)
_NO_INTS = np.empty(0, dtype=np.int64)


def adam_step_scales(optimizer: Adam, first_step: int, steps: int,
                     learning_rate: float) -> np.ndarray:
    """Adam's per-step factor ``c`` of :meth:`Adam._adam_step` for steps ``first_step ..
    first_step + steps - 1`` (numbered from 1), float32.

    The same Python float operations, step by step (about 0.2 us a step): NumPy's
    vectorised ``power`` may round differently from the C library's ``pow``.
    """
    b1, b2, lr = optimizer.beta_1, optimizer.beta_2, learning_rate
    one_minus_b1, root = 1.0 - b1, math.sqrt(1.0 - b2)  # the same values, once
    return np.array([lr * math.sqrt(1.0 - b2**t) / (1.0 - b1**t) * one_minus_b1 / root
                     for t in range(first_step, first_step + steps)], dtype=np.float32)


def _optimizer_code(optimizer: Any, state: dict[str, Any]) -> tuple[str, np.ndarray,
                                                                    np.ndarray, np.ndarray]:
    """The kernel's optimizer code and its vectors (first, second, decay mask)."""
    if type(optimizer) is SGD:
        if optimizer.momentum == 0.0:
            return "sgd", _NO_FLOATS, _NO_FLOATS, _NO_FLOATS
        code = "nesterov" if optimizer.nesterov else "momentum"
        return code, state["velocity"], _NO_FLOATS, _NO_FLOATS
    if type(optimizer) is AdamW and optimizer.weight_decay > 0:
        return "adamw", state["m"], state["v"], state["decay_mask"]
    return "adam", state["m"], state["v"], _NO_FLOATS


class _DataArrays:
    """The kernel's view of one TrainingData for one batch size: X, labels or target
    rows, sample weights, and each batch's rows (kept from epoch to epoch)."""

    def __init__(self, data: TrainingData, batch: int, num_outputs: int) -> None:
        self.data = data
        self.batch = batch
        n = data.n
        self.labelled = data.target.ndim == 1
        self.labels = data.target.astype(np.int64, copy=False) if self.labelled else _NO_INTS
        self.targets = (np.zeros((1, num_outputs), np.float32) if self.labelled
                        else data.target)
        self.weights = _NO_FLOATS if data.sample_weight is None else data.sample_weight
        starts = np.arange(0, n, batch)
        self.starts = starts
        self.batch_rows = np.minimum(batch, n - starts)
        self.unweighted = self.batch_rows.astype(np.float64)
        self._in_order: np.ndarray | None = None

    @property
    def in_order(self) -> np.ndarray | None:
        """The rows 0..n-1 as int64, for unshuffled epochs (None for a subset); built on
        first use: a shuffled run of a million rows need not hold 8 MB more."""
        if self._in_order is None and self.data.rows is None:
            self._in_order = np.arange(self.data.n, dtype=np.int64)
        return self._in_order

    def batch_weights(self, order: np.ndarray) -> np.ndarray:
        """Each batch's total sample weight (its row count without weights), float64."""
        if self.data.sample_weight is None:
            return self.unweighted
        return np.add.reduceat(self.data.sample_weight[order], self.starts, dtype=np.float64)


class FusedEpoch:
    """The fused epoch of one trainer; :meth:`for_trainer` says whether it applies.

    Parameters
    ----------
    trainer : Trainer
    """

    def __init__(self, trainer: Trainer) -> None:
        self.trainer = trainer
        net = trainer.network
        self.hidden = np.array([fused.HIDDEN_CODES[h] for h in net.hidden_activations],
                               dtype=np.int64)
        self.weight_mask = net.weight_mask().astype(np.float32)
        self.hidden_units = sum(net.sizes[1:-1])
        self._rows: tuple[int, bool] | None = None
        self._data: _DataArrays | None = None

    @classmethod
    def for_trainer(cls, trainer: Trainer) -> FusedEpoch | None:
        """A FusedEpoch when the trainer's settings allow one (see the module), else None.
        Whether the batches are small enough and Numba may run is asked each epoch
        (:meth:`kernel`)."""
        net = trainer.network
        penalty = trainer.penalty
        if (net.theta.dtype != np.float32
                or any(h not in fused.HIDDEN_CODES for h in net.hidden_activations)
                or net.output_activation not in fused.OUTPUT_CODES
                or type(trainer.optimizer) not in (SGD, Adam, AdamW)
                or "lr_factors" in trainer.optimizer_state
                or not (penalty is None or type(penalty) in (L2Penalty, BatchScaledL2Penalty))
                or not all(isinstance(getattr(hook, "__self__", None), TerminateOnNaN)
                           for hook in trainer._batch_hooks)):
            return None
        return cls(trainer)

    def kernel(self, data: TrainingData, work_size: int) -> tuple[Any, bool] | None:
        """``(kernel module, products through BLAS?)`` for an epoch over ``data`` by whose
        end the run has done ``work_size`` of training work
        (:func:`numpynn.core.kernels.switch.training_work`), or None: the general path
        (sparse X, a network too large, NumPy only, or under ``NUMPYNN_KERNELS=auto`` too
        little work: :mod:`numpynn.core.kernels.switch`)."""
        tr = self.trainer
        if not isinstance(data.X, np.ndarray) or data.X.dtype != np.float32:
            return None
        products = fused.products(tr.network.num_weights, min(tr.batch_size, data.n))
        module = None if products is None else fused.load(work_size)
        return None if module is None else (module, products == "blas")

    def _arrays(self, data: TrainingData, batch: int) -> _DataArrays:
        # The kernel checks no bounds: the buffers follow the batch size and dropout.
        shape = (batch, self.trainer.dropout > 0)
        if shape != self._rows:
            net = self.trainer.network
            self.layers, size = fused.layer_table(net.layout, *shape)
            self.scratch = np.zeros(size, dtype=np.float32)
            self.row_floats = np.zeros((4, batch), dtype=np.float32)
            self.row_ints = np.zeros((2, batch), dtype=np.int64)
            self._rows = shape
        cached = self._data
        if cached is None or cached.data is not data or cached.batch != batch:
            cached = self._data = _DataArrays(data, batch, self.trainer.network.sizes[-1])
        return cached

    def _settings(self, code: str) -> np.ndarray:
        """The float settings of :data:`~numpynn.core.kernels.fused.FLOAT_FIELDS`."""
        tr = self.trainer
        opt, lr, penalty = tr.optimizer, tr.learning_rate, tr.penalty
        adam = code in ("adam", "adamw")
        return np.array([
            lr, getattr(opt, "momentum", 0.0), getattr(opt, "beta_1", 0.0),
            getattr(opt, "beta_2", 0.0),
            opt.epsilon / math.sqrt(1.0 - opt.beta_2) if adam else 0.0,
            lr * opt.weight_decay if code == "adamw" else 0.0,
            0.0 if penalty is None else penalty.strength, opt.clip_norm or 0.0,
            tr.dropout, 1.0 / (1.0 - tr.dropout)], dtype=np.float64)

    def _ints(self, code: str, arrays: _DataArrays, count_correct: bool, blas: bool
              ) -> np.ndarray:
        """The integer settings of :data:`~numpynn.core.kernels.fused.INT_FIELDS` (the
        block of batches, first and last, is filled in per block)."""
        tr = self.trainer
        return np.array([
            fused.OUTPUT_CODES[tr.network.output_activation], fused.OPTIMIZER_CODES[code],
            self._penalty_code(), tr.loss_report.penalty_per_batch, count_correct,
            bool(tr._batch_hooks), 0, 0, arrays.batch, arrays.data.n, tr.dropout > 0,
            arrays.labelled, blas], dtype=np.int64)

    def run(self, kernel: tuple[Any, bool], data: TrainingData, order: np.ndarray | None,
            count_correct: bool) -> int:
        """One epoch over ``order`` (None: every row in order), in blocks of batches, on
        ``kernel`` (from :meth:`kernel`).

        Returns
        -------
        int
            Rows classified right (before each batch's step), when ``count_correct``.

        Raises
        ------
        TrainingDivergedError
            From the divergence guard, for the first batch whose loss is not finite.
        """
        tr = self.trainer
        module, blas = kernel
        arrays = self._arrays(data, min(tr.batch_size, data.n))
        rows = arrays.in_order if order is None else self._checked(order, data)
        batch_weights = arrays.batch_weights(rows)
        state = tr.optimizer_state
        code, first, second, decay_mask = _optimizer_code(tr.optimizer, state)
        settings = self._settings(code)
        ints = self._ints(code, arrays, count_correct, blas)
        results = np.zeros((batch_weights.shape[0], 2), dtype=np.float64)
        right = 0
        for first_batch, last_batch in self._blocks(batch_weights.shape[0], arrays.batch):
            ints[6], ints[7] = first_batch, last_batch
            steps = last_batch - first_batch if data.sample_weight is None else \
                int(np.count_nonzero(batch_weights[first_batch:last_batch] > 0))
            scales = (adam_step_scales(tr.optimizer, state["step"] + 1, steps,
                                       tr.learning_rate)
                      if code in ("adam", "adamw") else _NO_FLOATS)
            stopped, block_right, done = module.train_batches(
                data.X, rows, arrays.labels, arrays.targets, arrays.weights, batch_weights,
                tr.network.theta, tr.grad, first, second, self.weight_mask, decay_mask,
                scales, self._masks(arrays, batch_weights, first_batch, last_batch),
                self.scratch, self.row_floats, self.row_ints, self.layers, self.hidden,
                ints, settings, results)
            state["step"] += done
            right += block_right
            if stopped >= 0:  # only with the guard, which restores the weights and raises
                for hook in tr._batch_hooks:
                    hook(int(stopped), float(results[stopped, 0]))
                raise RuntimeError("the divergence guard did not stop a diverged epoch")
            self._report(results, batch_weights, arrays, first_batch, last_batch)
        return right

    def _checked(self, order: np.ndarray, data: TrainingData) -> np.ndarray:
        """The epoch's row numbers as int64; a ``batch_order`` of the caller's is checked
        (the kernel reads rows without bounds checks)."""
        rows = np.asarray(order).astype(np.int64, copy=False)
        if type(self.trainer.batch_order) is not ShuffledOrder and (
                rows.shape != (data.n,) or data.n and (
                    rows.min() < 0 or rows.max() >= data.X.shape[0])):
            raise ValueError(f"batch_order must give {data.n} row numbers in 0.."
                             f"{data.X.shape[0] - 1}, got shape {rows.shape}")
        return rows

    def _penalty_code(self) -> int:
        penalty = self.trainer.penalty
        if penalty is None:
            return fused.PENALTY_CODES["none"]
        scaled = type(penalty) is BatchScaledL2Penalty
        return fused.PENALTY_CODES["batch_scaled_l2" if scaled else "l2"]

    def _blocks(self, count: int, batch: int) -> list[tuple[int, int]]:
        """Blocks of batches whose dropout draws fit in :data:`MASK_BLOCK` values."""
        if self.trainer.dropout == 0:
            return [(0, count)]
        size = max(1, MASK_BLOCK // (batch * self.hidden_units))
        return [(lo, min(count, lo + size)) for lo in range(0, count, size)]

    def _masks(self, arrays: _DataArrays, batch_weights: np.ndarray, first_batch: int,
               last_batch: int) -> np.ndarray:
        """The uniform draws of the dropout masks of a block's batches, in the general
        path's order (batch by batch, layer by layer); none for batches of weight 0."""
        if self.trainer.dropout == 0:
            return _NO_FLOATS
        rows = arrays.batch_rows[first_batch:last_batch]
        taken = int(rows[batch_weights[first_batch:last_batch] > 0].sum())
        return self.trainer.rng.random(taken * self.hidden_units, dtype=np.float32)

    def _report(self, results: np.ndarray, batch_weights: np.ndarray, arrays: _DataArrays,
                first_batch: int, last_batch: int) -> None:
        """``loss_report.add_batch`` for the batches ``first_batch:last_batch`` that ran."""
        add = self.trainer.loss_report.add_batch
        for (loss, term), weight, rows in zip(results[first_batch:last_batch].tolist(),
                                              batch_weights[first_batch:last_batch].tolist(),
                                              arrays.batch_rows[first_batch:last_batch].tolist()):
            if weight > 0:
                add(loss, weight, rows, term)
