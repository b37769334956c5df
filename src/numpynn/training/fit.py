"""``fit``: checked data and options, mapped onto the one engine and its callbacks.

The convenience keywords (``early_stopping``, ``patience``, ``checkpoint_dir``,
``resume``, ``progress``) become :class:`EarlyStopping`, :class:`Checkpoint` and
:class:`ProgressBar` callbacks; the learning rate's schedule and gradient clipping are
the optimizer's.  A combination the chosen solver cannot honour raises a ValueError
naming both, before any work.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.checks import as_generator, check_int, check_number
from .callbacks import Callback, Checkpoint, EarlyStopping, ProgressBar, TerminateOnNaN
from .callbacks import as_callbacks as _as_callbacks
from .data import TrainingData, check_training_data
from .full_batch import FullBatchRun
from .history import History
from .lbfgs import LBFGS
from .optimizers import get_optimizer
from .penalty import make_l2_penalty
from .trainer import Trainer

if TYPE_CHECKING:  # pragma: no cover
    from ..network import NeuralNetwork

__all__ = ["fit"]

#: Defaults of the keywords that only some configurations use: a value other than the
#: default, where it cannot apply, is an error.
_BATCH_SIZE, _PATIENCE, _EPOCHS = 32, 10, 100


def _split_validation(data: TrainingData, fraction: float, rng: np.random.Generator
                      ) -> tuple[TrainingData, TrainingData]:
    n_val = int(math.ceil(data.n * fraction))
    if n_val < 1 or n_val >= data.n:
        raise ValueError(f"validation_split={fraction} leaves no rows for training or for "
                         f"validation with {data.n} samples")
    order = rng.permutation(data.n)
    return data.subset(np.sort(order[n_val:])), data.subset(np.sort(order[:n_val]))


def _data_and_validation(network, X, y, sample_weight, class_weight, validation_data,
                         validation_split, rng) -> tuple[TrainingData, TrainingData | None]:
    data = check_training_data(network, X, y, sample_weight, class_weight)
    validation_split = check_number("validation_split", validation_split, 0.0, 1.0,
                                    high_inclusive=False)
    if validation_data is None:
        return (_split_validation(data, validation_split, rng) if validation_split
                else (data, None))
    if validation_split:
        raise ValueError("give validation_data or validation_split, not both")
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
        raise ValueError("validation_data must be a pair (X_val, y_val)")
    try:
        val = check_training_data(network, validation_data[0], validation_data[1])
    except (ValueError, TypeError) as err:
        raise type(err)(f"validation_data: {err}") from None
    return data, val


def _option_callbacks(callbacks, progress, early_stopping, patience, checkpoint_dir,
                      resume) -> list[Callback]:
    """The user's callbacks plus those the convenience keywords stand for."""
    result = _as_callbacks(callbacks)
    kinds = {type(cb) for cb in result}
    if resume and checkpoint_dir is None:
        raise ValueError("resume=True needs checkpoint_dir")
    if not early_stopping and patience != _PATIENCE:
        raise ValueError(f"patience={patience!r} needs early_stopping=True (or pass "
                         "EarlyStopping(patience=...) in callbacks)")
    for wanted, kind, name in ((early_stopping, EarlyStopping, "early_stopping=True"),
                               (checkpoint_dir is not None, Checkpoint, "checkpoint_dir"),
                               (progress, ProgressBar, "progress=True")):
        if wanted and kind in kinds:
            raise ValueError(f"{name} and {kind.__name__}(...) in callbacks ask for the same "
                             "thing: give one of them")
    if early_stopping:
        result.append(EarlyStopping(patience=patience))
    if checkpoint_dir is not None:
        result.append(Checkpoint(checkpoint_dir, resume=resume))
    if progress:
        result.append(ProgressBar())
    return result


def refuse_full_batch_options(solver: LBFGS, epochs: int, batch_size: Any, shuffle: bool,
                              dropout: float, learning_rate: float | None) -> None:
    """ValueError for each mini-batch keyword given to L-BFGS (callbacks are checked by
    the run: their ``requires``); ``batch_size`` None or the default means not given.
    Also :func:`numpynn.distributed.fit`'s check for ``strategy='lbfgs'``."""
    given = [f"learning_rate={learning_rate!r}" if learning_rate is not None else "",
             f"batch_size={batch_size!r}" if batch_size not in (None, _BATCH_SIZE) else "",
             "shuffle=False" if not shuffle else "",
             f"dropout={dropout!r}" if dropout else ""]
    given = [g for g in given if g]
    if given:
        raise ValueError(f"optimizer='lbfgs' cannot honour {', '.join(given)}: L-BFGS takes "
                         "full-batch steps over all the data, of lengths its line search "
                         "chooses, without a learning rate, mini-batches, shuffling or "
                         "dropout")
    if solver.max_iter is not None and epochs not in (_EPOCHS, solver.max_iter):
        raise ValueError(f"epochs={epochs} and {solver!r} give two iteration counts: set "
                         "one of them")


