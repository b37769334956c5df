"""Article-style printing: ``show_vec`` and the step-by-step demo of the 3-4-2 network."""

from __future__ import annotations

import sys
from typing import Any, TextIO

import numpy as np

from .core.checks import check_int

__all__ = ["show_vec", "format_vec", "ARTICLE_WEIGHTS", "ARTICLE_INPUT", "run_demo"]

#: The article's 26 dummy weights and biases, 0.01 .. 0.26, in the flat order.
ARTICLE_WEIGHTS = (np.arange(1, 27, dtype=np.float32) / np.float32(100)).astype(np.float32)
#: The article's input values.
ARTICLE_INPUT = np.array([3.0, 4.0, -4.5], dtype=np.float32)


def format_vec(vec: Any, wid: int, dec: int, vals_line: int) -> str:
    """The text ``show_vec`` prints (without the final newline).

    Parameters
    ----------
    vec : array_like, shape (n,)
    wid : int
        Characters per value, right-aligned.
    dec : int
        Decimals per value.
    vals_line : int
        Values per line.
    """
    for name, v, low in (("wid", wid, 1), ("dec", dec, 0), ("vals_line", vals_line, 1)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            # check_int says ValueError for every failure; a wrong type is a TypeError here
            raise TypeError(f"{name} must be an int, got {v!r}")
        check_int(name, v, low)
    values = np.asarray(vec).ravel()
    lines = []
    for start in range(0, values.size, vals_line):
        chunk = values[start : start + vals_line]
        lines.append("".join(f"{float(v):{wid}.{dec}f}" for v in chunk))
    return "\n".join(lines)


def show_vec(vec: Any, wid: int, dec: int, vals_line: int, file: TextIO | None = None) -> None:
    """Print ``vec``: each value right-aligned in ``wid`` characters with ``dec`` decimals,
    ``vals_line`` values per line (the article's ``show_vec``)."""
    print(format_vec(vec, wid, dec, vals_line), file=file or sys.stdout)


def run_demo(file: TextIO | None = None) -> np.ndarray:
    """Print the article's input-output demo step by step and return the outputs.

    Returns
    -------
    ndarray, shape (2,), float32
        The outputs of the 3-4-2 network, (0.4973, 0.5027).
    """
    from .network import NeuralNetwork

    out = file or sys.stdout

    def say(text: str = "") -> None:
        print(text, file=out)

    say("\nBegin NN with leaky ReLU IO demo ")
    say("\nCreating a 3-4-2 leaky ReLU, softmax NN")
    nn = NeuralNetwork(3, 4, 2, hidden_activation="leaky_relu", output_activation="softmax")
    say("\nSetting weights and biases")
    show_vec(ARTICLE_WEIGHTS, wid=6, dec=2, vals_line=8, file=out)
    nn.set_weights(ARTICLE_WEIGHTS)
    say("\nSetting inputs to: ")
    show_vec(ARTICLE_INPUT, 6, 2, len(ARTICLE_INPUT), file=out)
    say("\nComputing output values . . ")
    hidden, output = nn.trace(ARTICLE_INPUT)
    say("\nPre-activation hidden node values: ")
    show_vec(hidden.sums, 8, 4, len(hidden.sums), file=out)
    say("\nPost-activation hidden node values: ")
    show_vec(hidden.values, 8, 4, len(hidden.values), file=out)
    say("\nPre-activation output node values: ")
    show_vec(output.sums, 8, 4, len(output.sums), file=out)
    y = nn.eval(ARTICLE_INPUT)
    say("\nOutput values: ")
    show_vec(y, 8, 4, len(y), file=out)
    say("\nEnd IO demo ")
    return y
