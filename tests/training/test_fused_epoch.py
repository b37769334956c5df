"""The fused epoch of small networks against the general path (training/fused_run.py)."""

import numpy as np
import pytest

from numpynn import NeuralNetwork, TrainingDivergedError
from numpynn.core.kernels import fused
from numpynn.sklearn.stochastic import CumulativeShuffle, RowMeanLoss
from numpynn.training import SGD, Adam, AdamW, Trainer, check_training_data
from numpynn.training.callbacks import Callback
from numpynn.training.fused_run import FusedEpoch, adam_step_scales
from numpynn.training.penalty import BatchScaledL2Penalty

pytest.importorskip("numba")

HIDDEN = ["relu", "leaky_relu", "tanh", "logistic", "identity"]
OUTPUTS = [("softmax", False), ("softmax", True), ("logistic", False), ("identity", False),
           ("exp", False)]
ROWS = 150  # batches of 32: four full ones and one of 22 rows


@pytest.fixture(autouse=True)
def numba_kernels(monkeypatch):
    monkeypatch.setenv("NUMPYNN_KERNELS", "numba")


@pytest.fixture(params=["loops", "blas"])
def products(request, monkeypatch):
    """Run a test with the fused epoch's own product loops and with BLAS products (as
    for a larger network)."""
    if request.param == "blas":
        monkeypatch.setattr(fused, "MAX_BATCH_WORK", 0)
    return request.param


def _problem(hidden="relu", output="softmax", one_hot=False, sizes=(5, 7, 6, 3),
             weights=None, seed=0):
    rng = np.random.default_rng(seed)
    net = NeuralNetwork(*sizes, hidden_activation=[hidden] + ["relu"] * (len(sizes) - 3),
                        output_activation=output, seed=seed)
    X = rng.normal(size=(ROWS, sizes[0])).astype(np.float32)
    k = sizes[-1]
    if output == "softmax":
        labels = rng.integers(0, k, size=ROWS)
        y = np.eye(k, dtype=np.float32)[labels] if one_hot else labels
    elif output == "logistic":
        y = (rng.random((ROWS, k)) < 0.5).astype(np.float32)
    elif output == "exp":
        y = rng.poisson(1.5, size=(ROWS, k)).astype(np.float32)
    else:
        y = rng.normal(size=(ROWS, k)).astype(np.float32)
    return net, check_training_data(net, X, y, weights)


def _copy(net):
    other = NeuralNetwork(*net.sizes, hidden_activation=list(net.hidden_activations),
                          output_activation=net.output_activation)
    other.set_weights(net.theta)
    return other


def _train(net, data, epochs, fused_path, monkeypatch, **options):
    """Train a copy of ``net``; returns (theta, figures of each epoch, trainer)."""
    net = _copy(net)
    with monkeypatch.context() as patch:
        if not fused_path:
            patch.setattr(FusedEpoch, "for_trainer", classmethod(lambda cls, tr: None))
        options.setdefault("batch_size", 32)
        options.setdefault("seed", 1)
        trainer = Trainer(net, options.pop("optimizer", "adam"), **options)
        figures = [trainer.train_epoch(data) for _ in range(epochs)]
    assert isinstance(trainer._fused, FusedEpoch) == fused_path
    if fused_path:  # and the products were computed as the test asked
        blas = not fused.small_enough(net.num_weights, min(32, data.n))
        assert trainer._fused_kernel(data)[1] == blas
    return net.theta.copy(), figures, trainer


def _assert_same_training(net, data, monkeypatch, epochs=3, **options):
    theta_f, figures_f, fused_trainer = _train(net, data, epochs, True, monkeypatch,
                                               **options)
    theta_g, figures_g, general_trainer = _train(net, data, epochs, False, monkeypatch,
                                                 **options)
    assert theta_f.dtype == np.float32 and np.isfinite(theta_f).all()
    np.testing.assert_allclose(theta_f, theta_g, rtol=1e-4, atol=2e-6)
    for (loss_f, acc_f), (loss_g, acc_g) in zip(figures_f, figures_g):
        assert loss_f == pytest.approx(loss_g, rel=1e-5, abs=1e-7)
        assert acc_f == acc_g
    # the optimizer's state and the generator went the same way
    state_f, state_g = fused_trainer.optimizer_state, general_trainer.optimizer_state
    assert state_f["step"] == state_g["step"]
    for key in set(fused_trainer.optimizer.persistent_arrays) & set(state_f):
        np.testing.assert_allclose(state_f[key], state_g[key], rtol=1e-4, atol=1e-7)
    assert (fused_trainer.rng.bit_generator.state == general_trainer.rng.bit_generator.state)
    return theta_f, figures_f


