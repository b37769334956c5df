"""The classification data of the training tests: two interleaved spirals."""

import numpy as np


def spirals(n=500, seed=0):
    """Two interleaved spirals, 1.5 turns each."""
    rng = np.random.default_rng(seed)
    t = np.sqrt(rng.random(n)) * 3 * np.pi
    arm = np.c_[t * np.cos(t), t * np.sin(t)] / 10
    X = np.r_[arm, -arm] + rng.normal(0, 0.02, (2 * n, 2))
    y = np.r_[np.zeros(n), np.ones(n)].astype(np.int64)
    return X.astype(np.float32), y
