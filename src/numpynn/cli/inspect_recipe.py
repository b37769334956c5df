"""``numpynn inspect`` of a model of the tabular recipe (``numpynn train``'s default).

The file holds a bagged ensemble of table networks (embeddings, a per-feature scale and a
dense stack each) and the recipe's encoding of the columns; this prints what
:mod:`numpynn.cli.inspect` prints for a plain network: the architecture and the parameter
counts, the encoding of every column, the training run, and (without ``--no-weights``) the
weights of every member.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .common import info
from .metrics import format_number, format_score

__all__ = ["describe_recipe_model", "print_layer", "print_scores", "printable"]


def printable(value: Any) -> str:
    """``str(value)``, or its ``repr`` when it holds a newline or another control character
    (a category read from a quoted CSV cell), so that one value stays on one line."""
    text = str(value)
    return text if text.isprintable() else repr(text)


def describe_recipe_model(ensemble, pre, enc, weights: bool) -> None:
    """Print the members' architecture, the column encoding and the training run of a
    recipe model (the parts :func:`numpynn.tabular.recipe_model.load_recipe_parts` gives);
    with ``weights`` also every member's parameters."""
    networks = ensemble.networks
    meta = ensemble.metadata
    info(f"recipe: realmlp (RealMLP-TD), {len(networks)} bagged member"
         f"{'s' if len(networks) != 1 else ''}" +
         (" whose outputs are averaged" if len(networks) > 1 else ""))
    _print_member_layers(networks[0], pre)
    per_member = networks[0].num_weights
    info(f"parameters: {per_member} per member, {per_member * len(networks)} in all, float32")
    if enc.classes is not None:
        info(f"task: classification of {enc.name!r} into {len(enc.classes)} classes: "
             f"{', '.join(printable(c) for c in enc.classes)}")
    else:
        info(f"task: regression of {enc.name!r}")
    _print_columns(pre.features)
    _print_training_run(meta)
    if weights:
        for i, net in enumerate(networks):
            _print_member_weights(i, net, pre.feature_names)


def _print_member_layers(net, pre) -> None:
    """One member's blocks: embeddings, the front scale and the dense layers."""
    layout, views = net.input_layout, net.views
    dense_sizes = layout.dense.sizes
    n_embedded = len(layout.embedding_slices)
    info(f"network of each member: {'-'.join(map(str, net.sizes))} ({len(net.sizes) - 2} "
         f"hidden layer{'s' if len(net.sizes) != 3 else ''}), output {net.output_activation}")
    info(f"  inputs: {layout.n_dense} dense feature{'s' if layout.n_dense != 1 else ''}, "
         f"{n_embedded} embedded column{'s' if n_embedded != 1 else ''}")
    for piece, table in zip(layout.embedding_slices, views.embeddings, strict=True):
        name = pre.feature_names[piece.column] if piece.column < len(pre.feature_names) \
            else f"input {piece.column}"
        info(f"  embedding of {printable(name)!r}: {table.shape[0]} codes x {table.shape[1]} "
             f"= {table.size} parameters")
    if views.periodic is not None:
        names = [printable(pre.feature_names[c]) if c < len(pre.feature_names) else
                 f"input {c}" for c in layout.periodic]
        info(f"  numeric embeddings: {len(names)} column{'s' if len(names) != 1 else ''} x "
             f"({layout.periodic_frequencies} cosines -> {layout.periodic_dims} values) = "
             f"{layout.scale_start - layout.periodic_start} parameters: {', '.join(names)}")
    if views.scale is not None:
        info(f"  front scale: {views.scale.shape[0]} factors, one per input of layer 1")
    activations = [*net.hidden_activations, net.output_activation]
    for i, (fan_in, fan_out) in enumerate(zip(dense_sizes[:-1], dense_sizes[1:], strict=True)):
        source = "input" if i == 0 else f"hidden {i}"
        dest = "output" if i == len(dense_sizes) - 2 else f"hidden {i + 1}"
        info(f"  layer {i + 1}: {source} ({fan_in}) -> {dest} ({fan_out}), {activations[i]}: "
             f"{fan_in} x {fan_out} weights + {fan_out} biases = {fan_in * fan_out + fan_out} "
             "parameters")


