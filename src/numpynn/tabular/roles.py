"""Column roles: which columns are features, which are identifiers, which are left out.

:func:`choose_columns` applies the user's choices (``features``, ``drop``, ``id_columns``,
``categorical``, ``keep``) and then, for the columns the user did not name, three rules
that keep a first run from training on nonsense, each with a one-line note:

* a column missing in every training row carries nothing: left out;
* an *identifier* (at least 20 rows, no gaps): an integer or text column whose value is
  different in every row, or an integer column that runs in row order (monotone, with
  more than half of its values distinct). A row number leaks the order of the file (on
  data sorted by the target it predicts the target perfectly and new rows badly);
* a text column with more than ``max_categories`` distinct values (free text, a name):
  one-hot encoding would give it a feature per value.

``keep`` (``--keep``) overrides the last two.  A column of ISO dates (``2021-03-04``, maybe
with a time) left out by them gets a note that says it holds dates: numpynn reads none.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .column_data import Column, NumberColumn, TextColumn
from .recipe_columns import MIN_GAP_ROWS
from .table import Table

__all__ = ["ColumnRoles", "choose_columns", "check_present", "identifier_reason",
           "missing_report"]

#: Fewer rows than this and no column is taken for an identifier (a small table's
#: integer column is often distinct in every row by chance).
MIN_ROWS_FOR_IDENTIFIERS = 20


@dataclass
class ColumnRoles:
    """What :func:`choose_columns` decided.

    Attributes
    ----------
    features : list of str
        The feature columns, in table order (or in the order of ``features``).
    categorical : list of str
        Number columns among them to one-hot encode.
    id_columns : list of str
        Identifier columns the user named: not features, copied to predictions.
    left_out : list of str
        Columns left out by the rules (not by ``drop``).
    notes : list of str
        One line per rule applied.
    """

    features: list[str]
    categorical: list[str]
    id_columns: list[str]
    left_out: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _names(value: Sequence[str] | str | None, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    names = list(value)
    for v in names:
        if not isinstance(v, str):
            raise TypeError(f"{what} must be column names (str), got {v!r}")
    return names


def did_you_mean(name: str, choices: Sequence[str]) -> str:
    """``" (did you mean 'Species'?)"`` for a name in the wrong case or slightly misspelt;
    ``""`` when no choice is close."""
    options = list(choices)
    lowered = name.lower()
    same = [c for c in options if c.lower() == lowered]
    if not same:
        by_lower = {c.lower(): c for c in reversed(options)}
        close = difflib.get_close_matches(lowered, list(by_lower), n=1, cutoff=0.75)
        same = [by_lower[c] for c in close]
    return f" (did you mean {same[0]!r}?)" if same else ""


def check_present(table: Table, names: Sequence[str], what: str) -> None:
    """Raise ValueError unless every one of ``names`` is a column of ``table``; the message
    names ``what`` (the option), the columns there are, and a close match ("did you mean").
    """
    absent = [n for n in names if not table.has_column(n)]
    if not absent:
        return
    hint = next((h for h in (did_you_mean(n, table.columns) for n in absent) if h), "")
    raise ValueError(f"{what}: no column named {', '.join(map(repr, absent))} in "
                     f"{table.source}{hint}; the columns are {table.columns}")


def identifier_reason(col: NumberColumn | TextColumn) -> str | None:
    """Why ``col`` looks like an identifier (see the module docstring), or None."""
    n = len(col)
    if n < MIN_ROWS_FOR_IDENTIFIERS or col.n_missing:
        return None
    if isinstance(col, TextColumn):
        return "a different value in every row" if len(col.categories) == n and \
            bool((col.counts() == 1).all()) else None
    if not col.is_integral():
        return None
    values = col.values
    steps = np.diff(values)
    distinct = np.unique(values).size
    if distinct == n:
        return "a different whole number in every row" + (
            ", in row order" if (steps > 0).all() or (steps < 0).all() else "")
    if ((steps >= 0).all() or (steps <= 0).all()) and distinct > n // 2:
        return "whole numbers in row order"
    return None


def choose_columns(
    table: Table,
    target: str | None,
    *,
    features: Sequence[str] | None = None,
    drop: Sequence[str] = (),
    id_columns: Sequence[str] = (),
    categorical: Sequence[str] = (),
    keep: Sequence[str] = (),
    max_categories: int | None = 100,
    rows: np.ndarray | None = None,
) -> ColumnRoles:
    """Decide the role of every column of ``table`` (see the module docstring).

    Parameters
    ----------
    table : Table
    target : str or None
        Never a feature.
    features : sequence of str, optional
        Use exactly these columns (the rules then only leave out an empty one).
    drop, id_columns, categorical, keep : sequence of str
        Columns to leave out; identifier columns (left out, kept for predictions); number
        columns to one-hot encode; columns the rules must not leave out.
    max_categories : int or None
        The most distinct values a text column may have before the rules leave it out.
    rows : ndarray of int64, optional
        The training rows (default: all), for the rule on empty columns.

    Raises
    ------
    ValueError
        A named column is not in the table, is the target, is named in two roles that
        exclude each other, or no feature column is left.
    """
    chosen = _names(features, "features") if features is not None else None
    drop, ids = _names(drop, "drop"), _names(id_columns, "id_columns")
    cats, keep = _names(categorical, "categorical"), _names(keep, "keep")
    _check_roles(table, target, chosen, drop, ids, cats, keep)
    excluded = {target, *drop, *ids}
    candidates = chosen if chosen is not None else \
        [c for c in table.columns if c not in excluded]
    named = set(chosen or []) | set(cats) | set(keep)
    roles = ColumnRoles([], [], ids)
    for name in candidates:
        note = _rule(table, name, rows, max_categories, automatic=name not in named)
        if note is None:
            roles.features.append(name)
        else:
            roles.left_out.append(name)
            roles.notes.append(note)
    if not roles.features:
        raise ValueError(f"no feature columns left in {table.source}"
                         + (f" (left out: {', '.join(roles.left_out)})" if roles.left_out
                            else "; name some with features (--features)"))
    roles.categorical = [c for c in cats if isinstance(table.typed_column(c), NumberColumn)]
    return roles


def _check_roles(table: Table, target: str | None, chosen: list[str] | None,
                 drop: list[str], ids: list[str], cats: list[str], keep: list[str]) -> None:
    """Every named column exists, none is the target, none is both left out and used."""
    for what, names in (("features", chosen or []), ("drop", drop), ("id_columns", ids),
                        ("categorical", cats), ("keep", keep)):
        check_present(table, names, what)
        if target is not None and target in names:
            raise ValueError(f"{what}: {target!r} is the target column")
    clash = sorted(set(drop + ids) & set((chosen or []) + cats + keep))
    if clash:
        raise ValueError(f"column {clash[0]!r} is both left out (drop or id_columns) and "
                         "used (features, categorical or keep)")


def _rule(table: Table, name: str, rows: np.ndarray | None, max_categories: int | None,
          *, automatic: bool) -> str | None:
    """The note of the rule that leaves column ``name`` out, or None to use it."""
    col = table.typed_column(name)
    training = col if rows is None or not col.n_missing else col.take(rows)
    if training.n_missing == len(training):
        return f"column {name!r} is empty (no value in the training rows): left out"
    if not automatic:
        return None
    note = _left_out_note(col, name, rows, max_categories)
    if note is not None and isinstance(col, TextColumn) and _all_dates(col.categories):
        # the same rule, the note that says why (a few dates stay, as categories)
        return (f"column {name!r} holds dates (such as {col.categories[0]!r}): left out, as "
                f"numpynn reads no dates; to use them, turn them into numbers first (days "
                f"since a start, a month, a weekday)")
    return note


def _left_out_note(col: Column, name: str, rows: np.ndarray | None,
                   max_categories: int | None) -> str | None:
    """The identifier and many-categories rules: the note, or None to use the column."""
    reason = identifier_reason(col)
    if reason is not None:
        return (f"column {name!r} looks like an identifier ({reason}): left out; to use it "
                f"as a feature: --keep {_shell(name)} (keep=[{name!r}] in Python)")
    if isinstance(col, TextColumn) and max_categories is not None:
        training = col.take(rows) if rows is not None and \
            len(col.categories) > max_categories else col
        distinct = int(np.count_nonzero(training.counts()))
        if distinct > max_categories:
            return (f"column {name!r} has {distinct} distinct text values (free text or "
                    f"a name?): left out; to one-hot encode it anyway: --keep {_shell(name)} "
                    f"(keep=[{name!r}] in Python), or raise --max-categories")
    return None


#: ISO 8601 dates, with a time of day maybe: the one unambiguous way to write them.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
                       r"(Z|[+-]\d{2}:?\d{2})?)?")


def _all_dates(categories: np.ndarray, most: int = 1000) -> bool:
    """Whether the first ``most`` categories (a sample enough to tell) are all dates."""
    sample = categories[:most].tolist()
    return bool(sample) and all(_ISO_DATE.fullmatch(str(c)) for c in sample)


def _shell(name: str) -> str:
    """``name`` as one shell word."""
    return name if name.replace("_", "").replace("-", "").replace(".", "").isalnum() \
        else "'" + name.replace("'", "'\\''") + "'"


def missing_report(table: Table, columns: Sequence[str], rows: np.ndarray | None = None,
                   *, most: int = 8) -> str | None:
    """One line: how many cells of each of ``columns`` are missing (in ``rows``), or None.

    The columns with gaps come in table order, at most ``most`` of them, then a count.
    """
    found = []
    n = table.n_rows if rows is None else rows.size
    for name in columns:
        col = table.typed_column(name)
        if not col.n_missing:
            continue
        missing = int(np.count_nonzero(col.missing if rows is None else col.missing[rows]))
        if missing:
            found.append(f"{name} {missing} ({100 * missing / max(n, 1):.1f}%)")
    if not found:
        return None
    more = f", and {len(found) - most} more columns" if len(found) > most else ""
    return ("missing values: " + ", ".join(found[:most]) + more + "; a number gap is filled "
            "with the training median and flagged in a '<column> (missing)' feature (by the "
            f"realmlp recipe when {MIN_GAP_ROWS} or more training rows have one), a text "
            "gap is a category of its own")
