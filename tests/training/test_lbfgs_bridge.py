"""The one L-BFGS bridge with a plugged-in objective: ``minimize_lbfgs(objective=...)`` and
``FullBatchRun(objective=...)`` (what numpynn.distributed runs), against the bridge over
data in memory."""

import numpy as np
import pytest

pytest.importorskip("scipy")

from numpynn import NeuralNetwork  # noqa: E402
from numpynn.training import check_training_data  # noqa: E402
from numpynn.training.full_batch import FullBatchRun  # noqa: E402
from numpynn.training.lbfgs import LBFGS, full_batch_objective, minimize_lbfgs  # noqa: E402
from numpynn.training.penalty import make_l2_penalty  # noqa: E402


def _blobs(n=300, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    X = (rng.normal(size=(n, 4)) + y[:, None]).astype(np.float32)
    return X, y


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_plugged_in_objective_is_the_bridge_over_data(dtype):
    X, y = _blobs()
    over_data = NeuralNetwork(4, 6, 3, seed=1, dtype=dtype)
    plugged = NeuralNetwork(4, 6, 3, seed=1, dtype=dtype)
    data = check_training_data(over_data, X, y)
    solver = LBFGS(memory=5)
    first = minimize_lbfgs(over_data, data, solver, max_iter=40,
                           penalty=make_l2_penalty(1e-3, over_data))
    objective = full_batch_objective(plugged, check_training_data(plugged, X, y),
                                     make_l2_penalty(1e-3, plugged))
    second = minimize_lbfgs(plugged, None, solver, max_iter=40, objective=objective)
    np.testing.assert_array_equal(plugged.theta, over_data.theta)
    assert plugged.theta.dtype == dtype
    assert (second.iterations, second.evaluations, second.loss) == \
        (first.iterations, first.evaluations, first.loss)


def test_any_objective_is_minimised_with_its_calls_counted():
    """A quadratic bowl around a known point, float64 end to end."""
    net = NeuralNetwork(3, 4, 2, seed=0, dtype=np.float64)
    centre = np.linspace(-1.0, 1.0, net.num_weights)
    calls, seen = [], []

    def bowl(x64):
        net.theta[:] = x64
        calls.append(1)
        return float(np.sum((x64 - centre) ** 2)), 2.0 * (x64 - centre)

    result = minimize_lbfgs(net, None, LBFGS(tol=1e-12), max_iter=50, objective=bowl,
                            after_iteration=lambda loss: seen.append(loss) and False)
    np.testing.assert_allclose(net.theta, centre, atol=1e-8)
    assert result.evaluations <= len(calls) and result.iterations == len(seen) >= 1
    assert result.loss == pytest.approx(0.0, abs=1e-14)


def test_the_bridge_takes_data_or_an_objective_not_both():
    X, y = _blobs(50)
    net = NeuralNetwork(4, 3, 3, seed=0)
    data = check_training_data(net, X, y)
    objective = full_batch_objective(net, data, None)
    with pytest.raises(TypeError, match="data .* or an objective"):
        minimize_lbfgs(net, None, LBFGS(), max_iter=3)
    with pytest.raises(TypeError, match="not both"):
        minimize_lbfgs(net, data, LBFGS(), max_iter=3, objective=objective)
    with pytest.raises(TypeError, match="not both"):
        minimize_lbfgs(net, None, LBFGS(), max_iter=3, objective=objective,
                       penalty=make_l2_penalty(0.1, net))


def test_full_batch_run_with_an_objective_logs_its_value():
    X, y = _blobs(200)
    net = NeuralNetwork(4, 5, 3, seed=2)
    objective = full_batch_objective(net, check_training_data(net, X, y), None)
    logs = []
    history = FullBatchRun(net, LBFGS(), objective=objective,
                           callbacks=[logs.append]).run(None, epochs=6)
    assert len(history.loss) == len(logs) == 6
    assert all(entry["accuracy"] is None for entry in logs)
    # each iteration's loss is the objective at that iterate: it goes down
    assert history.loss[-1] < history.loss[0]
    assert history.loss[-1] == pytest.approx(objective(net.theta.astype(np.float64))[0])
