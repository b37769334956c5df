"""The rivals: numpynn, scikit-learn's MLPClassifier, PyTorch and the matrix-product floor.

Each builder returns calls that do one unit of work (a training epoch, an inference), ready
for :mod:`.timing`; all start from numpynn's initial weights, in float32.

- numpynn: ``Trainer.train_epoch`` on a built network and trainer (data checked once,
  trained past the kernel switch's point), the same with ``NUMPYNN_KERNELS=numpy``, and
  ``fit(epochs=1)`` (a fresh run each call: below the switch point for small nets).
- scikit-learn: ``partial_fit`` on an initialised ``MLPClassifier`` (one epoch, Adam's
  state kept).
- PyTorch: ``Sequential(Linear, ReLU, ...)``, ``CrossEntropyLoss`` and ``torch.optim.Adam``
  (its default and ``fused=True``) in a loop over a ``randperm``.
- floor: the matrix products alone, into preallocated outputs, through NumPy (and through
  ``torch.mm`` for context).
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Callable, Iterator

import numpy as np

from numpynn import NeuralNetwork
from numpynn.core.kernels import ENVIRONMENT_VARIABLE, switch
from numpynn.training import Trainer, check_training_data

from .optional import ConvergenceWarning, MLPClassifier, torch
from .workloads import BATCH, LEARNING_RATE, SEED

__all__ = [
    "kernel_choice", "torch_no_grad", "relu_softmax_network", "numpynn_fit_epoch",
    "numpynn_training_rivals", "sklearn_classifier", "quiet_partial_fit", "sklearn_model",
    "sklearn_training_rival", "torch_model", "torch_epoch", "torch_training_rivals",
    "floor_epoch_fn", "torch_floor_epoch_fn",
]

Funcs = dict[str, Callable[[], object]]


# ---------------------------------------------------------------------------- numpynn
@contextlib.contextmanager
def kernel_choice(choice: str) -> Iterator[None]:
    """Run with NUMPYNN_KERNELS set to ``choice`` (see numpynn.core.kernels)."""
    before = os.environ.get(ENVIRONMENT_VARIABLE)
    os.environ[ENVIRONMENT_VARIABLE] = choice
    try:
        yield
    finally:
        if before is None:
            del os.environ[ENVIRONMENT_VARIABLE]
        else:
            os.environ[ENVIRONMENT_VARIABLE] = before


def torch_no_grad() -> contextlib.AbstractContextManager:
    """``torch.no_grad()``, or a context that does nothing when PyTorch is missing."""
    return torch.no_grad() if torch else contextlib.nullcontext()


def relu_softmax_network(sizes: tuple[int, ...], theta: np.ndarray | None = None
                         ) -> NeuralNetwork:
    """A numpynn net with ReLU hidden layers and softmax, seeded, or with ``theta``."""
    net = NeuralNetwork(*sizes, hidden_activation="relu", output_activation="softmax",
                        seed=SEED)
    if theta is not None:
        net.set_weights(theta)
    return net


def numpynn_fit_epoch(net: NeuralNetwork, X: np.ndarray, y: np.ndarray) -> None:
    """One epoch of ``fit`` with the shared settings (a fresh trainer each call)."""
    net.fit(X, y, epochs=1, batch_size=BATCH, optimizer="adam", learning_rate=LEARNING_RATE,
            shuffle=True, seed=SEED)


#: At most this many warm-up epochs to pass the kernel switch's point (below).
MAX_SWITCH_EPOCHS = 5000


def _past_the_switch(trainer: Trainer, data, net: NeuralNetwork) -> None:
    """Train until the run's work passes the switch point of numpynn's kernels
    (``numpynn.core.kernels.switch``: NumPy first, Numba's kernels and the fused epoch
    once the work is large), then put the initial weights back: the timed epochs are
    those of a long training, the path every long training runs on.  The 3-4-2 epoch
    switches after about 950 epochs (0.3 s), 64-100-10 after 7, 256-512-512-10 in its
    first."""
    theta0 = net.get_weights()
    batches = -(-data.n // BATCH)
    epoch_work = data.n * net.num_weights + batches * switch.BATCH_WORK
    epochs = min(MAX_SWITCH_EPOCHS, -(-switch.COMPILE_AFTER_WORK // epoch_work) + 1)
    for _ in range(epochs):
        trainer.train_epoch(data)
    net.set_weights(theta0)


def _epoch_fn(net: NeuralNetwork, X: np.ndarray, y: np.ndarray, past_switch: bool = True
              ) -> Callable[[], object]:
    """``Trainer.train_epoch`` on a built trainer (past the kernel switch unless told
    otherwise, when Numba is there); the data is checked once, here."""
    data = check_training_data(net, X, y)
    trainer = Trainer(net, "adam", learning_rate=LEARNING_RATE, batch_size=BATCH,
                      shuffle=True, seed=SEED)
    if past_switch and switch.kernels(work_size=switch.COMPILE_AFTER_WORK) is not None:
        _past_the_switch(trainer, data, net)
    return lambda: trainer.train_epoch(data)


def numpynn_training_rivals(net: NeuralNetwork, X: np.ndarray, y: np.ndarray) -> Funcs:
    """numpynn's three one-epoch calls, each on its own copy of ``net``'s weights.

    ``numpynn``: ``train_epoch`` with whatever kernels numpynn picks; ``numpynn NumPy
    only``: the same under ``NUMPYNN_KERNELS=numpy`` (an install without Numba);
    ``numpynn fit(epochs=1)``: also checks the data and builds a trainer (fresh Adam state)
    on every call, as a user's one-epoch fit would.
    """
    theta0 = net.get_weights()
    numpy_epoch = _epoch_fn(relu_softmax_network(net.sizes, theta0), X, y, past_switch=False)

    def numpy_only_epoch() -> None:
        with kernel_choice("numpy"):
            numpy_epoch()

    fit_net = relu_softmax_network(net.sizes, theta0)
    return {"numpynn": _epoch_fn(net, X, y), "numpynn NumPy only": numpy_only_epoch,
            "numpynn fit(epochs=1)": lambda: numpynn_fit_epoch(fit_net, X, y)}


# ---------------------------------------------------------------------------- scikit-learn
def sklearn_classifier(hidden: tuple[int, ...]):
    """An unfitted ``MLPClassifier`` with the shared settings: Adam, no L2, no early stop."""
    return MLPClassifier(
        hidden_layer_sizes=hidden, activation="relu", solver="adam", alpha=0.0,
        batch_size=BATCH, learning_rate_init=LEARNING_RATE, max_iter=1, shuffle=True,
        tol=0.0, n_iter_no_change=10**9, random_state=SEED,
    )


def quiet_partial_fit(clf, X: np.ndarray, y: np.ndarray, **kwargs) -> None:
    """``clf.partial_fit(X, y)`` without its ConvergenceWarning (one epoch is the point)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.partial_fit(X, y, **kwargs)


