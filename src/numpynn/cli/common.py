"""What the subcommands share: messages, output-path checks, trained models.

Everything here is internal to :mod:`numpynn.cli`; the names have no leading underscore only
because several subcommand modules use them.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelFileError

PROG = "numpynn"
#: ``format`` / ``version`` of the metadata ``numpynn train`` stores in a model file.
METADATA_FORMAT = "numpynn.cli.train"
METADATA_VERSION = 1


class CommandError(Exception):
    """An error in the user's request, reported as ``numpynn: error: <message>``."""


# --------------------------------------------------------------------------------- messages


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (newlines too) made one space."""
    return " ".join(str(text).split())


def error_message(exc: BaseException) -> str:
    """The one-line message of ``exc`` for ``numpynn: error: ...``."""
    if isinstance(exc, OSError) and exc.strerror and exc.filename is not None:
        return one_line(f"{exc.filename}: {exc.strerror}")
    if isinstance(exc, MemoryError):  # NumPy's says how much; numpynn's what for
        return one_line(f"out of memory: {exc}") if str(exc) else "out of memory"
    return one_line(str(exc) or type(exc).__name__)


def info(text: str = "") -> None:
    """Print a line of the command's report on stdout, at once."""
    print(text, flush=True)


def warn(text: str) -> None:
    """Print ``numpynn: warning: <text>`` on stderr."""
    print(f"{PROG}: warning: {one_line(text)}", file=sys.stderr, flush=True)


def show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """A ``warnings.showwarning`` that prints one ``numpynn: warning:`` line."""
    warn(str(message))


def arch(net) -> str:
    """The layer sizes of ``net`` as ``"9-16-16-3"``."""
    return "-".join(str(s) for s in net.sizes)


# ------------------------------------------------------------------------------ output files


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_output_path(path: Path, what: str, *, protect: Iterable[tuple[Path, str]] = ()
                      ) -> None:
    """Fail early (before any work) when ``path`` cannot be written or names an input.

    Parameters
    ----------
    path : Path
        The file the command will write.
    what : str
        What it is, for the message (``"model file"``).
    protect : iterable of (Path, str)
        Files that must not be overwritten, each with its name for the message.

    Raises
    ------
    CommandError
        ``path`` is a directory, its directory does not exist, or it is one of ``protect``.
    """
    if path.is_dir():
        raise CommandError(f"{what} {str(path)!r} is a directory")
    parent = path.parent
    if not parent.is_dir():
        raise CommandError(f"cannot write {what} {str(path)!r}: directory {str(parent)!r} "
                           "does not exist")
    for other, name in protect:
        if _same_file(path, other):
            raise CommandError(f"{what} {str(path)!r} is the {name}; refusing to overwrite it")


def check_plot_format(path: Path) -> None:
    """Fail before any work when matplotlib is missing or cannot write this suffix."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise CommandError("--plot and --diagram need matplotlib: "
                           "pip install 'numpynn[plot]'") from None
    fmt = path.suffix[1:].lower() or "png"
    supported = Figure().canvas.get_supported_filetypes()
    if fmt not in supported:
        raise CommandError(f"cannot draw {str(path)!r}: unknown image format {fmt!r}; use one "
                           f"of {', '.join(sorted(supported))}")


# --------------------------------------------------------------------------- trained models


def add_model_parser(subparsers, name: str, *, data: bool, **kwargs: Any
                     ) -> argparse.ArgumentParser:
    """A subcommand that reads a model file: ``numpynn NAME MODEL [DATA.csv]``.

    ``kwargs`` (``help``, ``description``, ...) go to ``subparsers.add_parser``; ``data``
    adds the positional argument ``DATA.csv`` after ``MODEL``.
    """
    parser = subparsers.add_parser(name, **kwargs)
    parser.add_argument("model", metavar="MODEL")
    if data:
        parser.add_argument("data", metavar="DATA.csv")
    return parser


@dataclass
class TrainedModel:
    """A network from ``numpynn train`` with the preprocessing stored beside it."""

    path: Path
    net: Any  # NeuralNetwork
    pre: Any  # tabular.Preprocessor
    enc: Any  # tabular.TargetEncoder

    @property
    def classification(self) -> bool:
        """Whether the model predicts classes (softmax output) rather than numbers."""
        return self.enc.classes is not None


def load_trained(path_text: str) -> TrainedModel:
    """Load a model written by ``numpynn train``; ModelFileError if it is anything else."""
    from ..network import load
    from ..tabular import Preprocessor, TargetEncoder

    path = Path(path_text)
    net = load(path)
    meta = net.metadata
    if meta.get("format") != METADATA_FORMAT or "preprocessor" not in meta:
        raise ModelFileError(
            f"{path}: this model file has no preprocessing (it was not written by "
            "'numpynn train'); predict and evaluate need one that was"
        )
    try:
        pre = Preprocessor.from_dict(meta["preprocessor"])
        enc = TargetEncoder.from_dict(meta["target_encoder"])
    except (KeyError, ValueError, TypeError) as exc:
        raise ModelFileError(
            f"{path}: damaged preprocessing metadata: {error_message(exc)}") from None
    if enc.classes is not None:
        consistent = (net.output_activation == "softmax"
                      and net.sizes[-1] == len(enc.classes))
    else:
        consistent = net.output_activation == "identity" and net.sizes[-1] == 1
    if not consistent or net.sizes[0] != pre.n_features:
        raise ModelFileError(
            f"{path}: the preprocessing metadata ({pre.n_features} features, "
            f"{enc.n_outputs} outputs) does not match the network {arch(net)}"
        )
    return TrainedModel(path, net, pre, enc)


def transform(pre, table) -> np.ndarray:
    """Features of ``table``, float32 ``(n_rows, pre.n_features)``.

    Unseen categories are reported as warnings on stderr, every one of them.
    """
    from ..tabular import UnseenCategoryWarning

    with warnings.catch_warnings():
        warnings.simplefilter("always", UnseenCategoryWarning)
        return pre.transform(table)
