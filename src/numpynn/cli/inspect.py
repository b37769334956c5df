"""``numpynn inspect``: a model file's architecture, parameters, preprocessing and weights."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .common import (
    METADATA_FORMAT,
    add_model_parser,
    arch,
    check_model_file,
    check_output_path,
    check_plot_format,
    info,
)
from .inspect_recipe import describe_recipe_model, print_layer, print_scores, printable
from .metrics import format_number

#: A network with more inputs than this is drawn as a per-input weight summary, not a fan.
WIDE_INPUTS = 20


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``inspect`` to the ``numpynn`` command's subparsers; return its parser."""
    parser = add_model_parser(
        subparsers, "inspect", data=False,
        help="show a model's architecture, parameters and weights",
        description="Print a model file's architecture, parameter counts, preprocessing and "
                    "the weights and biases of every layer.",
    )
    parser.add_argument("--diagram", metavar="NET.png",
                        help="also draw the network (nodes and weighted connections, inputs "
                             "and outputs named); a network with more than "
                             f"{WIDE_INPUTS} inputs gets a bar chart of each input's "
                             "first-layer weight norm instead")
    parser.add_argument("--no-weights", action="store_true",
                        help="leave out the weight values")
    return parser


def run(args: argparse.Namespace) -> int:
    """Describe ``args.model`` on stdout (and draw it with ``--diagram``); exit status 0."""
    from ..network import load

    diagram = Path(args.diagram) if args.diagram else None
    if diagram is not None:
        check_output_path(diagram, "diagram file", protect=[(Path(args.model), "model file")])
        check_plot_format(diagram)
    check_model_file(Path(args.model))
    from ..io.tabular_files import is_tabular_file

    if is_tabular_file(Path(args.model)):  # numpynn train's default: the tabular recipe
        return _inspect_recipe(args, diagram)
    net = load(args.model)
    meta = net.metadata
    drawn = None
    if diagram is not None:  # first, so that `numpynn inspect ... | head` still draws it
        drawn = _draw(net, meta, diagram, f"{Path(args.model).name}: {arch(net)}")
    info(f"model: {args.model}")
    _print_layers(net)
    feature_names = None
    if meta.get("format") == METADATA_FORMAT:
        feature_names = _describe_metadata(meta)
    elif meta:
        info(f"metadata keys: {', '.join(sorted(meta))}")
    if not args.no_weights:
        if feature_names is not None and len(feature_names) != net.sizes[0]:
            feature_names = None  # metadata that does not match the network: rows by number
        _print_weights(net, feature_names)
    if diagram is not None:
        info()
        info(f"saved the {drawn} to {diagram}")
    return 0


def _inspect_recipe(args: argparse.Namespace, diagram: Path | None) -> int:
    """``run`` for a model of the tabular recipe: its first member is drawn."""
    from ..tabular.recipe_model import load_recipe_parts

    ensemble, pre, enc = load_recipe_parts(args.model)
    drawn = None
    if diagram is not None:
        member = ensemble.networks[0]
        dense = _DenseStack(member, pre.feature_names, enc)
        drawn = _draw(dense, dense.metadata, diagram,
                      f"{Path(args.model).name}: {arch(member)} (member 1)")
    info(f"model: {args.model}")
    describe_recipe_model(ensemble, pre, enc, weights=not args.no_weights)
    if diagram is not None:
        info()
        info(f"saved the {drawn} of member 1 to {diagram}")
    return 0


class _DenseStack:
    """A table network's dense stack as :func:`_draw` reads a network: its inputs are the
    dense features, then each embedding's dimensions."""

    def __init__(self, member, feature_names: list[str], enc) -> None:
        views, layout = member.views, member.input_layout
        self.weights, self.biases = views.weights, views.biases
        self.sizes = layout.dense.sizes
        names = list(feature_names[:layout.n_dense])
        for piece in layout.embedding_slices:
            column = feature_names[piece.column] if piece.column < len(feature_names) \
                else f"input {piece.column}"
            names += [f"{column} [{d}]" for d in range(piece.dim)]
        self.metadata = {"feature_names": names, "target": enc.name,
                         "classes": None if enc.classes is None else list(enc.classes)}


def _node_names(net, meta: Mapping[str, Any]) -> tuple[list[str] | None, list[str] | None]:
    """The feature names of the inputs and the class names (or target) of the outputs, as
    ``numpynn train`` stores them; None where the file has none that fit."""
    features, classes = meta.get("feature_names"), meta.get("classes")
    inputs = list(map(str, features)) if isinstance(features, list) and \
        len(features) == net.sizes[0] else None
    outputs = list(map(str, classes)) if isinstance(classes, list) and \
        len(classes) == net.sizes[-1] else None
    target = meta.get("target")
    if outputs is None and isinstance(target, str) and net.sizes[-1] == 1:
        outputs = [target]
    return inputs, outputs


