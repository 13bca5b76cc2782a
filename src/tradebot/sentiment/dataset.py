"""Labelled texts for evaluation and training: the bundled split or a user's CSV.

A dataset is a CSV (optionally gzip) with a ``text`` column and a ``sentiment`` column of
``positive`` / ``neutral`` / ``negative``; a ``split`` column, when present, selects rows.
The bundled file is the twitter-financial-news set (MIT; provenance in
``tradebot/data/PROVENANCE.md``), with a ``train`` and a ``valid`` split. Like the lexicon,
this module only reads files; everything it returns is plain data.
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from tradebot.domain.errors import DataError
from tradebot.sentiment.result import Label

__all__ = ["LabelledText", "bundled_dataset_path", "read_labelled_csv"]

_BUNDLED = ("sentiment", "twitter_financial_news.csv.gz")
_REQUIRED = ("text", "sentiment")


@dataclass(frozen=True, slots=True)
class LabelledText:
    text: str
    label: Label


def bundled_dataset_path() -> Path:
    """The bundled twitter-financial-news CSV (train and valid splits)."""
    path = Path(str(files("tradebot.data").joinpath(*_BUNDLED)))
    if not path.is_file():
        raise DataError(
            "the bundled sentiment dataset is missing from the installed package",
            "reinstall tradebot (tradebot/data/sentiment/twitter_financial_news.csv.gz)",
        )
    return path


def _open_text(path: Path) -> io.TextIOBase:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    try:
        return io.StringIO(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{path} is not UTF-8 text (byte {exc.start})", "save the CSV as UTF-8"
        ) from exc


def read_labelled_csv(path: Path, *, split: str | None = None) -> list[LabelledText]:
    """Rows of ``path`` (all, or those whose ``split`` column equals ``split``)."""
    if not path.is_file():
        raise DataError(f"dataset {path} not found", "check the --dataset path")
    reader = csv.DictReader(_open_text(path))
    columns = reader.fieldnames or []
    missing = [name for name in _REQUIRED if name not in columns]
    if missing:
        raise DataError(
            f"dataset {path} has no column {', '.join(missing)} (columns: {', '.join(columns)})",
            "give a CSV with columns text and sentiment (positive/neutral/negative)",
        )
    if split is not None and "split" not in columns:
        raise DataError(f"dataset {path} has no split column", "drop the split selection")
    allowed = {label.value for label in Label}
    rows: list[LabelledText] = []
    for row in reader:
        if split is not None and row.get("split") != split:
            continue
        value = (row.get("sentiment") or "").strip().lower()
        if value not in allowed:
            raise DataError(
                f"dataset {path} line {reader.line_num}: sentiment "
                f"{row.get('sentiment')!r} is not one of positive, neutral, negative",
                "fix the label or remove the row",
            )
        rows.append(LabelledText(row.get("text") or "", Label(value)))
    if not rows:
        where = f" in split {split!r}" if split is not None else ""
        raise DataError(f"dataset {path} has no rows{where}", "give a CSV with labelled rows")
    return rows
