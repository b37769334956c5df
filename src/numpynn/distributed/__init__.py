"""numpynn on Dask: lazy inference on Dask collections, and training on a cluster.

Importing this module registers the Dask adapter with :mod:`numpynn.core.lazy`, so that
``NeuralNetwork.eval`` / ``predict`` and the estimators' predictions return lazy Dask
arrays for Dask input (the package root arranges that import on the first Dask input).

Needs the ``dask`` extra: ``pip install numpynn[dask]``.  Nothing else in numpynn imports
Dask.
"""

try:
    import dask.array  # noqa: F401 - the adapter needs it; fail here with a clear message
except ImportError as err:  # pragma: no cover - depends on the environment
    raise ImportError("numpynn.distributed needs Dask: pip install numpynn[dask]") from err

from ..core.lazy import register_adapter
from .cluster_data import WorkerLostError
from .fit import STRATEGIES, fit, loss_and_gradient
from .inference import DaskAdapter, predict
from .tables import TableModel, predict_table

register_adapter("dask", DaskAdapter())

__all__ = [
    "DaskAdapter",
    "STRATEGIES",
    "TableModel",
    "WorkerLostError",
    "fit",
    "loss_and_gradient",
    "predict",
    "predict_table",
]
