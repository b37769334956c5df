"""What a table model's file holds besides the weights: the JSON metadata.

The format is the one ``numpynn train`` wrote in numpynn 0.1 (``"format":
"numpynn.cli.train"``, version 1), so a model trained in Python, by the command, or by 0.1
is the same kind of file, and ``numpynn predict``, ``evaluate`` and ``inspect`` read all of
them. Keys added since 0.1 are optional when read:

``id_columns``
    list of str: identifier columns (``--id``), left out of training; predictions copy them.
``reading``
    ``{"na_values": [str, ...]}``: the extra missing-value spellings the data was read with;
    read new data the same way (:func:`reading_options`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import ModelFileError
from .features import Preprocessor
from .target import TargetEncoder

__all__ = ["MODEL_FORMAT", "MODEL_VERSION", "build_metadata", "check_encoders_match",
           "encoders_from_metadata", "reading_options"]

#: ``format`` / ``version`` of a table model's metadata (the names numpynn 0.1 used).
MODEL_FORMAT = "numpynn.cli.train"
MODEL_VERSION = 1


def build_metadata(pre: Any, enc: TargetEncoder, *, id_columns: Sequence[str],
                   na_values: Sequence[str], training: Mapping[str, Any]) -> dict[str, Any]:
    """The metadata of a model trained with ``pre`` (a :class:`Preprocessor`, or the
    recipe's features) and ``enc`` (JSON types only)."""
    return {
        "format": MODEL_FORMAT,
        "version": MODEL_VERSION,
        "task": enc.task,
        "target": enc.name,
        "classes": list(enc.classes) if enc.is_classification else None,
        "feature_names": pre.feature_names,
        "preprocessor": pre.to_dict(),
        "target_encoder": enc.to_dict(),
        "id_columns": list(id_columns),
        "reading": {"na_values": sorted(na_values)},
        "training": dict(training),
    }


def encoders_from_metadata(meta: Mapping[str, Any], net: Any, path: str | Path
                           ) -> tuple[Preprocessor, TargetEncoder]:
    """The preprocessing stored in a model file, checked against its network.

    Raises
    ------
    ModelFileError
        The file has no table preprocessing, or a damaged one, or one that does not fit
        the network's sizes.
    """
    if meta.get("format") != MODEL_FORMAT or "preprocessor" not in meta:
        raise ModelFileError(
            f"{path}: this model file has no table preprocessing (it was written by "
            "NeuralNetwork.save, not by numpynn train or TableModel.save)")
    try:
        pre = Preprocessor.from_dict(meta["preprocessor"])
        enc = TargetEncoder.from_dict(meta["target_encoder"])
        ids = meta.get("id_columns", [])
        if not isinstance(ids, list) or not all(isinstance(c, str) for c in ids):
            raise ValueError(f"'id_columns' must be a list of column names, got {ids!r}")
        reading_options(meta)
    except (KeyError, ValueError, TypeError) as exc:
        raise ModelFileError(f"{path}: damaged preprocessing metadata: {exc}") from None
    try:
        check_encoders_match(net, pre, enc)
    except ValueError as exc:
        raise ModelFileError(f"{path}: {exc}") from None
    return pre, enc


def check_encoders_match(net: Any, pre: Preprocessor, enc: TargetEncoder) -> None:
    """ValueError unless ``net`` takes ``pre``'s features and gives ``enc``'s outputs
    (softmax over the classes, or one identity output).

    Parameters
    ----------
    net : NeuralNetwork
    pre : Preprocessor
    enc : TargetEncoder
    """
    if enc.classes is not None:
        consistent = net.output_activation == "softmax" and net.sizes[-1] == len(enc.classes)
    else:
        consistent = net.output_activation == "identity" and net.sizes[-1] == 1
    if not consistent or net.sizes[0] != pre.n_features:
        raise ValueError(f"the preprocessing metadata ({pre.n_features} features, "
                         f"{enc.n_outputs} outputs) does not match the network "
                         f"{'-'.join(str(s) for s in net.sizes)}")


def reading_options(meta: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments of :func:`~numpynn.tabular.read_table` for data of this model:
    ``na_values`` as at training, and its text categorical columns kept as text.

    Raises
    ------
    ValueError
        The ``reading`` entry is malformed.
    """
    reading = meta.get("reading", {})
    if not isinstance(reading, Mapping):
        raise ValueError(f"'reading' must be a dict, got {reading!r}")
    na_values = reading.get("na_values", [])
    if not isinstance(na_values, list) or not all(isinstance(v, str) for v in na_values):
        raise ValueError(f"'reading': 'na_values' must be a list of strings, got {na_values!r}")
    text = Preprocessor.from_dict(meta["preprocessor"]).text_columns \
        if "preprocessor" in meta else []
    return {"na_values": list(na_values), "text_columns": text}
