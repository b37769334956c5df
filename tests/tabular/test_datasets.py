"""Tests for the bundled data sets."""

from __future__ import annotations

import numpy as np
from numpynn.datasets import iris_path, load_iris

from numpynn.tabular import Preprocessor, TargetEncoder, read_csv


def test_iris_csv_has_header_and_150_rows() -> None:
    path = iris_path()
    assert path.is_file() and path.name == "iris.csv"
    table = read_csv(path)
    assert table.columns == [
        "sepal_length", "sepal_width", "petal_length", "petal_width", "species"
    ]
    assert table.n_rows == 150


def test_load_iris_arrays() -> None:
    X, y, feature_names, class_names = load_iris()
    assert X.dtype == np.float32 and X.shape == (150, 4)
    assert y.dtype == np.int64 and y.shape == (150,)
    assert feature_names == ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    assert class_names == ["setosa", "versicolor", "virginica"]
    np.testing.assert_array_equal(np.bincount(y), [50, 50, 50])
    np.testing.assert_array_equal(X[0], np.float32([5.1, 3.5, 1.4, 0.2]))
    assert y[0] == 0 and y[-1] == 2
    # known column means of Fisher's data
    np.testing.assert_allclose(X.mean(axis=0), [5.843333, 3.057333, 3.758, 1.199333], atol=1e-5)


def test_iris_through_the_tabular_pipeline() -> None:
    table = read_csv(iris_path())
    enc = TargetEncoder.fit(table, "species")
    assert enc.task == "classification" and enc.classes == load_iris()[3]
    X = Preprocessor.fit(table, "species").transform(table)
    assert X.dtype == np.float32 and X.shape == (150, 4)
    np.testing.assert_allclose(X.mean(axis=0), 0.0, atol=1e-6)
    np.testing.assert_array_equal(enc.transform(table), load_iris()[1])
