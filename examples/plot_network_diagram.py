"""
Network diagrams
================

:func:`numpynn.plots.draw_network` draws a network as the article's Figure 2: nodes in
columns, input on the left. A small network gets its weights written on the connections
and its biases under the nodes; a large one is drawn with blue (positive) and red
(negative) lines, wider for larger weights. ``numpynn inspect MODEL --diagram net.png``
draws the same from a model file.
"""

import numpy as np

import numpynn
from numpynn.plots import draw_network
from numpynn.tabular.datasets import load_iris

# %%
# The article's 3-4-2 network with its weights 0.01 ... 0.26, and the input of the demo:

net = numpynn.NeuralNetwork(3, 4, 2)
net.set_weights(np.arange(1, 27, dtype=np.float32) / 100)
draw_network(net.sizes, net.weights, net.biases, "article.png",
             input_values=[3.0, 4.0, -4.5], title="the article's 3-4-2 network")

# %%
# A network trained on the iris data: too many connections for numbers, so the colour
# and width of each line show its weight's sign and size.

X, y, feature_names, class_names = load_iris()
X = (X - X.mean(axis=0)) / X.std(axis=0)
net = numpynn.NeuralNetwork(4, 12, 8, 3, seed=0)
net.fit(X, y, epochs=100, learning_rate=0.01, seed=0)
print(f"training accuracy {np.mean(net.predict(X) == y):.3f}")
draw_network(net.sizes, net.weights, net.biases, "iris.png", title="4-12-8-3, trained on iris")
