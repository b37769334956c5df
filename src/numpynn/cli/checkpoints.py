"""``numpynn train --checkpoint-dir``: which checkpoints a run may resume from.

A checkpoint must come from the same data, split, preprocessing and network as the run that
resumes it; otherwise resuming would quietly continue a different model. The checks read
only what :func:`numpynn.io.model_files.read_latest_checkpoint` returns as its first and
last items: the checkpoint's contents (sizes, activations, metadata) and training state.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .common import METADATA_FORMAT, CommandError, arch

#: metadata["training"] keys a resumed run must share with its checkpoint, with the option
#: (or argument) that sets each.
_SAME_RUN = (("data_sha256", "DATA.csv"), ("target", "--target"),
             ("validation_split", "--validation-split"), ("seed", "--seed"),
             ("optimizer", "--optimizer"), ("task", "--task"))
#: The hyper-parameters a resumed run must keep (checked once the network matches): a
#: change would continue the run with other settings, and the model file would record
#: only the new ones.  Keys a checkpoint lacks (an older numpynn's) are not compared.
_SAME_OPTIONS = (("learning_rate", "--lr"), ("batch_size", "--batch-size"), ("l2", "--l2"),
                 ("dropout", "--dropout"), ("early_stopping", "--no-early-stopping"),
                 ("patience", "--patience"), ("class_weight", "--class-weight"))


def refuse_old_checkpoints(directory: Path) -> None:
    """Without ``--resume``, a directory that holds checkpoints is an error (keep them)."""
    if directory.is_dir() and any(directory.glob("checkpoint-epoch*")):
        raise CommandError(
            f"{str(directory)!r} already holds checkpoints; pass --resume to continue "
            "from them, or choose another --checkpoint-dir"
        )


def check_checkpoint(directory: Path, metadata: Mapping[str, Any], net,
                     hidden_activation: str, optimizer: str = "adam") -> int:
    """Before ``fit(resume=True)``: the epoch to resume from (0: no checkpoint yet).

    Parameters
    ----------
    directory : Path
        The ``--checkpoint-dir``.
    metadata : mapping
        The metadata this run stores (``format``, ``training``, ``preprocessor``, ...).
    net : NeuralNetwork
        The network this run builds.
    hidden_activation : str
        ``--activation``, for the message.
    optimizer : str
        ``--optimizer``: the same checks as the resume itself, so both take the same
        (newest valid) checkpoint.

    Raises
    ------
    CommandError
        The latest checkpoint was not written by ``numpynn train``, or by a different run.
    """
    from ..io.model_files import read_latest_checkpoint
    from ..training.optimizers import get_optimizer
    from ..training.resume import resume_check_for

    found = read_latest_checkpoint(directory, check=resume_check_for(get_optimizer(optimizer)))
    if found is None:
        return 0
    contents, _, state = found
    extra = contents.extra
    if extra.get("format") != METADATA_FORMAT:
        raise CommandError(f"the checkpoint in {str(directory)!r} was not written by "
                           "'numpynn train'; cannot resume from it")
    _check_same_run(directory, extra.get("training", {}), metadata["training"])
    if (tuple(contents.sizes) != net.sizes
            or tuple(contents.hidden_activations) != net.hidden_activations
            or contents.output_activation != net.output_activation):
        raise CommandError(
            f"the checkpoint in {str(directory)!r} is for a {'-'.join(map(str, contents.sizes))} "
            f"network ({', '.join(contents.hidden_activations) or 'no'} hidden activation), "
            f"this run builds {arch(net)} ({hidden_activation}); check --hidden and --activation"
        )
    _check_same_options(directory, extra.get("training", {}), metadata["training"])
    if extra.get("preprocessor") != metadata["preprocessor"] or \
            extra.get("target_encoder") != metadata["target_encoder"]:
        raise CommandError(f"the checkpoint in {str(directory)!r} used a different "
                           "preprocessing of the data; use a new --checkpoint-dir")
    return int(state["epoch"]) + 1


def _check_same_run(directory: Path, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    """The data, target, split, seed, optimizer and task of the checkpoint's run and this one."""
    for key, option in _SAME_RUN:
        if old.get(key) != new.get(key):
            was = old.get(key)
            detail = "different data" if key == "data_sha256" else \
                f"{option} {was}" if was is not None else f"a different {option}"
            raise CommandError(
                f"the checkpoint in {str(directory)!r} was made with {detail}; resume with the "
                f"same {option} as that run, or use a new --checkpoint-dir"
            )


def _check_same_options(directory: Path, old: Mapping[str, Any], new: Mapping[str, Any]
                        ) -> None:
    """Every hyper-parameter of the checkpoint's run that this run changes, in one error."""
    changed = [(option, old[key], new.get(key)) for key, option in _SAME_OPTIONS
               if key in old and old[key] != new.get(key)]
    if changed:
        was = ", ".join(f"{option} {_shown(value)}" for option, value, _ in changed)
        now = ", ".join(f"{option} {_shown(value)}" for option, _, value in changed)
        raise CommandError(
            f"the checkpoint in {str(directory)!r} was made with {was}; this run has {now}. "
            "Resume with the same options as that run, or use a new --checkpoint-dir"
        )


def _shown(value: Any) -> str:
    if isinstance(value, bool):  # early stopping: on unless --no-early-stopping
        return "off" if not value else "on"
    return "(not given)" if value is None else f"{value:g}" if isinstance(value, float) \
        else str(value)
