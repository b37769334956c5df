"""Docstring parts the two estimators share (summary, parameters, fitted attributes)."""


def _summary_doc(kind: str, sklearn_name: str, extras: str = "") -> str:
    """The first paragraphs of the ``kind`` estimator's docstring, the drop-in for
    scikit-learn's ``sklearn_name``; ``extras`` lists its own additions (", ..."-style)."""
    return f"""Multi-layer perceptron {kind}: a drop-in for scikit-learn's {sklearn_name}.

    Same parameters, defaults, attributes and training semantics as
    :class:`sklearn.neural_network.{sklearn_name}`, on numpynn's flat parameter vector in
    float32 (or, with ``dtype="preserve"``, in X's dtype as scikit-learn); plus leaky ReLU
    and per-layer activations, ``adamw``, ``dropout``, ``init``, {extras}a validation set
    of your own, early stopping on the loss and scikit-learn's callbacks.
"""


_COMMON_PARAMETERS_DOC = """
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        Sizes of the hidden layers.
    activation : {"identity", "logistic", "tanh", "relu", "leaky_relu"} or list of str, \
default="relu"
        Activation of the hidden layers, or a list with one activation per hidden layer.
        ``leaky_relu`` has slope 0.01 below zero.
    solver : {"lbfgs", "sgd", "adam", "adamw"}, default="adam"
        ``adamw`` is Adam with decoupled weight decay: ``alpha`` is then the decay
        (``theta -= learning_rate * alpha * weights`` each step, biases excluded) instead of
        an L2 term in the loss.
    alpha : float, default=0.0001
        Strength of the L2 penalty ``0.5 * alpha * sum(w ** 2) / n_samples_in_batch``.
    batch_size : int or "auto", default="auto"
        Mini-batch size; "auto" is ``min(200, n_samples)``.  Not used by lbfgs.
    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
        Schedule for sgd: ``invscaling`` sets ``learning_rate_init / (t_ + 1) ** power_t``
        after each epoch; ``adaptive`` divides the rate by 5 each time ``n_iter_no_change``
        epochs pass without an improvement of ``tol``, and stops below 1e-6.
    learning_rate_init : float, default=0.001
    power_t : float, default=0.5
    max_iter : int, default=200
        Epochs (stochastic solvers) or iterations (lbfgs).
    shuffle : bool, default=True
    random_state : int, RandomState instance or None, default=None
        Initial weights, shuffling, the validation split and dropout.
    tol : float, default=1e-4
    verbose : bool, default=False
    warm_start : bool, default=False
    momentum : float, default=0.9
    nesterovs_momentum : bool, default=True
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data exactly as scikit-learn does (the
        same rows for the same ``random_state``: stratified for binary targets only, and
        an error where stratifying is impossible), or use ``X_val, y_val`` given to
        ``fit``, and stop when the monitored validation figure has not improved by ``tol``
        for ``n_iter_no_change`` epochs; the best weights are restored.
    validation_fraction : float, default=0.1
    beta_1, beta_2 : float, default=0.9, 0.999
    epsilon : float, default=1e-8
    n_iter_no_change : int, default=10
    max_fun : int, default=15000
        Most loss evaluations of lbfgs.
    dropout : float in [0, 1), default=0.0
        Inverted dropout on every hidden layer while training (stochastic solvers).
    init : str, callable or None, default=None
        None: scikit-learn's initialisation (Glorot uniform for weights and biases, drawn
        from ``random_state`` exactly as MLP* draws them).  Or one of numpynn's
        initialisers (``glorot_uniform``, ``glorot_normal``, ``he_uniform``, ``he_normal``,
        ``uniform``; biases start at zero), or a callable ``fill(weights, rng)`` that fills
        a (fan_in, fan_out) matrix of the network's dtype in place.
    monitor : {"score", "loss"}, default="score"
        What early stopping watches on the validation set: the score (accuracy or R²,
        scikit-learn's behaviour) or the validation loss.
    dtype : np.float32, np.float64 or "preserve", default=np.float32
        The dtype of the network (weights, gradients, optimizer state, predictions): X is
        converted to it once.  ``"preserve"`` follows scikit-learn's MLP exactly: fit keeps
        float64 and float32 X as they are (other X becomes float64) and the network takes
        X's dtype; predictions come in NumPy's promotion of X's dtype and the network's.
        Sparse X stays sparse either way."""

_COMMON_ATTRIBUTES_DOC = """
    loss_ : float
        Loss (with the L2 term) at the end of the last epoch.
    best_loss_ : float or None
        Lowest training loss; None with early stopping.
    loss_curve_ : list of float
        Training loss per epoch (per iteration, for lbfgs).
    validation_loss_curve_ : list of float
        Mean validation loss (no L2 term) per epoch, when there is a validation set.
    validation_scores_ : list of float or None
        Validation score per epoch, when there is a validation set.
    best_validation_score_ : float or None
    t_ : int
        Training samples seen.
    coefs_ : list of ndarray, shapes (fan_in, fan_out), the network's dtype
        Views into ``network_.theta``; ``coefs_[i] = W`` writes into the network, and
        arrays assigned before ``fit`` are its starting point.
    intercepts_ : list of ndarray, shapes (fan_out,), the network's dtype
        Views into ``network_.theta``, as ``coefs_``.
    network_ : NeuralNetwork
        The fitted network; its flat vector ``theta`` holds the weights in the article's
        order.  For ``loss="poisson"`` its output activation is ``exp`` (the predicted
        mean, with the Poisson loss).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Only when X had string column names.
    n_iter_ : int
    n_layers_ : int
    n_outputs_ : int
    out_activation_ : str"""
