"""Tables: reading files and DataFrames, column roles, features and targets, their JSON
state, the table model, and the bundled data sets. NumPy alone for the core; reading
CSV files fast, and Parquet and Feather files at all, uses pyarrow (``numpynn[cli]``).

The whole job in one class (what ``numpynn train`` runs)::

    model = TableModel().fit("train.csv", target="species")   # or a DataFrame
    model.predict(new_df); model.save("species.safetensors")

The pieces, in the order it uses them::

    table = read_table("train.csv")             # typed columns; table.notes: what it found
    rows = rows_with_target(table, "species")   # rows whose target is present
    train_idx, val_idx = train_validation_split(rows.size, 0.2, seed=0)
    train = rows[train_idx]
    pre = Preprocessor.fit(table, "species", rows=train)   # statistics from training rows
    enc = TargetEncoder.fit(table, "species", rows=rows)   # task detection + class labels
    X = pre.transform(table, rows)              # float32 (m, pre.n_features)
    y = enc.transform(table, rows)              # int64 (m,) or float32 (m, 1)
    state = {"pre": pre.to_dict(), "target": enc.to_dict()}   # JSON, round-trips exactly

Modules: :mod:`.reading` (read_table), :mod:`.csv_files` (read_csv, write_csv),
:mod:`.dialect` (delimiter, encoding), :mod:`.arrow_files` (pyarrow), :mod:`.frames`
(pandas), :mod:`.table` (Table), :mod:`.column_data` (typed columns), :mod:`.inference`
(text cells to numbers), :mod:`.values` (missing values), :mod:`.roles` (which columns are
features), :mod:`.columns` (one feature column), :mod:`.features` (Preprocessor),
:mod:`.target` (TargetEncoder), :mod:`.state` (checks of the JSON state),
:mod:`.model` (TableModel), :mod:`.model_state` (its file metadata), :mod:`.split`,
:mod:`.datasets` (bundled iris).
"""

from .column_data import NumberColumn, TextColumn
from .columns import UnseenCategoryWarning
from .csv_files import read_csv, write_csv
from .features import Preprocessor
from .model import TableModel
from .model_state import reading_options
from .reading import read_table
from .roles import choose_columns
from .split import train_validation_split
from .table import Table
from .target import MAX_AUTO_CLASSES, TargetEncoder, rows_with_target
from .values import MISSING_VALUES, is_missing

__all__ = [
    "MAX_AUTO_CLASSES",
    "MISSING_VALUES",
    "NumberColumn",
    "Preprocessor",
    "Table",
    "TableModel",
    "TargetEncoder",
    "TextColumn",
    "UnseenCategoryWarning",
    "choose_columns",
    "is_missing",
    "read_csv",
    "read_table",
    "reading_options",
    "rows_with_target",
    "train_validation_split",
    "write_csv",
]
