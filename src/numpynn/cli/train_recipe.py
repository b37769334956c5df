"""``numpynn train`` with the tabular recipe (RealMLP-TD, :mod:`numpynn.tabular.recipe`):
what runs by default when a data file is given.

:func:`recipe_of` decides: ``--recipe realmlp`` or ``plain`` as given; ``auto`` (the
default) is the recipe unless options of the plain network are set (``--hidden``,
``--epochs``, ``--lr``, ...: asking for a particular network) or no data file is given (the
bundled iris tour stays the plain network's second-long run).  :func:`run_recipe` reads,
prepares, trains, reports and saves like the plain path, through
:class:`~numpynn.tabular.recipe_model.RecipeTableModel`.
"""

from __future__ import annotations

import argparse
import time
import warnings
from typing import Any

from ..training.progress import _duration
from .common import TrainedModel, info
from .interrupts import InterruptGuard
from .metrics import model_metrics, print_results
from .training_data import describe_data

__all__ = ["PLAIN_OPTIONS", "recipe_of", "run_recipe"]

#: Options (argparse dest -> flag) that describe the plain network and its training.
PLAIN_OPTIONS = {
    "hidden": "--hidden", "activation": "--activation", "epochs": "--epochs",
    "batch_size": "--batch-size", "lr": "--lr", "optimizer": "--optimizer", "l2": "--l2",
    "dropout": "--dropout", "patience": "--patience",
    "early_stopping": "--no-early-stopping", "class_weight": "--class-weight",
    "checkpoint_dir": "--checkpoint-dir", "resume": "--resume",
}


def _plain_options_given(args: argparse.Namespace) -> list[str]:
    parser: argparse.ArgumentParser = args.parser
    return [flag for dest, flag in PLAIN_OPTIONS.items()
            if getattr(args, dest) != parser.get_default(dest)]


def recipe_of(args: argparse.Namespace) -> str:
    """``"realmlp"`` or ``"plain"`` for these options (see the module docstring)."""
    given = _plain_options_given(args)
    if args.recipe == "realmlp" and given:
        args.parser.error(f"{given[0]} sets the plain network; it does not go with "
                          "--recipe realmlp (use --recipe plain, or leave it out)")
    if args.recipe != "auto":
        return args.recipe
    return "plain" if given or args.data is None else "realmlp"


def _describe(model: Any, prepared: Any, source: Any) -> None:
    pre = model.preprocessor_
    describe_data(model, prepared, source)
    features = pre.features
    one_hot, embedded = len(features.one_hot), len(features.embedded)
    info(f"features: {pre.n_features} from {len(pre.numeric_columns)} numeric columns "
         f"(robust scaling, smooth clipping) and {len(pre.categorical_columns)} text columns "
         f"({one_hot} one-hot, {embedded} embedded)")
    info(f"split: {prepared.train_rows.size} training rows, {prepared.val_rows.size} "
         f"validation rows, for the report (seed {model.seed})")


def _report(model: Any, prepared: Any, seconds: float) -> dict[str, Any]:
    plan = model.metadata_["recipe"]
    members = f", {plan['members']} bagged members" if plan["members"] > 1 else ""
    net = model.network_
    info(f"recipe: realmlp (RealMLP-TD): {'-'.join(map(str, net.sizes))}"
         f", {net.hidden_activations[0]} hidden, {plan['epochs']} epochs, batch "
         f"{plan['batch_size']}{members} ({plan['note']})")
    info(f"trained in {_duration(seconds)}; best epochs "
         f"{', '.join(str(e + 1) for e in plan['best_epochs'] if e is not None) or '-'}")
    trained = TrainedModel(None, net, model.preprocessor_, model.target_encoder_)
    results = {**model.metadata_["results"],
               "training": model_metrics(trained, prepared.X_train, prepared.y_train)}
    if prepared.validation is not None:
        results["validation"] = model_metrics(trained, *prepared.validation)
    print_results(results, classification=prepared.y_train.ndim == 1)
    return results


def _members(count: int) -> str:
    return "model" if count == 1 else f"{count} bagged members"


def run_recipe(args: argparse.Namespace, table: Any, source: Any, outputs: Any) -> int:
    """Prepare, train, report and save with the recipe; exit status 0."""
    from ..tabular.recipe_model import RecipeTableModel

    model = RecipeTableModel(task=None if args.task == "auto" else args.task,
                             validation_split=args.validation_split,
                             max_categories=args.max_categories, seed=args.seed,
                             time_budget=args.time_budget)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        prepared = model.prepare(table, source.target, features=args.features,
                                 drop=args.drop, id_columns=args.id_columns,
                                 categorical=args.categorical, keep=args.keep,
                                 na_values=args.na_values)
    model.metadata_["training"].update(data=source.path.name, task=args.task)
    _describe(model, prepared, source)
    started = time.monotonic()
    if not args.quiet:
        plan, budget = model.size_plan(prepared), model.recipe.time_budget
        over = (f", over the {budget:g} s budget: the least the recipe trains"
                if plan.estimated_seconds > 1.05 * budget else "")
        info(f"training the recipe's {_members(plan.members)} (about "
             f"{plan.estimated_seconds:.0f} s of CPU estimated{over})")
    with InterruptGuard() as interrupted:  # ^C that CPython drops: raised at an epoch end
        history = model.train(prepared, callbacks=[interrupted])
    results = _report(model, prepared, time.monotonic() - started)
    model.save(outputs.model, metadata={"results": results})
    info(f"saved the model to {outputs.model}")
    if outputs.plot is not None:
        from ..plots import plot_history

        plot_history(history, outputs.plot, title=f"{source.name}: {source.target}, "
                     "the recipe's first member")
        info(f"saved the training curves (first member) to {outputs.plot}")
    return 0
