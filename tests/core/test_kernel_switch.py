"""numpynn.core.kernels.switch: Numba is loaded only when the training work gains from it."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from numpynn.core.kernels import switch
from numpynn.network import NeuralNetwork, Workspace
from numpynn.training import check_training_data


def _python(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter with the default kernel choice (auto)."""
    env = {k: v for k, v in os.environ.items() if k != switch.ENVIRONMENT_VARIABLE}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env=env)


def test_the_root_import_stays_light():
    proc = _python("import sys, numpynn\n"
                   "heavy = {'numba', 'scipy', 'matplotlib', 'pyarrow', 'pandas', 'sklearn',\n"
                   "         'safetensors', 'tqdm', 'torch'}\n"
                   "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_a_small_fit_never_imports_numba():
    pytest.importorskip("numba")
    proc = _python(
        "import sys, numpy as np\n"
        "from numpynn import NeuralNetwork\n"
        "from numpynn.core import kernels\n"
        "rng = np.random.default_rng(0)\n"
        "X = rng.normal(size=(150, 4)).astype(np.float32); y = rng.integers(0, 3, 150)\n"
        "NeuralNetwork(4, 16, 16, 3, seed=0).fit(X, y, epochs=100, batch_size=32,\n"
        "                                         optimizer='adamw', seed=0)\n"
        "assert kernels.kernels() is None  # the optimizers' question: never imports\n"
        "print('numba' in sys.modules)")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


def test_numba_demanded_is_used_from_the_first_batch(monkeypatch):
    pytest.importorskip("numba")
    monkeypatch.setenv(switch.ENVIRONMENT_VARIABLE, "numba")
    assert switch.kernels(work_size=0) is not None
    assert Workspace(NeuralNetwork(3, 4, 2), 8).kernels is not None
    monkeypatch.setenv(switch.ENVIRONMENT_VARIABLE, "numpy")
    assert switch.kernels(work_size=10 * switch.COMPILE_AFTER_WORK) is None


def test_auto_answers_by_the_work_size(monkeypatch):
    pytest.importorskip("numba")
    monkeypatch.setenv(switch.ENVIRONMENT_VARIABLE, "auto")
    compiled = switch.kernels(work_size=switch.COMPILE_AFTER_WORK)
    assert compiled is not None
    # below the threshold: NumPy, even with the kernels loaded, so that a small run takes the
    # same path whatever ran before it in the process
    assert switch.kernels(work_size=switch.COMPILE_AFTER_WORK - 1) is None
    assert switch.kernels() is compiled  # loaded: the optimizer steps may use them


def _problem():
    rng = np.random.default_rng(0)
    net = NeuralNetwork(6, 12, 3, seed=0)
    X = rng.normal(size=(64, 6)).astype(np.float32)
    y = rng.integers(0, 3, 64)
    return net, check_training_data(net, X, y)


def _batch_gradients(ws, net, data, batches=4):
    grads = []
    for batch in range(batches):
        rows = slice(16 * batch, 16 * (batch + 1))
        grad = np.empty(net.num_weights, np.float32)
        ws.forward_backward(data.X[rows], data.target[rows], None, 1 / 16, grad,
                            count_correct=True)
        grads.append(grad)
    return grads


def test_a_workspace_takes_the_path_its_plan_says_and_never_switches(monkeypatch):
    pytest.importorskip("numba")
    monkeypatch.setenv(switch.ENVIRONMENT_VARIABLE, "auto")
    net, data = _problem()
    per_batch = 16 * net.num_weights + switch.BATCH_WORK
    monkeypatch.setattr(switch, "COMPILE_AFTER_WORK", 3 * per_batch)
    ws = Workspace(net, 16)
    assert ws.kernels is None  # outside a trainer: NumPy unless NUMPYNN_KERNELS=numba
    ws.choose_kernels(3 * per_batch - 1)
    reference = _batch_gradients(ws, net, data)  # more than the threshold's work done
    assert ws.kernels is None  # ... and still NumPy: the trainer's choice, not a count
    ws.choose_kernels(3 * per_batch)
    assert ws.kernels is not None
    # the compiled batches give the NumPy gradients (to float32 rounding)
    for grad, expected in zip(_batch_gradients(ws, net, data), reference):
        np.testing.assert_allclose(grad, expected, rtol=1e-5, atol=1e-7)
    precise = Workspace(net, 16, precise=True)  # full-batch work: NumPy whatever the plan
    precise.choose_kernels(10 * switch.COMPILE_AFTER_WORK)
    assert precise.kernels is None


def test_training_work_counts_every_epoch_and_batch():
    work = switch.training_work(num_weights=10, rows=100, batch_size=32, epochs=3)
    assert work == 3 * (100 * 10 + 4 * switch.BATCH_WORK)  # batches of 32, 32, 32, 4
    assert switch.training_work(10, 100, 200, 2) == 2 * (1000 + switch.BATCH_WORK)


def test_a_small_fit_is_the_same_whether_numba_is_loaded_or_not(monkeypatch):
    pytest.importorskip("numba")
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 5)).astype(np.float32)
    y = rng.integers(0, 2, 200)
    results = {}
    for mode in ("numpy", "auto"):
        monkeypatch.setenv(switch.ENVIRONMENT_VARIABLE, mode)
        if mode == "auto":
            assert switch.kernels(work_size=switch.COMPILE_AFTER_WORK) is not None  # loaded
        net = NeuralNetwork(5, 8, 2, seed=3)
        net.fit(X, y, epochs=5, batch_size=20, optimizer="adam", seed=3)
        results[mode] = net.theta.copy()
    assert np.array_equal(results["auto"], results["numpy"])  # bit for bit
