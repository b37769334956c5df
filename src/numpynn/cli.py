"""The ``numpynn`` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import __version__

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="numpynn",
        description="Modern neural networks in Python and NumPy.",
    )
    parser.add_argument("--version", action="version", version=f"numpynn {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser(
        "demo", help="the article's 3-4-2 input-output demo, step by step",
        description="Run the article's 3-4-2 leaky-ReLU/softmax demo: weights 0.01..0.26, "
                    "inputs (3.0, 4.0, -4.5), outputs (0.4973, 0.5027).",
    )
    demo.set_defaults(handler=_cmd_demo)
    return parser


def _cmd_demo(args: argparse.Namespace) -> int:
    from .display import run_demo

    run_demo()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``numpynn`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return 2
    return int(args.handler(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
