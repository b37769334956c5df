"""NeuralNetwork: layout, eval, predict, trace, threads, dtypes and bad input."""

import threading

import numpy as np
import pytest

import numpynn
from numpynn import NeuralNetwork
from numpynn.display import ARTICLE_INPUT, ARTICLE_WEIGHTS

HIDDEN = ["relu", "leaky_relu", "tanh", "logistic", "identity"]
OUTPUT = ["softmax", "logistic", "identity", "exp"]


def test_neural_net_alias_and_sizes():
    assert numpynn.NeuralNet is NeuralNetwork
    net = NeuralNetwork(8, 32, 16, 3, seed=0)
    assert net.sizes == (8, 32, 16, 3)
    assert net.num_weights == 8 * 32 + 32 + 32 * 16 + 16 + 16 * 3 + 3
    assert [w.shape for w in net.weights] == [(8, 32), (32, 16), (16, 3)]
    assert [b.shape for b in net.biases] == [(32,), (16,), (3,)]
    assert net.theta.dtype == np.float32 and net.theta.flags.c_contiguous


def test_views_share_memory_with_theta():
    net = NeuralNetwork(4, 5, 6, 3, seed=0)
    for w, b in zip(net.weights, net.biases):
        assert np.shares_memory(w, net.theta) and np.shares_memory(b, net.theta)
    net.set_weights(np.arange(net.num_weights, dtype=np.float32))
    assert net.weights[0][0, 0] == 0 and net.weights[0][0, 1] == 1  # row-major
    assert net.biases[0][0] == 20  # after 4*5 weights
    assert net.weights[1][0, 0] == 25


