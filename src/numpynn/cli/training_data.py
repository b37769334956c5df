"""``numpynn train``'s data checks (stray text in numeric columns), the file's hash, and
the report on the data that both the plain network and the recipe print."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .common import CommandError, info

#: A text column whose present values are numbers except for at most this share is taken
#: to be a numeric column with bad values (an error), not a text column.
_STRAY_TEXT_SHARE = 0.1


def check_numeric_columns(table, columns: Sequence[str]) -> None:
    """Reject a column of numbers with a few text values: a typo, not a text column.

    The reader makes a column holding any non-number text (a single ``?`` marker aside);
    a numeric column with one bad cell would then be one-hot encoded value by value
    without a word.
    """
    from ..tabular import TextColumn
    from ..tabular.inference import first_non_number, parse_categories

    for name in dict.fromkeys(columns):
        col = table.typed_column(name)
        if not isinstance(col, TextColumn) or not len(col.categories):
            continue
        _, is_number, _ = parse_categories(col.categories.tolist(), ".")
        counts = col.counts()
        bad, present = int(counts[~is_number].sum()), int(counts.sum())
        if 0 < bad < present and bad <= _STRAY_TEXT_SHARE * present:
            first, value = first_non_number(col)
            more = f" (and {bad - 1} more)" if bad > 1 else ""
            raise CommandError(
                f"numeric column {name!r}: {table.where(first)} holds {value!r}, which is "
                f"not a number{more}; fix it, "
                "leave the cell empty (or NA) for a missing value, name the marker in "
                f"--na-values, or leave the column out with --drop"
            )


class FileHash:
    """The SHA-256 of a file's bytes, computed in a thread (hashlib releases the GIL), so
    that hashing a large file overlaps other work: a resumed run checks it trains on the
    same data, and the model file records it."""

    def __init__(self, path: Path) -> None:
        self._digest = hashlib.sha256()
        self._error: OSError | None = None
        self._thread = threading.Thread(target=self._run, args=(path,), daemon=True)
        self._thread.start()

    def _run(self, path: Path) -> None:
        try:
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 22), b""):
                    self._digest.update(block)
        except OSError as exc:
            self._error = exc

    def hexdigest(self) -> str:
        """The hex digest (waits for the thread); OSError if the file could not be read."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._digest.hexdigest()


def describe_data(model: Any, prepared: Any, source: Any) -> None:
    """Print the data and the task, the notes of the reading and the column rules, and
    the identifier columns, of a prepared table model (``TableModel`` or the recipe's)."""
    enc = model.target_encoder_
    if enc.is_classification:
        classes = list(enc.classes)
        shown = ", ".join(classes[:8]) + (f", ... ({len(classes)} in all)"
                                          if len(classes) > 8 else "")
        task = f"classification into {len(classes)} classes ({shown})"
    else:
        task = "regression"
    info(f"data: {source.name}, {prepared.table.n_rows} rows; target {source.target!r}: "
         f"{task}")
    for note in model.notes_:
        info(f"note: {note}")
    if prepared.roles.id_columns:
        info(f"identifiers (not features, kept for predict): "
             f"{', '.join(prepared.roles.id_columns)}")
