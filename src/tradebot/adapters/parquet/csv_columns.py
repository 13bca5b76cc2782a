"""Reading an OHLCV CSV into named text columns, keeping each row's line number.

Line numbers are what a user needs to find a bad row in an editor, so rows are read with the
``csv`` module (which counts physical lines, quoted newlines included) rather than a fast
parser that renumbers after skipping blank lines. Blank lines are skipped; numbering stays true.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from tradebot.domain.errors import DataError

__all__ = ["TIME_COLUMNS", "CsvColumns", "RowProblems", "read_csv_columns"]

TIME_COLUMNS = ("timestamp", "datetime", "date", "time")


@dataclass(frozen=True, slots=True)
class CsvColumns:
    """The file's columns by lower-cased, stripped header name, and each row's line number."""

    path: Path
    columns: dict[str, list[str]]
    lines: list[int]

    def __len__(self) -> int:
        return len(self.lines)


@contextmanager
def _open_text(path: Path) -> Iterator[io.TextIOBase]:
    raw = path.open("rb")
    try:
        magic = raw.read(2)
        raw.seek(0)
        binary = gzip.GzipFile(fileobj=raw) if magic == b"\x1f\x8b" else raw
        with io.TextIOWrapper(binary, encoding="utf-8-sig", newline="") as text:
            yield text
    finally:
        raw.close()


def read_csv_columns(path: Path) -> CsvColumns:
    """Read ``path`` (plain or gzip, detected by content) into text columns.

    Raises :class:`DataError` when the file is missing, empty, not UTF-8, or a row has a
    different number of fields than the header (naming that line).
    """
    if not path.is_file():
        raise DataError(f"{path}: no such file", "check the path of the CSV to import")
    try:
        with _open_text(path) as text:
            reader = csv.reader(text)
            header = next(reader, None)
            if header is None:
                raise DataError(f"{path}: the file is empty", "export the bars with a header row")
            names = [h.strip().lower() for h in header]
            seen = {n for n in names if names.count(n) > 1}
            if seen:
                raise DataError(
                    f"{path}: line 1: duplicate column(s) {', '.join(sorted(seen))}",
                    "give every column a distinct name",
                )
            columns: list[list[str]] = [[] for _ in names]
            lines: list[int] = []
            width = len(names)
            for row in reader:
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                if len(row) != width:
                    raise DataError(
                        f"{path}: line {reader.line_num}: {len(row)} fields, "
                        f"but the header has {width}",
                        "fix the row so that it has one value per column",
                    )
                lines.append(reader.line_num)
                for col, value in zip(columns, row, strict=True):
                    col.append(value)
    except (UnicodeDecodeError, gzip.BadGzipFile, EOFError, csv.Error) as exc:
        raise DataError(
            f"{path}: cannot read as CSV: {exc}", "save the file as UTF-8 CSV (optionally .gz)"
        ) from exc
    return CsvColumns(path, dict(zip(names, columns, strict=True)), lines)


class RowProblems:
    """Row problems found so far: the earliest line wins the report, the rest are counted."""

    def __init__(self, path: Path, lines: NDArray[np.int64]) -> None:
        self.path = path
        self.lines = lines
        self.bad = np.zeros(len(lines), dtype=np.bool_)
        self.first: tuple[int, str] | None = None
        self.extra = 0  # bad rows found by the per-symbol checks (not marked in ``bad``)

    def flag(self, mask: NDArray[np.bool_], describe: Callable[[int], str]) -> None:
        """Mark rows failing a parse check; ``describe(row)`` words the first new one."""
        new = mask & ~self.bad
        if new.any():
            row = int(np.flatnonzero(new)[0])
            self.note(int(self.lines[row]), describe(row))
            self.bad |= new

    def note(self, line: int, problem: str) -> None:
        if self.first is None or line < self.first[0]:
            self.first = (line, problem)

    def raise_if_any(self) -> None:
        if self.first is None:
            return
        total = int(self.bad.sum()) + self.extra
        more = f" (and {total - 1} more bad rows)" if total > 1 else ""
        line, problem = self.first
        raise DataError(
            f"{self.path}: line {line}: {problem}{more}",
            "fix or remove the row and import again; nothing was written",
        )
