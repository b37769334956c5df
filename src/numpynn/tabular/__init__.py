"""Tables: reading CSV files, column types, features and targets, their JSON state, and
the bundled data sets. NumPy and the Python standard library only (no pandas).

The pieces, in the order the ``numpynn`` command uses them::

    table = read_csv("train.csv")                         # header row + string values
    train_idx, val_idx = train_validation_split(table.n_rows, 0.2, seed=0)
    train = table.take(train_idx)
    pre = Preprocessor.fit(train, target="species")       # statistics from training rows only
    enc = TargetEncoder.fit(train, "species")             # task detection + class labels
    X = pre.transform(table)                              # float32 (n, pre.n_features)
    y = enc.transform(table)                              # int64 (n,) or float32 (n, 1)
    state = {"pre": pre.to_dict(), "target": enc.to_dict()}   # JSON, round-trips exactly

Modules: :mod:`.table` (Table), :mod:`.csv_files` (read_csv, write_csv), :mod:`.values`
(missing values, numbers), :mod:`.columns` (one numeric or text feature column),
:mod:`.features` (Preprocessor), :mod:`.target` (TargetEncoder, task detection),
:mod:`.state` (checks of the JSON state), :mod:`.split` (train_validation_split),
:mod:`.datasets` (bundled iris).
"""

from .columns import UnseenCategoryWarning
from .csv_files import read_csv, write_csv
from .features import Preprocessor
from .reading import read_table
from .split import train_validation_split
from .table import Table
from .target import MAX_AUTO_CLASSES, TargetEncoder
from .values import MISSING_VALUES, is_missing

__all__ = [
    "MAX_AUTO_CLASSES",
    "MISSING_VALUES",
    "Preprocessor",
    "Table",
    "TargetEncoder",
    "UnseenCategoryWarning",
    "is_missing",
    "read_csv",
    "read_table",
    "train_validation_split",
    "write_csv",
]
