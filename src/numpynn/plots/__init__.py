"""Pictures: training curves and network diagrams (matplotlib, the ``plot`` extra).

Modules: :mod:`.history` (plot_history), :mod:`.diagram` (draw_network),
:mod:`.weight_labels` (where a diagram writes its weights), :mod:`.figure_files` (a Figure
without pyplot, written atomically).
"""

from .diagram import draw_network
from .history import plot_history

__all__ = ["draw_network", "plot_history"]