@pytest.mark.parametrize("index", range(26))
def test_flat_order_moves_the_article_node(index):
    """Changing weight i changes exactly the node the article's order says."""
    net = NeuralNetwork(3, 4, 2)
    net.set_weights(ARTICLE_WEIGHTS)
    before_hidden, before_out = net.trace(ARTICLE_INPUT)
    wts = ARTICLE_WEIGHTS.copy()
    wts[index] += 0.5
    net.set_weights(wts)
    hidden, out = net.trace(ARTICLE_INPUT)
    changed_hidden = np.flatnonzero(~np.isclose(hidden.sums, before_hidden.sums, atol=1e-7))
    changed_out = np.flatnonzero(~np.isclose(out.sums, before_out.sums, atol=1e-7))
    if index < 12:  # input-hidden weight [i, j], row-major
        assert changed_hidden.tolist() == [index % 4]
        expected = ARTICLE_INPUT[index // 4] * 0.5
        assert hidden.sums[index % 4] - before_hidden.sums[index % 4] == pytest.approx(
            expected, abs=1e-5)
    elif index < 16:  # hidden bias j
        assert changed_hidden.tolist() == [index - 12]
    elif index < 24:  # hidden-output weight [j, k]
        assert changed_hidden.size == 0
        assert changed_out.tolist() == [(index - 16) % 2]
    else:  # output bias k
        assert changed_hidden.size == 0
        assert changed_out.tolist() == [index - 24]


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("output", OUTPUT)
def test_batch_eval_equals_row_by_row(hidden, output):
    net = NeuralNetwork(5, 7, 6, 3, hidden_activation=hidden, output_activation=output, seed=1)
    X = np.random.default_rng(0).normal(size=(300, 5)).astype(np.float32)
    batch = net.eval(X)
    assert batch.dtype == np.float32 and batch.shape == (300, 3)
    rows = np.stack([net.eval(x) for x in X])
    np.testing.assert_allclose(batch, rows, rtol=1e-5, atol=1e-6)


def test_large_batch_uses_blocks_consistently():
    net = NeuralNetwork(16, 64, 10, seed=2)
    X = np.random.default_rng(1).normal(size=(20000, 16)).astype(np.float32)
    out = net.eval(X)
    np.testing.assert_allclose(out[12345], net.eval(X[12345]), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, atol=1e-5)


def test_eval_is_repeatable_and_fresh():
    net = NeuralNetwork(3, 4, 2)
    net.set_weights(ARTICLE_WEIGHTS)
    first = net.eval(ARTICLE_INPUT)
    for _ in range(5):
        again = net.eval(ARTICLE_INPUT)
        assert np.array_equal(first, again)
        assert not np.shares_memory(again, first)
    first[:] = 0  # mutating a result does not affect the network
    np.testing.assert_allclose(net.eval(ARTICLE_INPUT), [0.4973, 0.5027], atol=5e-5)


def test_concurrent_eval_from_8_threads():
    net = NeuralNetwork(10, 64, 64, 4, seed=3)
    rng = np.random.default_rng(4)
    inputs = [rng.normal(size=(int(rng.integers(1, 3000)), 10)).astype(np.float32)
              for _ in range(8)]
    expected = [net.eval(x) for x in inputs]
    results: dict[int, list] = {i: [] for i in range(8)}
    barrier = threading.Barrier(8)

    def work(i):
        barrier.wait()
        for _ in range(20):
            results[i].append(net.eval(inputs[i]))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(8):
        assert len(results[i]) == 20
        for r in results[i]:
            assert np.array_equal(r, expected[i])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("output", OUTPUT)
def test_network_dtype_everywhere(hidden, output, dtype):
    kwargs = {} if dtype == np.float32 else {"dtype": dtype}  # float32: the default
    net = NeuralNetwork(4, 6, 3, hidden_activation=hidden, output_activation=output, seed=0,
                        **kwargs)
    X64 = np.random.default_rng(0).normal(size=(10, 4))  # input is converted once
    for X in (X64, X64.astype(np.float32), X64.tolist(), X64[:1], X64[0]):
        assert net.eval(X).dtype == dtype
    assert net.theta.dtype == dtype
    for rec in net.trace(X64[0]):
        assert rec.sums.dtype == dtype and rec.values.dtype == dtype


def test_predict_per_output_kind():
    X = np.random.default_rng(0).normal(size=(20, 4)).astype(np.float32)
    soft = NeuralNetwork(4, 8, 3, seed=0)
    assert soft.predict(X).shape == (20,)
    np.testing.assert_array_equal(soft.predict(X), soft.eval(X).argmax(axis=1))
    assert soft.predict(X[0]) == soft.eval(X[0]).argmax()
    logi = NeuralNetwork(4, 8, 2, output_activation="logistic", seed=0)
    np.testing.assert_array_equal(logi.predict(X), (logi.eval(X) >= 0.5).astype(int))
    ident = NeuralNetwork(4, 8, 2, output_activation="identity", seed=0)
    np.testing.assert_array_equal(ident.predict(X), ident.eval(X))


def test_per_layer_activations():
    net = NeuralNetwork(3, 5, 5, 2, hidden_activation=["tanh", "relu"], seed=0)
    assert net.hidden_activations == ("tanh", "relu")
    hidden1, hidden2, _ = net.trace([0.3, -0.2, 0.9])
    np.testing.assert_allclose(hidden1.values, np.tanh(hidden1.sums), rtol=1e-6)
    np.testing.assert_allclose(hidden2.values, np.maximum(hidden2.sums, 0))


def test_no_hidden_layer():
    net = NeuralNetwork(3, 2, output_activation="identity", seed=0)
    x = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    np.testing.assert_allclose(net.eval(x), x @ net.weights[0] + net.biases[0], rtol=1e-6)


def test_seed_makes_init_reproducible():
    a = NeuralNetwork(6, 10, 3, seed=42)
    b = NeuralNetwork(6, 10, 3, seed=42)
    c = NeuralNetwork(6, 10, 3, seed=43)
    assert np.array_equal(a.theta, b.theta)
    assert not np.array_equal(a.theta, c.theta)
    assert all(np.all(bias == 0) for bias in a.biases)


def test_extreme_inputs_do_not_warn_or_overflow():
    import warnings

    z = np.array([[-1e4, 0.0, 1e4], [1e30, -1e30, 0.0]], dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = numpynn.softmax(z)
        lg = numpynn.logistic(z)
        assert numpynn.logistic(-1e5) == 0.0 and numpynn.logistic(1e5) == 1.0
        assert numpynn.log_sig(-1e5) == 0.0
    assert np.isfinite(s).all() and np.isfinite(lg).all()
    np.testing.assert_allclose(s.sum(axis=1), 1.0)
    np.testing.assert_allclose(lg[0], [0.0, 0.5, 1.0])
    assert numpynn.softmax(np.array([1000.0, 1000.0]))[0] == 0.5


# ---------------------------------------------------------------- bad input
def test_set_weights_wrong_length_changes_nothing():
    net = NeuralNetwork(3, 4, 2, seed=0)
    before = net.get_weights()
    with pytest.raises(ValueError, match=r"weights must have 26 values \(num_weights\), got 25"):
        net.set_weights(np.zeros(25))
    with pytest.raises(ValueError, match="weights must have 26 values"):
        net.set_weights(np.zeros((2, 13)))
    assert np.array_equal(net.theta, before)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_set_weights_non_finite_changes_nothing(bad):
    net = NeuralNetwork(3, 4, 2, seed=0)
    before = net.get_weights()
    wts = ARTICLE_WEIGHTS.copy()
    wts[7] = bad
    with pytest.raises(ValueError, match="NaN or inf"):
        net.set_weights(wts)
    assert np.array_equal(net.theta, before)


def test_get_weights_is_a_copy():
    net = NeuralNetwork(3, 4, 2, seed=0)
    w = net.get_weights()
    w[:] = 0
    assert net.theta.any()


@pytest.mark.parametrize("x, message", [
    (np.zeros(4), "must have 3 values per row"),
    (np.zeros((2, 2)), "must have 3 values per row"),
    (np.zeros((2, 3, 1)), "1-D .* or 2-D"),
    (np.float32(1.0), "1-D .* or 2-D"),
    ([[1, 2, 3], [1, 2]], "numeric array"),
])
def test_eval_bad_shapes(x, message):
    net = NeuralNetwork(3, 4, 2, seed=0)
    with pytest.raises(ValueError, match=message):
        net.eval(x)


def test_eval_non_numeric_and_nan():
    net = NeuralNetwork(3, 4, 2, seed=0)
    with pytest.raises(TypeError, match="numeric"):
        net.eval(np.array(["a", "b", "c"]))
    X = np.ones((5, 3), dtype=np.float32)
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN or inf .*row 3"):
        net.eval(X)
    with pytest.raises(ValueError, match="NaN or inf"):
        net.eval([1.0, np.inf, 2.0])


@pytest.mark.parametrize("sizes, error, message", [
    ((3,), ValueError, "at least two sizes"),
    ((), ValueError, "at least two sizes"),
    ((3, 0, 2), ValueError, "at least 1"),
    ((3, -4, 2), ValueError, "at least 1"),
    ((3, 4.5, 2), TypeError, "must be an int"),
])
def test_bad_sizes(sizes, error, message):
    with pytest.raises(error, match=message):
        NeuralNetwork(*sizes)


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(ValueError, match="leaky_relu.*relu|relu.*leaky_relu"):
        NeuralNetwork(3, 4, 2, hidden_activation="leaky")
    with pytest.raises(ValueError, match="softmax"):
        NeuralNetwork(3, 4, 2, output_activation="relu")
    with pytest.raises(ValueError, match="glorot_uniform"):
        NeuralNetwork(3, 4, 2, init="xavier")
    with pytest.raises(ValueError, match=r"hidden_activation must hold 1 name .*got 2"):
        NeuralNetwork(3, 4, 2, hidden_activation=["relu", "tanh"])


def test_trace_needs_one_input():
    net = NeuralNetwork(3, 4, 2, seed=0)
    with pytest.raises(ValueError, match="one input"):
        net.trace(np.zeros((2, 3)))


@pytest.mark.parametrize("spread", [0.0, 50.0, 79.0, 81.0, 500.0])
def test_softmax_batch_shift_matches_float64(spread):
    """Both softmax paths (one shift per batch, one per row) agree with float64."""
    rng = np.random.default_rng(0)
    z = rng.normal(size=(300, 7)).astype(np.float32)
    z[::2] -= spread  # half the rows far below the others
    ref = np.exp(z.astype(np.float64) - z.max(axis=1, keepdims=True))
    ref /= ref.sum(axis=1, keepdims=True)
    got = numpynn.softmax(z)
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-30)
    assert np.all(got > 0)


def test_pickle_and_deepcopy_keep_the_views():
    import copy
    import pickle

    net = NeuralNetwork(4, 6, 3, hidden_activation=["tanh"], seed=0)
    for clone in (pickle.loads(pickle.dumps(net)), copy.deepcopy(net)):
        assert np.array_equal(clone.theta, net.theta)
        assert all(np.shares_memory(w, clone.theta) for w in clone.weights)
        assert all(np.shares_memory(b, clone.theta) for b in clone.biases)
        assert not np.shares_memory(clone.theta, net.theta)
        clone.theta[:] = 0
        assert np.all(clone.weights[0] == 0) and net.theta.any()


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_single_sample_errors_instead_of_nan():
    net = NeuralNetwork(2, 3, 2, hidden_activation="relu", seed=0)
    with pytest.raises(ValueError, match="NaN or inf"):
        net.eval(np.array([-np.inf, 0.0], dtype=np.float32))  # relu would hide it as 0
    huge = NeuralNetwork(1, 2, output_activation="softmax")
    huge.set_weights([3e38, -3e38, 0.0, 0.0])
    with pytest.raises(ValueError, match="overflowed"):
        huge.eval(np.array([10.0], dtype=np.float32))


def test_large_eval_on_two_cores_matches_and_restores_blas_threads(monkeypatch):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from numpynn.core import forward

    monkeypatch.setattr(forward, "_PARALLEL_MIN_VALUES", 1 << 12)  # small data, same path
    before = [p["num_threads"] for p in threadpoolctl.threadpool_info()]
    net = NeuralNetwork(8, 32, 5, seed=0)
    X = np.random.default_rng(0).normal(size=(5000, 8)).astype(np.float32)
    results = {}

    def work(i):
        results[i] = net.eval(X)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    monkeypatch.setattr(forward, "_PARALLEL_MIN_VALUES", 1 << 60)
    serial = net.eval(X)
    for i in range(4):
        np.testing.assert_allclose(results[i], serial, rtol=1e-5, atol=1e-7)
    assert [p["num_threads"] for p in threadpoolctl.threadpool_info()] == before


def test_empty_batch_and_bad_seed():
    net = NeuralNetwork(3, 4, 2, seed=0)
    out = net.eval(np.ones((0, 3), dtype=np.float32))
    assert out.shape == (0, 2) and out.dtype == np.float32
    with pytest.raises(TypeError, match="seed must be an int"):
        NeuralNetwork(3, 4, 2, seed="abc")
    with pytest.raises(ValueError, match="non-negative"):
        NeuralNetwork(3, 4, 2, seed=-1)


def test_save_load_keeps_metadata(tmp_path):
    pytest.importorskip("safetensors")
    net = NeuralNetwork(3, 4, 2, seed=0)
    net.save(tmp_path / "a.safetensors", metadata={"classes": ["m", "f"]})
    loaded = numpynn.load(tmp_path / "a.safetensors")
    assert loaded.metadata == {"classes": ["m", "f"]}
    assert np.array_equal(loaded.theta, net.theta)
    loaded.save(tmp_path / "b.safetensors")  # saved back whole
    assert numpynn.load(tmp_path / "b.safetensors").metadata == {"classes": ["m", "f"]}


def test_softmax_helper_bad_and_empty_input():
    with pytest.raises(TypeError, match="numbers"):
        numpynn.softmax("abc")
    with pytest.raises(ValueError, match="at least one dimension"):
        numpynn.softmax(3.0)
    assert numpynn.softmax([]).shape == (0,)
