"""The determinism contract (issue 16, item 12), one test for each "same" it promises:

    the same install, the same BLAS thread count and the same kernel path (Numba or NumPy)
    give the same bits -- for training with a seed, and for eval, also from many threads at
    once; change any of the three and results agree to float32 rounding, not in bits.

The thread count is pinned with threadpoolctl (as a user would, or with
``OPENBLAS_NUM_THREADS`` / ``OMP_NUM_THREADS``), the kernel path with ``NUMPYNN_KERNELS``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

threadpoolctl = pytest.importorskip("threadpoolctl")

from numpynn import Adam, NeuralNetwork  # noqa: E402

RNG = np.random.default_rng(12)
X = RNG.normal(size=(512, 12)).astype(np.float32)
Y = (X[:, :3].sum(axis=1) > 0).astype(np.int64)
KERNELS = ["numpy", pytest.param("numba", marks=pytest.mark.skipif(
    __import__("importlib").util.find_spec("numba") is None, reason="needs numba"))]

#: The training run, the same in this process and in a fresh one (a file of source).
TRAINING = textwrap.dedent("""
    import numpy as np
    from numpynn import Adam, NeuralNetwork

    def trained(X, Y):
        net = NeuralNetwork(12, 32, 16, 2, seed=3)
        net.fit(X, Y, epochs=3, batch_size=32, optimizer=Adam(0.01), dropout=0.1, seed=4,
                validation_split=0.25)
        return net
""")
namespace: dict = {}
exec(TRAINING, namespace)  # noqa: S102 - the same source as the subprocess runs
trained = namespace["trained"]


def _digest(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


@pytest.mark.parametrize("kernels", KERNELS)
@pytest.mark.parametrize("threads", [1, 2])
def test_same_thread_count_and_kernel_path_give_the_same_bits(monkeypatch, kernels, threads):
    monkeypatch.setenv("NUMPYNN_KERNELS", kernels)
    with threadpoolctl.threadpool_limits(limits=threads):
        first, second = trained(X, Y), trained(X, Y)
        assert _digest(first.theta) == _digest(second.theta)
        assert _digest(first.eval(X)) == _digest(second.eval(X))


@pytest.mark.parametrize("kernels", KERNELS)
def test_the_same_install_in_another_process_gives_the_same_bits(monkeypatch, kernels):
    monkeypatch.setenv("NUMPYNN_KERNELS", kernels)
    script = TRAINING + textwrap.dedent("""
        import hashlib, sys, threadpoolctl
        X = np.frombuffer(bytes.fromhex(sys.stdin.read()), dtype=np.float32).reshape(512, 12)
        Y = (X[:, :3].sum(axis=1) > 0).astype(np.int64)
        with threadpoolctl.threadpool_limits(limits=1):
            print(hashlib.sha256(trained(X, Y).theta.tobytes()).hexdigest())
    """)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    there = subprocess.run([sys.executable, "-c", script], input=X.tobytes().hex(),
                           capture_output=True, text=True, check=True, env=env,
                           timeout=300).stdout.strip()
    with threadpoolctl.threadpool_limits(limits=1):
        here = _digest(trained(X, Y).theta)
    assert there == here


def test_other_kernel_paths_agree_to_float32_rounding(monkeypatch):
    pytest.importorskip("numba")
    results = {}
    with threadpoolctl.threadpool_limits(limits=1):
        for kernels in ("numpy", "numba"):
            monkeypatch.setenv("NUMPYNN_KERNELS", kernels)
            net = NeuralNetwork(12, 32, 16, 2, seed=3)
            net.fit(X, Y, epochs=1, batch_size=32, optimizer=Adam(0.01), seed=4)
            results[kernels] = net.theta
    np.testing.assert_allclose(results["numba"], results["numpy"], rtol=1e-4, atol=1e-6)


def test_other_thread_counts_agree_to_float32_rounding():
    net = NeuralNetwork(12, 256, 256, 2, seed=3)
    big = np.tile(X, (8, 1))
    outputs = {}
    for threads in (1, 2):
        with threadpoolctl.threadpool_limits(limits=threads):
            outputs[threads] = net.eval(big)
    np.testing.assert_allclose(outputs[1], outputs[2], rtol=1e-5, atol=1e-7)


def test_concurrent_evals_at_a_pinned_thread_count_give_the_solo_bits(monkeypatch):
    """Large evals split over two threads and hold BLAS at one thread while they run: with
    the thread count pinned, evals from many threads at once match a solo eval bit for bit."""
    from numpynn.core import forward

    monkeypatch.setattr(forward, "_PARALLEL_MIN_VALUES", 1 << 14)  # split these inputs too
    net = NeuralNetwork(12, 256, 128, 3, seed=5)
    inputs = [np.tile(X, (4, 1)) * np.float32(1 + i / 7) for i in range(6)]
    with threadpoolctl.threadpool_limits(limits=1):
        solo = [_digest(net.eval(x)) for x in inputs]
        with ThreadPoolExecutor(max_workers=4) as pool:
            together = list(pool.map(lambda x: _digest(net.eval(x)), inputs * 3))
    assert together == solo * 3