def sklearn_model(sizes: tuple[int, ...], X: np.ndarray, y: np.ndarray, classes: int,
                  weights: list[np.ndarray], biases: list[np.ndarray]):
    """An initialised MLPClassifier (one partial_fit on one batch), then numpynn's initial
    weights copied in where the shapes agree (sklearn's binary case has one logistic output
    instead of two softmax outputs, so there the output layer keeps sklearn's own)."""
    clf = sklearn_classifier(sizes[1:-1])
    quiet_partial_fit(clf, X[:BATCH], y[:BATCH], classes=np.arange(classes))
    for layer, (w, b) in enumerate(zip(weights, biases)):
        if clf.coefs_[layer].shape == w.shape:
            clf.coefs_[layer][...] = w
            clf.intercepts_[layer][...] = b
    return clf


def sklearn_training_rival(sizes: tuple[int, ...], X: np.ndarray, y: np.ndarray,
                           weights: list[np.ndarray], biases: list[np.ndarray]
                           ) -> tuple[Callable[[], None], list[str]]:
    """sklearn's epoch and notes on how it differs (its dtype, its binary output layer).

    partial_fit on an already-initialised model runs exactly one epoch (sklearn's
    _fit_stochastic breaks after one iteration when incremental) and keeps the Adam state,
    so it measures one epoch of training, not fit's re-initialisation.  Its per-call input
    validation and label binarisation are part of sklearn's epoch.
    """
    clf = sklearn_model(sizes, X, y, sizes[-1], weights, biases)
    notes = []
    if clf.coefs_[0].dtype != np.float32:
        notes.append(f"sklearn computes in {clf.coefs_[0].dtype}, not float32")
    if clf.coefs_[-1].shape != weights[-1].shape:
        notes.append("sklearn's binary MLP has one logistic output (numpynn and torch: "
                     "two softmax outputs)")
    return (lambda: quiet_partial_fit(clf, X, y)), notes


# ---------------------------------------------------------------------------- PyTorch
def torch_model(sizes: tuple[int, ...], weights: list[np.ndarray], biases: list[np.ndarray],
                hidden: str = "relu", softmax: bool = False):
    """A plain Sequential of Linear / ReLU with the given (fan_in, fan_out) weights."""
    layers: list = []
    for i, (w, b) in enumerate(zip(weights, biases)):
        lin = torch.nn.Linear(w.shape[0], w.shape[1])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(w.T)))
            lin.bias.copy_(torch.from_numpy(np.asarray(b)))
        layers.append(lin)
        if i < len(weights) - 1:
            layers.append(torch.nn.ReLU() if hidden == "relu" else torch.nn.LeakyReLU(0.01))
    if softmax:
        layers.append(torch.nn.Softmax(dim=-1))
    return torch.nn.Sequential(*layers)