@pytest.mark.parametrize("output, one_hot", OUTPUTS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_every_activation_and_output(hidden, output, one_hot, monkeypatch, products):
    net, data = _problem(hidden, output, one_hot)
    _, figures = _assert_same_training(net, data, monkeypatch)
    assert (figures[0][1] is None) == (output in ("identity", "exp"))


@pytest.mark.parametrize("optimizer", [
    "sgd", SGD(momentum=0.9), SGD(momentum=0.9, nesterov=True), "adam", AdamW(),
    AdamW(weight_decay=0.0), Adam(clip_norm=0.05), SGD(momentum=0.5, clip_norm=0.1)],
    ids=["sgd", "momentum", "nesterov", "adam", "adamw", "adamw-no-decay", "adam-clip",
         "momentum-clip"])
def test_every_optimizer(optimizer, monkeypatch, products):
    net, data = _problem("tanh", sizes=(4, 9, 8, 3))
    _assert_same_training(net, data, monkeypatch, optimizer=optimizer, learning_rate=0.05)


@pytest.mark.parametrize("shuffle", [True, False])
def test_dropout_draws_the_same_masks(shuffle, monkeypatch, products):
    net, data = _problem("relu", sizes=(4, 12, 10, 3))
    _assert_same_training(net, data, monkeypatch, dropout=0.3, shuffle=shuffle)


def test_dropout_in_blocks_of_batches(monkeypatch, products):
    """An epoch whose dropout draws exceed one block runs in several kernel calls."""
    net, data = _problem("relu", sizes=(4, 12, 10, 3))
    monkeypatch.setattr("numpynn.training.fused_run.MASK_BLOCK", 32 * 22 * 2)
    _assert_same_training(net, data, monkeypatch, dropout=0.2)


def test_l2_and_its_loss(monkeypatch, products):
    net, data = _problem("leaky_relu")
    theta, figures = _assert_same_training(net, data, monkeypatch, l2=0.05)
    plain, _ = _assert_same_training(net, data, monkeypatch)
    assert not np.allclose(theta, plain)


@pytest.mark.parametrize("weighted", [False, True])
def test_sample_weights_and_a_batch_of_weight_zero(weighted, monkeypatch, products):
    weights = np.random.default_rng(5).uniform(0.2, 3.0, ROWS).astype(np.float32)
    if weighted:
        weights[:32] = 0  # the first batch (no shuffling) has no weight: no step, no masks
    net, data = _problem("tanh", weights=weights)
    _assert_same_training(net, data, monkeypatch, shuffle=False, dropout=0.25)
    _, _, trainer = _train(net, data, 2, True, monkeypatch, shuffle=False, dropout=0.25)
    assert trainer.optimizer_state["step"] == (8 if weighted else 10)


def test_scikit_learn_parts(monkeypatch, products):
    """The estimators' batch order, batch-scaled L2 and reported loss, on the fused path."""
    net, data = _problem("relu", "logistic", sizes=(5, 8, 1))

    def options():
        return dict(penalty=BatchScaledL2Penalty(0.1, net.weight_mask()),
                    batch_order=CumulativeShuffle(np.random.RandomState(3), data.n),
                    loss_report=RowMeanLoss(1), optimizer=SGD(momentum=0.9,
                                                              nesterov=True),
                    learning_rate=0.01, callbacks=[])

    theta_f, figures_f, _ = _train(net, data, 3, True, monkeypatch, **options())
    theta_g, figures_g, _ = _train(net, data, 3, False, monkeypatch, **options())
    np.testing.assert_allclose(theta_f, theta_g, rtol=1e-4, atol=2e-6)
    for (loss_f, acc_f), (loss_g, acc_g) in zip(figures_f, figures_g):
        assert loss_f == pytest.approx(loss_g, rel=1e-5) and acc_f is acc_g is None


def test_a_subset_of_rows(monkeypatch, products):
    net, data = _problem("relu")
    part = data.subset(np.arange(10, 130, 2))
    for shuffle in (True, False):
        _assert_same_training(net, part, monkeypatch, shuffle=shuffle)


def test_multilabel_accuracy(monkeypatch):
    net, data = _problem("relu", "logistic", sizes=(5, 7, 4))
    _, figures = _assert_same_training(net, data, monkeypatch)
    assert 0 <= figures[-1][1] <= 1


def test_the_same_bits_from_run_to_run(monkeypatch, products):
    net, data = _problem("tanh")
    first, figures, _ = _train(net, data, 3, True, monkeypatch, dropout=0.1)
    again, figures_again, _ = _train(net, data, 3, True, monkeypatch, dropout=0.1)
    assert np.array_equal(first, again) and figures == figures_again


def test_divergence_restores_the_epochs_weights(monkeypatch):
    net, data = _problem("identity", "identity", sizes=(5, 6, 3))
    data.target[:] *= 1e4
    outcomes = []
    for fused_path in (True, False):
        other = _copy(net)
        with monkeypatch.context() as patch:
            if not fused_path:
                patch.setattr(FusedEpoch, "for_trainer", classmethod(lambda cls, tr: None))
            trainer = Trainer(other, "sgd", learning_rate=10.0, batch_size=32, seed=0)
            with pytest.raises(TrainingDivergedError) as caught:
                trainer.train_epoch(data)
        assert np.array_equal(other.theta, net.theta)  # the epoch's starting weights
        outcomes.append((caught.value.epoch, trainer.optimizer_state["step"]))
    assert outcomes[0] == outcomes[1]


def test_fit_with_checkpoints_resumes_to_the_same_bits(tmp_path):
    net, data = _problem("relu")
    X, y = data.X, data.target
    straight = _copy(net)
    straight.fit(X, y, epochs=4, batch_size=32, seed=3)
    resumed = _copy(net)
    resumed.fit(X, y, epochs=2, batch_size=32, seed=3, checkpoint_dir=tmp_path)
    resumed = _copy(net)
    resumed.fit(X, y, epochs=4, batch_size=32, seed=3, checkpoint_dir=tmp_path, resume=True)
    assert np.array_equal(straight.theta, resumed.theta)


class _Subclass(Adam):
    pass


class _BatchWatcher(Callback):
    def on_batch_end(self, batch, loss):
        pass


@pytest.mark.parametrize("case", ["large", "optimizer subclass", "batch callback", "numpy"])
def test_the_general_path_where_the_fused_epoch_does_not_apply(case, monkeypatch):
    sizes = (5, 7, 3)
    if case == "large":  # too much work for the loops, too many parameters for BLAS
        monkeypatch.setattr(fused, "MAX_BATCH_WORK", 0)
        monkeypatch.setattr(fused, "MAX_BLAS_WEIGHTS", 50)  # 5-7-3 has 66
    net, data = _problem(sizes=sizes)
    options = {}
    if case == "optimizer subclass":
        options["optimizer"] = _Subclass()
    if case == "batch callback":
        options["callbacks"] = [_BatchWatcher()]
    if case == "numpy":
        monkeypatch.setenv("NUMPYNN_KERNELS", "numpy")
    trainer = Trainer(net, batch_size=32, **options)
    trainer.train_epoch(data)
    uses_fused = trainer._fused_kernel(data) is not None
    assert not uses_fused and trainer._workspace is not None


def test_adam_step_scales_are_adams():
    opt = Adam(beta_1=0.8, beta_2=0.99)
    scales = adam_step_scales(opt, 3, 4, 0.01)
    for index, t in enumerate(range(3, 7)):
        c = (0.01 * np.sqrt(1 - 0.99**t) / (1 - 0.8**t) * (1 - 0.8) / np.sqrt(1 - 0.99))
        assert scales[index] == np.float32(c)


def test_the_vectorised_exp_within_one_unit_in_the_last_place():
    numba = pytest.importorskip("numba")
    from numpynn.core.kernels.fused_math import exp32

    @numba.njit
    def exps(x, out):
        for i in range(x.shape[0]):
            out[i] = exp32(x[i])

    x = np.concatenate([np.linspace(-88, 88.7, 2_000_001, dtype=np.float32),
                        np.float32([np.nan, np.inf, -np.inf, 88.7229, -104.0, -87.4, 0.0])])
    out = np.empty_like(x)
    exps(x, out)
    with np.errstate(over="ignore"):
        exact = np.exp(x.astype(np.float64))
        rounded = exact.astype(np.float32)
    normal = np.isfinite(rounded) & (rounded >= np.finfo(np.float32).tiny)
    ulps = np.abs(out[normal] - exact[normal]) / np.spacing(rounded[normal])
    assert ulps.max() < 1.0
    assert np.isnan(out[-7]) and out[-6] == np.inf and out[-5] == 0 and out[-4] == np.inf
    assert out[-3] == 0 and out[-2] == pytest.approx(np.exp(-87.4), rel=1e-6) and out[-1] == 1


def test_a_batch_order_outside_the_rows_is_refused():
    net, data = _problem()
    trainer = Trainer(net, batch_size=32, batch_order=lambda n: np.arange(n) + 1)
    with pytest.raises(ValueError, match="batch_order must give 150 row numbers in 0..149"):
        trainer.train_epoch(data)


def test_dropout_switched_on_after_an_epoch(monkeypatch):
    """The kernel's buffers follow the settings (it checks no bounds itself)."""
    net, data = _problem(sizes=(4, 12, 10, 3))
    trainer = Trainer(net, batch_size=32, seed=0)
    trainer.train_epoch(data)
    trainer.dropout = 0.5
    trainer.train_epoch(data)
    assert np.isfinite(net.theta).all()


def _fused_epochs(monkeypatch) -> list[bool]:
    """Record, epoch by epoch, whether the fused epoch ran (True) or the general path."""
    ran: list[bool] = []
    fused_run, general_run = FusedEpoch.run, Trainer._batches

    def fused_epoch(self, *args, **kwargs):
        ran.append(True)
        return fused_run(self, *args, **kwargs)

    def general_epoch(self, *args, **kwargs):
        ran.append(False)
        return general_run(self, *args, **kwargs)

    monkeypatch.setattr(FusedEpoch, "run", fused_epoch)
    monkeypatch.setattr(Trainer, "_batches", general_epoch)
    return ran


@pytest.mark.parametrize("how", ["train_epoch", "run"])
def test_auto_takes_the_fused_epoch_from_the_switch_point_on(monkeypatch, how):
    """Under NUMPYNN_KERNELS=auto the run's work by an epoch's end decides that epoch's
    path, as for the general path's kernels (core/kernels/switch.py): NumPy first, then
    whole epochs fused from the one whose work reaches the switch point -- never a switch
    inside an epoch, and the same whether the epochs come from run() or one by one."""
    from numpynn.core.kernels import switch

    monkeypatch.setenv("NUMPYNN_KERNELS", "auto")
    net, data = _problem()
    epoch_work = data.n * net.num_weights + 5 * switch.BATCH_WORK  # 5 batches of 32
    assert switch.training_work(net.num_weights, data.n, 32, 1) == epoch_work
    monkeypatch.setattr(switch, "COMPILE_AFTER_WORK", int(2.5 * epoch_work))
    ran = _fused_epochs(monkeypatch)
    trainer = Trainer(net, batch_size=32, seed=0)
    if how == "run":
        trainer.run(data, epochs=5)
    else:
        for _ in range(5):
            trainer.train_epoch(data)
    assert ran == [False, False, True, True, True]  # 3 x epoch_work by the third's end


def test_a_large_epoch_is_fused_from_the_first_batch(monkeypatch):
    from numpynn.core.kernels import switch

    monkeypatch.setenv("NUMPYNN_KERNELS", "auto")
    net, data = _problem()
    epoch_work = switch.training_work(net.num_weights, data.n, 32, 1)
    monkeypatch.setattr(switch, "COMPILE_AFTER_WORK", epoch_work)
    ran = _fused_epochs(monkeypatch)
    Trainer(net, batch_size=32, seed=0).run(data, epochs=2)
    assert ran == [True, True]


def test_sparse_input_takes_the_general_path():
    scipy_sparse = pytest.importorskip("scipy.sparse")
    net, data = _problem()
    sparse = check_training_data(net, scipy_sparse.csr_matrix(data.X), data.target)
    trainer = Trainer(net, batch_size=32, seed=0)
    trainer.train_epoch(sparse)
    assert trainer._fused_kernel(sparse) is None and trainer._workspace is not None
