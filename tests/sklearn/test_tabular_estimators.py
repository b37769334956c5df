"""numpynn.sklearn's table estimators: scikit-learn's estimator checks, DataFrames with
text and gaps as they are, the reported size plan, clipping and the recipe options."""

import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.base import clone  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from numpynn.sklearn import TabularClassifier, TabularRegressor  # noqa: E402

MINIBATCH_REASON = ("shuffled mini-batches differ between weighted and repeated rows, and "
                    "float32 fits cannot meet the check's rtol=1e-7")

# Small and short: the checks fit dozens of times.
CHECKED = [TabularClassifier(width=32, epochs=20, random_state=0),
           TabularRegressor(width=32, epochs=20, random_state=0)]


def expected_failed_checks(estimator):
    return {"check_sample_weight_equivalence_on_dense_data": MINIBATCH_REASON}


@parametrize_with_checks(CHECKED, expected_failed_checks=expected_failed_checks)
def test_scikit_learn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        check(estimator)
