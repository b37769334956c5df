"""The validation pass between fused epochs whose products run on SciPy's BLAS uses one
NumPy BLAS thread (training/trainer.py): NumPy's BLAS threads, once woken, spin on the
cores the next fused epoch needs.  Other epochs leave the BLAS as it is.
"""

from __future__ import annotations

import numpy as np
import pytest

from numpynn import NeuralNetwork
from numpynn.training import Trainer, check_training_data

threadpoolctl = pytest.importorskip("threadpoolctl")
pytest.importorskip("numba")
pytest.importorskip("scipy")


def _blas_threads() -> int:
    return max(pool["num_threads"] for pool in threadpoolctl.threadpool_info()
               if pool["user_api"] == "blas")


def _validation_threads(sizes: tuple[int, ...], monkeypatch) -> tuple[Trainer, list[int]]:
    monkeypatch.setenv("NUMPYNN_KERNELS", "numba")  # the compiled path from the first epoch
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], 400)
    net = NeuralNetwork(*sizes, hidden_activation="relu", seed=0)
    trainer = Trainer(net, "adam", batch_size=200, seed=0)
    seen: list[int] = []

    def validation() -> dict:
        seen.append(_blas_threads())
        return {}

    trainer.run(check_training_data(net, X, y), epochs=2, validation=validation)
    return trainer, seen


@pytest.fixture
def blas_threads_before() -> int:
    before = _blas_threads()
    if before < 2:
        pytest.skip("the BLAS runs one thread here: nothing to limit")
    return before


def test_validation_after_fused_blas_epochs_uses_one_blas_thread(blas_threads_before,
                                                                 monkeypatch):
    trainer, seen = _validation_threads((64, 100, 10), monkeypatch)  # fused, BLAS products
    assert trainer._fused_blas
    assert seen == [1, 1]
    assert _blas_threads() == blas_threads_before  # restored after each pass


@pytest.mark.parametrize("sizes", [(3, 4, 2), (256, 512, 10)])
def test_other_epochs_leave_the_blas_threads_alone(sizes, blas_threads_before, monkeypatch):
    # 3-4-2: the fused epoch's own loops (no BLAS); 256-512-10: the general path.
    trainer, seen = _validation_threads(sizes, monkeypatch)
    assert not trainer._fused_blas
    assert seen == [blas_threads_before] * 2
