"""Training steps: dropout, L2, AdamW decay, schedules, sample weights, clipping, Adam as torch."""

import numpy as np
import pytest
from spiral_samples import spirals

from numpynn import SGD, Adam, AdamW, NeuralNetwork
from numpynn.training import (
    CosineSchedule,
    ReduceOnPlateau,
    StepSchedule,
    Trainer,
    check_training_data,
)

# Every training test runs with NumPy alone and with the Numba kernels.
pytestmark = pytest.mark.usefixtures("kernel_mode")


def test_dropout_only_in_training():
    X = np.random.default_rng(0).normal(size=(50, 4)).astype(np.float32)
    y = np.random.default_rng(1).integers(0, 2, 50)
    net = NeuralNetwork(4, 64, 2, seed=0)
    net.fit(X, y, epochs=2, dropout=0.5, seed=0)
    assert np.array_equal(net.eval(X), net.eval(X))  # eval is deterministic
    # dropout changes the training trajectory
    other = NeuralNetwork(4, 64, 2, seed=0)
    other.fit(X, y, epochs=2, dropout=0.0, seed=0)
    assert not np.array_equal(net.theta, other.theta)


def test_dropout_gradient_is_masked_consistently():
    """With dropout the step equals the gradient of the masked network (finite check)."""
    net = NeuralNetwork(3, 8, 2, hidden_activation="tanh", seed=0)
    X = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    y = np.array([0, 1, 1, 0])
    trainer = Trainer(net, "sgd", learning_rate=1.0, batch_size=4, dropout=0.5, shuffle=False,
                      seed=3)
    before = net.theta.copy()
    trainer.train_epoch(check_training_data(net, X, y))
    # the mask of the one batch: the seed's first draws, kept where >= 0.5, scaled by 2
    # (the same on either path: the fused epoch draws the same masks)
    draws = np.random.default_rng(3).random((4, 8), dtype=np.float32)
    mask = (draws >= np.float32(0.5)) * np.float32(2.0)
    step = before - net.theta
    # reference: the same network with hidden values multiplied by the mask, float64
    net.theta[:] = before
    W1, b1, W2, b2 = (a.astype(np.float64) for a in (*net.weights[:1], net.biases[0],
                                                     net.weights[1], net.biases[1]))

    def loss(theta):
        w1 = theta[:24].reshape(3, 8)
        bb1 = theta[24:32]
        w2 = theta[32:48].reshape(8, 2)
        bb2 = theta[48:]
        h = np.tanh(X @ w1 + bb1) * mask
        z = h @ w2 + bb2
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return -logp[np.arange(4), y].mean()

    theta64 = before.astype(np.float64)
    numeric = np.array([(loss(theta64 + e) - loss(theta64 - e)) / 2e-6
                        for e in np.eye(theta64.size) * 1e-6])
    np.testing.assert_allclose(step, numeric, rtol=1e-3, atol=1e-6)


def test_l2_shrinks_weights():
    X, y = spirals(200)
    plain = NeuralNetwork(2, 16, 2, seed=0)
    plain.fit(X, y, epochs=20, seed=0)
    decayed = NeuralNetwork(2, 16, 2, seed=0)
    decayed.fit(X, y, epochs=20, seed=0, l2=0.1)
    norm = lambda net: sum(float((w**2).sum()) for w in net.weights)  # noqa: E731
    assert norm(decayed) < norm(plain)


def test_adamw_decays_weights_not_biases():
    net = NeuralNetwork(2, 4, 2, seed=0)
    net.biases[0][:] = 1.0
    opt = AdamW(weight_decay=0.5)
    trainer = Trainer(net, opt, learning_rate=0.1, batch_size=4)
    before = net.theta.copy()
    trainer.optimizer.update(net.theta, np.zeros_like(net.theta), trainer.optimizer_state, 0.1)
    w_before, b_before = net.views_of(before)
    np.testing.assert_allclose(net.weights[0], w_before[0] * (1 - 0.05), rtol=1e-6)
    np.testing.assert_allclose(net.biases[0], b_before[0])


def test_schedules():
    assert StepSchedule(10, 0.5).rate(25, 0.1, None) == pytest.approx(0.025)
    cos = CosineSchedule(total_epochs=10)
    assert cos.rate(0, 0.1, None) == pytest.approx(0.1)
    assert cos.rate(5, 0.1, None) == pytest.approx(0.05)
    assert cos.rate(10, 0.1, None) == pytest.approx(0.0)
    plateau = ReduceOnPlateau(factor=0.5, patience=1)
    rates = [plateau.rate(e, 1.0, loss) for e, loss in enumerate([1.0, 0.5, 0.5, 0.5, 0.5])]
    assert rates == [1.0, 1.0, 1.0, 0.5, 0.5]
    X, y = spirals(100)
    net = NeuralNetwork(2, 8, 2, seed=0)
    history = net.fit(X, y, epochs=6, optimizer=Adam(schedule="step"), learning_rate=0.01)
    assert history.learning_rate == [0.01] * 6
    history = net.fit(X, y, epochs=4, optimizer=Adam(0.01, schedule=StepSchedule(2, 0.1)))
    np.testing.assert_allclose(history.learning_rate, [0.01, 0.01, 0.001, 0.001])
    history = net.fit(X, y, epochs=5, optimizer=Adam(schedule="cosine"), learning_rate=0.01)
    assert history.learning_rate[0] == 0.01 and history.learning_rate[-1] < 0.002


