"""Tests for numpynn.plots.diagram: diagrams are written, valid and atomic; bad input refused."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from image_files import leftovers, png_size  # noqa: E402

from numpynn.plots import draw_network, plot_history  # noqa: E402


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
        (lambda s, w, b: ([3], [], []), ValueError, r"sizes \[3\]: .*at least two sizes"),
        (lambda s, w, b: ([3, 0, 2], w, b), ValueError, "size must be at least 1, size 1 is 0"),
        (lambda s, w, b: ([3, 4.0, 2], w, b), TypeError, "size 1 must be an int, got 4.0"),
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



def test_diagram_of_a_network_draws_its_weight_views(tmp_path: Path) -> None:
    from numpynn.network import NeuralNetwork

    net = NeuralNetwork(3, 4, 2)
    net.set_weights(np.arange(1, 27, dtype=np.float32) / 100)
    png_size(draw_network(net.sizes, net.weights, net.biases, tmp_path / "net.png",
                          input_values=np.array([3.0, 4.0, -4.5], np.float32)))


def test_diagram_names_inputs_and_outputs(tmp_path: Path) -> None:
    import matplotlib

    sizes, ws, bs = article_net()
    long_name = "a feature name far longer than twenty-four characters"
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        svg = draw_network(sizes, ws, bs, tmp_path / "n.svg", input_values=[3.0, 4.0, -4.5],
                           input_names=["sepal_length", "petal width", long_name],
                           output_names=["setosa", "versicolor"]).read_text()
    assert ">sepal_length = 3.0<" in svg and ">petal width = 4.0<" in svg
    assert ">a feature name far long\u2026 = -4.5<" in svg  # cut to 24 characters
    assert ">setosa<" in svg and ">versicolor<" in svg
    assert ">[0]<" in svg  # the node indices stay


def test_names_widen_the_diagram(tmp_path: Path) -> None:
    sizes, ws, bs = article_net()
    plain, _ = png_size(draw_network(sizes, ws, bs, tmp_path / "a.png"))
    named, _ = png_size(draw_network(sizes, ws, bs, tmp_path / "b.png",
                                     input_names=["x" * 20] * 3, output_names=["y" * 20] * 2))
    assert named > plain + 200  # room for the names on both sides


def test_large_diagram_names_the_drawn_inputs(tmp_path: Path) -> None:
    import matplotlib

    sizes, ws, bs = large_net()
    names = [f"f{i}" for i in range(64)]
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        svg = draw_network(sizes, ws, bs, tmp_path / "big.svg", input_names=names,
                           output_names=[f"class {k}" for k in range(10)]).read_text()
    assert ">f0<" in svg and ">f63<" in svg and ">f20<" not in svg  # 0..14, ..., 63
    assert ">class 9<" in svg


def test_bad_names(tmp_path: Path) -> None:
    sizes, ws, bs = article_net()
    with pytest.raises(ValueError, match="input_names must be 3 names"):
        draw_network(sizes, ws, bs, tmp_path / "a.png", input_names=["a", "b"])
    with pytest.raises(TypeError, match="output_names must be a list"):
        draw_network(sizes, ws, bs, tmp_path / "a.png", output_names="ab")
    assert not (tmp_path / "a.png").exists()
