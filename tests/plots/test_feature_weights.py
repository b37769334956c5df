"""Tests for numpynn.plots.feature_weights: the per-input weight summary of wide networks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from image_files import leftovers, png_size  # noqa: E402

from numpynn.plots import plot_feature_weights  # noqa: E402
from numpynn.plots.feature_weights import input_weight_norms  # noqa: E402


def wide_weights(n_inputs: int = 60) -> np.ndarray:
    rng = np.random.default_rng(0)
    w = rng.normal(0, 0.1, (n_inputs, 16)).astype(np.float32)
    w[7] *= 20  # the input that matters
    return w


def test_norms_are_the_rows_l2_norms():
    w = wide_weights()
    norms = input_weight_norms(w)
    assert norms.shape == (60,) and norms.dtype == np.float64
    np.testing.assert_allclose(norms, np.linalg.norm(w.astype(np.float64), axis=1),
                               rtol=1e-12)
    assert norms.argmax() == 7


def test_bar_chart_labelled_with_the_feature_names(tmp_path: Path) -> None:
    import matplotlib

    names = [f"feature {i}" for i in range(60)]
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        svg = plot_feature_weights(wide_weights(), tmp_path / "w.svg", feature_names=names,
                                   title="wide").read_text()
    assert ">feature 7<" in svg
    assert "the 40 largest of 60 inputs" in svg  # at most 40 bars
    shown = [name for name in names if f">{name}<" in svg]
    assert len(shown) == 40
    norms = input_weight_norms(wide_weights())
    expected = {names[i] for i in np.argsort(-norms)[:40]}
    assert set(shown) == expected  # the largest ones
    assert leftovers(tmp_path) == []


def test_the_figure_grows_with_the_bars(tmp_path: Path) -> None:
    w_few, h_few = png_size(plot_feature_weights(wide_weights(25), tmp_path / "a.png"))
    w_many, h_many = png_size(plot_feature_weights(wide_weights(60), tmp_path / "b.png"))
    assert w_few == w_many and h_many > h_few


@pytest.mark.parametrize(("kwargs", "pattern"), [
    ({"feature_names": ["a", "b"]}, "60 names"),
    ({"feature_names": "abc"}, "60 names"),
    ({"max_bars": 0}, "max_bars"),
])
def test_bad_input(tmp_path: Path, kwargs, pattern) -> None:
    with pytest.raises(ValueError, match=pattern):
        plot_feature_weights(wide_weights(), tmp_path / "x.png", **kwargs)
    assert not (tmp_path / "x.png").exists()


def test_bad_weights(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="2-D"):
        plot_feature_weights(np.ones(5), tmp_path / "x.png")
    with pytest.raises(ValueError, match="NaN"):
        plot_feature_weights(np.full((3, 2), np.nan), tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()
