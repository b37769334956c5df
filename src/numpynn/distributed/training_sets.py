"""The sets that ``numpynn.distributed.fit`` trains and validates on, built on the
workers: the checked partitions, weighted by class when asked (``class_weight``), and the
validation rows split off them (``validation_split``) or the given validation data.

As in ``fit``: class weights (``"balanced"`` counts the classes of all rows) multiply
into the sample weights first, then the split holds rows out, and the held-out rows keep
their weights.  Only class counts and row counts come to the client.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.checks import check_number
from ..training import check_training_data
from .cluster_data import ClusterData
from .tasks import class_counts, weighted_by_class
from .validation import Validation

__all__ = ["TrainingSets", "check_validation_split", "class_weight_vector", "training_sets"]


def check_validation_split(validation_split: Any, validation_data: Any) -> float:
    """``validation_split`` checked as ``fit`` checks it (before any work)."""
    fraction = check_number("validation_split", validation_split, 0.0, 1.0,
                            high_inclusive=False)
    if fraction and validation_data is not None:
        raise ValueError("give validation_data or validation_split, not both")
    return fraction


def _is_balanced(class_weight: Any) -> bool:
    return isinstance(class_weight, str) and class_weight == "balanced"


def _probe_targets(network: Any) -> np.ndarray:
    """One target row per class (labels 0..k-1, or 0 and 1 for one logistic output);
    other outputs get rows that ``check_training_data`` refuses with class weights."""
    k = network.sizes[-1]
    if network.output_activation == "softmax":
        return np.arange(k)
    if network.output_activation == "logistic" and k == 1:
        return np.array([0, 1])
    return np.ones((2, k), dtype=network.theta.dtype)


def class_weight_vector(network: Any, class_weight: Any, counts: np.ndarray | None = None
                        ) -> np.ndarray:
    """The weight of each class, shape (num_classes,), of the network's dtype, checked
    as ``fit`` checks ``class_weight`` (the same messages).

    Parameters
    ----------
    network : NeuralNetwork
    class_weight : "balanced" or dict {class index: weight}
    counts : ndarray of int, shape (num_classes,), optional
        Rows of each class in all the data: needed for "balanced".
    """
    targets = _probe_targets(network)
    if _is_balanced(class_weight) and counts is not None:
        present = counts > 0
        n, kinds = float(counts.sum()), int(present.sum())
        # fit's arithmetic: n / (classes present * rows of the class), in float64
        class_weight = {int(c): n / (kinds * float(counts[c])) for c in np.flatnonzero(present)}
    probe = np.zeros((len(targets), network.sizes[0]), dtype=network.theta.dtype)
    return check_training_data(network, probe, targets, class_weight=class_weight).sample_weight


def _weigh_classes(data: ClusterData, network: Any, class_weight: Any) -> ClusterData:
    """``data`` with its sample weights times the class weights (a new set)."""
    counts = None
    if _is_balanced(class_weight):
        num_classes = max(2, network.sizes[-1])
        counts = np.sum(data.gather_each(class_counts, "counting the classes",
                                         num_classes=num_classes), axis=0)
    per_class = class_weight_vector(network, class_weight, counts)
    weighted = data.map(weighted_by_class, "weighing the classes", per_class=per_class)
    if sum(weighted.weights) <= 0:
        weighted.release()
        raise ValueError("class_weight and sample_weight leave every sample at weight 0")
    return weighted


@dataclass
class TrainingSets:
    """The training partitions and the validation figures of a distributed fit.

    Attributes
    ----------
    data : ClusterData
    validation : Validation or None
    """

    data: ClusterData
    validation: Validation | None = None

    def release(self) -> None:
        """Let the workers drop every partition (the local SGD shards are released by
        their rounds)."""
        if self.validation is not None:
            self.validation.release()
        self.data.release()


def training_sets(client: Any, network: Any, X: Any, y: Any, *, sample_weight: Any = None,
                  class_weight: Any = None, validation_data: Any = None,
                  validation_split: float = 0.0, l2: float = 0.0,
                  rng: np.random.Generator | None = None) -> TrainingSets:
    """Check ``X``, ``y`` and the weights on the workers, weigh the classes, and split off
    or check the validation rows.  On an error nothing stays held on the cluster.

    ``validation_split`` needs ``rng`` (its per-partition seeds are drawn from it).
    """
    if class_weight is not None:  # its checks first, before any work on the cluster
        class_weight_vector(network, {} if _is_balanced(class_weight) else class_weight)
    data = ClusterData(client, network, X, y, sample_weight)
    sets = TrainingSets(data)
    try:
        if class_weight is not None:
            sets.data = _weigh_classes(data, network, class_weight)
            data.release()
        if validation_split:
            whole = sets.data
            sets.data, held_out = whole.split(validation_split, rng)
            whole.release()
            try:
                sets.validation = Validation.of_partitions(network, held_out, l2)
            except ValueError:
                held_out.release()
                raise
        elif validation_data is not None:
            sets.validation = Validation(client, network, validation_data, l2)
    except BaseException:
        sets.release()
        raise
    return sets
