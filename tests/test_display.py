"""Tests for numpynn.display: show_vec's formatting and its argument checks."""

from __future__ import annotations

import numpy as np
import pytest

from numpynn.display import format_vec


def test_format_vec_lines_widths_and_decimals() -> None:
    text = format_vec(np.array([1.0, -2.5, 0.125], np.float32), 7, 3, 2)
    assert text.split("\n") == ["  1.000 -2.500", "  0.125"]


@pytest.mark.parametrize(
    ("args", "exc", "pattern"),
    [
        ((0, 2, 4), ValueError, "wid must be an int >= 1, got 0"),
        ((6, -1, 4), ValueError, "dec must be an int >= 0, got -1"),
        ((6, 2, 0), ValueError, "vals_line must be an int >= 1, got 0"),
        ((6.0, 2, 4), TypeError, "wid must be an int, got 6.0"),
        ((6, True, 4), TypeError, "dec must be an int, got True"),
    ],
)
def test_format_vec_bad_arguments(args, exc, pattern: str) -> None:
    with pytest.raises(exc, match=pattern):
        format_vec([1.0, 2.0], *args)
