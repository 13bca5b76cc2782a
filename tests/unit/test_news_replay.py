"""FileReplaySource: order, de-duplication, skipping bad items, filters, file-level errors."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from tradebot.adapters.news import FileReplaySource, content_hash
from tradebot.domain import DataError
from tradebot.ports import NewsSource

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CSV_HEADER = "timestamp,symbol,source,url,title,body"


def csv_file(tmp_path: Path, rows: list[str], name: str = "news.csv") -> Path:
    path = tmp_path / name
    text = "\n".join([CSV_HEADER, *rows]) + "\n"
    if name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


def test_content_hash_ignores_case_and_spacing() -> None:
    assert content_hash("Apple  BEATS\testimates", "Shares up") == content_hash(
        "apple beats estimates", " shares   up "
    )
    assert content_hash("a", "b") != content_hash("a b", "")
    assert len(content_hash("x")) == 64


def test_csv_is_replayed_in_time_order_and_deduplicated(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        [
            "2021-04-21T15:00:00Z,AAPL,twitter,u1,Second item,",
            "2021-04-21T14:00:00Z,AAPL,twitter,u2,First item,",
            "2021-04-21T16:00:00Z,AAPL,twitter,u3,  FIRST   item ,",  # same story again
            "2021-04-21T16:00:00Z,MSFT,twitter,u4,First item,",  # same text, other symbol
        ],
        name="news.csv.gz",
    )
    source = FileReplaySource(path)
    assert isinstance(source, NewsSource)
    articles = list(source.articles())
    assert [(a.title, a.symbols_hint) for a in articles] == [
        ("First item", ("AAPL",)),
        ("Second item", ("AAPL",)),
        ("First item", ("MSFT",)),
    ]
    assert all(a.published_at.tzinfo is not None for a in articles)
    assert articles[0].content_hash == content_hash("First item")
    assert list(source.articles()) == articles  # replays again from the start


def test_jsonl_bad_items_are_skipped_and_counted_good_ones_kept() -> None:
    source = FileReplaySource(FIXTURES / "news_small.jsonl")
    articles = list(source.articles())
    assert [a.title for a in articles] == [
        "Tesla recalls cars",
        "Apple unveils new iMac",
        "Markets wrap",
    ]
    tesla, apple, wrap = articles
    assert tesla.published_at == datetime(2021, 4, 20, 13, 30, tzinfo=UTC)
    assert apple.body == "M1 chip inside."
    assert apple.symbols_hint == ("AAPL",)
    assert apple.source == "Reuters"
    assert wrap.published_at == datetime(2021, 4, 22, 23, 59, 59, tzinfo=UTC)  # date only
    assert wrap.url == ""
    assert source.skipped == 3
    assert source.skip_reasons == [
        "line 3: not valid JSON (Expecting value)",
        "line 6: bad timestamp ''",
        "line 7: not a JSON object",
    ]


def test_csv_rows_with_bad_time_or_empty_title_are_skipped(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        [
            "2021-04-21T14:00:00Z,AAPL,twitter,u1,Good,",
            "yesterday,AAPL,twitter,u2,Bad time,",
            "2021-04-21T14:00:00Z,AAPL,twitter,u3,   ,",
            "2021-04-21T15:00:00,AAPL,twitter,u4,Naive time,",
        ],
    )
    source = FileReplaySource(path, tz="America/New_York")
    articles = list(source.articles())
    assert [a.title for a in articles] == ["Good", "Naive time"]
    assert articles[1].published_at == datetime(2021, 4, 21, 19, tzinfo=UTC)
    assert source.skipped == 2
    assert source.skip_reasons == ["line 3: bad timestamp 'yesterday'", "line 4: empty title"]


def test_start_end_and_symbol_filters(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        [
            "2021-04-19T23:00:00Z,AAPL,s,u,Before,",
            "2021-04-20T00:00:00Z,AAPL,s,u,Start day,",
            "2021-04-21T23:59:00Z,MSFT,s,u,End day other symbol,",
            "2021-04-21T23:59:00Z,,s,u,End day untagged,",
            "2021-04-22T00:00:00Z,AAPL,s,u,After,",
        ],
    )
    window = FileReplaySource(path, start=datetime(2021, 4, 20), end=datetime(2021, 4, 21))
    assert [a.title for a in window.articles()] == [
        "Start day",
        "End day other symbol",
        "End day untagged",
    ]
    only_aapl = FileReplaySource(path, symbols=["aapl"])
    assert [a.title for a in only_aapl.articles()] == [
        "Before",
        "Start day",
        "End day untagged",
        "After",
    ]


def test_file_level_problems_are_data_errors(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        FileReplaySource(tmp_path / "missing.csv")
    odd = tmp_path / "news.xlsx"
    odd.write_text("x")
    with pytest.raises(DataError, match="unknown format"):
        FileReplaySource(odd)
    no_title = tmp_path / "no_title.csv"
    no_title.write_text("timestamp,url\n2021-04-21T14:00:00Z,u\n")
    with pytest.raises(DataError, match="no title/headline/text column"):
        list(FileReplaySource(no_title).articles())
    with pytest.raises(DataError, match="unknown time zone"):
        FileReplaySource(no_title, tz="Nowhere/Land")


def test_truncated_gzip_keeps_what_was_read(tmp_path: Path) -> None:
    rows = [f"2021-04-21T14:{m:02d}:00Z,AAPL,s,u,Item {m} {'x' * 50},body" for m in range(60)]
    path = csv_file(tmp_path, rows, name="news.csv.gz")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    source = FileReplaySource(path)
    articles = list(source.articles())
    assert 0 < len(articles) < 60
    assert source.skipped == 1
    assert "unreadable from here on" in source.skip_reasons[0]


def jsonl_file(tmp_path: Path, lines: list[str], name: str = "news.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(f"{line}\n" for line in lines))
    return path


def test_time_is_a_time_key_in_jsonl_and_a_time_column_in_csv(tmp_path: Path) -> None:
    jsonl = jsonl_file(
        tmp_path, ['{"time": "2021-04-21T14:00:00Z", "title": "Apple beats", "symbol": "AAPL"}']
    )
    csv = tmp_path / "news.csv"
    csv.write_text("Time,Headline\n2021-04-21T14:00:00Z,Apple beats\n")
    for path in (jsonl, csv):
        source = FileReplaySource(path)
        [article] = list(source.articles())
        assert article.published_at == datetime(2021, 4, 21, 14, tzinfo=UTC)
        assert article.title == "Apple beats"
        assert (source.usable, source.skipped, source.first_skip) == (1, 0, None)


def test_skipped_items_are_counted_named_and_logged_once(tmp_path: Path) -> None:
    path = jsonl_file(
        tmp_path,
        [
            '{"time": "2021-04-21T14:00:00Z", "title": "Good"}',
            "{broken",
            '{"when": "2021-04-21T15:00:00Z", "title": "No time key"}',
            '{"time": "2021-04-21T15:00:00Z", "body": "no title key"}',
            '"a string"',
        ],
    )
    source = FileReplaySource(path)
    with capture_logs() as logs:
        assert [a.title for a in source.articles()] == ["Good"]
    assert source.usable == 1
    assert source.skipped == 4
    assert source.first_skip is not None
    assert source.first_skip.startswith("line 2: not valid JSON")
    assert source.skip_reasons[1:] == [
        "line 3: no time (timestamp, published_at, datetime, date, time)",
        "line 4: no title (title, headline, text)",
        "line 5: not a JSON object",
    ]
    warnings = [e for e in logs if e["log_level"] == "warning"]
    assert len(warnings) == 1
    assert warnings[0]["skipped"] == 4
    assert warnings[0]["first"] == source.first_skip


@pytest.mark.parametrize(
    ("name", "lines", "expected"),
    [
        ("all_bad.jsonl", ["not json", "[1, 2]"], "no usable news item (2 skipped; first: line 1"),
        (
            "unknown_keys.jsonl",
            ['{"when": "2021-04-21", "title": "a"}', '{"when": "2021-04-22", "title": "b"}'],
            "first: line 1: no time (timestamp, published_at",
        ),
        ("blank.jsonl", ["", "  "], "holds no news items"),
        ("bad_rows.csv", ["timestamp,title", "yesterday,a", "2021-04-21,"], "first: line 2: bad"),
        ("header_only.csv", ["timestamp,title"], "holds no news items"),
        ("empty.csv", [], "is empty"),
    ],
)
def test_a_file_with_nothing_usable_is_one_data_error_naming_the_first_bad_line(
    tmp_path: Path, name: str, lines: list[str], expected: str
) -> None:
    path = jsonl_file(tmp_path, lines, name=name)
    source = FileReplaySource(path)
    with pytest.raises(DataError) as err:
        source.load()
    message = err.value.one_line()
    assert expected in message
    assert str(path) in message
    assert "\n" not in message
    assert "title" in err.value.hint


def test_items_outside_the_window_are_usable_not_an_error(tmp_path: Path) -> None:
    path = jsonl_file(tmp_path, ['{"time": "2021-04-21T14:00:00Z", "title": "Old news"}'])
    source = FileReplaySource(path, start=datetime(2022, 1, 1), end=datetime(2022, 2, 1))
    assert source.load() == []
    assert (source.usable, source.skipped) == (1, 0)
