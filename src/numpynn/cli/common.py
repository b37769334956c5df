"""What the subcommands share: messages, output-path checks, trained models.

Everything here is internal to :mod:`numpynn.cli`; the names have no leading underscore only
because several subcommand modules use them.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelFileError
from . import options

PROG = "numpynn"
#: What installs everything the command line needs (safetensors, matplotlib, tqdm, ...).
CLI_INSTALL = 'pip install "numpynn[cli]"'
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
        raise CommandError(f"--plot and --diagram need matplotlib: {CLI_INSTALL}") from None
    fmt = path.suffix[1:].lower() or "png"
    supported = Figure().canvas.get_supported_filetypes()
    if fmt not in supported:
        raise CommandError(f"cannot draw {str(path)!r}: unknown image format {fmt!r}; use one "
                           f"of {', '.join(sorted(supported))}")


def curve_units(metadata: dict[str, Any]) -> dict[str, Any]:
    """``plot_history`` options that draw a regression's loss as the RMSE in the target's
    units (from the target's stored std); none for classification."""
    enc = metadata.get("target_encoder")
    if not isinstance(enc, dict) or enc.get("task") != "regression":
        return {}
    return {"target_scale": float(enc["std"]), "target_name": str(enc.get("name", ""))}


# ------------------------------------------------------------------------------ input data


def read_input(path_text: str, args: argparse.Namespace | None = None,
               model: TrainedModel | None = None, text_columns: Sequence[str] = ()):
    """The table of a data file named on the command line (``predict``, ``evaluate``).

    The one place these commands read a table, so that the reader's options reach all of
    them: the file is read the way the model's training data was (its missing-value
    markers, its text columns kept as text), plus ``text_columns`` (ID columns: ``007``
    stays ``007``) and the command's ``--delimiter``, ``--encoding`` and ``--na-values``.
    The reader's notes (a delimiter found, cells read as missing) go to stderr, one
    ``numpynn: note:`` line each. A model file given where the data belongs is refused
    with a hint about the order of the arguments.
    """
    from ..tabular import read_table, reading_options

    path = Path(path_text)
    if looks_like_model(path):
        raise CommandError(f"{path_text} is a model file, not a data table; the model comes "
                           f"first: {PROG} {getattr(args, 'command', 'predict')} MODEL DATA")
    stored = reading_options(model.net.metadata) if model is not None else {}
    text = [*stored.get("text_columns", ()), *text_columns]
    na_values = [*stored.get("na_values", ()), *(getattr(args, "na_values", None) or ())]
    table = read_table(path, delimiter=getattr(args, "delimiter", None),
                       encoding=getattr(args, "encoding", None),
                       na_values=list(dict.fromkeys(na_values)),
                       text_columns=list(dict.fromkeys(text)))
    for note in table.notes:  # e.g. cells '-' read as missing: the user should know
        print(f"{PROG}: note: {one_line(note)}", file=sys.stderr, flush=True)
    return table


def require_column(table, name: str, what: str) -> None:
    """CommandError unless ``table`` has a column ``name``: names the columns there are,
    and the close one when ``name`` is in the wrong case or misspelt.

    ``what`` says where the name came from, for the message (``"--target"``).
    """
    from ..tabular.roles import did_you_mean

    columns = list(table.columns)
    if name in columns:
        return
    shown = ", ".join(repr(c) for c in columns[:20])
    more = f", ... ({len(columns)} in all)" if len(columns) > 20 else ""
    raise CommandError(f"{what} {name!r}: {table.source} has no such column"
                       f"{did_you_mean(name, columns)}; its columns are {shown}{more}")


# --------------------------------------------------------------------------- trained models

#: First bytes of files people give where a model belongs, and what each file is.
_FILE_SIGNATURES = (
    (b"PAR1", "a Parquet file"),
    (b"ARROW1", "a Feather (Arrow) file"),
    (b"PK\x03\x04", "a zip archive"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"\x89PNG", "a PNG image"),
    (b"%PDF", "a PDF file"),
    (b"\x93NUMPY", "a NumPy .npy file"),
    (b"\x80", "a Python pickle"),
)


def looks_like_model(path: Path) -> bool:
    """Whether ``path`` starts like a safetensors file (an 8-byte length, then ``{``)."""
    head = _first_bytes(path, 9)
    return len(head) == 9 and head[8:9] == b"{" and head[4:8] == b"\0\0\0\0"


def _first_bytes(path: Path, n: int) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(n)
    except OSError:  # missing, a directory, unreadable: the reader's own error says so
        return b""


def file_kind(path: Path) -> str | None:
    """What ``path`` is when its first bytes show it is no safetensors model; None when it
    might be one (or cannot be read: the loader's own checks report that)."""
    head = _first_bytes(path, 4096)
    if not head or looks_like_model(path):
        return None
    for signature, kind in _FILE_SIGNATURES:
        if head.startswith(signature):
            return kind
    if b"\0" in head:
        return None  # binary: let the loader say what is wrong with it
    first_line = head.decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()[0]
    stripped = first_line.strip()
    if stripped.startswith(("{", "[")):
        return "a JSON file"
    if any(sep in first_line for sep in (",", ";", "\t", "|")):
        return "a CSV file"
    return "a text file"


def check_model_file(path: Path) -> None:
    """ModelFileError ``"data.csv: this is a CSV file, not a model"`` for a file that is
    clearly something else (a data table, an image, ...), before the loader reads it."""
    kind = file_kind(path)
    if kind is not None:
        raise ModelFileError(f"{path}: this is {kind}, not a model (it is not a safetensors "
                             "file)")



def add_model_parser(subparsers, name: str, *, data: bool, **kwargs: Any
                     ) -> argparse.ArgumentParser:
    """A subcommand that reads a model file: ``numpynn NAME MODEL [DATA.csv]``.

    ``kwargs`` (``help``, ``description``, ...) go to ``subparsers.add_parser``; ``data``
    adds the positional argument ``DATA.csv`` after ``MODEL`` and the reading options
    (``--delimiter``, ``--encoding``, ``--na-values``) that :func:`read_input` applies.
    """
    parser = subparsers.add_parser(name, **kwargs)
    parser.add_argument("model", metavar="MODEL")
    if data:
        parser.add_argument("data", metavar="DATA.csv")
        options.add_reading_options(parser.add_argument_group("reading"), for_model=True)
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
    from ..tabular.model_state import encoders_from_metadata

    path = Path(path_text)
    check_model_file(path)
    from ..io.tabular_files import is_tabular_file

    if is_tabular_file(path):  # numpynn train's default, the tabular recipe
        from ..tabular.recipe_model import load_recipe_parts

        return TrainedModel(path, *load_recipe_parts(path))
    net = load(path)
    meta = net.metadata
    if meta.get("format") != METADATA_FORMAT or "preprocessor" not in meta:
        raise ModelFileError(
            f"{path}: this model file has no preprocessing (it was not written by "
            "'numpynn train'); predict and evaluate need one that was"
        )
    return TrainedModel(path, net, *encoders_from_metadata(meta, net, path))


def transform(pre, table) -> np.ndarray:
    """Features of ``table``, float32 ``(n_rows, pre.n_features)``.

    Unseen categories are reported as warnings on stderr, every one of them.
    """
    from ..tabular import UnseenCategoryWarning

    with warnings.catch_warnings():
        warnings.simplefilter("always", UnseenCategoryWarning)
        return pre.transform(table)
