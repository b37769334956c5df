"""Tests for numpynn.plots: files are written, valid and atomic; bad input is refused."""

from __future__ import annotations

import struct
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from numpynn.plots import draw_network, plot_history  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC, "not a PNG file"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def article_net() -> tuple[list[int], list[np.ndarray], list[np.ndarray]]:
    """The article's 3-4-2 weights: 0.01 .. 0.26 in set_weights order."""
    v = (np.arange(1, 27) / 100).astype(np.float32)
    return [3, 4, 2], [v[:12].reshape(3, 4), v[16:24].reshape(4, 2)], [v[12:16], v[24:26]]


def large_net() -> tuple[list[int], list[np.ndarray], list[np.ndarray]]:
    rng = np.random.default_rng(0)
    sizes = [64, 100, 10]
    ws = [rng.normal(0, 0.2, (a, b)).astype(np.float32) for a, b in zip(sizes, sizes[1:],
                                                                         strict=False)]
    bs = [np.zeros(b, np.float32) for b in sizes[1:]]
    return sizes, ws, bs


def leftovers(directory: Path) -> list[str]:
    return [p.name for p in directory.iterdir() if p.name.endswith(".tmp")]


# ---------------------------------------------------------------------------------------------
# draw_network
# ---------------------------------------------------------------------------------------------


def test_article_network_diagram(tmp_path: Path) -> None:
    sizes, ws, bs = article_net()
    out = draw_network(sizes, ws, bs, tmp_path / "net.png", input_values=[3.0, 4.0, -4.5],
                       title="3-4-2")
    assert out == tmp_path / "net.png"
    w, h = png_size(out)
    assert w > 600 and h > 400
    assert out.stat().st_size > 20_000
    assert leftovers(tmp_path) == []


def test_article_diagram_carries_the_weights_as_text(tmp_path: Path) -> None:
    # SVG with svg.fonttype "none" keeps text as text, so the labels can be read back
    import matplotlib

    sizes, ws, bs = article_net()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        out = draw_network(sizes, ws, bs, tmp_path / "net.svg", input_values=[3.0, 4.0, -4.5])
    svg = out.read_text()
    for k in [*range(1, 13), *range(17, 25)]:  # the 20 weights on their lines
        assert f">0.{k:02d}<" in svg, k
    for k in [*range(13, 17), 25, 26]:  # the 6 biases under their nodes
        assert f">b=0.{k:02d}<" in svg, k
    for text in (">3.0<", ">4.0<", ">-4.5<", ">[3]<", "input (3)", "hidden (4)", "output (2)"):
        assert text in svg, text


def test_large_diagram_has_no_weight_labels(tmp_path: Path) -> None:
    import matplotlib

    sizes, ws, bs = large_net()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        svg = draw_network(sizes, ws, bs, tmp_path / "big.svg").read_text()
    assert ">b=" not in svg
    assert ">[99]<" in svg and ">[15]<" not in svg  # hidden layer truncated: 0..14, ..., 99
    assert "\u22ee" in svg or "⋮" in svg  # the ellipsis


def test_large_network_diagram(tmp_path: Path) -> None:
    sizes, ws, bs = large_net()
    out = draw_network(sizes, ws, bs, tmp_path / "big.png")
    w, h = png_size(out)
    assert w > 500 and h > 800  # a tall diagram: 17 node slots in the hidden column
    assert out.stat().st_size > 50_000


def test_network_diagram_accepts_flat_vector_views(tmp_path: Path) -> None:
    # the library's layers are views into one float32 theta; plotting must accept them
    theta = (np.arange(1, 27) / 100).astype(np.float32)
    ws = [theta[:12].reshape(3, 4), theta[16:24].reshape(4, 2)]
    bs = [theta[12:16], theta[24:26]]
    before = theta.copy()
    draw_network([3, 4, 2], ws, bs, tmp_path / "v.png")
    np.testing.assert_array_equal(theta, before)


