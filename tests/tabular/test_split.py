"""Tests for numpynn.tabular.split: train_validation_split."""

from __future__ import annotations

import numpy as np
import pytest

from numpynn.tabular import train_validation_split

# ---------------------------------------------------------------------------------------------
# train_validation_split
# ---------------------------------------------------------------------------------------------


def test_split_partitions_rows_reproducibly() -> None:
    tr, va = train_validation_split(100, 0.2, seed=3)
    assert tr.dtype == np.int64 and va.dtype == np.int64
    assert len(va) == 20 and len(tr) == 80
    np.testing.assert_array_equal(np.sort(np.concatenate([tr, va])), np.arange(100))
    assert np.all(np.diff(tr) > 0) and np.all(np.diff(va) > 0)
    tr2, va2 = train_validation_split(100, 0.2, seed=3)
    np.testing.assert_array_equal(va, va2)
    _, va3 = train_validation_split(100, 0.2, seed=4)
    assert not np.array_equal(va, va3)


def test_split_edge_sizes() -> None:
    tr, va = train_validation_split(5, 0.0, seed=0)
    assert len(va) == 0 and len(tr) == 5
    tr, va = train_validation_split(3, 0.01, seed=0)
    assert len(va) == 1 and len(tr) == 2
    tr, va = train_validation_split(2, 0.99, seed=0)
    assert len(va) == 1 and len(tr) == 1


@pytest.mark.parametrize(
    ("args", "exc", "pattern"),
    [
        ((0, 0.2), ValueError, "n must be an int >= 1, got 0"),
        ((10, 1.0), ValueError, r"\[0, 1\)"),
        ((10, -0.1), ValueError, r"\[0, 1\)"),
        ((1, 0.5), ValueError, "cannot be split"),
        ((10.0, 0.2), TypeError, "n must be an int"),
        ((10, "0.2"), TypeError, "fraction must be a number"),
        ((10, float("nan")), ValueError, r"fraction must be in \[0, 1\), got nan"),
        ((True, 0.2), TypeError, "n must be an int"),
    ],
)
def test_split_errors(args, exc, pattern: str) -> None:
    with pytest.raises(exc, match=pattern):
        train_validation_split(*args, seed=0)


def test_split_seed_is_checked_and_a_generator_is_used_as_given() -> None:
    with pytest.raises(TypeError, match="seed must be an int"):
        train_validation_split(10, 0.2, seed="0")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="seed must be a non-negative int"):
        train_validation_split(10, 0.2, seed=-1)
    _, from_int = train_validation_split(10, 0.5, seed=7)
    _, from_generator = train_validation_split(10, 0.5, seed=np.random.default_rng(7))
    np.testing.assert_array_equal(from_int, from_generator)
