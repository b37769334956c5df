"""Which code runs the training hot loops: Numba's fused kernels, or NumPy alone.

numpynn needs NumPy only.  With Numba installed (``pip install "numpynn[fast]"``) training
uses the fused loops of :mod:`numpynn._numba_kernels`, which touch memory once where NumPy
makes several whole-array passes and Python calls.  The environment variable
``NUMPYNN_KERNELS`` chooses:

``auto`` (default)
    Numba for the epochs of a training run whose work is large enough to gain from it
    (below), when Numba imports; NumPy for the others.
``numpy``
    NumPy alone, even with Numba installed.
``numba``
    Numba from the first step, and an error when it is missing.

Importing Numba and loading the compiled loops costs about a second, more than a small
training run takes in all (iris: 0.1 s), so ``auto`` weighs the training work -- rows x
parameters per batch plus :data:`BATCH_WORK` for each batch's fixed costs
(:func:`training_work`) -- and decides before each epoch's first batch, for the whole
epoch: an epoch by whose end the network's training work reaches
:data:`COMPILE_AFTER_WORK` (about a second of NumPy training) runs on the compiled
loops, the epochs before it on NumPy.  The work counts the network's earlier fits too
(``network.training_work``, which the Trainer keeps), so a loop of short fits
(``partial_fit``, ``fit(epochs=1)``) switches where one long run does.  A small run
never pays for Numba; a run whose first epoch is that large uses the compiled loops from
its first batch; one in between pays at most about that second of NumPy training first.
The path of an epoch depends on its number, the run's settings (data size, batch size,
network) and the network's earlier work only (none for a fresh or loaded network) --
never on time, on what else ran in the process, on the number of epochs asked for or on
where a resumed run picks up -- so the same data, options and seed give the same model,
and a run resumed from a checkpoint (the epoch number and the earlier work are in it),
with its epochs or with more, takes each epoch on the path the uninterrupted run takes
and ends in the same bits.  The two paths differ in their last
bits (the fused loops sum in another order), so the same seed gives the same model only
on the same kernel path; ``NUMPYNN_KERNELS`` pins it.

:class:`numpynn.training.Trainer` asks before each epoch (``epochs_done``: the epoch's
number).  A :class:`Workspace <numpynn.core.backprop.Workspace>` made outside the Trainer
(one-off gradients) uses NumPy unless ``NUMPYNN_KERNELS=numba``; ``loss_and_gradient``
(full-batch) always uses NumPy.

The optimizer steps and inference (``eval``, ``predict``) never import Numba; they use the
compiled kernels only when training has already loaded them (:func:`loaded`, or
:func:`kernels` without a work size), and those give the same bits as NumPy there.
"""

from __future__ import annotations

import os
import threading
from types import ModuleType

__all__ = ["kernels", "loaded", "training_work", "CHOICES", "ENVIRONMENT_VARIABLE",
           "COMPILE_AFTER_WORK", "BATCH_WORK"]

ENVIRONMENT_VARIABLE = "NUMPYNN_KERNELS"
CHOICES = ("auto", "numpy", "numba")

#: Training work (rows x parameters summed over batches, plus BATCH_WORK a batch) from
#: which ``auto`` trains on Numba's loops: about one second of NumPy training, about
#: what loading Numba costs (measured: iris-sized runs take 0.05 s of such work; NumPy
#: does about 1e9 a second on mid-sized nets, and Numba's import and cached loops take 0.3
#: to 2 s to load).
COMPILE_AFTER_WORK = 1_000_000_000
#: The work one batch counts for its fixed costs (NumPy calls, Python): about 0.1 ms.
BATCH_WORK = 100_000

_lock = threading.Lock()
_compiled: ModuleType | None = None
_import_error: Exception | None = None
_tried = False
# The last NUMPYNN_KERNELS value seen and the choice it names: optimizers ask once a step.
_last_choice: tuple[str | None, str] | None = None


def _load() -> ModuleType | None:
    global _compiled, _import_error, _tried
    if not _tried:
        with _lock:
            if not _tried:
                try:
                    from . import numba_kernels as _numba_kernels

                    _compiled = _numba_kernels
                except Exception as exc:  # ImportError, or a Numba too old for this NumPy
                    _import_error = exc
                _tried = True
    return _compiled


def _choice() -> str:
    """``NUMPYNN_KERNELS`` as one of :data:`CHOICES`; ValueError for anything else."""
    global _last_choice
    raw = os.environ.get(ENVIRONMENT_VARIABLE)
    last = _last_choice
    if last is not None and last[0] == raw:
        return last[1]
    choice = (raw or "auto").strip().lower() or "auto"
    if choice not in CHOICES:
        raise ValueError(f"{ENVIRONMENT_VARIABLE} must be one of {', '.join(CHOICES)}, "
                         f"got {choice!r}")
    _last_choice = (raw, choice)
    return choice


def kernels(work_size: int | None = None) -> ModuleType | None:
    """The compiled kernels module, or None when the caller should use NumPy alone.

    Parameters
    ----------
    work_size : int, optional
        The training work of the run up to the end of the coming epoch
        (:func:`training_work`). With ``auto``, the kernels are loaded (and returned) when
        it reaches :data:`COMPILE_AFTER_WORK`; below that the answer is None even when they
        are loaded, so a small run takes the same path in every process. Without it: the
        kernels if already loaded, never importing them (for code whose compiled and NumPy
        versions give the same bits, like the optimizer steps and inference).

    Raises
    ------
    ValueError
        ``NUMPYNN_KERNELS`` has a value other than auto, numpy or numba.
    ImportError
        ``NUMPYNN_KERNELS=numba`` and Numba cannot be imported.
    """
    choice = _choice()
    if choice == "numpy":
        return None
    if choice == "numba":
        compiled = _load()
        if compiled is None:
            raise ImportError(f"{ENVIRONMENT_VARIABLE}=numba but Numba cannot be used "
                              f'({_import_error}); pip install "numpynn[fast]"')
        return compiled
    if work_size is None:
        return _compiled
    return _load() if work_size >= COMPILE_AFTER_WORK else None


def training_work(num_weights: int, rows: int, batch_size: int, epochs: int) -> int:
    """The training work of ``epochs`` epochs, the measure :func:`kernels` weighs.

    Parameters
    ----------
    num_weights : int
        The network's parameters.
    rows : int
        Rows an epoch trains on.
    batch_size : int >= 1
        Rows a batch (the last batch may hold fewer).
    epochs : int
        Epochs of the run so far, the coming one included (a resumed run counts those
        before the resume too).

    Returns
    -------
    int
        ``epochs * (rows * num_weights + batches * BATCH_WORK)``, with ``batches`` the
        epoch's ``ceil(rows / batch_size)``.
    """
    batches = -(-rows // max(1, batch_size))
    return max(0, epochs) * (rows * num_weights + batches * BATCH_WORK)


def loaded() -> ModuleType | None:
    """The compiled kernels if they are already imported and not switched off; None
    otherwise.  Never imports Numba (unless ``NUMPYNN_KERNELS=numba`` demands it)."""
    if _compiled is None:
        return None
    return kernels()
