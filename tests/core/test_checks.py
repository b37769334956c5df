"""numpynn.core.checks and the architecture check: one message style everywhere."""

import numpy as np
import pytest

from numpynn import NeuralNetwork
from numpynn.core.architecture import check_architecture
from numpynn.core.checks import check_finite, check_name, check_names, check_sizes
from numpynn.core.layout import Layout


@pytest.mark.parametrize(("sizes", "error", "match"), [
    (3, TypeError, "sizes must be a sequence of ints, got 3"),
    ("342", TypeError, "sizes must be a sequence of ints, got '342'"),
    ((3,), ValueError, r"a network needs at least two sizes \(inputs and outputs\), got 1"),
    ((3, 0, 2), ValueError, "every size must be at least 1, size 1 is 0"),
    ((3, 4.0, 2), TypeError, r"size 1 must be an int, got 4.0 \(float\)"),
    ([3, True], TypeError, r"size 1 must be an int, got True \(bool\)"),
])
def test_check_sizes_names_the_entry(sizes, error, match):
    with pytest.raises(error, match=match):
        check_sizes(sizes)


def test_check_sizes_accepts_numpy_ints_and_arrays():
    assert check_sizes([np.int64(3), 4, np.uint8(2)]) == (3, 4, 2)
    assert check_sizes(np.array([3, 4, 2])) == (3, 4, 2)
    assert all(type(s) is int for s in check_sizes(np.array([3, 4, 2])))


def test_long_values_are_shortened_in_messages():
    with pytest.raises(ValueError) as excinfo:
        check_name("output_activation", "x" * 10_000, ["softmax"])
    assert len(str(excinfo.value)) < 200


def test_check_name_and_names():
    assert check_name("mode", "a", ("a", "b")) == "a"
    with pytest.raises(ValueError, match=r"mode must be one of \['a', 'b'\], got 'c'"):
        check_name("mode", "c", ("b", "a"))
    with pytest.raises(TypeError, match=r"mode must be a str among \['a'\], got 1 \(int\)"):
        check_name("mode", 1, ("a",))
    assert check_names("names", ["a", "b"], ("a", "b"), 2) == ("a", "b")
    with pytest.raises(TypeError, match="names must be a sequence of str"):
        check_names("names", "ab", ("a", "b"), 2)
    with pytest.raises(ValueError, match=r"names must hold 2 names \(one per hidden .*got 1"):
        check_names("names", ["a"], ("a",), 2)
    with pytest.raises(ValueError, match=r"names\[1\] must be one of"):
        check_names("names", ["a", "z"], ("a",), 2)


def test_check_finite_names_the_first_bad_value():
    check_finite("v", np.zeros(3, np.float32))
    check_finite("v", np.arange(3))  # integers are always finite
    message = r"v holds non-finite values \(NaN or inf\): inf at index 2"
    with pytest.raises(ValueError, match=message):
        check_finite("v", np.array([0.0, 1.0, np.inf, np.nan]))
    with pytest.raises(ValueError, match=r"at index \(1, 0\)"):
        check_finite("m", np.array([[0.0, 1.0], [np.nan, 2.0]], dtype=np.float32))


def test_architecture_check_is_shared_by_network_and_model_contents():
    from numpynn.io.schema import ModelContents

    assert check_architecture([3, 4, 2], ["relu"], "softmax") == ((3, 4, 2), ("relu",), "softmax")
    theta = np.zeros(Layout.count((3, 4, 2)), np.float32)
    for make in (
        lambda: NeuralNetwork(3, 4, 2, hidden_activation=["relu", "tanh"]),
        lambda: ModelContents((3, 4, 2), ("relu", "tanh"), "softmax", theta),
    ):
        with pytest.raises(ValueError, match=r"must hold 1 name \(one per hidden layer\), got 2"):
            make()
    for make in (
        lambda: NeuralNetwork(3, 4, 2, output_activation="relu"),
        lambda: ModelContents((3, 4, 2), ("relu",), "relu", theta),
    ):
        with pytest.raises(ValueError, match=r"output_activation must be one of .*got 'relu'"):
            make()


def test_network_single_hidden_activation_is_checked_once_by_name():
    with pytest.raises(ValueError, match=r"hidden_activation must be one of .*got 'leaky'"):
        NeuralNetwork(3, 4, 2, hidden_activation="leaky")
    with pytest.raises(TypeError, match="hidden_activation must be a str among"):
        NeuralNetwork(3, 4, 2, hidden_activation=3)
    assert NeuralNetwork([3, 4, 2]).sizes == (3, 4, 2)