def _draw(net, meta: Mapping[str, Any], path: Path, title: str) -> str:
    """Draw the network, or for a wide one its per-input weight summary; say which."""
    inputs, outputs = _node_names(net, meta)
    if net.sizes[0] > WIDE_INPUTS:
        from ..plots import plot_feature_weights

        plot_feature_weights(net.weights[0], path, feature_names=inputs, title=title)
        return (f"per-input weight summary ({net.sizes[0]} inputs are too many to draw as "
                "a diagram)")
    from ..plots import draw_network

    draw_network(net.sizes, net.weights, net.biases, path, input_names=inputs,
                 output_names=outputs, title=title)
    return "diagram"


def _print_layers(net) -> None:
    """The architecture and the parameter count of every layer and of the whole network."""
    info(f"network: {arch(net)} ({len(net.sizes) - 2} hidden layer"
         f"{'s' if len(net.sizes) != 3 else ''}), output {net.output_activation}")
    total_weights = 0
    for i, (fan_in, fan_out) in enumerate(zip(net.sizes[:-1], net.sizes[1:], strict=True)):
        source = "input" if i == 0 else f"hidden {i}"
        dest = "output" if i == net.num_layers - 1 else f"hidden {i + 1}"
        total_weights += fan_in * fan_out
        info(f"  layer {i + 1}: {source} ({fan_in}) -> {dest} ({fan_out}), "
             f"{net.activations[i]}: {fan_in} x {fan_out} weights + {fan_out} biases = "
             f"{fan_in * fan_out + fan_out} parameters")
    info(f"parameters: {net.num_weights} ({total_weights} weights, "
         f"{net.num_weights - total_weights} biases), float32")


def _print_weights(net, feature_names: list[str] | None) -> None:
    """Every layer's weights, row by row (named by feature in the first layer), and biases."""
    for i, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        print_layer(f"layer {i + 1}", w, b, feature_names if i == 0 else None)


def _describe_metadata(meta: Mapping[str, Any]) -> list[str] | None:
    """Print what ``numpynn train`` stored; return the feature names."""
    target = meta.get("target")
    classes = meta.get("classes")
    if meta.get("task") == "classification" and isinstance(classes, list):
        info(f"task: classification of {target!r} into {len(classes)} classes: "
             f"{', '.join(map(str, classes))}")
    else:
        info(f"task: regression of {target!r}")
    _describe_columns(meta)
    _describe_training_run(meta)
    names = meta.get("feature_names")
    return [str(n) for n in names] if isinstance(names, list) else None


def _describe_columns(meta: Mapping[str, Any]) -> None:
    """The input columns and how each is encoded."""
    pre = meta.get("preprocessor", {})
    columns = _list(pre.get("columns")) if isinstance(pre, Mapping) else []
    info(f"inputs: {len(columns)} columns -> {len(_list(meta.get('feature_names')))} features")
    for col in columns:
        if not isinstance(col, Mapping):
            continue
        if col.get("kind") == "numeric":
            info(f"  {col.get('name')}: numeric, standardised with mean "
                 f"{format_number(col.get('mean'))}, std {format_number(col.get('std'))}")
        else:
            cats = _list(col.get("categories"))
            shown = ", ".join(map(printable, cats[:10])) + (", ..." if len(cats) > 10 else "")
            info(f"  {col.get('name')}: text, one-hot over {len(cats)} categories ({shown})")


def _describe_training_run(meta: Mapping[str, Any]) -> None:
    """The data and options of the training run and the scores it reached."""
    training = meta.get("training")
    results = meta.get("results")
    if isinstance(training, Mapping):
        how = f"{training.get('optimizer')}, learning rate {training.get('learning_rate')}, " \
            f"batch size {training.get('batch_size')}"
        if training.get("optimizer") == "lbfgs":  # full batch, no learning rate
            how = "lbfgs (full batch)"
        info(f"trained on: {training.get('data')} ({_rows_text(training)}seed "
             f"{training.get('seed')}), {how}")
    if isinstance(results, Mapping):
        # a cluster run counts rounds of averaging, not epochs
        unit, count = ("rounds", results.get("rounds")) if "rounds" in results else \
            ("epochs", results.get("epochs"))
        print_scores(results, f" after {count} {unit}" if isinstance(count, int) else "")


def _rows_text(training: Mapping[str, Any]) -> str:
    """``"67 training rows, 17 validation rows, "``, or ``"200 rows, "`` for a run that
    recorded only the total (a cluster run), or nothing."""
    split = training.get("training_rows"), training.get("validation_rows")
    if all(isinstance(n, int) for n in split):
        return f"{split[0]} training rows, {split[1]} validation rows, "
    rows = training.get("rows")
    return f"{rows} rows, " if isinstance(rows, int) else ""


def _list(value: Any) -> list:
    """``value`` if it is a list, else ``[]`` (metadata from a file may hold anything)."""
    return value if isinstance(value, list) else []
