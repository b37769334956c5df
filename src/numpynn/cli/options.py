"""Value types for command-line options: each turns the option's text into a checked value.

A bad value raises :class:`argparse.ArgumentTypeError`, which argparse reports as one line
``numpynn: error: argument --lr: expected ..., got '...'`` with exit status 2.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

__all__ = ["whole_number", "positive_int", "seed", "number", "hidden_sizes", "column_names",
           "class_weight", "add_reading_options"]


def whole_number(minimum: int) -> Callable[[str], int]:
    """A parser of whole numbers ``>= minimum``."""

    def parse(text: str) -> int:
        problem = f"expected a whole number >= {minimum}, got {text!r}"
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(problem) from None
        if value < minimum:
            raise argparse.ArgumentTypeError(problem)
        return value

    return parse


#: ``--epochs``, ``--batch-size``, ``--patience``: a whole number >= 1.
positive_int = whole_number(1)
#: ``--seed``: a whole number >= 0.
seed = whole_number(0)


def number(low: float, high: float | None, *, low_ok: bool, high_ok: bool = False,
           ) -> Callable[[str], float]:
    """A parser of finite floats in the interval (low or [low, high) or high]).

    Parameters
    ----------
    low, high : float, float or None
        The bounds; ``high=None`` means no upper bound.
    low_ok, high_ok : bool
        Whether the bound itself is allowed.
    """
    lo = "[" if low_ok else "("
    if high is None:
        wanted = f"a number {'>=' if low_ok else '>'} {low:g}"
    else:
        wanted = f"a number in {lo}{low:g}, {high:g}{']' if high_ok else ')'}"

    def parse(text: str) -> float:
        try:
            value = float(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {wanted}, got {text!r}") from None
        ok = math.isfinite(value) and (value >= low if low_ok else value > low)
        if high is not None:
            ok = ok and (value <= high if high_ok else value < high)
        if not ok:
            raise argparse.ArgumentTypeError(f"expected {wanted}, got {text!r}")
        return value

    return parse


def hidden_sizes(text: str) -> tuple[int, ...]:
    """``"16,16"`` -> ``(16, 16)``; ``"none"`` or ``""`` -> ``()`` (no hidden layer)."""
    stripped = text.strip()
    if stripped.lower() in ("", "none"):
        return ()
    sizes = []
    for part in stripped.split(","):
        part = part.strip()
        if not part.isdigit() or int(part) < 1:
            raise argparse.ArgumentTypeError(
                f"expected hidden layer sizes as whole numbers >= 1 separated by commas "
                f"(e.g. 16,16), or 'none', got {text!r}"
            )
        sizes.append(int(part))
    return tuple(sizes)


def column_names(text: str) -> list[str]:
    """``"a,b"`` -> ``["a", "b"]``: column names for ``--features``, ``--drop``, ``--id``,
    ``--categorical``, ``--keep``, ``--na-values`` (the option may also be repeated)."""
    names = [part.strip() for part in text.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(
            f"expected names separated by commas (e.g. a,b), got {text!r}")
    return names


def class_weight(text: str) -> str:
    """``--class-weight``: ``balanced`` (weights inverse to the class frequencies)."""
    if text.strip().lower() != "balanced":
        raise argparse.ArgumentTypeError(f"expected 'balanced', got {text!r}")
    return "balanced"


def add_reading_options(group, *, for_model: bool = False) -> None:
    """``--delimiter``, ``--encoding`` and ``--na-values``: how to read a CSV file.

    ``train`` has them, and so do ``predict`` and ``evaluate`` (``for_model``), since the
    new rows often come from the same program as the training rows: a Windows-1252 file
    or a ``?`` for a gap there too.  With ``for_model`` the missing-value spellings add to
    those the model was trained with, which are always applied.
    """
    group.add_argument("--delimiter", metavar="CHAR",
                       help="CSV field separator, e.g. ';' or tab (default: detected)")
    group.add_argument("--encoding", metavar="NAME",
                       help="CSV text encoding, e.g. latin-1 or cp1252 (default: utf-8)")
    always = "the model's and " if for_model else ""
    group.add_argument("--na-values", type=column_names, action="extend",
                       default=[], metavar="VALUES",
                       help=f"more spellings of a missing value, comma-separated, e.g. "
                            f"'?,-' (always: {always}empty, NA, N/A, NaN, null, None)")
