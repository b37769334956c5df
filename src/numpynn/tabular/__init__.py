"""Tables: reading CSV files, column types, features and targets, their JSON state, and
the bundled data sets."""

from .preprocessing import *  # noqa: F403 - the package's face is preprocessing's __all__
from .preprocessing import __all__  # noqa: F401
