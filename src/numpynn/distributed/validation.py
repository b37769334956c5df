"""Validation once a round: in memory on the client, or summed over partitions on the
cluster when the validation data is a Dask collection."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..training import check_training_data
from .cluster_data import ClusterData, template_future
from .collections import is_dask_collection
from .tasks import PartitionSums, loss_gradient_sums

__all__ = ["Validation"]


class Validation:
    """``val_loss`` (with the l2 term) and ``val_accuracy`` of the network's weights.

    Parameters
    ----------
    client : distributed.Client
    network : NeuralNetwork
    validation_data : (X_val, y_val)
        Arrays in memory, or Dask collections (``y_val`` may be a column name of a
        dataframe ``X_val``).
    l2 : float
    """

    def __init__(self, client: Any, network: Any, validation_data: Any, l2: float) -> None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError("validation_data must be a pair (X_val, y_val)")
        X, y = validation_data
        self.network = network
        self.l2 = float(l2)
        self._cluster: ClusterData | None = None
        self._data = None
        try:
            if is_dask_collection(X):
                self._cluster = ClusterData(client, network, X, y, name="X_val")
                self._template = template_future(client, network)
            else:
                self._data = check_training_data(network, X, y)
        except (ValueError, TypeError) as err:
            raise type(err)(f"validation_data: {err}") from None

    @classmethod
    def of_partitions(cls, network: Any, cluster: ClusterData, l2: float) -> Validation:
        """Validation on checked partitions already on the cluster (the rows
        ``validation_split`` holds out); it releases them with :meth:`release`."""
        if sum(cluster.weights) <= 0:
            raise ValueError("validation_split: the sample weights of the held-out rows sum "
                             "to 0")
        validation = cls.__new__(cls)
        validation.network, validation.l2, validation._data = network, float(l2), None
        validation._cluster = cluster
        validation._template = template_future(cluster.client, network)
        return validation

    def logs(self) -> dict[str, Any]:
        """The validation entries of a round's logs, at the network's current weights."""
        net = self.network
        if self._cluster is not None:
            sums = self._cluster.sums(self._template, net.theta.copy(), with_gradient=False,
                                      what="the validation loss")
        else:
            sums = loss_gradient_sums(net, net.theta, self._data, with_gradient=False)
        return self._entries(sums)

    def _entries(self, sums: PartitionSums) -> dict[str, Any]:
        net = self.network
        loss = sums.loss / sums.weight
        if self.l2:
            loss += 0.5 * self.l2 * net.sum_of_squared_weights()
        accuracy = None
        if net.output_activation in ("softmax", "logistic"):
            accuracy = sums.correct / sums.rows
        return {"val_loss": float(loss),
                "val_accuracy": None if accuracy is None else float(np.float64(accuracy))}

    def release(self) -> None:
        if self._cluster is not None:
            self._cluster.release()
            self._template.release()
