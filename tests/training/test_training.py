"""Training learns (spirals, regression, multilabel, Poisson), is reproducible, keeps a history."""

import numpy as np
import pytest
from spiral_samples import spirals

import numpynn
from numpynn import SGD, NeuralNetwork
from numpynn.training import check_training_data

# Every training test runs with NumPy alone and with the Numba kernels.
pytestmark = pytest.mark.usefixtures("kernel_mode")


@pytest.fixture(scope="module")
def spiral_data():
    return spirals()


@pytest.mark.parametrize("optimizer, lr", [
    ("adam", 0.01),
    ("adamw", 0.01),
    (SGD(momentum=0.9), 0.05),
    (SGD(momentum=0.9, nesterov=True), 0.05),
])
def test_spirals_learned_by_minibatch_optimizers(spiral_data, optimizer, lr):
    X, y = spiral_data
    net = NeuralNetwork(2, 32, 32, 2, hidden_activation="relu", seed=0)
    history = net.fit(X, y, epochs=200, optimizer=optimizer, learning_rate=lr, batch_size=32,
                      seed=0)
    assert (net.predict(X) == y).mean() >= 0.95
    assert history.loss[-1] < history.loss[0] / 5
    assert len(history.accuracy) == 200


def test_spirals_learned_by_lbfgs(spiral_data):
    X, y = spiral_data
    net = NeuralNetwork(2, 32, 32, 2, hidden_activation="tanh", seed=0)
    history = net.fit(X, y, epochs=400, optimizer="lbfgs")
    assert (net.predict(X) == y).mean() >= 0.95
    assert history.loss[-1] < 0.1


def test_sin_regression_rmse():
    rng = np.random.default_rng(0)
    X = rng.uniform(-np.pi, np.pi, size=(1000, 1)).astype(np.float32)
    y = np.sin(2 * X)
    net = NeuralNetwork(1, 32, 32, 1, hidden_activation="tanh", output_activation="identity",
                        seed=0)
    net.fit(X, y, epochs=300, learning_rate=0.01, batch_size=32, seed=0)
    grid = np.linspace(-np.pi, np.pi, 500, dtype=np.float32)[:, None]
    rmse = float(np.sqrt(np.mean((net.eval(grid) - np.sin(2 * grid)) ** 2)))
    assert rmse < 0.1


def test_early_stopping_on_noisy_labels_restores_best():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 10)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    flip = rng.random(600) < 0.3  # noisy labels: a big net overfits them
    y[flip] = 1 - y[flip]
    net = NeuralNetwork(10, 128, 128, 2, hidden_activation="relu", seed=0)
    history = net.fit(X, y, epochs=500, learning_rate=0.01, validation_split=0.3,
                      early_stopping=True, patience=10, seed=0)
    assert history.stopped_early and history.epochs < 500
    best = history.best_epoch
    assert history.val_loss[best] == min(history.val_loss)
    assert history.epochs == best + 11  # stopped `patience` epochs after the best one
    # the restored weights give the best validation loss again
    val_rows = check_training_data(net, X, y)
    assert val_rows.n == 600  # sanity: data unchanged
    from numpynn.training import _split_validation

    _, val = _split_validation(check_training_data(net, X, y), 0.3, np.random.default_rng(0))
    from numpynn.training import evaluate_loss

    assert evaluate_loss(net, val)[0] == pytest.approx(history.val_loss[best], rel=1e-5)


def test_same_seed_same_weights_bit_for_bit(spiral_data):
    X, y = spiral_data

    def run(seed):
        net = NeuralNetwork(2, 16, 16, 2, seed=1)
        net.fit(X, y, epochs=3, dropout=0.2, seed=seed, validation_split=0.1,
                batch_size=50)
        return net.theta.copy()

    assert np.array_equal(run(7), run(7))
    assert not np.array_equal(run(7), run(8))