def _print_columns(features) -> None:
    """Every input column and how the recipe encodes it."""
    n_features = features.n_dense + len(features.embedded)
    info(f"inputs: {len(features.columns)} columns -> {n_features} features")
    numeric = {plan.name: plan for plan in features.numeric}
    position = {name: j for j, name in enumerate(features.feature_names)}
    how = "robust scaling, smooth clipping" if features.clip else "robust scaling"
    for name in features.columns:
        if name in numeric:
            plan = numeric[name]
            j = position.get(name)
            scale = ""
            if j is not None and j < len(features.dense_plans):
                dense = features.dense_plans[j]
                scale = (f" (center {format_number(dense.center)}, factor "
                         f"{format_number(dense.factor)})")
            gaps = f"; a gap is the median {format_number(plan.median)}" + \
                (f", flagged in '{printable(name)} (missing)'" if plan.indicator else "")
            info(f"  {printable(name)}: numeric, {how}{scale}{gaps}")
            continue
        cats = features.categories.get(name, [])
        shown = ", ".join(printable(c) for c in cats[:10]) + (", ..." if len(cats) > 10
                                                               else "")
        kind = "one-hot over" if name in features.one_hot else "embedded, from"
        info(f"  {printable(name)}: text, {kind} {len(cats)} categories ({shown})")


def _print_training_run(meta: Mapping[str, Any]) -> None:
    """The data, the recipe's plan and the scores it reached."""
    training, recipe, results = (meta.get(k) for k in ("training", "recipe", "results"))
    if isinstance(training, Mapping):
        info(f"trained on: {training.get('data')} ({training.get('training_rows')} training "
             f"rows, {training.get('validation_rows')} validation rows, seed "
             f"{training.get('seed')})")
    if isinstance(recipe, Mapping):
        best = recipe.get("best_epochs")
        # stored from 0, as History counts; said from 1, as train says them
        best_text = ", ".join(str(e + 1) if isinstance(e, int) else "-" for e in best) \
            if isinstance(best, list) else "?"
        members = recipe.get("members")
        info(f"recipe plan: width {recipe.get('width')}, {recipe.get('epochs')} epochs, batch "
             f"{recipe.get('batch_size')}, {members} member{'' if members == 1 else 's'}; "
             f"best epochs {best_text}")
    if isinstance(results, Mapping):
        print_scores(results)


def print_scores(results: Mapping[str, Any], after: str = "") -> None:
    """The training and validation scores a model file records, one line each."""
    for part in ("training", "validation"):
        scores = results.get(part)
        if isinstance(scores, Mapping):
            figures = ", ".join(f"{k} {format_score(v)}" for k, v in scores.items()
                                if isinstance(v, (int, float)))
            info(f"{part}{after}: {figures}")


def _print_member_weights(i: int, net, feature_names: list[str]) -> None:
    """One member's embedding tables, front scale, and dense weights and biases."""
    from ..display import show_vec

    views = net.views
    for piece, table in zip(net.input_layout.embedding_slices, views.embeddings, strict=True):
        info()
        info(f"member {i + 1} embedding of input {piece.column} ({table.shape[0]} x "
             f"{table.shape[1]}; row = code, 0 for a gap or an unseen category):")
        for r in range(table.shape[0]):
            show_vec(table[r], 9, 4, min(table.shape[1], 8))
    if views.periodic is not None:
        for c, column in enumerate(net.input_layout.periodic):
            info()
            info(f"member {i + 1} numeric embedding of input {column}: frequencies, phases "
                 f"({views.periodic.frequencies.shape[1]} each):")
            show_vec(views.periodic.frequencies[c], 9, 4, 8)
            show_vec(views.periodic.phases[c], 9, 4, 8)
    if views.scale is not None:
        info()
        info(f"member {i + 1} front scale ({views.scale.shape[0]}):")
        show_vec(views.scale, 9, 4, min(views.scale.shape[0], 8))
    for layer, (w, b) in enumerate(zip(views.weights, views.biases, strict=True)):
        names = feature_names[:net.input_layout.n_dense] if layer == 0 else None
        print_layer(f"member {i + 1} layer {layer + 1}", w, b, names)


def print_layer(label: str, w, b, row_names: list[str] | None = None) -> None:
    """One dense layer's weights row by row (a row named by ``row_names[r]`` where there
    is one), then its biases."""
    from ..display import show_vec

    info()
    info(f"{label} weights ({w.shape[0]} x {w.shape[1]}; row = node it comes from, column "
         "= node it goes to):")
    per_line = min(w.shape[1], 8)
    for r in range(w.shape[0]):
        name = row_names[r] if row_names and r < len(row_names) else None
        if w.shape[1] > per_line or name:
            info(f"  [{r}]" + (f" {printable(name)}" if name else ""))
        show_vec(w[r], 9, 4, per_line)
    info(f"{label} biases ({b.shape[0]}):")
    show_vec(b, 9, 4, min(b.shape[0], 8))
