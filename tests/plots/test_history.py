"""Tests for numpynn.plots.history: curves are written, valid and atomic; bad input refused."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from image_files import leftovers, png_size  # noqa: E402

from numpynn.plots import plot_history  # noqa: E402

# ---------------------------------------------------------------------------------------------
# plot_history
# ---------------------------------------------------------------------------------------------


def full_history() -> dict:
    n = 30
    epochs = np.arange(1, n + 1)
    val = list(1.0 / epochs + 0.003 * epochs)
    return {
        "loss": list(1.0 / epochs),
        "val_loss": val,
        "accuracy": list(np.linspace(0.5, 0.99, n)),
        "val_accuracy": list(np.linspace(0.45, 0.95, n)),
        "best_epoch": int(np.argmin(val)),
    }


def test_history_with_accuracy_has_two_panels(tmp_path: Path) -> None:
    w2, h2 = png_size(plot_history(full_history(), tmp_path / "two.png"))
    only_loss = {"loss": full_history()["loss"], "val_loss": full_history()["val_loss"]}
    w1, h1 = png_size(plot_history(only_loss, tmp_path / "one.png"))
    assert w2 > w1 and h2 == h1  # the accuracy panel widens the figure
    assert (tmp_path / "two.png").stat().st_size > 20_000
    assert leftovers(tmp_path) == []


def test_history_as_object_with_gaps_and_missing_keys(tmp_path: Path) -> None:
    hist = SimpleNamespace(loss=[1.0, None, 0.4, float("nan")], val_loss=[],
                           accuracy=[None, None, None, None], best_epoch=None)
    png_size(plot_history(hist, tmp_path / "h.png"))
    png_size(plot_history({"val_loss": [0.3]}, tmp_path / "single.png", title="one epoch"))


def test_history_other_format_and_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "h.pdf"
    plot_history(full_history(), path)
    assert path.read_bytes()[:5] == b"%PDF-"
    path2 = tmp_path / "h.png"
    path2.write_bytes(b"stale")
    plot_history(full_history(), path2)
    png_size(path2)


@pytest.mark.parametrize(
    ("history", "exc", "pattern"),
    [
        ({}, ValueError, "no finite 'loss'"),
        ({"loss": [None, float("inf")]}, ValueError, "no finite 'loss'"),
        ({"loss": [1.0, 0.5], "best_epoch": 2}, ValueError, "best_epoch=2"),
        ({"loss": [1.0, 0.5], "best_epoch": -1}, ValueError, "best_epoch=-1"),
        ({"loss": [1.0, 0.5], "best_epoch": 1.0}, TypeError, "best_epoch"),
        ({"loss": "1.0"}, TypeError, "'loss' must be a list"),
        ({"loss": [1.0, "x"]}, TypeError, r"'loss'\[1\]"),
        ({"loss": 3.0}, TypeError, "'loss' must be a list"),
    ],
)
def test_history_bad_input(tmp_path: Path, history, exc, pattern: str) -> None:
    with pytest.raises(exc, match=pattern):
        plot_history(history, tmp_path / "bad.png")
    assert not (tmp_path / "bad.png").exists()




def test_history_of_the_training_history_object(tmp_path: Path) -> None:
    from numpynn.training import History

    history = History(loss=[1.0, 0.6, 0.5], val_loss=[1.1, 0.7, 0.75], accuracy=[0.5, 0.7, 0.8],
                      val_accuracy=[0.4, 0.6, 0.6], best_epoch=1)
    png_size(plot_history(history, tmp_path / "curves.png"))


def test_regression_loss_in_the_targets_units(tmp_path: Path) -> None:
    import matplotlib

    # half the mean squared error of a target standardised by std 10: RMSE sqrt(2 loss) * 10
    history = {"loss": [2.0, 0.5, 0.125], "val_loss": [2.0, 0.18, 0.32], "best_epoch": 1}
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        svg = plot_history(history, tmp_path / "r.svg", target_scale=10.0,
                           target_name="price").read_text()
        plain = plot_history(history, tmp_path / "p.svg").read_text()
    assert "RMSE of price (in the target" in svg and ">RMSE<" in svg
    assert "best epoch 2 (6)" in svg  # sqrt(2 * 0.18) * 10, the validation RMSE there
    assert "RMSE" not in plain and "best epoch 2 (0.18)" in plain


@pytest.mark.parametrize("scale", [0.0, -1.0, float("nan"), "10", True])
def test_bad_target_scale(tmp_path: Path, scale) -> None:
    with pytest.raises(ValueError, match="target_scale"):
        plot_history({"loss": [1.0]}, tmp_path / "x.png", target_scale=scale)
    assert not (tmp_path / "x.png").exists()
