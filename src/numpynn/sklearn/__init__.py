"""scikit-learn estimators: :class:`NeuralNetClassifier` and :class:`NeuralNetRegressor`.

Drop-in replacements for :class:`sklearn.neural_network.MLPClassifier` and
:class:`~sklearn.neural_network.MLPRegressor`: every parameter of scikit-learn's
estimators with the same name, meaning and default, the same fitted attributes, and the
same training semantics (initialisation, loss scaling, ``tol`` / ``n_iter_no_change``
stopping, the ``adaptive`` and ``invscaling`` learning rates, early stopping and its
validation split) -- run on numpynn's flat parameter vector, in float32 by default or,
with ``dtype="preserve"``, in X's dtype exactly as scikit-learn; sparse X stays sparse.
On top of scikit-learn's estimators:

- ``activation="leaky_relu"`` and a list with one activation per hidden layer;
- ``solver="adamw"`` (``alpha`` becomes the decoupled weight decay);
- ``dropout``, ``init`` and (for the classifier) ``class_weight``;
- ``fit(X, y, sample_weight=None, X_val=None, y_val=None)``: a validation set of your own;
- ``monitor="loss"``: early stopping on the validation loss instead of the score;
- ``validation_loss_curve_``;
- scikit-learn's callback API (``sklearn.callback``, 1.9 and later): one task per epoch.

``MLPClassifier`` and ``MLPRegressor`` are the same two classes under scikit-learn's
names, so that a drop-in changes one import line.

Both train with numpynn's one engine (``numpynn.training.Trainer``) and its one L-BFGS
bridge.  The fitted :class:`~numpynn.NeuralNetwork` is ``network_``; ``coefs_`` and
``intercepts_`` are lists of views of its flat vector ``theta``.

Modules: :mod:`.classifier`, :mod:`.regressor`, their shared parts in :mod:`.base`,
:mod:`.inputs` (dtypes, validation, the validation split, Dask collections),
:mod:`.fitted_arrays`, :mod:`.log_proba` and :mod:`.docs`, the solvers in
:mod:`.stochastic` and :mod:`.lbfgs`, the skl2onnx converters in :mod:`.onnx`.
"""

from . import onnx as _onnx  # noqa: F401 - registers the skl2onnx converters (cheaply)
from .classifier import NeuralNetClassifier
from .regressor import NeuralNetRegressor
from .tabular import TabularClassifier, TabularRegressor

# scikit-learn's names for the same classes: ``from numpynn.sklearn import MLPClassifier``
MLPClassifier = NeuralNetClassifier
MLPRegressor = NeuralNetRegressor

__all__ = ["NeuralNetClassifier", "NeuralNetRegressor", "TabularClassifier",
           "TabularRegressor", "MLPClassifier", "MLPRegressor"]
