"""numpynn.sklearn: scikit-learn's own estimator checks, and sample weights as repeated rows."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from estimator_helpers import _quiet  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from numpynn.sklearn import NeuralNetClassifier, NeuralNetRegressor  # noqa: E402
from numpynn.training import BatchScaledL2Penalty, TrainingData  # noqa: E402
from numpynn.training.lbfgs import full_batch_objective  # noqa: E402

FLOAT32_REASON = (
    "float32 by design: predictions are float32, and fits cannot agree to rtol=1e-7"
)
MINIBATCH_REASON = (
    "shuffled mini-batches differ between weighted and repeated rows (as in MLP*), and "
    "float32 fits cannot meet the check's rtol=1e-7 even with lbfgs; "
    "test_sample_weight_equals_repetition_lbfgs checks the weighting at float32 tolerance"
)


def expected_failed_checks(estimator):
    if estimator.dtype == "preserve":
        return {}  # scikit-learn's own behaviour: every check passes
    failing = {
        "check_sample_weight_equivalence_on_dense_data": MINIBATCH_REASON,
        "check_sample_weight_equivalence_on_sparse_data": MINIBATCH_REASON,
    }
    if isinstance(estimator, NeuralNetClassifier) and estimator.solver == "lbfgs":
        # lbfgs drives this check's easy multilabel data to confident logits.
        failing["check_classifiers_multilabel_output_format_predict_proba"] = (
            "float32 by design: a logistic output above about 17 rounds to exactly 1.0 in "
            "float32, and the check demands probabilities strictly below 1")
    if isinstance(estimator, NeuralNetRegressor):
        failing["check_regressor_multioutput"] = (
            FLOAT32_REASON + " (the check demands float64 multi-output predictions)")
    return failing


CHECKED = [
    NeuralNetClassifier(max_iter=100),
    NeuralNetRegressor(max_iter=100),
    NeuralNetClassifier(solver="lbfgs", hidden_layer_sizes=(20,), max_iter=100),
    NeuralNetRegressor(solver="sgd", max_iter=100),
    NeuralNetClassifier(activation=["leaky_relu"], solver="adamw", dropout=0.1, max_iter=100),
    # dtype="preserve": scikit-learn's MLP exactly, so every check passes, no xfail.
    NeuralNetClassifier(max_iter=100, dtype="preserve"),
    NeuralNetRegressor(max_iter=100, dtype="preserve"),
    NeuralNetClassifier(solver="lbfgs", hidden_layer_sizes=(20,), max_iter=100,
                        dtype="preserve"),
]
#: The checks scikit-learn runs on its MLP in another configuration, and that one
#: (sklearn/utils/_test_common/instance_generator.py: PER_ESTIMATOR_CHECK_PARAMS):
#: mini-batch shuffles cannot treat a weighted row as its repetitions, L-BFGS can.
SAMPLE_WEIGHT_CHECKS = ("check_sample_weight_equivalence_on_dense_data",
                        "check_sample_weight_equivalence_on_sparse_data")


@parametrize_with_checks(CHECKED, expected_failed_checks=expected_failed_checks)
def test_scikit_learn_estimator_checks(estimator, check):
    name = getattr(check, "func", check).__name__
    if estimator.dtype == "preserve" and name in SAMPLE_WEIGHT_CHECKS:
        estimator = clone(estimator).set_params(solver="lbfgs")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


# ---------------------------------------------------------------------------
# sample weights: a row of weight k is that row repeated k times
# ---------------------------------------------------------------------------
def test_sample_weights_are_repetitions_in_the_lbfgs_objective(binary):
    """The exact property: at the same theta, a row of weight k gives the loss and the
    gradient of that row repeated k times (float32 rounding apart)."""
    X, y = binary
    X, y = X[:60].astype(np.float32), y[:60]
    weights = np.random.default_rng(0).integers(0, 3, size=60)
    fitted = _quiet(NeuralNetClassifier(hidden_layer_sizes=(4,), solver="lbfgs", alpha=1.0,
                                        max_iter=5, random_state=0).fit, X, y)
    net = fitted.network_  # a few iterations in: no symmetric starting point
    target = y.astype(np.float32)[:, None]  # one logistic output
    penalty = BatchScaledL2Penalty(1.0, net.weight_mask())
    theta = net.theta.astype(np.float64)
    weighted = full_batch_objective(
        net, TrainingData(X, target, weights.astype(np.float32)), penalty)(theta)
    repeated = full_batch_objective(
        net, TrainingData(np.repeat(X, weights, axis=0), np.repeat(target, weights, axis=0),
                          None), penalty)(theta)
    assert weighted[0] == pytest.approx(repeated[0], rel=1e-6)
    np.testing.assert_allclose(weighted[1], repeated[1], rtol=1e-5, atol=1e-7)


def test_sample_weight_equals_repetition_lbfgs(binary):
    """Fits with weighted and with repeated rows agree.

    Well posed, so that rounding cannot steer the fits apart: alpha=10 leaves this
    4-hidden-unit net one minimum near its start (without it, float32 rounding of weighted
    against repeated rows led L-BFGS to different minima on other CPUs' BLAS kernels),
    and scikit-learn's default tol stops both at its gradient tolerance, well within the
    comparison's.  Other roundings -- the repeated rows in three other orders -- agree as
    well (and other BLAS kernels: the test below)."""
    X, y = binary
    X, y = X[:60], y[:60]
    weights = np.random.default_rng(0).integers(0, 3, size=60)
    params = dict(hidden_layer_sizes=(4,), solver="lbfgs", alpha=10.0, max_iter=200,
                  random_state=0)
    X_repeated, y_repeated = np.repeat(X, weights, axis=0), np.repeat(y, weights)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # both converge
        weighted = NeuralNetClassifier(**params).fit(X, y, sample_weight=weights)
        for order in (None, 1, 2, 3):
            rows = (np.arange(len(y_repeated)) if order is None
                    else np.random.default_rng(order).permutation(len(y_repeated)))
            repeated = NeuralNetClassifier(**params).fit(X_repeated[rows], y_repeated[rows])
            np.testing.assert_allclose(repeated.predict_proba(X), weighted.predict_proba(X),
                                       atol=1e-3)


def test_sample_weight_equals_repetition_lbfgs_on_other_blas_kernels():
    """The test above with OpenBLAS's Haswell kernels (no AVX-512, as on AMD Zen 3),
    which round differently from this machine's (nothing changes without OpenBLAS)."""
    node = f"{__file__}::test_sample_weight_equals_repetition_lbfgs"
    env = dict(os.environ, OPENBLAS_CORETYPE="Haswell")
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", node],
                         env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "1 passed" in run.stdout


def test_preserve_sample_weight_checks_on_other_blas_kernels():
    """scikit-learn's sample-weight equivalence checks (rtol=1e-7) of the dtype="preserve"
    configurations with OpenBLAS's Haswell kernels (no AVX-512, as on AMD Zen 3)."""
    env = dict(os.environ, OPENBLAS_CORETYPE="Haswell")
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          f"{__file__}::test_scikit_learn_estimator_checks",
                          "-k", "preserve and sample_weight_equivalence"],
                         env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "6 passed" in run.stdout
