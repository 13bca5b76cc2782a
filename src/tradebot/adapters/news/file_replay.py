"""Replay timestamped news items from a file: the backtest's news source.

Formats: CSV (``.csv``, ``.csv.gz``) and JSON Lines (``.jsonl``, ``.ndjson``, optionally
``.gz``). Columns (CSV) or keys (JSONL), the same in both, case-insensitive, first match
wins: time ``timestamp | published_at | datetime | date | time``; headline ``title |
headline | text``; optional ``body | summary | description``, ``url | link``, ``source |
publisher``, ``symbol | symbols | ticker`` (``AAPL`` or ``AAPL,MSFT``).

A replay must survive the odd broken item, so an item that is not JSON, not an object, or has
no usable time or title is skipped and counted (``skipped``, ``skip_reasons``, ``first_skip``)
and the source logs one warning line summing them up. But a file that yields nothing usable
at all (empty, every item bad, the time or title under a name we do not know) fails with one
line naming the first bad line (:class:`DataError`), as do a missing file, an unknown format
and a CSV without a time or title column: a run "with news" that had none would mislead.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tradebot.domain.errors import DataError
from tradebot.domain.messages import Article
from tradebot.ops.logging import get_logger

__all__ = ["MAX_SKIP_REASONS", "FileReplaySource", "content_hash"]

_END_OF_DAY = time(23, 59, 59)
MAX_SKIP_REASONS = 1000  # reasons kept verbatim; ``skipped`` keeps counting past it
_TIME = ("timestamp", "published_at", "datetime", "date", "time")
_TITLE = ("title", "headline", "text")
_BODY = ("body", "summary", "description")
_URL = ("url", "link")
_SOURCE = ("source", "publisher")
_SYMBOL = ("symbol", "symbols", "ticker")
_CSV_SUFFIXES = (".csv", ".csv.gz")
_JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
_NEEDS = f"each item needs a time ({', '.join(_TIME)}) and a title ({', '.join(_TITLE)})"


def content_hash(title: str, body: str = "") -> str:
    """sha256 hex of the lower-cased, whitespace-folded title and body: the same story
    re-published with other spacing or case hashes the same."""
    text = " ".join(title.lower().split()) + "\n" + " ".join(body.lower().split())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class FileReplaySource:
    """Articles from ``path`` in ``published_at`` order (file order among equal times).

    ``start``/``end`` are inclusive and compared by date, like the market feed: an item is kept
    when the UTC date of its time lies in ``[start.date(), end.date()]``. ``symbols`` keeps items
    tagged with one of them (case-insensitive) *and* untagged items, which may still name a
    ticker in their text. Naive times are read in ``tz``. An item whose content hash and symbols
    were already seen is yielded once. The file is read on the first :meth:`articles` call;
    then ``usable`` counts the items that parsed (before the date and symbol filters) and
    ``skipped`` those that did not, ``first_skip`` naming the first (``"line 3: not valid
    JSON (...)"``).
    """

    def __init__(
        self,
        path: Path,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        symbols: Sequence[str] | None = None,
        tz: str = "UTC",
    ) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise DataError(f"news file {self.path} does not exist", "check the path")
        name = self.path.name.lower()
        if name.endswith(_CSV_SUFFIXES):
            self._format = "csv"
        elif name.endswith(_JSONL_SUFFIXES):
            self._format = "jsonl"
        else:
            raise DataError(
                f"news file {self.path}: unknown format",
                "use .csv, .jsonl or .ndjson (each optionally .gz)",
            )
        try:
            self._zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise DataError(f"unknown time zone {tz!r}", "use an IANA name such as UTC") from exc
        self._first_day = start.date() if start is not None else None
        self._last_day = end.date() if end is not None else None
        self._symbols = frozenset(s.upper() for s in symbols) if symbols is not None else None
        self._articles: list[Article] | None = None
        self.usable = 0
        self.skipped = 0
        self.skip_reasons: list[str] = []

    @property
    def first_skip(self) -> str | None:
        """The first skipped item's line and problem, or ``None`` when nothing was skipped."""
        return self.skip_reasons[0] if self.skip_reasons else None

    def articles(self) -> Iterator[Article]:
        return iter(self.load())

    def load(self) -> list[Article]:
        """Read and check the file now (once), so that a file with nothing usable fails
        before a run starts rather than at its first event; the articles :meth:`articles`
        yields."""
        if self._articles is None:
            self._articles = self._load()
        return self._articles

    def _load(self) -> list[Article]:
        self.usable, self.skipped, self.skip_reasons = 0, 0, []
        kept: list[Article] = []
        seen: set[tuple[str, tuple[str, ...]]] = set()
        rows = self._csv_rows() if self._format == "csv" else self._jsonl_rows()
        for line, row in rows:
            article = self._article(line, row)
            if article is None:
                continue
            self.usable += 1
            if not self._wanted(article):
                continue
            key = (article.content_hash, article.symbols_hint)
            if key not in seen:
                seen.add(key)
                kept.append(article)
        self._report()
        kept.sort(key=lambda a: a.published_at)  # stable: file order among equal times
        return kept

    def _report(self) -> None:
        """Fail when nothing was usable; otherwise one warning line for what was skipped."""
        if self.usable == 0:
            if self.first_skip is None:
                raise DataError(f"news file {self.path} holds no news items", _NEEDS)
            raise DataError(
                f"news file {self.path}: no usable news item ({self.skipped:,} skipped; "
                f"first: {self.first_skip})",
                _NEEDS,
            )
        if self.skipped:
            get_logger("news-replay").warning(  # bound now: logging is configured by then
                "news items skipped",
                file=str(self.path),
                skipped=self.skipped,
                usable=self.usable,
                first=self.first_skip,
            )

    def _skip(self, line: int, reason: str) -> None:
        self.skipped += 1
        if len(self.skip_reasons) < MAX_SKIP_REASONS:
            self.skip_reasons.append(f"line {line}: {reason}")

    def _text(self) -> io.TextIOWrapper:
        raw = self.path.open("rb")
        magic = raw.read(2)
        raw.seek(0)
        binary = gzip.GzipFile(fileobj=raw) if magic == b"\x1f\x8b" else raw
        return io.TextIOWrapper(binary, encoding="utf-8-sig", errors="replace", newline="")

    def _csv_rows(self) -> Iterator[tuple[int, Mapping[str, Any]]]:
        with self._text() as text:
            reader = csv.DictReader(text)
            if reader.fieldnames is None:
                raise DataError(f"news file {self.path} is empty", _NEEDS)
            fields = [f.strip().lower() for f in reader.fieldnames]
            missing = [
                "/".join(names) for names in (_TIME, _TITLE) if not any(n in fields for n in names)
            ]
            if missing:
                raise DataError(
                    f"news file {self.path}: no {' or '.join(missing)} column "
                    f"(found: {', '.join(fields) or 'none'})",
                    "name the columns timestamp and title (or headline/text)",
                )
            reader.fieldnames = fields
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:  # e.g. a field over the size limit: lose one row only
                    self._skip(reader.line_num, f"unreadable CSV row ({exc})")
                    continue
                except (OSError, EOFError) as exc:  # truncated gzip: keep what was read
                    self._skip(reader.line_num, f"file unreadable from here on ({exc})")
                    return
                yield reader.line_num, row

    def _jsonl_rows(self) -> Iterator[tuple[int, Mapping[str, Any]]]:
        with self._text() as text:
            for line, raw in _lines(text, self._skip):
                if not raw.strip():
                    continue
                try:
                    item = json.loads(raw)
                except json.JSONDecodeError as exc:
                    self._skip(line, f"not valid JSON ({exc.msg})")
                    continue
                if not isinstance(item, dict):
                    self._skip(line, "not a JSON object")
                    continue
                yield line, {str(k).strip().lower(): v for k, v in item.items()}

    def _article(self, line: int, row: Mapping[str, Any]) -> Article | None:
        """The row as an Article, or ``None`` (and a recorded reason) if it is unusable."""
        if not any(k in row for k in _TIME):
            self._skip(line, f"no time ({', '.join(_TIME)})")
            return None
        raw_time = _first(row, _TIME)
        published = self._parse_time(raw_time)
        if published is None:
            self._skip(line, f"bad timestamp {raw_time!r}")
            return None
        if not any(k in row for k in _TITLE):
            self._skip(line, f"no title ({', '.join(_TITLE)})")
            return None
        title = _first(row, _TITLE).strip()
        if not title:
            self._skip(line, "empty title")
            return None
        body = _first(row, _BODY).strip()
        return Article(
            source=_first(row, _SOURCE).strip() or self.path.name,
            url=_first(row, _URL).strip(),
            title=title,
            body=body,
            published_at=published,
            content_hash=content_hash(title, body),
            symbols_hint=_symbols(row.get(next((k for k in _SYMBOL if k in row), ""))),
        )

    def _parse_time(self, raw: str) -> datetime | None:
        text = raw.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
        if len(text) <= 10:  # dated, not timed: assume the end of that day, never earlier,
            moment = datetime.combine(moment.date(), _END_OF_DAY)  # so nothing is seen too soon
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self._zone)
        return moment.astimezone(UTC)

    def _wanted(self, article: Article) -> bool:
        day = article.published_at.date()
        if self._first_day is not None and day < self._first_day:
            return False
        if self._last_day is not None and day > self._last_day:
            return False
        hints = article.symbols_hint
        return self._symbols is None or not hints or any(s in self._symbols for s in hints)


def _lines(text: io.TextIOWrapper, skip: Callable[[int, str], None]) -> Iterator[tuple[int, str]]:
    """Numbered lines; a truncated or corrupt gzip ends the file with a recorded reason."""
    line = 0
    try:
        for line, raw in enumerate(text, start=1):
            yield line, raw
    except (OSError, EOFError) as exc:
        skip(line + 1, f"file unreadable from here on ({exc})")


def _first(row: Mapping[str, Any], names: Iterable[str]) -> str:
    """The first non-empty of ``names`` in ``row``, as text ("" when none)."""
    for name in names:
        value = row.get(name)
        if value is not None and str(value).strip():
            return str(value)
    return ""


def _symbols(value: Any) -> tuple[str, ...]:
    """``"AAPL"``, ``"AAPL, msft"`` or ``["AAPL", "MSFT"]`` → ``("AAPL", "MSFT")``."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else str(value).replace(";", ",").split(",")
    return tuple(dict.fromkeys(s for s in (str(i).strip().upper() for i in items) if s))