def test_deep_and_tiny_networks(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    sizes = [4, 5, 5, 3]
    ws = [rng.normal(size=(a, b)) for a, b in zip(sizes, sizes[1:], strict=False)]
    bs = [rng.normal(size=b) for b in sizes[1:]]
    png_size(draw_network(sizes, ws, bs, tmp_path / "deep.png"))
    png_size(draw_network([1, 1], [np.ones((1, 1))], [np.zeros(1)], tmp_path / "tiny.png"))
    png_size(draw_network([2, 30], [np.zeros((2, 30))], [np.zeros(30)], tmp_path / "z.png"))


@pytest.mark.parametrize(
    ("change", "exc", "pattern"),
    [
        (lambda s, w, b: (s, [w[0].T, w[1]], b), ValueError, r"weights\[0\].*\(3, 4\)"),
        (lambda s, w, b: (s, w, [b[0], b[1][:1]]), ValueError, r"biases\[1\].*\(2,\)"),
        (lambda s, w, b: (s, w[:1], b), ValueError, "2 weight matrices"),
        (lambda s, w, b: ([3, 4, 3], w, b), ValueError, r"weights\[1\]"),
        (lambda s, w, b: ([3], [], []), ValueError, "at least 2 layers"),
        (lambda s, w, b: ([3, 0, 2], w, b), ValueError, "positive ints"),
        (lambda s, w, b: ([3, 4.0, 2], w, b), ValueError, "positive ints"),
        (lambda s, w, b: ("342", w, b), TypeError, "sizes"),
        (lambda s, w, b: (s, [np.full((3, 4), np.nan), w[1]], b), ValueError, "NaN"),
        (lambda s, w, b: (s, [w[0].astype(str), w[1]], b), TypeError, "real numbers"),
    ],
)
def test_network_bad_input(tmp_path: Path, change, exc, pattern: str) -> None:
    sizes, ws, bs = change(*article_net())
    with pytest.raises(exc, match=pattern):
        draw_network(sizes, ws, bs, tmp_path / "bad.png")
    assert not (tmp_path / "bad.png").exists()


def test_network_bad_input_values_and_path(tmp_path: Path) -> None:
    sizes, ws, bs = article_net()
    with pytest.raises(ValueError, match="input_values"):
        draw_network(sizes, ws, bs, tmp_path / "a.png", input_values=[1.0, 2.0])
    with pytest.raises(ValueError, match="image format 'docx'"):
        draw_network(sizes, ws, bs, tmp_path / "a.docx")
    with pytest.raises(ValueError, match="does not exist"):
        draw_network(sizes, ws, bs, tmp_path / "no" / "such" / "a.png")
    assert leftovers(tmp_path) == []


def test_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch) -> None:
    sizes, ws, bs = article_net()
    target = tmp_path / "net.png"
    target.write_bytes(b"old contents")
    from matplotlib.figure import Figure

    def boom(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Figure, "savefig", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        draw_network(sizes, ws, bs, target)
    assert target.read_bytes() == b"old contents"
    assert leftovers(tmp_path) == []


def test_no_pyplot_global_state(tmp_path: Path) -> None:
    sizes, ws, bs = article_net()
    draw_network(sizes, ws, bs, tmp_path / "n.png")
    plot_history({"loss": [1.0, 0.5]}, tmp_path / "h.png")
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:  # imported by someone else; we must not have left figures open
        assert pyplot.get_fignums() == []


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


def test_works_with_the_library_objects(tmp_path: Path) -> None:
    from numpynn.network import NeuralNetwork
    from numpynn.training import History

    net = NeuralNetwork(3, 4, 2)
    net.set_weights(np.arange(1, 27, dtype=np.float32) / 100)
    png_size(draw_network(net.sizes, net.weights, net.biases, tmp_path / "net.png",
                          input_values=np.array([3.0, 4.0, -4.5], np.float32)))
    history = History(loss=[1.0, 0.6, 0.5], val_loss=[1.1, 0.7, 0.75], accuracy=[0.5, 0.7, 0.8],
                      val_accuracy=[0.4, 0.6, 0.6], best_epoch=1)
    png_size(plot_history(history, tmp_path / "curves.png"))
