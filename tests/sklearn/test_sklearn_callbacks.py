"""numpynn.sklearn with scikit-learn's callback API: every epoch seen, stops, progress bars."""

from __future__ import annotations

import warnings

import pytest

pytest.importorskip("sklearn")

from estimator_helpers import _quiet  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from numpynn.sklearn import NeuralNetClassifier, NeuralNetRegressor  # noqa: E402


# ---------------------------------------------------------------------------
# scikit-learn's callback API
# ---------------------------------------------------------------------------
class Recorder:
    """A FitCallback that records its hooks and can stop fitting."""

    def __init__(self, stop_after=None):
        self.stop_after = stop_after
        self.events = []
        self.scores = []

    def setup(self, estimator, context):
        self.events.append("setup")

    def on_fit_task_begin(self, estimator, context, *, X=None, y=None):
        self.events.append(("begin", context.task_name))

    def on_fit_task_end(self, estimator, context, *, X=None, y=None, fitted_estimator=None):
        self.events.append(("end", context.task_name))
        if context.task_name in ("epoch", "lbfgs-iter") and fitted_estimator is not None:
            self.scores.append(fitted_estimator.score(X, y))
            if self.stop_after is not None and len(self.scores) >= self.stop_after:
                return True
        return False

    def teardown(self, estimator, context):
        self.events.append("teardown")


@pytest.mark.parametrize("solver, early_stopping", [
    ("adam", False), ("adam", True), ("lbfgs", False),
])
def test_callbacks_see_every_epoch_and_can_stop(iris, solver, early_stopping):
    pytest.importorskip("sklearn.callback")
    X, y = iris
    recorder = Recorder()
    clf = NeuralNetClassifier(hidden_layer_sizes=(8,), solver=solver, max_iter=12,
                              early_stopping=early_stopping, n_iter_no_change=100,
                              random_state=0).set_callbacks(recorder)
    _quiet(clf.fit, X, y)
    assert recorder.events[0] == "setup" and recorder.events[-1] == "teardown"
    assert recorder.events[1] == ("begin", "fit") and recorder.events[-2] == ("end", "fit")
    assert len(recorder.scores) == clf.n_iter_ == 12
    if not early_stopping:  # (early stopping restores the best weights after the last)
        assert recorder.scores[-1] == pytest.approx(clf.score(X, y))

    stopper = Recorder(stop_after=3)
    clf = NeuralNetClassifier(hidden_layer_sizes=(8,), solver=solver, max_iter=50,
                              random_state=0).set_callbacks(stopper)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # a callback stop is not one
        clf.fit(X, y)
    assert clf.n_iter_ == 3


def test_progress_bar_and_propagation_through_pipeline(iris):
    callback = pytest.importorskip("sklearn.callback")
    pytest.importorskip("rich")
    X, y = iris
    reg = NeuralNetRegressor(hidden_layer_sizes=(4,), max_iter=5).set_callbacks(
        callback.ProgressBar())
    _quiet(reg.fit, X, y)
    assert reg.n_iter_ == 5
    pipe = make_pipeline(StandardScaler(), NeuralNetClassifier(hidden_layer_sizes=(4,),
                                                               max_iter=5))
    pipe.set_callbacks(callback.ProgressBar())
    _quiet(pipe.fit, X, y)
    assert pipe[-1].n_iter_ == 5