def torch_epoch(model, opt, loss_fn, Xt, yt, generator=None) -> None:
    """One epoch: no DataLoader, a randperm and indexing per batch (the fastest honest
    loop)."""
    rows = Xt.shape[0]
    perm = torch.randperm(rows, generator=generator)
    for start in range(0, rows, BATCH):
        idx = perm[start:start + BATCH]
        opt.zero_grad(set_to_none=True)
        loss_fn(model(Xt[idx]), yt[idx]).backward()
        opt.step()


def torch_training_rivals(sizes: tuple[int, ...], X: np.ndarray, y: np.ndarray,
                          weights: list[np.ndarray], biases: list[np.ndarray],
                          torch_adam: str) -> Funcs:
    """torch's epochs (``torch``, ``torch fused``) and its ``torch.mm floor``.

    torch.optim.Adam's default on CPU is the for-loop implementation; fused=True is a
    documented option and often much faster, so both run (``torch_adam="both"``), and the
    ratio against torch is taken against the faster of the two.
    """
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def make_epoch(variant: str) -> Callable[[], None]:
        model = torch_model(sizes, weights, biases)
        kw = {"default": {}, "foreach": {"foreach": True}, "fused": {"fused": True}}
        opt = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, **kw[variant])
        loss_fn = torch.nn.CrossEntropyLoss()
        gen = torch.Generator().manual_seed(SEED)
        return lambda: torch_epoch(model, opt, loss_fn, Xt, yt, gen)

    variants = ("default", "fused") if torch_adam == "both" else (torch_adam,)
    funcs: Funcs = {"torch" if v == "default" else f"torch {v}": make_epoch(v)
                    for v in variants}
    funcs["torch.mm floor"] = torch_floor_epoch_fn(X, weights)
    return funcs


# ---------------------------------------------------------------------------- floor
def floor_epoch_fn(X: np.ndarray, weights: list[np.ndarray], batch: int = BATCH
                   ) -> Callable[[], None]:
    """One epoch of the matrix products alone, into preallocated float32 outputs.

    Per batch: the forward product of every layer, ``dW = A.T @ delta`` of every layer and
    the delta for the layer below (the first layer needs none).
    """
    rng = np.random.default_rng(1)
    W = [np.ascontiguousarray(w, dtype=np.float32) for w in weights]
    WT = [w.T for w in W]  # a view, like the library's
    Z = [np.empty((batch, w.shape[1]), dtype=np.float32) for w in W]
    D = [rng.standard_normal((batch, w.shape[1]), dtype=np.float32) for w in W]
    G = [np.empty_like(w) for w in W]
    below = [np.empty((batch, w.shape[0]), dtype=np.float32) for w in W]
    n = X.shape[0] - X.shape[0] % batch
    layers = range(len(W))
    back = range(len(W) - 1, -1, -1)
    matmul = np.matmul

    def epoch() -> None:
        for start in range(0, n, batch):
            a = X[start:start + batch]
            inputs = [a]
            for i in layers:
                matmul(inputs[i], W[i], out=Z[i])
                inputs.append(Z[i])
            for i in back:
                matmul(inputs[i].T, D[i], out=G[i])
                if i:
                    matmul(D[i], WT[i], out=below[i])

    return epoch


def torch_floor_epoch_fn(X: np.ndarray, weights: list[np.ndarray], batch: int = BATCH
                         ) -> Callable[[], None]:
    """The same matrix products through torch.mm (its own GEMM), for context only."""
    W = [torch.from_numpy(np.ascontiguousarray(w, dtype=np.float32)) for w in weights]
    Xt = torch.from_numpy(X)
    Z = [torch.empty(batch, w.shape[1]) for w in W]
    D = [torch.randn(batch, w.shape[1]) for w in W]
    G = [torch.empty(w.shape) for w in W]
    below = [torch.empty(batch, w.shape[0]) for w in W]
    n = X.shape[0] - X.shape[0] % batch
    back = range(len(W) - 1, -1, -1)

    def epoch() -> None:
        with torch.no_grad():
            for start in range(0, n, batch):
                inputs = [Xt[start:start + batch]]
                for i in range(len(W)):
                    torch.mm(inputs[i], W[i], out=Z[i])
                    inputs.append(Z[i])
                for i in back:
                    torch.mm(inputs[i].T, D[i], out=G[i])
                    if i:
                        torch.mm(D[i], W[i].T, out=below[i])

    return epoch
