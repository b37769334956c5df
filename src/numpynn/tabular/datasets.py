"""Small data sets bundled with numpynn.

``iris.csv`` is R. A. Fisher's iris data (1936): 150 flowers, four measurements in
centimetres (``sepal_length``, ``sepal_width``, ``petal_length``, ``petal_width``) and the
species as text (``setosa``, ``versicolor``, ``virginica``, 50 each).
"""

from __future__ import annotations

import atexit
import contextlib
from importlib.resources import as_file, files
from pathlib import Path

import numpy as np

from .csv_files import read_csv

__all__ = ["iris_path", "load_iris"]

_IRIS_FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
_IRIS_TARGET = "species"
_extracted = contextlib.ExitStack()  # keeps files extracted from a zip import alive
atexit.register(_extracted.close)


def iris_path() -> Path:
    """Return the path of the bundled ``iris.csv`` (header row, 150 data rows).

    Use it with the command line (``numpynn train $(python -c ...) --target species``) or
    with :func:`numpynn.tabular.read_csv`.
    """
    resource = files("numpynn") / "data" / "iris.csv"
    if isinstance(resource, Path):
        return resource
    # installed inside a zip file: extract once, for the life of the process
    return _extracted.enter_context(as_file(resource))


def load_iris() -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """Load the iris data as arrays.

    Returns
    -------
    X : ndarray of float32, shape (150, 4)
        The measurements in centimetres, unscaled, in file order.
    y : ndarray of int64, shape (150,)
        Class index into ``class_names``.
    feature_names : list of str, length 4
        ``["sepal_length", "sepal_width", "petal_length", "petal_width"]``.
    class_names : list of str, length 3
        ``["setosa", "versicolor", "virginica"]`` (sorted).
    """
    table = read_csv(iris_path())
    X = np.empty((table.n_rows, len(_IRIS_FEATURES)), dtype=np.float32)
    for j, name in enumerate(_IRIS_FEATURES):
        X[:, j] = np.asarray(table.column(name), dtype=np.float32)
    species = table.column(_IRIS_TARGET)
    class_names = sorted(set(species))
    index = {c: i for i, c in enumerate(class_names)}
    y = np.fromiter((index[s] for s in species), dtype=np.int64, count=len(species))
    return X, y, list(_IRIS_FEATURES), class_names