_FIT_DOC = """Train ``network`` by back-propagation.

Parameters
----------
network : NeuralNetwork
X : array_like, shape (n, sizes[0])
    Used in place when it already has the network's dtype (float32 by default) and is
    C-contiguous, never copied to float64; a SciPy sparse matrix stays sparse (CSR).
y : array_like
    softmax: integer labels (n,) or probability rows (n, k); logistic: 0/1 rows (n, k)
    (or (n,) for one output); identity and exp: values (n, k) (or (n,) for one output).
epochs : int, default 100
    Most epochs (iterations, for lbfgs).
batch_size : int, default 32
    Mini-batch optimizers only: another value with lbfgs is an error.
optimizer : {"adam", "adamw", "sgd", "lbfgs"}, Optimizer or LBFGS, default "adam"
    The learning rate's schedule and gradient clipping are the optimizer's:
    ``Adam(learning_rate=0.01, schedule="cosine", clip_norm=1.0)``.
learning_rate : float, optional
    The base rate of a mini-batch optimizer that does not set its own (default
    0.001); giving both is an error, and so is giving one with lbfgs (which has none).
l2 : float, default 0.0
    Loss term ``(l2 / 2) * sum(w ** 2)`` over the weights (not the biases).
dropout : float in [0, 1), default 0.0
    Inverted dropout on every hidden layer, during training only.
shuffle : bool, default True
    (``dropout`` and ``shuffle=False`` are errors with lbfgs, which has neither.)
seed : int or Generator, optional
    Shuffling, dropout and the validation split; same seed, same weights, bit for bit.
validation_data : (X_val, y_val), optional
validation_split : float in [0, 1), default 0.0
    Hold out this random fraction of the rows for validation instead.
sample_weight : array_like, shape (n,), optional
class_weight : "balanced" or dict, optional
callbacks : list of Callback or callables
    :class:`~numpynn.training.Callback` objects (``EarlyStopping``, ``Checkpoint``,
    ``ReduceLROnPlateau``, ``CSVLogger``, ...) and plain functions, called after every
    epoch with a dict (epoch, loss, val_loss, accuracy, val_accuracy, learning_rate);
    a function returning True stops training.
progress : bool, default False
    Show a progress bar (tqdm when installed): a :class:`ProgressBar`.
early_stopping : bool, default False
    An :class:`EarlyStopping` with ``patience``: stop after ``patience`` epochs
    without a lower validation loss (training loss without validation data), then
    restore the best weights.  ``EarlyStopping(min_delta=...)`` for more.
patience : int, default 10
    With ``early_stopping`` only: another value without it is an error.
checkpoint_dir : path, optional
    A :class:`Checkpoint`: the model, optimizer and callback states are written there,
    atomically, after every epoch.  Mini-batch optimizers only.
resume : bool, default False
    Continue from the newest checkpoint in ``checkpoint_dir``.

Returns
-------
History

Raises
------
ValueError, TypeError
    Bad input, or options that the solver cannot honour together: before any
    training (the weights stay untouched).
TrainingDivergedError
    The loss became NaN or inf; the network keeps its last finite weights.
"""


# NeuralNetwork.fit (network/fitting.py) repeats this signature on purpose, for help() and
# editors; its head is check_training_data's too: one order of the data arguments.
def fit(
    network: NeuralNetwork,
    X: Any,
    y: Any,
    *,
    epochs: int = _EPOCHS,
    batch_size: int = _BATCH_SIZE,
    optimizer: Any = "adam",
    learning_rate: float | None = None,
    l2: float = 0.0,
    dropout: float = 0.0,
    shuffle: bool = True,
    seed: int | np.random.Generator | None = None,
    validation_data: tuple[Any, Any] | None = None,
    validation_split: float = 0.0,
    sample_weight: Any = None,
    class_weight: Any = None,
    callbacks: Iterable[Callback | Callable[[dict[str, Any]], Any]] = (),
    progress: bool = False,
    early_stopping: bool = False,
    patience: int = _PATIENCE,
    checkpoint_dir: Any = None,
    resume: bool = False,
) -> History:
    # The docstring is _FIT_DOC (assigned below): the parameters are documented once.
    epochs = check_int("epochs", epochs, 1)
    rng = as_generator(seed)
    solver = get_optimizer(optimizer)
    callback_list = _option_callbacks(callbacks, progress, early_stopping, patience,
                                      checkpoint_dir, resume)
    if isinstance(solver, LBFGS):
        refuse_full_batch_options(solver, epochs, batch_size, shuffle, dropout,
                                  learning_rate)
        loop: Trainer | FullBatchRun = FullBatchRun(
            network, solver, penalty=make_l2_penalty(l2, network),
            callbacks=[TerminateOnNaN(), *callback_list])
    else:
        loop = Trainer(network, solver, learning_rate=learning_rate, batch_size=batch_size,
                       l2=l2, dropout=dropout, shuffle=shuffle, seed=rng,
                       callbacks=[TerminateOnNaN(), *callback_list])
    loop.check_callbacks()
    data, val = _data_and_validation(network, X, y, sample_weight, class_weight,
                                     validation_data, validation_split, rng)
    return loop.run(data, epochs=epochs, validation=val)


fit.__doc__ = _FIT_DOC
