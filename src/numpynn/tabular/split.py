"""Random training / validation splits of a table's rows."""

from __future__ import annotations

import numpy as np

from ..core.checks import as_generator, check_int, check_number

__all__ = ["train_validation_split"]


def train_validation_split(
    n: int, fraction: float, seed: int | np.random.Generator | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Split row indices ``0..n-1`` at random into training and validation sets.

    Parameters
    ----------
    n : int
        Number of rows, at least 1 (at least 2 when ``fraction > 0``).
    fraction : float
        Share of rows for validation, in ``[0, 1)``. The validation set gets
        ``round(n * fraction)`` rows, at least 1 when ``fraction > 0``; the training set
        always keeps at least one.
    seed : int, Generator or None
        Randomness; the same int gives the same split.

    Returns
    -------
    train_idx, val_idx : ndarray of int64, shapes (n - m,) and (m,)
        Disjoint, each sorted ascending, together ``0..n-1``.

    Raises
    ------
    TypeError
        ``n`` is not an int, ``fraction`` not a number or ``seed`` not an int, Generator or
        None.
    ValueError
        ``n < 1``, ``fraction`` outside ``[0, 1)``, a negative seed, or too few rows to split.
    """
    where = "train_validation_split"
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        # check_int says ValueError for every failure; a wrong type is a TypeError here
        raise TypeError(f"{where}: n must be an int, got {type(n).__name__}")
    n = check_int(f"{where}: n", n, low=1)
    fraction = check_number(f"{where}: fraction", fraction, 0, 1, high_inclusive=False)
    rng = as_generator(seed, f"{where}: seed")
    n_val = round(n * fraction)
    if fraction > 0:
        if n < 2:
            raise ValueError(
                f"{where}: {n} row(s) cannot be split into training and validation sets; "
                "use fraction=0"
            )
        n_val = min(max(n_val, 1), n - 1)
    perm = rng.permutation(n)
    val_idx = np.sort(perm[:n_val]).astype(np.int64)
    train_idx = np.sort(perm[n_val:]).astype(np.int64)
    return train_idx, val_idx
