"""The timed sections: training epochs, the article's single-sample eval, batch inference.

Each ``bench_*`` builds the section's rivals (:mod:`.rivals`) on its workload
(:mod:`.workloads`), times them together (:mod:`.timing`) and returns the figures as a
dict that :mod:`.report` prints and saves.
"""

from __future__ import annotations

import numpy as np

from numpynn import NeuralNetwork

from . import article_loops
from .optional import sklearn, torch
from .rivals import (
    Funcs,
    floor_epoch_fn,
    kernel_choice,
    numpynn_training_rivals,
    relu_softmax_network,
    sklearn_model,
    sklearn_training_rival,
    torch_model,
    torch_no_grad,
    torch_training_rivals,
)
from .timing import LoadGuard, timed_section
from .workloads import (
    ARTICLE_INPUT,
    ARTICLE_SIZES,
    ARTICLE_WEIGHTS,
    INFER_SIZES,
    TRAINING_WORKLOADS,
    make_data,
)

__all__ = ["bench_training", "bench_eval1", "bench_infer"]


def _weights_and_biases(net: NeuralNetwork) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Copies of each layer's ``W`` (fan_in, fan_out) and ``b`` (fan_out,), float32."""
    return [w.copy() for w in net.weights], [b.copy() for b in net.biases]


def bench_training(name: str, repeats: int, torch_adam: str, guard: LoadGuard) -> dict:
    """One training epoch of every rival on the workload ``name`` (TRAINING_WORKLOADS).

    Returns
    -------
    dict
        ``rows``, ``sizes``, ``notes`` and :func:`.timing.timed_section`'s figures.
    """
    rows, sizes = TRAINING_WORKLOADS[name]
    X, y = make_data(rows, sizes)
    net = relu_softmax_network(sizes)
    w0, b0 = _weights_and_biases(net)
    funcs = numpynn_training_rivals(net, X, y)
    notes: list[str] = []
    if sklearn:
        funcs["sklearn"], notes = sklearn_training_rival(sizes, X, y, w0, b0)
    if torch:
        funcs.update(torch_training_rivals(sizes, X, y, w0, b0, torch_adam))
    funcs["floor"] = floor_epoch_fn(X, w0)
    return {"rows": rows, "sizes": sizes, "notes": notes,
            **timed_section(funcs, repeats, guard)}


def _max_abs_diffs(outputs: dict[str, np.ndarray], reference: str) -> dict[str, float]:
    """Largest absolute difference of each rival's output from ``outputs[reference]``."""
    ref = np.asarray(outputs[reference], dtype=np.float64)
    return {k: float(np.abs(np.asarray(v, dtype=np.float64) - ref).max())
            for k, v in outputs.items()}


def _article_eval_rivals(net: NeuralNetwork, x: np.ndarray) -> Funcs:
    """numpynn ``eval(x)``, the article's loops and a naive NumPy version of the 3-4-2 net."""
    loops = article_loops.NeuralNet(*ARTICLE_SIZES)
    loops.set_weights(ARTICLE_WEIGHTS)
    (W1, W2), (b1, b2) = _weights_and_biases(net)

    def naive_numpy(x: np.ndarray = x) -> np.ndarray:
        h = x @ W1 + b1
        h = np.where(h > 0, h, np.float32(0.01) * h)
        o = h @ W2 + b2
        e = np.exp(o - o.max())
        return e / e.sum()

    return {"numpynn": lambda: net.eval(x), "article loops": lambda: loops.eval(x),
            "naive numpy": naive_numpy}


def bench_eval1(repeats: int, guard: LoadGuard) -> dict:
    """One-sample ``eval`` of the article's 3-4-2 net against its loops, NumPy and torch.

    Returns
    -------
    dict
        :func:`.timing.timed_section`'s figures, ``max_abs_diff_vs_article`` and numpynn's
        ``output`` (2 probabilities).
    """
    x = ARTICLE_INPUT
    net = NeuralNetwork(*ARTICLE_SIZES, hidden_activation="leaky_relu",
                        output_activation="softmax")
    net.set_weights(ARTICLE_WEIGHTS)
    funcs = _article_eval_rivals(net, x)
    outputs = {k: np.asarray(f(), dtype=np.float64) for k, f in funcs.items()}
    # model(x) runs under torch.no_grad(), entered once outside the timing loop.
    with torch_no_grad():
        if torch:
            model = torch_model(ARTICLE_SIZES, list(net.weights), list(net.biases),
                                hidden="leaky", softmax=True)
            model.eval()
            xt = torch.from_numpy(x.copy())  # a 1-D float32 tensor
            funcs["torch"] = lambda: model(xt)
            outputs["torch"] = model(xt).numpy()
        timed = timed_section(funcs, repeats, guard, small=True)
    return {**timed, "max_abs_diff_vs_article": _max_abs_diffs(outputs, "article loops"),
            "output": outputs["numpynn"].tolist()}


def _floor_inference_fn(X: np.ndarray, weights: list[np.ndarray]):
    """The two products ``X @ W1``, ``H @ W2`` of batch inference, into preallocated
    float32 outputs."""
    H = np.empty((X.shape[0], weights[0].shape[1]), dtype=np.float32)
    O = np.empty((X.shape[0], weights[1].shape[1]), dtype=np.float32)

    def floor() -> None:
        np.matmul(X, weights[0], out=H)
        np.matmul(H, weights[1], out=O)

    return floor


def bench_infer(rows: int, repeats: int, guard: LoadGuard) -> dict:
    """Batch inference of ``rows`` x 64 through 64-100-10 with softmax, every rival.

    Returns
    -------
    dict
        ``rows``, ``sizes``, :func:`.timing.timed_section`'s figures,
        ``max_abs_diff_vs_numpynn`` (on the first 10,000 rows) and sklearn's output
        ``dtypes``.
    """
    X, y = make_data(rows, INFER_SIZES)
    net = relu_softmax_network(INFER_SIZES)
    w, b = _weights_and_biases(net)

    def numpy_only_eval() -> None:
        with kernel_choice("numpy"):
            net.eval(X)

    # eval uses Numba's bias + activation kernel only once training has loaded it (this
    # script's header already has); NumPy alone is what a fresh process without it gets.
    funcs: Funcs = {"numpynn": lambda: net.eval(X), "numpynn NumPy only": numpy_only_eval}
    check_rows = slice(0, 10_000)
    outputs = {"numpynn": net.eval(X[check_rows])}
    if sklearn:
        # Fitted briefly (one epoch on 2000 rows), then numpynn's weights copied in.
        clf = sklearn_model(INFER_SIZES, X[:2000], y[:2000], INFER_SIZES[-1], w, b)
        funcs["sklearn"] = lambda: clf.predict_proba(X)
        outputs["sklearn"] = clf.predict_proba(X[check_rows])
    with torch_no_grad():
        if torch:
            model = torch_model(INFER_SIZES, w, b, softmax=True)
            model.eval()
            Xt = torch.from_numpy(X)
            funcs["torch"] = lambda: model(Xt)
            outputs["torch"] = model(Xt[check_rows]).numpy()
        funcs["floor"] = _floor_inference_fn(X, w)
        timed = timed_section(funcs, repeats, guard)
    dtypes = {"sklearn": str(outputs["sklearn"].dtype)} if "sklearn" in outputs else {}
    return {"rows": rows, "sizes": INFER_SIZES, **timed,
            "max_abs_diff_vs_numpynn": _max_abs_diffs(outputs, "numpynn"), "dtypes": dtypes}
