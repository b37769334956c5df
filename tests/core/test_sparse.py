"""Sparse input (SciPy CSR): the first layer multiplies it as it is; nothing densifies."""

import tracemalloc

import numpy as np
import pytest

sp = pytest.importorskip("scipy.sparse")

from numpynn import NeuralNetwork  # noqa: E402
from numpynn.core import kernels as _kernels  # noqa: E402
from numpynn.core.sparse import product_into, transposed_product_into  # noqa: E402
from numpynn.training import check_training_data  # noqa: E402

DTYPES = [np.float32, np.float64]


def _csr(rows, cols, density, dtype, seed=0, index_dtype=np.int32):
    X = sp.random(rows, cols, density=density, random_state=seed, format="csr", dtype=dtype)
    X.indices = X.indices.astype(index_dtype)
    X.indptr = X.indptr.astype(index_dtype)
    return X


@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
@pytest.mark.parametrize("dtype", DTYPES)
def test_compiled_products_give_scipys_bits(dtype, index_dtype):
    pytest.importorskip("numba")
    compiled = _kernels.kernels()
    X = _csr(50, 300, 0.05, dtype, index_dtype=index_dtype)
    rng = np.random.default_rng(0)
    W, delta = rng.normal(size=(300, 7)).astype(dtype), rng.normal(size=(50, 7)).astype(dtype)
    for kernels in (None, compiled):
        out = np.full((50, 7), np.nan, dtype=dtype)
        product_into(X, W, out, kernels)
        assert out.tobytes() == np.asarray(X @ W).tobytes()
        grad = np.full((300, 7), np.nan, dtype=dtype)
        transposed_product_into(X, delta, grad, kernels)
        assert grad.tobytes() == np.asarray(X.T @ delta).tobytes()


@pytest.mark.parametrize("dtype", DTYPES)
def test_sparse_and_dense_agree(dtype, kernel_mode):
    rng = np.random.default_rng(0)
    Xs = _csr(300, 60, 0.1, np.float64)
    y = rng.integers(0, 3, 300)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    net = NeuralNetwork(60, 16, 3, seed=0, dtype=dtype)
    for X in (Xs, Xs.tocsc(), sp.csr_array(Xs)):
        np.testing.assert_allclose(net.eval(X), net.eval(Xs.toarray()), rtol=rtol, atol=rtol)
    loss_s, grad_s = net.loss_and_gradient(Xs, y, l2=0.01)
    loss_d, grad_d = net.loss_and_gradient(Xs.toarray(), y, l2=0.01)
    assert loss_s == pytest.approx(loss_d, rel=rtol)
    np.testing.assert_allclose(grad_s, grad_d, rtol=10 * rtol, atol=rtol * np.abs(grad_d).max())
    for optimizer in ("adam", "lbfgs"):
        fits = []
        for X in (Xs, Xs.toarray()):
            fitted = NeuralNetwork(60, 16, 3, seed=0, dtype=dtype)
            options = {} if optimizer == "lbfgs" else {"batch_size": 32, "seed": 0}
            fitted.fit(X, y, epochs=5, optimizer=optimizer, l2=1e-3, validation_split=0.0,
                       **options)
            fits.append(fitted.theta)
        np.testing.assert_allclose(fits[0], fits[1], rtol=100 * rtol, atol=100 * rtol)


def test_sparse_x_is_kept_sparse_and_checked():
    net = NeuralNetwork(40, 5, 2, seed=0)
    X = _csr(30, 40, 0.1, np.float32)
    data = check_training_data(net, X, np.arange(30) % 2)
    assert sp.issparse(data.X) and data.X.format == "csr" and data.X is X  # no copy
    converted = check_training_data(net, X.astype(np.float64).tocsc(), np.arange(30) % 2).X
    assert sp.issparse(converted) and converted.format == "csr"
    assert converted.dtype == np.float32
    with pytest.raises(ValueError, match="X must have 40 values per row"):
        net.eval(_csr(3, 41, 0.5, np.float32))
    bad = X.copy()
    bad.data[bad.indptr[7]] = np.nan
    with pytest.raises(ValueError, match=r"X contains NaN or inf \(first in row 7\)"):
        net.fit(bad, np.arange(30) % 2, epochs=1)
    with pytest.raises(ValueError, match=r"first in row 7"):
        net.eval(bad)


def test_nothing_densifies_more_than_a_batch():
    """2,000 x 400,000 with 20 values a row: dense it would be 3.2 GB in float32."""
    rng = np.random.default_rng(0)
    rows, cols = 2000, 400_000
    indices = rng.integers(0, cols, size=rows * 20).astype(np.int32)
    X = sp.csr_matrix((rng.random(rows * 20, dtype=np.float32), indices,
                       np.arange(0, rows * 20 + 1, 20)), shape=(rows, cols))
    y = rng.integers(0, 2, rows)
    net = NeuralNetwork(cols, 4, 2, seed=0)  # 1.6 million weights: 6.4 MB
    tracemalloc.start()
    net.fit(X, y, epochs=1, batch_size=100, seed=0, validation_split=0.1)
    out = net.eval(X)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert out.shape == (rows, 2)
    # theta, its gradient, Adam's moments and scratch: a few times 6.4 MB; one dense
    # batch of X would be 160 MB, and X itself 3.2 GB
    assert peak < 80 * 2**20
