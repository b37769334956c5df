"""``numpynn export MODEL.safetensors OUT.onnx [--opset N] [--force]``: a model to ONNX.

A model from ``numpynn train`` is exported with its preprocessing (one graph input per
table column; ``--no-preprocessing`` exports the network alone); any other numpynn model
file as the network alone.  A model of the tabular recipe (train's default) is exported
by :mod:`numpynn.tabular.recipe_onnx` (its bagged members as one graph, behind the
recipe's encoding).  The ONNX file is written atomically.  Errors are ValueError,
OSError or ModelFileError with a one-line message, which the command's ``main`` prints as
``numpynn: error: ...``.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ..io.onnx_graph import DEFAULT_OPSET, SUPPORTED_OPSETS
from .common import check_model_file

__all__ = ["add_parser", "run"]

_DESCRIPTION = f"""\
Write a model file as an ONNX model, for onnxruntime in C#, Java, JavaScript, C++ or on
mobile. A model from 'numpynn train' is exported with its preprocessing: one input per
table column (double for numeric columns, NaN when missing; string for text columns), and
the outputs 'probabilities' and 'label' (the original class labels) or 'output' (in the
target's units). Default-domain operators only (plus ai.onnx.ml's LabelEncoder for text
columns below opset 19); opsets {SUPPORTED_OPSETS.start} to {SUPPORTED_OPSETS.stop - 1}.
For a model of the tabular recipe (train's default) the graph holds the recipe's encoding
(median fill, gap flags, one-hot, robust scaling, smooth clipping, category codes) and its
bagged networks; its text columns' inputs are strings, number categories as whole-number
text ("3"). --no-preprocessing exports the networks alone (input: the encoded features).
"""


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``export`` subcommand to ``subparsers``; return its parser."""
    parser = subparsers.add_parser(
        "export", help="write a model as an ONNX file (with its preprocessing)",
        description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", metavar="MODEL.safetensors")
    parser.add_argument("out", metavar="OUT.onnx")
    parser.add_argument("--opset", type=int, default=DEFAULT_OPSET, metavar="N",
                        help=f"ONNX opset, {SUPPORTED_OPSETS.start} to "
                             f"{SUPPORTED_OPSETS.stop - 1} (default: {DEFAULT_OPSET})")
    parser.add_argument("--no-preprocessing", action="store_true",
                        help="export the network alone (float32 features in)")
    parser.add_argument("--force", "-f", action="store_true",
                        help="replace OUT.onnx if it exists")
    parser.set_defaults(handler=run, parser=parser)
    return parser


def _check_paths(model: Path, out: Path, force: bool) -> None:
    """Everything about the paths that can fail, before any work."""
    if not model.is_file():
        raise FileNotFoundError(f"{model}: no such model file")
    if out.is_dir():
        raise ValueError(f"output {str(out)!r} is a directory")
    if not out.parent.is_dir():
        raise ValueError(f"cannot write {str(out)!r}: directory {str(out.parent)!r} does not "
                         "exist")
    if out.exists():
        if os.path.samefile(out, model):
            raise ValueError(f"output {str(out)!r} is the model file; refusing to overwrite it")
        if not force:
            raise ValueError(f"{str(out)!r} already exists; pass --force to replace it")


def run(args: argparse.Namespace) -> int:
    """Export ``args.model`` to ``args.out``; return the exit status (0)."""
    from ..io.onnx_graph import check_opset, import_onnx
    from ..network import load
    from ..tabular.onnx import to_onnx

    model_path, out = Path(args.model), Path(args.out)
    check_opset(args.opset)
    _check_paths(model_path, out, args.force)
    import_onnx()  # a missing package is reported before the model is read
    check_model_file(model_path)  # "this is a CSV file, not a model"
    from ..io.tabular_files import is_tabular_file

    source = model_path if is_tabular_file(model_path) else load(model_path)
    model = to_onnx(source, out, opset=args.opset,
                    preprocessing=False if args.no_preprocessing else None)
    names = [i.name for i in model.graph.input]
    inputs = ", ".join(names[:8]) + (f", ... ({len(names)} in all)" if len(names) > 8 else "")
    outputs = ", ".join(o.name for o in model.graph.output)
    print(f"wrote {out} (opset {args.opset}): inputs {inputs}; outputs {outputs}", flush=True)
    return 0
