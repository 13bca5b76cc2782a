"""The bundled sample bars: present, adjusted, labelled at the XNYS close, small."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tradebot.adapters.parquet import ParquetReplayFeed, available_symbols
from tradebot.data import SAMPLE_SETS, sample_data_dir, sample_news_file
from tradebot.domain import DataError, Timeframe

EQUITIES = ["AAPL", "AMZN", "GOOGL", "JNJ", "JPM", "KO", "MSFT", "NVDA", "SPY", "TSLA", "XOM"]
STOCKNET = ["AAPL", "AMZN", "BABA", "BAC", "FB", "GOOG", "INTC", "JPM", "MSFT", "PCLN"]


def test_sample_sets_have_the_expected_symbols() -> None:
    assert available_symbols(sample_data_dir("equities_daily"), Timeframe.D1) == EQUITIES
    assert available_symbols(sample_data_dir("stocknet"), Timeframe.D1) == STOCKNET
    with pytest.raises(DataError, match="unknown sample data set"):
        sample_data_dir("crypto")


def test_bundle_stays_under_four_megabytes() -> None:
    files = [p for name in SAMPLE_SETS for p in sample_data_dir(name).iterdir()]
    assert sample_news_file() in files
    assert sum(p.stat().st_size for p in files) < 4_000_000


@pytest.mark.parametrize(
    ("name", "symbol", "first", "last", "count"),
    [
        ("equities_daily", "AAPL", date(2015, 1, 2), date(2021, 4, 21), 1586),
        ("equities_daily", "SPY", date(2017, 1, 3), date(2021, 6, 4), 1113),
        ("stocknet", "AAPL", date(2013, 3, 1), date(2015, 12, 31), 716),
        ("stocknet", "BABA", date(2014, 9, 19), date(2015, 12, 31), 324),
    ],
)
def test_date_ranges(name: str, symbol: str, first: date, last: date, count: int) -> None:
    frame = ParquetReplayFeed(sample_data_dir(name), [symbol], Timeframe.D1).frame(symbol)
    assert len(frame) == count
    assert frame.index[0].date() == first
    assert frame.index[-1].date() == last


def test_every_bar_is_utc_and_closes_at_the_xnys_close() -> None:
    feed = ParquetReplayFeed(sample_data_dir("equities_daily"), EQUITIES, Timeframe.D1)
    bars = list(feed.bars())
    assert len(bars) == 10 * 1586 + 1113
    assert all(b.ts.tzinfo is UTC for b in bars)
    assert {(b.ts.hour, b.ts.minute) for b in bars} == {
        (21, 0),
        (20, 0),
        (18, 0),
        (17, 0),
    }  # 13:00 ET half days
    half_day = [b for b in bars if b.ts.date() == date(2015, 11, 27)]
    assert {b.ts for b in half_day} == {datetime(2015, 11, 27, 18, tzinfo=UTC)}


def test_prices_are_split_adjusted() -> None:
    window = ParquetReplayFeed(
        sample_data_dir("equities_daily"),
        ["AAPL", "TSLA"],
        Timeframe.D1,
        start=datetime(2020, 8, 28),
        end=datetime(2020, 8, 31),
    )
    for symbol in ("AAPL", "TSLA"):
        before, after = window.frame(symbol)["close"].tolist()
        assert 0.7 < after / before < 1.5  # raw closes fall 75-80% at the 4:1 and 5:1 splits
