"""The article's loop-code network, for comparison in the benchmarks.

Written from "How To Code Modern Neural Networks Using Python and NumPy"
(``/work/shared/seed/modern-neural-networks-numpy.md`` in the project's seed material):
the ``NeuralNetwork`` class with explicit Python loops over nodes, and the ``leaky`` and
``softmax`` utilities of ``my_utilities.py``.  Same statements, minus the demo prints
(``show_vec`` calls) and with two-space indentation widened to four.

One deliberate change: the article's ``eval`` adds into ``self.h_sums`` / ``self.o_sums``
without clearing them, so a second call on the same object starts from the first call's
sums and returns different outputs.  ``eval`` here zeroes the two sum vectors first (two
lines, marked), so every call returns the article's ``(0.4973, 0.5027)`` for the demo
input; the benchmark calls ``eval`` many times on one object, so it needs this.
"""

import numpy as np

__all__ = ["NeuralNetwork", "NeuralNet", "leaky", "relu", "log_sig", "softmax", "demo"]


# ---------------------------------------------------------------- my_utilities.py
def leaky(x):
    if x <= 0.0:
        return 0.01 * x
    else:
        return x


def relu(x):
    if x <= 0.0:
        return 0.0
    else:
        return x


def log_sig(x):
    if x < -20.0:
        return 0.0
    elif x > 20.0:
        return 1.0
    else:
        return 1.0 / (1.0 + np.exp(-x))


def softmax(vec):
    n = len(vec)
    result = np.zeros(n, dtype=np.float32)
    mx = np.max(vec)
    divisor = 0.0
    for k in range(n):
        divisor += np.exp(vec[k] - mx)
    for k in range(n):
        result[k] = np.exp(vec[k] - mx) / divisor
    return result


# ---------------------------------------------------------------- neural_io.py
class NeuralNetwork:
    def __init__(self, num_input, num_hidden, num_output):
        self.ni = num_input
        self.nh = num_hidden
        self.no = num_output

        self.i_nodes = np.zeros(shape=[self.ni], dtype=np.float32)
        self.h_nodes = np.zeros(shape=[self.nh], dtype=np.float32)
        self.o_nodes = np.zeros(shape=[self.no], dtype=np.float32)

        self.ih_weights = np.zeros(shape=[self.ni, self.nh], dtype=np.float32)
        self.ho_weights = np.zeros(shape=[self.nh, self.no], dtype=np.float32)
        self.h_biases = np.zeros(shape=[self.nh], dtype=np.float32)
        self.o_biases = np.zeros(shape=[self.no], dtype=np.float32)

        self.h_sums = np.zeros(shape=[self.nh], dtype=np.float32)
        self.o_sums = np.zeros(shape=[self.no], dtype=np.float32)

    def set_weights(self, weights):
        # Order: input-hidden weights (row = input node), hidden biases,
        # hidden-output weights (row = hidden node), output biases.
        idx = 0
        for i in range(self.ni):
            for j in range(self.nh):
                self.ih_weights[i, j] = weights[idx]
                idx += 1
        for j in range(self.nh):
            self.h_biases[j] = weights[idx]
            idx += 1
        for j in range(self.nh):
            for k in range(self.no):
                self.ho_weights[j, k] = weights[idx]
                idx += 1
        for k in range(self.no):
            self.o_biases[k] = weights[idx]
            idx += 1

    def get_weights(self):
        tw = (self.ni * self.nh) + self.nh + (self.nh * self.no) + self.no
        result = np.zeros(shape=[tw], dtype=np.float32)
        idx = 0
        for i in range(self.ni):
            for j in range(self.nh):
                result[idx] = self.ih_weights[i, j]
                idx += 1
        for j in range(self.nh):
            result[idx] = self.h_biases[j]
            idx += 1
        for j in range(self.nh):
            for k in range(self.no):
                result[idx] = self.ho_weights[j, k]
                idx += 1
        for k in range(self.no):
            result[idx] = self.o_biases[k]
            idx += 1
        return result

    def eval(self, x_values):
        self.h_sums[:] = 0.0  # not in the article: see the module docstring
        self.o_sums[:] = 0.0  # not in the article

        self.i_nodes = x_values  # by ref
        for j in range(self.nh):
            for i in range(self.ni):
                self.h_sums[j] += self.i_nodes[i] * self.ih_weights[i, j]
            self.h_sums[j] += self.h_biases[j]  # add the bias

        for j in range(self.nh):
            self.h_nodes[j] = leaky(self.h_sums[j])

        for k in range(self.no):
            for j in range(self.nh):
                self.o_sums[k] += self.h_nodes[j] * self.ho_weights[j, k]
            self.o_sums[k] += self.o_biases[k]

        softout = softmax(self.o_sums)
        for k in range(self.no):
            self.o_nodes[k] = softout[k]

        result = np.zeros(shape=self.no, dtype=np.float32)
        for k in range(self.no):
            result[k] = self.o_nodes[k]
        return result


#: The article's listing calls the class both ``NeuralNetwork`` and ``NeuralNet``.
NeuralNet = NeuralNetwork

#: The article's 26 dummy weights and biases, 0.01 through 0.26.
DEMO_WEIGHTS = np.array(
    [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.10, 0.11, 0.12,  # ih weights
     0.13, 0.14, 0.15, 0.16,  # h biases
     0.17, 0.18, 0.19, 0.20,  # ho weights
     0.21, 0.22, 0.23, 0.24, 0.25, 0.26],
    dtype=np.float32,
)  # o biases
DEMO_INPUT = np.array([3.0, 4.0, -4.5], dtype=np.float32)


def demo():
    """The article's ``main`` without the prints: returns ``Y``, about (0.4973, 0.5027)."""
    nn = NeuralNet(3, 4, 2)
    nn.set_weights(DEMO_WEIGHTS)
    return nn.eval(DEMO_INPUT)


if __name__ == "__main__":
    print(demo())
