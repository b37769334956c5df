"""The workloads: the data, the network shapes and the training settings every rival shares.

Every rival trains on the same float32 data (Gaussian inputs, labels from a random linear
teacher) with the same architecture, Adam with the same learning rate, batch 200 and
shuffling on.
"""

from __future__ import annotations

import numpy as np

from . import article_loops

__all__ = [
    "LEARNING_RATE", "BATCH", "SEED", "TRAINING_WORKLOADS", "BIG_WORKLOADS", "INFER_SIZES",
    "MEMORY_SIZES", "SECTIONS", "ARTICLE_SIZES", "ARTICLE_WEIGHTS", "ARTICLE_INPUT",
    "make_data",
]

LEARNING_RATE = 1e-3
BATCH = 200
SEED = 0

# name -> (rows, layer sizes); the last size is the number of classes.
TRAINING_WORKLOADS: dict[str, tuple[int, tuple[int, ...]]] = {
    "64-100-10": (20_000, (64, 100, 10)),
    "256-512-512-10": (20_000, (256, 512, 512, 10)),
    "3-4-2": (2_000, (3, 4, 2)),
}
# These run the "big" number of repeats (--big-repeats), like batch inference.
BIG_WORKLOADS = frozenset({"256-512-512-10"})
# Batch inference and the memory check both use the 64-100-10 net.
INFER_SIZES = (64, 100, 10)
MEMORY_SIZES = (64, 100, 10)
# The sections --only chooses from, in the order they run and print.
SECTIONS = (*TRAINING_WORKLOADS, "eval1", "infer", "memory")

# The article's 3-4-2 demo net (leaky ReLU, softmax): its 26 weights 0.01..0.26 and input.
ARTICLE_SIZES = (3, 4, 2)
ARTICLE_WEIGHTS = article_loops.DEMO_WEIGHTS
ARTICLE_INPUT = article_loops.DEMO_INPUT


def make_data(rows: int, sizes: tuple[int, ...], seed: int = SEED) -> tuple[np.ndarray,
                                                                            np.ndarray]:
    """Inputs and labels of a workload.

    Parameters
    ----------
    rows : int
        Number of samples.
    sizes : tuple of int
        Layer sizes; ``sizes[0]`` inputs and ``sizes[-1]`` classes are used.
    seed : int
        Seed of the generator (the same data for every rival).

    Returns
    -------
    X : ndarray, shape (rows, sizes[0]), float32
        Standard Gaussian inputs.
    y : ndarray, shape (rows,), int64
        Labels in ``0 .. sizes[-1] - 1``: the argmax of a random linear teacher plus noise.
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((rows, sizes[0]), dtype=np.float32)
    teacher = rng.standard_normal((sizes[0], sizes[-1]), dtype=np.float32)
    y = np.empty(rows, dtype=np.int64)
    block = 65_536  # blocks keep the temporary small (matters for the memory child)
    for start in range(0, rows, block):
        scores = X[start:start + block] @ teacher
        scores += rng.standard_normal(scores.shape, dtype=np.float32)
        y[start:start + block] = scores.argmax(axis=1)
    return X, y
