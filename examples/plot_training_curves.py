"""
Training curves
===============

Train a network on the iris data bundled with numpynn, with a validation split, early
stopping and a learning rate that halves on plateaus, then draw the loss and accuracy
per epoch with :func:`numpynn.plots.plot_history`. The dashed line and the star mark the
best epoch, whose weights :class:`~numpynn.training.EarlyStopping` put back at the end.
"""

import numpynn
from numpynn.plots import plot_history
from numpynn.tabular.datasets import load_iris

X, y, feature_names, class_names = load_iris()
X = (X - X.mean(axis=0)) / X.std(axis=0)  # standardised, still float32

net = numpynn.NeuralNetwork(4, 16, 16, 3, seed=0)
history = net.fit(
    X, y, epochs=300, optimizer=numpynn.Adam(0.01), validation_split=0.3, seed=0,
    callbacks=[numpynn.EarlyStopping(patience=20),
               numpynn.ReduceLROnPlateau(factor=0.5, patience=8)],
)
print(f"{history.epochs} epochs, stopped early: {history.stopped_early}")
print(f"best epoch {history.best_epoch + 1}: validation loss "
      f"{history.val_loss[history.best_epoch]:.3f}, accuracy "
      f"{history.val_accuracy[history.best_epoch]:.3f}")
print("learning rates used:", sorted({round(rate, 5) for rate in history.learning_rate}))

# %%
# The curves, written to a PNG file (numpynn draws without pyplot, so it is safe in
# threads and needs no display):

plot_history(history, "curves.png", title="iris, 4-16-16-3")
