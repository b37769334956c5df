"""The data sets of the tests of numpynn.sklearn's estimators, one per test module.

scikit-learn is imported in the fixtures: without it the test modules skip themselves."""

import pytest


@pytest.fixture(scope="module")
def iris():
    from sklearn.datasets import load_iris
    from sklearn.preprocessing import StandardScaler

    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def binary():
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=300, n_features=8, random_state=0)
    return X, y
