"""Layers beyond the dense stack, each a slice of the one flat ``theta``: category
embeddings, periodic embeddings of numeric features and a per-feature scale in front of a
dense stack (the table network of
:mod:`numpynn.tabular_network`), with their forward and backward passes.

Modules: :mod:`.layout` (where each block lives in theta), :mod:`.embedding` (gather and
scatter-add), :mod:`.periodic` (numeric features' cosine embeddings), :mod:`.input_block`
(embeddings + scale), :mod:`.workspace` (one batch's forward and backward pass),
:mod:`.inference` (prediction), :mod:`.data_init` (data-driven initialisation).
"""

from .data_init import init_dense_from_data
from .inference import table_forward
from .input_block import scaled_features
from .layout import PARAMETER_GROUPS, EmbeddingSlice, InputLayout, InputViews
from .periodic import PeriodicViews, init_periodic
from .workspace import TableWorkspace

__all__ = [
    "PARAMETER_GROUPS",
    "EmbeddingSlice",
    "InputLayout",
    "InputViews",
    "PeriodicViews",
    "TableWorkspace",
    "init_dense_from_data",
    "init_periodic",
    "scaled_features",
    "table_forward",
]
