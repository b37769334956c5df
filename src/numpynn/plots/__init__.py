"""Pictures: training curves and network diagrams (matplotlib, the ``plot`` extra)."""

from .figures import *  # noqa: F403
from .figures import __all__  # noqa: F401
