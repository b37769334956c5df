"""Checkpoints of local SGD, written on the client after every round, atomically (by
:func:`numpynn.io.write_checkpoint`), so that a lost worker, client or cluster leaves the
last complete round's checkpoint intact; and resuming from one."""

from __future__ import annotations

from typing import Any

from ..io.model_files import ModelContents, read_latest_checkpoint, write_checkpoint
from ..training import History

__all__ = ["write_round_checkpoint", "resume_from_checkpoint"]


def write_round_checkpoint(run: Any, round_index: int) -> None:
    """The model, the averaged optimizer state, every shard's generator and the history
    after round ``round_index`` of ``run`` (a :class:`RoundsRun`)."""
    scalars, arrays = run.state()
    net = run.network
    contents = ModelContents(net.sizes, net.hidden_activations, net.output_activation,
                             net.theta, dict(net.metadata))
    write_checkpoint(run.checkpoint_dir, contents, arrays,
                     {"epoch": int(round_index), "distributed": scalars})


def resume_from_checkpoint(run: Any) -> None:
    """Continue ``run`` after the newest checkpoint in its directory (none: from the
    start).  Everything is checked before anything changes."""
    found = read_latest_checkpoint(run.checkpoint_dir)
    if found is None:
        return
    contents, arrays, state = found
    net = run.network
    if (tuple(contents.sizes) != tuple(net.sizes)
            or tuple(contents.hidden_activations) != tuple(net.hidden_activations)
            or contents.output_activation != net.output_activation):
        raise ValueError(f"the checkpoint in {run.checkpoint_dir} is for a different network "
                         f"({contents.sizes}), not {net.sizes}")
    saved = state.get("distributed")
    if not isinstance(saved, dict) or saved.get("strategy") != "local_sgd":
        raise ValueError(f"the checkpoint in {run.checkpoint_dir} was not written by "
                         "numpynn.distributed.fit(strategy='local_sgd')")
    shards = len(run.rounds.shard_rows)
    for key, now in (("shards", shards), ("sync_every", run.sync_every)):
        if saved.get(key) != now:
            raise ValueError(f"the checkpoint was written with {key}={saved.get(key)}, this "
                             f"run has {key}={now}: resume with the same setting")
    optimizer = {k[len("optimizer."):]: v for k, v in arrays.items()
                 if k.startswith("optimizer.")}
    net.set_weights(contents.theta)
    run.rounds.optimizer_state = {"step": int(saved["optimizer_step"]), **optimizer}
    run.rounds.rng_states = list(saved["rng_states"])
    if "best_theta" in arrays:
        run.best_theta[:] = arrays["best_theta"]
    run.schedule.load_state(saved.get("schedule", {}))
    restored = History.from_dict(saved["history"])
    for name in ("loss", "val_loss", "accuracy", "val_accuracy", "learning_rate"):
        getattr(run.history, name)[:] = getattr(restored, name)
    run.history.best_epoch = restored.best_epoch
    best = saved.get("best_loss")
    run.best_loss = float("inf") if best is None else float(best)
    run.bad_rounds = int(saved.get("bad_rounds", 0))
    run.start_round = int(state["epoch"]) + 1
