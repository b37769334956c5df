"""One run of the suite: every data set, every repeated split (fixed seeds), every model,
fitted on the same training rows and scored on the same test rows."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, log_loss, mean_squared_error
from sklearn.model_selection import train_test_split

from .datasets import Dataset, load

__all__ = ["Score", "SuiteResult", "split_seeds", "run_suite"]

#: Share of each data set's rows held out for testing.
TEST_SIZE = 0.25


@dataclass
class Score:
    """One model on one split: the test figures and the fit's seconds."""

    dataset: str
    model: str
    split: int
    error: float  # 1 - accuracy, or RMSE
    accuracy: float | None
    log_loss: float | None
    rmse: float | None
    seconds: float
    test_rows: int
    details: dict = field(default_factory=dict)


@dataclass
class SuiteResult:
    scores: list[Score]
    loads: list[float]

    def of(self, dataset: str, model: str) -> list[Score]:
        return [s for s in self.scores if s.dataset == dataset and s.model == model]


def split_seeds(n_rows: int, quick: bool, splits: int | None = None) -> list[int]:
    """The fixed split seeds: 5 splits of small sets (< 1,000 rows), 3 of larger ones;
    one in quick mode; the first ``splits`` when given."""
    count = splits or (1 if quick else (5 if n_rows < 1000 else 3))
    return [1000 + r for r in range(count)]


def _score(dataset: Dataset, model_name: str, split: int, model: Any, X_test: pd.DataFrame,
           y_test: pd.Series, seconds: float, classes: np.ndarray | None) -> Score:
    if dataset.task == "classification":
        proba = np.asarray(model.predict_proba(X_test), dtype=np.float64)
        proba /= proba.sum(axis=1, keepdims=True)
        labels = np.asarray(model.classes_)[proba.argmax(axis=1)]
        accuracy = float(accuracy_score(y_test, labels))
        loss = float(log_loss(y_test, proba, labels=model.classes_))
        return Score(dataset.name, model_name, split, 1.0 - accuracy, accuracy, loss, None,
                     seconds, len(y_test))
    predicted = np.asarray(model.predict(X_test), dtype=np.float64)
    rmse = math.sqrt(float(mean_squared_error(y_test, predicted)))
    return Score(dataset.name, model_name, split, rmse, None, None, rmse, seconds, len(y_test))


def run_suite(datasets: Sequence[Dataset], makers: dict[str, Callable[..., Any]],
              quick: bool = False, max_rows: int | None = None,
              log: Callable[[str], None] = print, splits: int | None = None) -> SuiteResult:
    """Fit and score every maker on every split of every data set.

    Parameters
    ----------
    datasets : sequence of Dataset
    makers : dict of name -> maker(task, seed, X_train) returning an unfitted model
    quick : bool
        One split per data set.
    max_rows : int, optional
        Subsample larger data sets (fixed rows) to this many rows.
    splits : int, optional
        Splits per data set (default: see :func:`split_seeds`).
    log : callable
        Gets one line per fit.
    """
    scores, loads = [], []
    for dataset in datasets:
        X, y = load(dataset, max_rows)
        for split in split_seeds(len(X), quick, splits):
            stratify = y if dataset.task == "classification" else None
            X_train, X_test, y_train, y_test = train_test_split(
                X, y, test_size=TEST_SIZE, random_state=split, stratify=stratify)
            for name, make in makers.items():
                loads.append(os.getloadavg()[0])
                model = make(dataset.task, split, X_train)
                start = time.perf_counter()
                model.fit(X_train, y_train)
                seconds = time.perf_counter() - start
                score = _score(dataset, name, split, model, X_test, y_test, seconds, None)
                plan = getattr(model, "plan_", None)
                if plan is not None:
                    score.details = dict(plan)
                scores.append(score)
                log(f"  {dataset.name:16s} split {split}  {name:28s} error {score.error:10.4f}"
                    f"  {seconds:6.1f} s  (load {loads[-1]:.1f})")
    return SuiteResult(scores, loads)
