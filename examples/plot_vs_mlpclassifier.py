"""
numpynn against scikit-learn's MLPClassifier
============================================

:class:`numpynn.sklearn.NeuralNetClassifier` is a drop-in replacement for
:class:`sklearn.neural_network.MLPClassifier`: the same parameters, the same training
path (initial weights, shuffles, stopping rule) for the same ``random_state``, in
float32. Here both train on scikit-learn's bundled handwritten digits (1,797 images of
8 x 8 pixels) in the same pipeline; the times are of this build's machine, which may be
busy (``benchmarks/sklearn_compare.py`` measures properly).
"""

import time

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from numpynn.sklearn import NeuralNetClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)

fitted = {}
for Model in (MLPClassifier, NeuralNetClassifier):
    model = make_pipeline(StandardScaler(),
                          Model(hidden_layer_sizes=(64,), max_iter=300, random_state=0))
    start = time.perf_counter()
    model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    mlp = model[-1]
    fitted[Model.__name__] = mlp
    print(f"{Model.__name__:20} test accuracy {model.score(X_test, y_test):.4f}, "
          f"{mlp.n_iter_} epochs, final loss {mlp.loss_:.4f}, {seconds:.2f} s, "
          f"weights {mlp.coefs_[0].dtype}")

# %%
# The loss per epoch (``loss_curve_``) of both: the same path, apart from float32
# rounding.

fig, ax = plt.subplots(figsize=(6.5, 4))
for name, mlp in fitted.items():
    ax.plot(range(1, len(mlp.loss_curve_) + 1), mlp.loss_curve_, label=name,
            linestyle="--" if name == "NeuralNetClassifier" else "-")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss")
ax.set_yscale("log")
ax.legend()
fig.tight_layout()
