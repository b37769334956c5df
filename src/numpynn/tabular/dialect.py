"""What kind of CSV file a file is: its text encoding, delimiter and decimal mark.

:func:`sniff_dialect` reads the first 256 KiB of the file. The delimiter is the one of
``,`` ``;`` tab ``|`` that splits every complete line of that sample into the same number
(at least two) of fields, preferring more fields, then that order; a file where none does
is read as comma-separated. A ``;``- or tab-separated file whose numbers use a decimal
comma (``1,5``, and no ``1.5``) is read with a decimal comma.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import re
from dataclasses import dataclass
from pathlib import Path

from .inference import without_unit

__all__ = ["Dialect", "sniff_dialect", "check_delimiter", "encoding_hint", "sample_records"]

SAMPLE_BYTES = 1 << 18
_CANDIDATES = (",", ";", "\t", "|")
_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_DECIMAL_COMMA = re.compile(r"-?\d+,\d+")
_DECIMAL_POINT = re.compile(r"-?\d*\.\d+")


@dataclass(frozen=True)
class Dialect:
    """How to read one CSV file.

    Attributes
    ----------
    delimiter : str
        One character.
    encoding : str
        A Python codec name (``"utf-8"`` also skips a byte-order mark).
    decimal : {".", ","}
        The decimal mark of numbers.
    """

    delimiter: str = ","
    encoding: str = "utf-8"
    decimal: str = "."


def delimiter_name(delimiter: str) -> str:
    """``";"`` -> ``"semicolon (;)"``, for messages."""
    shown = "\\t" if delimiter == "\t" else delimiter
    return f"{_NAMES.get(delimiter, 'the character')} ({shown})"


def option_text(delimiter: str) -> str:
    """How to write ``delimiter`` on the command line: ``';'`` or ``tab``."""
    return "tab" if delimiter == "\t" else repr(delimiter)


def check_delimiter(delimiter: str | None, where: str) -> str | None:
    """``delimiter`` checked: one character (``"tab"`` and ``"\\t"`` mean a tab), or None."""
    if delimiter is None:
        return None
    if isinstance(delimiter, str) and delimiter.lower() in ("tab", "\\t"):
        return "\t"
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in "\r\n\"":
        raise ValueError(f"{where}: delimiter must be a single character (or 'tab'), got "
                         f"{delimiter!r}")
    return delimiter


def encoding_hint(name: str, detail: str) -> str:
    """The message for a file that is not UTF-8 text."""
    return (f"{name}: not UTF-8 text ({detail}); if it was saved by Excel or an older "
            "program it is probably Latin-1 or Windows-1252: pass --encoding latin-1 "
            "(encoding='latin-1' in Python)")


def _read_sample(path: Path) -> tuple[bytes, bool]:
    """The first bytes of the file (decompressed for .gz) and whether that is all of it."""
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    with opener(path, "rb") as fh:
        sample = fh.read(SAMPLE_BYTES + 1)
    return sample[:SAMPLE_BYTES], len(sample) <= SAMPLE_BYTES


def _decode(sample: bytes, complete: bool, encoding: str | None, name: str) -> str:
    """The sample as text; ValueError naming ``--encoding`` when it is not UTF-8."""
    codec = encoding or "utf-8-sig"
    try:
        return sample.decode(codec)
    except UnicodeDecodeError as exc:
        if not complete and exc.start >= len(sample) - 3:  # a character cut by the sample
            return sample[: exc.start].decode(codec)
        if encoding is None:
            raise ValueError(encoding_hint(name, f"{exc.reason} at byte {exc.start}")) from None
        raise ValueError(f"{name}: not {encoding} text ({exc.reason} at byte {exc.start}); "
                         "check --encoding") from None


def _field_counts(lines: list[str], delimiter: str) -> list[int]:
    """Fields per non-blank record of ``lines`` with ``delimiter``."""
    try:
        reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
        return [len(record) for record in reader if record and any(f.strip() for f in record)]
    except csv.Error:
        return []


def _best_delimiter(lines: list[str]) -> tuple[str, dict[str, list[int]]]:
    """The delimiter that splits ``lines`` evenly into the most fields (see the module)."""
    counts = {d: _field_counts(lines, d) for d in _CANDIDATES}
    even = [d for d in _CANDIDATES if counts[d] and min(counts[d]) >= 2
            and len(set(counts[d])) == 1]
    if even:
        return max(even, key=lambda d: (counts[d][0], -_CANDIDATES.index(d))), counts
    return ",", counts


def _decimal_of(lines: list[str], delimiter: str) -> str:
    if delimiter == ",":
        return "."
    # "€ 1,50" is a decimal comma as "1,50" is (else it would read as 150)
    cells = [without_unit(c.strip()) or c.strip() for line in lines[1:]
             for c in line.split(delimiter)]
    if any(_DECIMAL_COMMA.fullmatch(c) for c in cells) and \
            not any(_DECIMAL_POINT.fullmatch(c) for c in cells):
        return ","
    return "."


def sniff_dialect(path: Path, name: str, *, delimiter: str | None = None,
                  encoding: str | None = None) -> tuple[Dialect, list[str]]:
    """Find the encoding, delimiter and decimal mark of a CSV file.

    Parameters
    ----------
    path : Path
        An existing file.
    name : str
        The file as the user named it, for messages.
    delimiter : str, optional
        Use this delimiter (checked against the file: a file that is clearly split by
        another one is an error naming it).
    encoding : str, optional
        Use this encoding; default UTF-8, where a file that is not is an error naming
        ``--encoding``.

    Returns
    -------
    dialect : Dialect
    notes : list of str
        What was found that the user should know (a delimiter other than a comma, a
        decimal comma).

    Raises
    ------
    ValueError
        Not UTF-8 (or not ``encoding``) text, an unknown encoding, or a ``delimiter`` that
        does not split the file where another delimiter would.
    """
    if encoding is not None:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise ValueError(f"unknown encoding {encoding!r}; use a name such as utf-8, "
                             "latin-1 or cp1252") from None
        encoding = codec
    sample, complete = _read_sample(path)
    text = _decode(sample, complete, encoding, name)
    lines = text.splitlines()
    if not complete and lines:
        lines = lines[:-1]  # the last line may be cut short
    lines = lines[:200]
    best, counts = _best_delimiter(lines)
    notes: list[str] = []
    if delimiter is None:
        delimiter = best
        if best != ",":
            notes.append(f"{name}: read as {delimiter_name(best)}-separated")
    elif best != delimiter and counts[delimiter] and counts[delimiter][0] == 1 \
            and len(set(counts[best])) == 1 and counts[best][0] >= 2:
        raise ValueError(
            f"{name}: the header has no {delimiter_name(delimiter)} but the file looks "
            f"{delimiter_name(best)}-separated; pass --delimiter {option_text(best)} "
            f"(delimiter={best!r} in Python), or leave it out to detect it")
    decimal = _decimal_of(lines, delimiter)
    if decimal == ",":
        notes.append(f"{name}: numbers with a decimal comma (1,5) read as numbers")
    return Dialect(delimiter, encoding or "utf-8", decimal), notes


def sample_records(path: Path, dialect: Dialect, most: int = 2000) -> list[list[str]]:
    """The first complete records of the file (header first), at most ``most``, as
    :mod:`csv` reads them from the first 256 KiB; ``[]`` when that cannot be decoded."""
    sample, complete = _read_sample(path)
    codec = "utf-8-sig" if dialect.encoding == "utf-8" else dialect.encoding
    try:
        text = _decode(sample, complete, codec, str(path))
    except ValueError:
        return []
    lines = text.splitlines(keepends=True)
    if not complete and lines:
        lines = lines[:-1]
    try:
        records = [r for r in csv.reader(io.StringIO("".join(lines)),
                                         delimiter=dialect.delimiter) if r]
    except csv.Error:
        return []
    return records[: most + 1] if complete else records[:-1][: most + 1]
