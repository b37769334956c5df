"""Lazy inference on Dask collections: NeuralNetwork.eval / predict, the estimators'
predictions and a table model's, against the in-memory results (Dask's local scheduler;
the cluster tests are in test_dask_training.py)."""

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
pd = pytest.importorskip("pandas")

import numpynn  # noqa: E402
from numpynn.distributed import predict  # noqa: E402


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((700, 5)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64) + (X[:, 2] > 1)
    return X, y


def _blockwise(function, X, step):
    """The in-memory result computed block by block: BLAS's sums depend on the rows of a
    product, so the per-block in-memory result is the bit-exact reference."""
    return np.concatenate([function(X[i:i + step]) for i in range(0, len(X), step)])


@pytest.mark.parametrize("output", ["softmax", "logistic", "identity"])
def test_network_eval_and_predict_are_lazy_and_equal(data, output):
    X, _ = data
    net = numpynn.NeuralNetwork(5, 8, 3, output_activation=output, seed=1)
    dx = da.from_array(X, chunks=(200, 5))
    lazy = net.eval(dx)
    assert isinstance(lazy, da.Array)
    assert lazy.dtype == np.float32 and lazy.shape == (700, 3)
    assert lazy.numblocks[0] == 4  # one task per block
    out = lazy.compute()
    np.testing.assert_array_equal(out, _blockwise(net.eval, X, 200))
    np.testing.assert_allclose(out, net.eval(X), rtol=1e-5, atol=1e-6)
    labels = net.predict(dx)
    assert isinstance(labels, da.Array)
    np.testing.assert_array_equal(labels.compute(), _blockwise(net.predict, X, 200))
    assert labels.dtype == net.predict(X).dtype and labels.shape == net.predict(X).shape


def test_result_uses_the_weights_at_call_time(data):
    X, _ = data
    net = numpynn.NeuralNetwork(5, 4, 3, seed=2)
    lazy = net.eval(da.from_array(X, chunks=(350, 5)))
    expected = _blockwise(net.eval, X, 350)
    net.theta[:] = 0.0
    np.testing.assert_array_equal(lazy.compute(), expected)


def test_dataframe_input_and_column_chunks(data):
    X, _ = data
    net = numpynn.NeuralNetwork(5, 6, 2, seed=3)
    frame = dd.from_pandas(pd.DataFrame(X, columns=list("abcde")), npartitions=3)
    np.testing.assert_allclose(net.eval(frame).compute(), net.eval(X), rtol=1e-5, atol=1e-6)
    split_columns = da.from_array(X, chunks=(300, 2))  # rechunked to whole rows
    np.testing.assert_allclose(net.eval(split_columns).compute(), net.eval(X), rtol=1e-5,
                               atol=1e-6)


def test_bad_dask_input_is_refused_before_any_work(data):
    X, _ = data
    net = numpynn.NeuralNetwork(5, 4, 3, seed=0)
    with pytest.raises(ValueError, match="5 values per row"):
        net.eval(da.from_array(X[:, :4], chunks=100))
    with pytest.raises(ValueError, match="2-D"):
        net.eval(da.from_array(X[:, 0], chunks=100))
    frame = dd.from_pandas(pd.DataFrame({"a": ["x"] * 4, **{c: 1.0 for c in "bcde"}}),
                           npartitions=1)
    with pytest.raises(TypeError, match="column 'a'"):
        net.eval(frame)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_estimators_predict_lazily(data):
    sklearn_estimators = pytest.importorskip("numpynn.sklearn")
    X, y = data
    clf = sklearn_estimators.NeuralNetClassifier(hidden_layer_sizes=(8,), max_iter=5,
                                                 random_state=0).fit(X, y)
    dx = da.from_array(X, chunks=(250, 5))
    for method in ("predict", "predict_proba", "predict_log_proba"):
        lazy = getattr(clf, method)(dx)
        assert isinstance(lazy, da.Array)
        expected = _blockwise(getattr(clf, method), X, 250)
        np.testing.assert_array_equal(lazy.compute(), expected)
        assert lazy.dtype == expected.dtype
    reg = sklearn_estimators.NeuralNetRegressor(hidden_layer_sizes=(4,), max_iter=5,
                                                random_state=0).fit(X, X[:, 0])
    np.testing.assert_array_equal(reg.predict(dx).compute(), _blockwise(reg.predict, X, 250))
    frame = dd.from_pandas(pd.DataFrame(X, columns=list("abcde")), npartitions=2)
    named = sklearn_estimators.NeuralNetClassifier(hidden_layer_sizes=(8,), max_iter=5,
                                                   random_state=0)
    named.fit(frame.compute(), y)
    np.testing.assert_array_equal(predict(named, frame).compute(),
                                  named.predict(frame.compute()))


def test_table_model_predictions(tmp_path):
    from numpynn.distributed import predict_table
    from numpynn.tabular import Preprocessor, TargetEncoder, read_csv

    rng = np.random.default_rng(4)
    frame = pd.DataFrame({"size": rng.normal(size=120).round(3),
                          "colour": rng.choice(["red", "blue", "green"], size=120),
                          "kind": rng.choice(["cat", "dog"], size=120)})
    frame.loc[3, "size"] = np.nan
    path = tmp_path / "pets.csv"
    frame.to_csv(path, index=False)
    table = read_csv(path)
    pre = Preprocessor.fit(table, "kind")
    enc = TargetEncoder.fit(table, "kind")
    net = numpynn.NeuralNetwork(pre.n_features, 4, 2, seed=0)
    net.metadata = {"preprocessor": pre.to_dict(), "target_encoder": enc.to_dict()}
    outputs = net.eval(pre.transform(table))
    ddf = dd.read_csv(str(path), blocksize=None).repartition(npartitions=3)
    labels = predict_table(net, ddf)
    assert isinstance(labels, da.Array)
    np.testing.assert_array_equal(labels.compute().astype(str),
                                  enc.inverse_transform(outputs.argmax(axis=1)))
    proba = predict_table(net, ddf, proba=True).compute()
    np.testing.assert_allclose(proba, outputs, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="lacks the column"):
        predict_table(net, ddf[["size", "kind"]])


def test_without_a_client_fit_says_so(data, monkeypatch):
    distributed = pytest.importorskip("distributed")
    from numpynn.distributed import fit

    def no_client():
        raise ValueError("No clients found")

    monkeypatch.setattr(distributed, "get_client", no_client)  # whatever other tests started
    X, y = data
    with pytest.raises(ValueError, match="no Dask client"):
        fit(numpynn.NeuralNetwork(5, 3, 3), da.from_array(X), da.from_array(y))
