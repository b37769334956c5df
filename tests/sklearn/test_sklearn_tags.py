"""numpynn.sklearn: the estimators' tags say what each configuration accepts, so that
scikit-learn's checks (and meta-estimators) see the truth: the Poisson regressor's
non-negative targets, the class-weighted classifier's single-label targets."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.utils import get_tags  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from numpynn.sklearn import NeuralNetClassifier, NeuralNetRegressor  # noqa: E402

FLOAT32_REASON = "float32 by design: fits cannot agree to the check's rtol=1e-7"


def test_poisson_regressor_says_its_targets_are_non_negative():
    assert get_tags(NeuralNetRegressor(loss="poisson")).target_tags.positive_only
    assert not get_tags(NeuralNetRegressor()).target_tags.positive_only
    with pytest.raises(ValueError, match="non-negative"):
        NeuralNetRegressor(loss="poisson", max_iter=5).fit(np.ones((4, 2)), [1, -1, 2, 3])


def test_class_weight_is_single_label():
    assert get_tags(NeuralNetClassifier()).classifier_tags.multi_label
    weighted = NeuralNetClassifier(class_weight="balanced", max_iter=5)
    assert not get_tags(weighted).classifier_tags.multi_label
    with pytest.raises(ValueError, match="multilabel"):
        weighted.fit(np.eye(4), np.eye(4, 2, dtype=int))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted.fit(np.eye(4), [0, 1, 0, 1])  # single-label targets are weighted


#: partial_fit refuses class_weight="balanced" (a ValueError, as SGDClassifier's): one
#: batch cannot balance the classes.
PARTIAL_FIT_CHECKS = ("check_fit_score_takes_y", "check_n_features_in_after_fitting",
                      "check_estimators_partial_fit_n_features")


def _expected_failures(estimator):
    failing = {"check_sample_weight_equivalence_on_dense_data": FLOAT32_REASON,
               "check_sample_weight_equivalence_on_sparse_data": FLOAT32_REASON}
    if isinstance(estimator, NeuralNetRegressor):
        failing["check_regressor_multioutput"] = FLOAT32_REASON + " (float64 predictions)"
    else:
        failing.update(dict.fromkeys(PARTIAL_FIT_CHECKS, "partial_fit refuses 'balanced'"))
    return failing


# (Adam at its default rate needs more than 50 epochs for the Poisson check's R² > 0.5,
# as MLPRegressor does; 0.01 gets there.)
@parametrize_with_checks([NeuralNetRegressor(loss="poisson", learning_rate_init=0.01,
                                             max_iter=100),
                          NeuralNetClassifier(class_weight="balanced", max_iter=50)],
                         expected_failed_checks=_expected_failures)
def test_configured_estimators_pass_scikit_learns_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)
