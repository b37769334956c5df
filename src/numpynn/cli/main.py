"""The ``numpynn`` command's parser and entry point: subcommands, exit statuses, errors.

Errors the user can cause (missing files, unknown columns, bad values, damaged model files,
bad options) end as one line ``numpynn: error: ...`` on stderr with exit status 1 (2 for
command-line usage errors, 130 after Ctrl-C), never a traceback. Set the environment variable
``NUMPYNN_TRACEBACK=1`` to see the traceback of such an error. Every file the command writes
is written to a temporary file beside the target and renamed over it, so no output file is
ever left half-written.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import warnings
from collections.abc import Sequence

from .._version import __version__
from ..errors import ModelFileError, TrainingDivergedError
from . import demo, evaluate, export, inspect, predict, train
from .common import CLI_INSTALL, PROG, CommandError, error_message, one_line, show_warning

__all__ = ["main", "build_parser", "SUBCOMMANDS"]

#: The subcommands, in the order ``numpynn --help`` lists them; each module has
#: ``add_parser(subparsers) -> ArgumentParser`` and ``run(args) -> int`` (see numpynn.cli).
SUBCOMMANDS = (demo, train, predict, evaluate, inspect, export)

#: Exceptions that are the user's input, not a bug: one line on stderr, exit status 1.
_USER_ERRORS = (CommandError, ModelFileError, ValueError, TypeError, OSError,
                TrainingDivergedError, ImportError, MemoryError)

#: Optional packages of the ``cli`` extra: a missing one is reported with its install command.
_CLI_EXTRA = ("safetensors", "matplotlib", "tqdm", "scipy", "pyarrow", "pandas")
#: Other optional packages and the extra that brings each.
_OTHER_EXTRAS = {"numba": 'pip install "numpynn[fast]"',
                 "sklearn": 'pip install "numpynn[sklearn]"',
                 "onnx": 'pip install "numpynn[onnx]"'}


def import_error_message(exc: ImportError) -> str:
    """The one-line message for a missing optional package: what is missing and the
    ``pip install "numpynn[cli]"`` (or other extra) that brings it."""
    missing = None
    for error in (exc, exc.__cause__, exc.__context__):
        if isinstance(error, ImportError) and error.name:
            missing = error.name.partition(".")[0]
            break
    message = error_message(exc)
    if missing in _CLI_EXTRA:  # the library's messages name its small extras (files, plot)
        return f"{missing} is not installed, and this needs it: {CLI_INSTALL}"
    if missing in _OTHER_EXTRAS and "pip install" not in message:
        return f"{message}; {_OTHER_EXTRAS[missing]}"
    return message


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error message (``numpynn: error: ...``), exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{PROG}: error: {one_line(message)} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``numpynn`` command and its subcommands.

    Each subcommand's parser gets the defaults ``handler`` (its module's ``run``) and
    ``parser`` (itself, for usage errors found after parsing).
    """
    parser = _Parser(
        prog=PROG,
        description="Modern neural networks in Python and NumPy: train multi-layer perceptrons "
                    "on CSV files, predict, evaluate and inspect them.",
        epilog="Run 'numpynn COMMAND --help' for the options of a command. "
               "'numpynn train' with no arguments trains on the bundled iris data set.",
    )
    parser.add_argument("--version", action="version", version=f"numpynn {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command in SUBCOMMANDS:
        subparser = command.add_parser(subparsers)
        subparser.set_defaults(handler=command.run, parser=subparser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``numpynn`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return 2
    with warnings.catch_warnings():
        warnings.showwarning = show_warning
        try:
            return int(args.handler(args))
        except KeyboardInterrupt:
            hint = ""
            if getattr(args, "checkpoint_dir", None):
                hint = "; continue with the same command and --resume"
            print(f"\n{PROG}: interrupted{hint}", file=sys.stderr, flush=True)
            return 130
        except BrokenPipeError:
            # the reader of stdout went away (`numpynn predict ... | head`): stop quietly
            with contextlib.suppress(OSError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
            return 141
        except _USER_ERRORS as exc:
            if os.environ.get("NUMPYNN_TRACEBACK"):
                raise
            message = (import_error_message(exc) if isinstance(exc, ImportError)
                       else error_message(exc))
            print(f"{PROG}: error: {message}", file=sys.stderr, flush=True)
            return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