def test_callbacks_see_figures_and_can_stop():
    X, y = spirals(100)
    net = NeuralNetwork(2, 8, 2, seed=0)
    seen = []

    def callback(logs):
        seen.append(logs)
        return logs["epoch"] == 2

    history = net.fit(X, y, epochs=50, validation_split=0.2, callbacks=[callback], seed=0)
    assert history.epochs == 3 and len(seen) == 3
    assert set(seen[0]) >= {"epoch", "loss", "val_loss", "accuracy", "val_accuracy",
                            "learning_rate"}
    assert seen[1]["loss"] == history.loss[1]


def test_validation_data_and_history_fields():
    X, y = spirals(200)
    net = NeuralNetwork(2, 16, 2, seed=0)
    history = net.fit(X[:300], y[:300], epochs=5, validation_data=(X[300:], y[300:]), seed=0)
    assert len(history.loss) == len(history.val_loss) == len(history.accuracy) == 5
    assert len(history.val_accuracy) == 5
    assert 0 <= history.best_epoch < 5
    assert history["loss"] is history.loss
    assert set(history.as_dict()) >= {"loss", "val_loss", "accuracy", "val_accuracy",
                                      "best_epoch"}
    reg = NeuralNetwork(2, 4, 1, output_activation="identity", seed=0)
    h = reg.fit(X, y.astype(np.float32), epochs=2)
    assert h.accuracy == [] and len(h.loss) == 2


def test_multilabel_logistic_training():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 4)).astype(np.float32)
    Y = np.c_[X[:, 0] > 0, X[:, 1] > 0, X[:, 0] + X[:, 1] > 0].astype(np.float32)
    net = NeuralNetwork(4, 16, 3, output_activation="logistic", seed=0)
    history = net.fit(X, Y, epochs=60, learning_rate=0.01, seed=0)
    assert (net.predict(X) == Y).mean() > 0.95
    assert history.accuracy[-1] > 0.85


def test_progress_bar_runs(capsys):
    X, y = spirals(50)
    net = NeuralNetwork(2, 4, 2, seed=0)
    net.fit(X, y, epochs=3, progress=True)
    err = capsys.readouterr().err
    assert "3/3" in err


def test_checkpoint_and_resume_continue_the_same_run(tmp_path):
    pytest.importorskip("safetensors")
    X, y = spirals(100)
    full = NeuralNetwork(2, 8, 2, seed=0)
    full.fit(X, y, epochs=6, seed=3, dropout=0.1)
    first = NeuralNetwork(2, 8, 2, seed=0)
    first.fit(X, y, epochs=3, seed=3, dropout=0.1, checkpoint_dir=tmp_path)
    resumed = NeuralNetwork(2, 8, 2, seed=99)  # different initial weights: overwritten
    history = resumed.fit(X, y, epochs=6, seed=3, dropout=0.1, checkpoint_dir=tmp_path,
                          resume=True)
    assert history.epochs == 6
    np.testing.assert_array_equal(resumed.theta, full.theta)


def test_numpynn_exports():
    for name in ["NeuralNetwork", "gradcheck", "TrainingDivergedError", "Adam", "History"]:
        assert hasattr(numpynn, name)


def test_poisson_regression_with_exp_output():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(3000, 1)).astype(np.float32)
    rate = np.exp(0.5 + 0.8 * X[:, 0])
    y = rng.poisson(rate).astype(np.float32)
    net = NeuralNetwork(1, 8, 1, hidden_activation="tanh", output_activation="exp", seed=0)
    history = net.fit(X, y, epochs=40, learning_rate=0.01, seed=0)
    grid = np.linspace(-0.9, 0.9, 19, dtype=np.float32)[:, None]
    predicted = net.predict(grid)[:, 0]
    assert predicted.dtype == np.float32 and (predicted > 0).all()
    np.testing.assert_allclose(predicted, np.exp(0.5 + 0.8 * grid[:, 0]), rtol=0.15)
    assert history.accuracy == [] and history.loss[-1] < history.loss[0]
    with pytest.raises(ValueError, match="non-negative"):
        net.fit(X[:4], [1.0, -1.0, 0.0, 2.0], epochs=1)
