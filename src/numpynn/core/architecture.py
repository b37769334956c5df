"""The one check of a network's architecture: sizes and activation names.

The network, :class:`~numpynn.io.schema.ModelContents` and the model-file reader all call
:func:`check_architecture`, so a wrong architecture reads the same wherever it comes from.
"""

from __future__ import annotations

from typing import Any

from .activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from .checks import check_name, check_names, check_sizes

__all__ = ["check_architecture"]


def check_architecture(
    sizes: Any,
    hidden_activations: Any,
    output_activation: Any,
    hidden_name: str = "hidden_activations",
) -> tuple[tuple[int, ...], tuple[str, ...], str]:
    """Validate and normalise an architecture.

    Parameters
    ----------
    sizes : sequence of int
        Input size, hidden sizes, output size: at least two ints >= 1.
    hidden_activations : sequence of str
        One of :data:`~numpynn.core.activations.HIDDEN_ACTIVATIONS` per hidden layer
        (``len(sizes) - 2`` names).
    output_activation : str
        One of :data:`~numpynn.core.activations.OUTPUT_ACTIVATIONS`.
    hidden_name : str, default "hidden_activations"
        How messages call the hidden activations (the network's argument is
        ``hidden_activation``).

    Returns
    -------
    (tuple of int, tuple of str, str)

    Raises
    ------
    TypeError, ValueError
        Naming the field (``size 1``, ``hidden_activations[0]``, ...), what it must be and
        what it was.
    """
    checked_sizes = check_sizes(sizes)
    hidden = check_names(hidden_name, hidden_activations, HIDDEN_ACTIVATIONS,
                         len(checked_sizes) - 2)
    output = check_name("output_activation", output_activation, OUTPUT_ACTIVATIONS)
    return checked_sizes, hidden, output
