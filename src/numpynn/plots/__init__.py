"""Pictures: training curves and network diagrams (matplotlib, the ``plot`` extra).

Modules: :mod:`.history` (plot_history), :mod:`.diagram` (draw_network),
:mod:`.feature_weights` (plot_feature_weights: a per-input summary for wide networks),
:mod:`.weight_labels` (where a diagram writes its weights), :mod:`.figure_files` (a Figure
without pyplot, written atomically).
"""

from .diagram import draw_network
from .feature_weights import plot_feature_weights
from .history import plot_history

__all__ = ["draw_network", "plot_feature_weights", "plot_history"]
