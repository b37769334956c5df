"""Docstring parts the two estimators share (parameters and fitted attributes)."""

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
        Hold out ``validation_fraction`` of the data (stratified for single-label
        classification), or use ``X_val, y_val`` given to ``fit``, and stop when the
        monitored validation figure has not improved by ``tol`` for ``n_iter_no_change``
        epochs; the best weights are restored.
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
        a float32 (fan_in, fan_out) matrix in place.
    monitor : {"score", "loss"}, default="score"
        What early stopping watches on the validation set: the score (accuracy or R²,
        scikit-learn's behaviour) or the validation loss."""

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
    coefs_ : list of ndarray, shapes (fan_in, fan_out), float32
        Views into ``network_.theta``.
    intercepts_ : list of ndarray, shapes (fan_out,), float32
        Views into ``network_.theta``.
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
