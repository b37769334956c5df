"""numpynn.cli.metrics: the scores for imbalanced classes against scikit-learn's functions."""

from __future__ import annotations

import math

import numpy as np
import pytest

sklearn_metrics = pytest.importorskip("sklearn.metrics")

from numpynn.cli.metrics import (  # noqa: E402
    balanced_accuracy,
    class_scores,
    confusion_matrix,
    roc_auc,
)


def _labels(seed: int, n: int, k: int, skew: float) -> tuple[np.ndarray, np.ndarray]:
    """True labels with one dominant class, and predictions right about 70% of the time."""
    rng = np.random.default_rng(seed)
    weights = np.array([skew, *([1.0] * (k - 1))])
    true = rng.choice(k, size=n, p=weights / weights.sum())
    wrong = rng.integers(0, k, size=n)
    predicted = np.where(rng.random(n) < 0.7, true, wrong)
    return true, predicted


@pytest.mark.parametrize(("seed", "n", "k", "skew"), [(0, 500, 2, 15.0), (1, 300, 3, 1.0),
                                                      (2, 60, 5, 30.0), (3, 1000, 4, 100.0)])
def test_scores_agree_with_scikit_learn(seed, n, k, skew):
    true, predicted = _labels(seed, n, k, skew)
    matrix = confusion_matrix(true, predicted, k)
    assert matrix.dtype == np.int64
    np.testing.assert_array_equal(
        matrix, sklearn_metrics.confusion_matrix(true, predicted, labels=range(k)))
    per = class_scores(matrix)
    p, r, f, s = sklearn_metrics.precision_recall_fscore_support(
        true, predicted, labels=range(k), zero_division=np.nan)
    np.testing.assert_allclose(per["precision"], p, rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(per["recall"], r, rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(per["f1"], f, rtol=1e-12, equal_nan=True)
    np.testing.assert_array_equal(per["support"], s)
    assert balanced_accuracy(matrix) == pytest.approx(
        sklearn_metrics.balanced_accuracy_score(true, predicted), rel=1e-12)


def test_a_model_that_always_says_no():
    # 94% accuracy, but it never finds a "Yes": balanced accuracy 0.5, recall of Yes 0
    true = np.array([0] * 94 + [1] * 6)
    predicted = np.zeros(100, dtype=np.int64)
    matrix = confusion_matrix(true, predicted, 2)
    per = class_scores(matrix)
    assert balanced_accuracy(matrix) == 0.5
    assert per["recall"].tolist() == [1.0, 0.0]
    assert math.isnan(per["precision"][1])  # never predicted: undefined, not 0
    assert per["f1"][1] == 0.0
    assert per["support"].tolist() == [94, 6]


def test_a_class_absent_from_the_rows():
    true = np.array([0, 0, 1, 1])
    predicted = np.array([0, 2, 1, 1])
    matrix = confusion_matrix(true, predicted, 3)
    per = class_scores(matrix)
    assert math.isnan(per["recall"][2]) and per["precision"][2] == 0.0
    assert per["f1"][2] == 0.0
    with pytest.warns(UserWarning):  # scikit-learn warns about the class only predicted
        expected = sklearn_metrics.balanced_accuracy_score(true, predicted)
    assert balanced_accuracy(matrix) == pytest.approx(expected)  # mean over classes present


@pytest.mark.parametrize("seed", range(6))
def test_roc_auc_agrees_with_scikit_learn_with_ties(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(20, 400))
    positive = rng.random(n) < rng.uniform(0.05, 0.5)
    positive[:2] = [True, False]  # both classes present
    scores = rng.random(n).astype(np.float32) + 0.3 * positive
    if seed % 2:  # many ties: scores on a coarse grid
        scores = np.round(scores * 4) / 4
    expected = sklearn_metrics.roc_auc_score(positive, scores)
    assert roc_auc(positive, scores) == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_roc_auc_edge_cases():
    assert roc_auc(np.array([True, False]), np.array([0.9, 0.1])) == 1.0
    assert roc_auc(np.array([True, False]), np.array([0.1, 0.9])) == 0.0
    assert roc_auc(np.array([True, False, True]), np.array([0.5, 0.5, 0.5])) == 0.5
    assert math.isnan(roc_auc(np.array([True, True]), np.array([0.2, 0.4])))
    assert math.isnan(roc_auc(np.zeros(3, dtype=bool), np.array([0.2, 0.4, 0.1])))
