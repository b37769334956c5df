"""The ``numpynn`` command: demo, train, predict, evaluate, inspect."""

from .commands import build_parser, main

__all__ = ["main", "build_parser"]
