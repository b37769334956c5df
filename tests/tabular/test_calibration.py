"""Temperature scaling of the recipe's classifiers: the fitted factor minimises the
validation cross-entropy, stays finite on separable rows, keeps every prediction, and the
table estimators apply and report it."""

import numpy as np
import pytest

from numpynn.tabular.calibration import (
    BETA_RANGE,
    fit_inverse_temperature,
    scale_output_layer,
)


def _smoothed_loss(beta, logits, labels):
    n, k = logits.shape
    z = beta * logits
    z = z - z.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    eps = 1.0 / n
    targets = np.full((n, k), eps / k)
    targets[np.arange(n), labels] += 1 - eps
    return -(targets * log_p).sum(axis=1).mean()


def _calibrated_rows(n, k, seed):
    """Logits and labels drawn from softmax(logits): beta = 1 is the truth."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 2, (n, k))
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    labels = np.array([rng.choice(k, p=row) for row in p])
    return logits, labels


def test_the_factor_minimises_the_validation_loss():
    logits, labels = _calibrated_rows(400, 3, 0)
    beta = fit_inverse_temperature(logits, labels)
    best = _smoothed_loss(beta, logits, labels)
    grid = np.exp(np.linspace(np.log(0.1), np.log(10), 401))
    assert best <= min(_smoothed_loss(b, logits, labels) for b in grid) + 1e-9


@pytest.mark.parametrize("overconfidence", [0.25, 4.0])
def test_over_and_under_confidence_are_undone(overconfidence):
    logits, labels = _calibrated_rows(20000, 4, 1)
    beta = fit_inverse_temperature(overconfidence * logits, labels)
    assert beta * overconfidence == pytest.approx(1.0, rel=0.05)


def test_separable_rows_give_a_finite_factor_and_keep_the_winner():
    rng = np.random.default_rng(2)
    labels = rng.integers(0, 3, 50)
    logits = rng.normal(0, 0.1, (50, 3))
    logits[np.arange(50), labels] += 2.0  # every row right: the loss falls with beta ...
    beta = fit_inverse_temperature(logits, labels)
    assert 1.0 < beta < BETA_RANGE[1]  # ... but one row's smoothing bounds it
    scaled = beta * logits
    assert (scaled.argmax(axis=1) == logits.argmax(axis=1)).all()


def test_nothing_to_fit_gives_one_and_weights_count():
    assert fit_inverse_temperature(np.zeros((5, 3)), np.array([0, 1, 2, 0, 1])) == 1.0
    assert fit_inverse_temperature(np.zeros((0, 2)), np.zeros(0, int)) == 1.0
    logits, labels = _calibrated_rows(600, 2, 3)
    wrong = logits.argmax(axis=1) != labels
    heavy_errors = np.where(wrong, 10.0, 1.0)
    assert fit_inverse_temperature(logits, labels, heavy_errors) < \
        fit_inverse_temperature(logits, labels)


def test_scaling_the_output_layer_scales_the_logits():
    from numpynn.tabular_network import TabularNetwork

    net = TabularNetwork(4, hidden=(8,), n_outputs=3, output_activation="softmax", seed=0)
    x = np.random.default_rng(4).normal(size=(10, 4)).astype(np.float32)
    before, predicted = net.output_sums(x), net.predict(x)
    scale_output_layer(net, 2.5)
    np.testing.assert_allclose(net.output_sums(x), 2.5 * before, rtol=1e-5, atol=1e-6)
    assert (net.predict(x) == predicted).all()


def test_the_classifier_scales_each_member_and_reports_it():
    pytest.importorskip("sklearn")
    from numpynn.sklearn import TabularClassifier

    rng = np.random.default_rng(5)
    X = rng.normal(size=(300, 5)).astype(np.float32)
    y = (X[:, 0] + 0.5 * rng.normal(size=300) > 0).astype(int)
    on = TabularClassifier(width=16, epochs=15, random_state=0).fit(X, y)
    assert len(on.networks_) > 1 and on.plan_["output_scale"] != 1.0
    # One factor for all members, fitted on their validation rows pooled: every row once.
    assert on.plan_["validation_rows"] * len(on.networks_) == 300
    # One member: the same training with and without one factor on the logits gives the
    # same classes and other probabilities.  (An ensemble averages probabilities, so there
    # a row the members disagree on may change class.)
    one = {"max_members": 1}
    one_on = TabularClassifier(width=16, epochs=15, random_state=0, recipe=one).fit(X, y)
    one_off = TabularClassifier(width=16, epochs=15, random_state=0,
                                recipe={**one, "temperature_scaling": False}).fit(X, y)
    assert one_off.plan_["output_scale"] == 1.0
    assert (one_on.predict(X) == one_off.predict(X)).all()
    assert not np.allclose(one_on.predict_proba(X), one_off.predict_proba(X))
    beta = one_on.plan_["output_scale"]
    np.testing.assert_allclose(one_on.networks_[0].views.biases[-1],
                               beta * one_off.networks_[0].views.biases[-1], rtol=1e-3,
                               atol=1e-6)


@pytest.mark.parametrize("logits, labels, weights, match", [
    (np.zeros(4), np.zeros(4, int), None, "logits must be a finite"),
    (np.array([[0.0, np.nan]]), np.zeros(1, int), None, "non-finite"),
    (np.zeros((3, 2)), np.array([0, 1, 2]), None, "class indices in 0..1"),
    (np.zeros((3, 2)), np.array([0.0, 1.0, 0.0]), None, "class indices"),
    (np.zeros((2, 2)), np.array([0, 1]), np.array([0.0, 0.0]), "positive sum"),
    (np.zeros((2, 2)), np.array([0, 1]), np.array([1.0, -1.0]), "weights >= 0"),
])
def test_bad_input_is_named(logits, labels, weights, match):
    with pytest.raises(ValueError, match=match):
        fit_inverse_temperature(logits, labels, weights)
