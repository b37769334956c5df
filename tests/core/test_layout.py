"""numpynn.core.layout.Layout: the one place that knows where each layer lives in theta."""

import numpy as np
import pytest

from numpynn.core.layout import Layout


def test_article_layout_offsets_and_count():
    layout = Layout((3, 4, 2))
    assert layout.num_weights == Layout.count((3, 4, 2)) == 26
    assert [(s.weight_start, s.bias_start, s.stop) for s in layout.layers] == [
        (0, 12, 16), (16, 24, 26)]
    assert layout.weight_shapes() == [(3, 4), (4, 2)]
    assert layout.weight_mask().sum() == 20


@pytest.mark.parametrize("sizes", [(1, 1), (5, 8, 7, 6, 3), (10, 1)])
def test_views_and_flatten_round_trip(sizes):
    layout = Layout(sizes)
    assert Layout.count(sizes) == layout.num_weights
    theta = np.arange(layout.num_weights, dtype=np.float32)
    weights, biases = layout.views_of(theta)
    assert all(np.shares_memory(w, theta) and np.shares_memory(b, theta)
               for w, b in zip(weights, biases))
    assert layout.flatten(weights, biases).tobytes() == theta.tobytes()


def test_wrong_shapes_are_named():
    layout = Layout((3, 4, 2))
    with pytest.raises(ValueError, match=r"flat must have shape \(26,\) \(num_weights\)"):
        layout.views_of(np.zeros(25, np.float32))
    weights, biases = layout.views_of(np.zeros(26, np.float32))
    with pytest.raises(ValueError, match="must hold 2 arrays each"):
        layout.flatten(weights[:1], biases)
    with pytest.raises(ValueError, match=r"weights\[1\] and biases\[1\] must have shapes"):
        layout.flatten([weights[0], weights[1].T], biases)
    with pytest.raises(ValueError, match="every size must be at least 1, size 1 is 0"):
        Layout((3, 0, 2))
    with pytest.raises(TypeError, match="sizes must be a sequence of ints, got 3"):
        Layout(3)
