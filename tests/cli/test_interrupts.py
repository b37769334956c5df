"""The ^C guard of `numpynn train`: a KeyboardInterrupt that CPython drops (raised while a
finalizer runs) is raised again at the next epoch end; the old handler comes back."""

import gc
import os
import signal

import numpy as np
import pytest

import numpynn
from numpynn.cli.interrupts import InterruptGuard


class _SwallowsInFinalizer:
    """Sends SIGINT to this process from __del__: the KeyboardInterrupt is raised inside
    the finalizer, where CPython prints it as "Exception ignored" and drops it."""

    def __del__(self):
        os.kill(os.getpid(), signal.SIGINT)


# pytest reports the interrupt CPython dropped in __del__ as an "unraisable" warning
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_dropped_interrupt_ends_training_at_the_next_epoch_end():
    X = np.random.default_rng(0).normal(size=(64, 3)).astype(np.float32)
    y = (X[:, 0] > 0).astype(int)
    net = numpynn.NeuralNetwork(3, 4, 2, seed=0)
    epochs_seen = []

    def drop_an_interrupt(logs):
        epochs_seen.append(logs["epoch"])
        if logs["epoch"] == 2:
            _SwallowsInFinalizer()  # freed at once: its __del__ raises, CPython drops it
            gc.collect()

    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt), InterruptGuard() as guard:
        net.fit(X, y, epochs=50, callbacks=[drop_an_interrupt, guard])
    assert guard.requested
    assert epochs_seen == [0, 1, 2]  # not one epoch more (unguarded: all 50)
    assert signal.getsignal(signal.SIGINT) is before


def test_without_an_interrupt_the_guard_does_nothing():
    with InterruptGuard() as guard:
        guard({"epoch": 0})
    assert not guard.requested


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_the_recipes_members_run_the_guard_too():
    # `numpynn train` (the recipe) passes the guard to every member's training
    from numpynn.tabular.recipe import Recipe
    from numpynn.tabular.recipe_ensemble import fit_members

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64)
    epochs_seen = []

    def drop_an_interrupt(logs):
        epochs_seen.append(logs["epoch"])
        if logs["epoch"] == 2:
            _SwallowsInFinalizer()
            gc.collect()

    with pytest.raises(KeyboardInterrupt), InterruptGuard() as guard:
        fit_members(Recipe(), X, y, n_dense=3, embeddings=[], n_outputs=2,
                    task="classification", labels=y, seed=0,
                    callbacks=[drop_an_interrupt, guard])
    assert guard.requested and epochs_seen == [0, 1, 2]
