"""
The article's demo
==================

The demo program of the article "How To Code Modern Neural Networks Using Python and
NumPy" (``neural_io.py``), written against numpynn: the network class and the utilities
come from the library, and the output is the article's, digit for digit. The guide walks
through it step by step: :doc:`/guide/article`.
"""
# sphinx_gallery_thumbnail_path = "_generated/figure2.png"
import numpy as np

import numpynn as U
from numpynn import NeuralNet


def main():
    print("\nBegin NN with leaky ReLU IO demo ")

    # 1. create network
    print("\nCreating a 3-4-2 leaky ReLU, softmax NN")
    nn = NeuralNet(3, 4, 2)

    # 2. set weights and biases
    wts = np.array([0.01, 0.02, 0.03, 0.04, 0.05, 0.06,
                    0.07, 0.08, 0.09, 0.10, 0.11, 0.12,  # ih weights
                    0.13, 0.14, 0.15, 0.16,  # h biases
                    0.17, 0.18, 0.19, 0.20,  # ho weights
                    0.21, 0.22, 0.23, 0.24,
                    0.25, 0.26], dtype=np.float32)  # o biases
    print("\nSetting weights and biases")
    U.show_vec(wts, wid=6, dec=2, vals_line=8)
    nn.set_weights(wts)

    # 3. set input
    X = np.array([3.0, 4.0, -4.5], dtype=np.float32)
    print("\nSetting inputs to: ")
    U.show_vec(X, 6, 2, len(X))

    # 4. compute outputs (trace gives the intermediate values the article prints)
    print("\nComputing output values . . ")
    hidden, output = nn.trace(X)
    print("\nPre-activation hidden node values: ")
    U.show_vec(hidden.sums, 8, 4, len(hidden.sums))
    print("\nPost-activation hidden node values: ")
    U.show_vec(hidden.values, 8, 4, len(hidden.values))
    print("\nPre-activation output node values: ")
    U.show_vec(output.sums, 8, 4, len(output.sums))
    Y = nn.eval(X)
    print("\nOutput values: ")
    U.show_vec(Y, 8, 4, len(Y))

    print("\nEnd IO demo ")


if __name__ == "__main__":
    main()
