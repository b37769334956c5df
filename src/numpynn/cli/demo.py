"""``numpynn demo``: the article's 3-4-2 network, input to output, step by step."""

from __future__ import annotations

import argparse


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``demo`` to the ``numpynn`` command's subparsers; return its parser."""
    return subparsers.add_parser(
        "demo", help="the article's 3-4-2 input-output demo, step by step",
        description="Run the article's 3-4-2 leaky-ReLU/softmax demo: weights 0.01..0.26, "
                    "inputs (3.0, 4.0, -4.5), outputs (0.4973, 0.5027).",
    )


def run(args: argparse.Namespace) -> int:
    """Print the demo; exit status 0."""
    from ..display import run_demo

    run_demo()
    return 0
