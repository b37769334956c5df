"""What a fitted table estimator keeps in its model file, as JSON (never pickle): its
parameters, the preprocessing state, the classes or the target's scaling, the plan."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tabular.recipe_features import RecipeFeatures

__all__ = ["STATE_KEY", "estimator_state", "restore_estimator"]

#: Key of the estimator's state in the model file's metadata.
STATE_KEY = "numpynn.sklearn.tabular"
_VERSION = 1


def _json_params(params: dict[str, Any]) -> dict[str, Any]:
    out = dict(params)
    if out.get("categorical") is not None:
        out["categorical"] = [str(c) for c in out["categorical"]]
    state = out.get("random_state")
    if state is not None and not isinstance(state, (int, np.integer)):
        out["random_state"] = None  # a RandomState object: its draws are spent anyway
    elif state is not None:
        out["random_state"] = int(state)
    return out


def estimator_state(estimator: Any) -> dict[str, Any]:
    """The JSON state of a fitted TabularClassifier / TabularRegressor."""
    state: dict[str, Any] = {
        "version": _VERSION, "estimator": type(estimator).__name__,
        "params": _json_params(estimator.get_params()),
        "features": estimator.features_.to_dict(),
        "n_features_in": int(estimator.n_features_in_),
        "plan": estimator.plan_,
    }
    names = getattr(estimator, "feature_names_in_", None)
    if names is not None:
        state["feature_names_in"] = [str(n) for n in names]
    classes = getattr(estimator, "classes_", None)
    if classes is not None:
        state["classes"] = {"values": classes.tolist(), "dtype": classes.dtype.str}
    else:
        state["target"] = {"mean": estimator.target_mean_, "scale": estimator.target_scale_,
                           "range": list(estimator.target_range_)}
    return state


def restore_estimator(cls: type, networks: list[Any], metadata: dict[str, Any],
                      source: str) -> Any:
    """A fitted estimator of class ``cls`` from its model file's networks and metadata.

    Raises
    ------
    ValueError
        The metadata is not such an estimator's (or not ``cls``'s), or is damaged.
    """
    state = metadata.get(STATE_KEY)
    if not isinstance(state, dict) or state.get("version") != _VERSION:
        raise ValueError(f"{source}: not a numpynn table estimator's model file")
    if state.get("estimator") != cls.__name__:
        raise ValueError(f"{source}: holds a {state.get('estimator')}, not a {cls.__name__}")
    try:
        estimator = cls(**state["params"])
        estimator.features_ = RecipeFeatures.from_dict(state["features"])
        estimator.n_features_in_ = int(state["n_features_in"])
        estimator.plan_ = dict(state["plan"])
        if "feature_names_in" in state:
            estimator.feature_names_in_ = np.asarray(state["feature_names_in"], dtype=object)
        if "classes" in state:
            estimator.classes_ = np.asarray(state["classes"]["values"],
                                            dtype=np.dtype(state["classes"]["dtype"]))
        else:
            target = state["target"]
            estimator.target_mean_ = float(target["mean"])
            estimator.target_scale_ = float(target["scale"])
            estimator.target_range_ = tuple(float(v) for v in target["range"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{source}: the table estimator's state is damaged ({exc!r})") from None
    estimator.networks_ = networks
    estimator.histories_ = []
    return estimator
