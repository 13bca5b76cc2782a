"""Reading an OHLCV CSV into named text columns, keeping each row's line number.

Line numbers are what a user needs to find a bad row in an editor, so rows are read with the
``csv`` module (which counts physical lines, quoted newlines included) rather than a fast
parser that renumbers after skipping blank lines. Blank lines are skipped; numbering stays true.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tradebot.domain.errors import DataError

__all__ = ["TIME_COLUMNS", "CsvColumns", "read_csv_columns"]

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