def test_class_weight_and_sample_weight():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 2)).astype(np.float32)
    y = (X[:, 0] > 1.0).astype(np.int64)  # ~16% positives
    plain = NeuralNetwork(2, 8, 2, seed=0)
    plain.fit(X, y, epochs=30, seed=0, learning_rate=0.01)
    balanced = NeuralNetwork(2, 8, 2, seed=0)
    balanced.fit(X, y, epochs=30, seed=0, learning_rate=0.01, class_weight="balanced")
    # balancing moves predictions towards the rare class
    assert balanced.eval(X)[:, 1].mean() > plain.eval(X)[:, 1].mean()
    data = check_training_data(balanced, X, y, class_weight="balanced")
    n1 = y.sum()
    assert data.sample_weight[y == 1][0] == pytest.approx(400 / (2 * n1))
    data = check_training_data(balanced, X, y, sample_weight=np.full(400, 2.0),
                               class_weight={1: 3.0})
    assert set(np.unique(data.sample_weight)) == {2.0, 6.0}


def test_clip_norm_limits_the_step():
    net = NeuralNetwork(2, 4, 1, output_activation="identity", seed=0)
    X = np.array([[100.0, 100.0]], dtype=np.float32)
    y = np.array([[1e4]], dtype=np.float32)
    before = net.theta.copy()
    trainer = Trainer(net, SGD(learning_rate=1.0, clip_norm=0.5), batch_size=1)
    trainer.train_epoch(check_training_data(net, X, y))
    assert np.linalg.norm(net.theta - before) == pytest.approx(0.5, rel=1e-4)


def test_adam_matches_torch_over_steps():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    theta = rng.normal(size=50).astype(np.float32)
    for ours, theirs, kwargs in [
        (Adam(), torch.optim.Adam, {}),
        (AdamW(weight_decay=0.1), torch.optim.AdamW, {"weight_decay": 0.1}),
        (SGD(momentum=0.9, nesterov=True), torch.optim.SGD, {"momentum": 0.9,
                                                               "nesterov": True}),
    ]:
        mine = theta.copy()
        param = torch.tensor(theta.astype(np.float64), requires_grad=True)
        state = ours.init(mine)
        reference = theirs([param], lr=0.01, **kwargs)
        for _ in range(20):
            g = rng.normal(size=50).astype(np.float32)
            ours.update(mine, g, state, 0.01)
            param.grad = torch.tensor(g.astype(np.float64))
            reference.step()
        np.testing.assert_allclose(mine, param.detach().numpy(), atol=2e-6)


def test_chunked_numpy_adam_equals_the_whole_vector_formula(monkeypatch):
    # The NumPy path updates a long vector chunk by chunk (chunked_updates.CHUNK values at
    # a time); every chunk must get exactly the whole-vector update, the last short one too.
    from numpynn.training import chunked_updates

    monkeypatch.setenv("NUMPYNN_KERNELS", "numpy")
    rng = np.random.default_rng(0)
    size = 3 * chunked_updates.CHUNK + 123
    theta = rng.normal(size=size).astype(np.float32)
    grads = [rng.normal(size=size).astype(np.float32) for _ in range(3)]
    ours, state = theta.copy(), Adam().init(theta)
    for g in grads:
        Adam().update(ours, g, state, 0.01)
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    expected = theta.astype(np.float64)
    for t, g in enumerate(grads, start=1):
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g.astype(np.float64) ** 2
        step = 0.01 * np.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        expected -= step * m / (np.sqrt(v) + 1e-8)  # scikit-learn's form of epsilon
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-6)
    assert len(chunked_updates.chunks(size)) == 4


def test_one_adamw_object_serves_networks_of_different_sizes():
    opt = AdamW(weight_decay=0.1)
    X = np.random.default_rng(0).normal(size=(20, 3)).astype(np.float32)
    y = np.arange(20) % 2
    for hidden in (4, 8):
        net = NeuralNetwork(3, hidden, 2, seed=0)
        net.fit(X, y, epochs=1, optimizer=opt)
        assert np.isfinite(net.theta).all()
    with pytest.raises(ValueError, match="weight_mask must have shape"):
        opt.init(np.zeros(5, dtype=np.float32), weight_mask=np.ones(4, dtype=bool))
