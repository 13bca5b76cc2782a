"""The XNYS window on real days, trading-day counts, the bundled tables and the parsers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tradebot.data import SAMPLE_SETS, sample_data_dir
from tradebot.data.reference import bundled_earnings, bundled_sectors
from tradebot.domain.errors import ConfigError, DataError
from tradebot.risk import AssetClass, RiskState, exchange_sessions, parse_earnings_csv
from tradebot.risk.config import WindowRules
from tradebot.risk.earnings import EarningsCalendar, trading_days_until, weekdays_between
from tradebot.risk.sectors import UNKNOWN_SECTOR, parse_sector_table
from tradebot.risk.trading_window import TradingWindow

CALENDAR = exchange_sessions(date(2020, 1, 1), date(2021, 12, 31))
WINDOW = TradingWindow(CALENDAR, WindowRules())


def _utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ts", "allowed"),
    [
        (_utc(2021, 3, 12, 14, 44), False),  # 9:44 New York, winter (UTC−5)
        (_utc(2021, 3, 12, 14, 45), True),  # 9:45
        (_utc(2021, 3, 12, 20, 44), True),  # 15:44
        (_utc(2021, 3, 12, 20, 45), False),  # 15:45: the window is half-open
        (_utc(2021, 3, 15, 13, 45), True),  # 9:45 after the switch to summer time (UTC−4)
        (_utc(2021, 3, 15, 19, 45), False),  # 15:45 summer time
        (_utc(2020, 11, 26, 16, 0), False),  # Thanksgiving: no session
        (_utc(2020, 11, 27, 17, 44), True),  # early close at 13:00: open until 12:45
        (_utc(2020, 11, 27, 17, 45), False),
        (_utc(2021, 3, 13, 16, 0), False),  # Saturday
    ],
)
def test_window_on_real_xnys_days(ts: datetime, allowed: bool) -> None:
    assert WINDOW.allows_entry(ts, AssetClass.EQUITY) is allowed


def test_window_outside_the_calendar_says_how_to_fix_it() -> None:
    verdict = WINDOW.entry_verdict(_utc(2023, 3, 1, 16), AssetClass.EQUITY)
    assert not verdict.allowed and "build the calendar" in verdict.detail
    assert TradingWindow(None, WindowRules()).allows_entry(_utc(2021, 3, 1, 16), AssetClass.CRYPTO)


def test_next_window_open_skips_the_weekend_and_holidays() -> None:
    wednesday_evening = _utc(2020, 11, 25, 21, 30)  # after the close, Thanksgiving next
    assert WINDOW.next_window_open(wednesday_evening) == _utc(2020, 11, 27, 14, 45)


def test_market_open_for_the_stale_price_rule() -> None:
    assert WINDOW.market_open(_utc(2021, 3, 12, 14, 30), AssetClass.EQUITY)  # 9:30 open
    assert not WINDOW.market_open(_utc(2021, 3, 12, 21, 0), AssetClass.EQUITY)  # 16:00 close
    assert WINDOW.market_open(_utc(2021, 3, 13, 3, 0), AssetClass.CRYPTO)


def test_trading_days_until_counts_sessions() -> None:
    friday = date(2020, 11, 20)
    monday_after = date(2020, 11, 30)
    # sessions 23, 24, 25, 27, 30 (Thanksgiving 26 is closed)
    assert trading_days_until(friday, monday_after, CALENDAR) == 5
    assert weekdays_between(friday, monday_after) == 6  # the fallback ignores holidays
    assert trading_days_until(friday, friday, CALENDAR) == 0
    assert trading_days_until(friday, date(2020, 11, 23), CALENDAR) == 1


def test_calendar_builder_refuses_bad_input() -> None:
    with pytest.raises(ConfigError, match="exchange calendar"):
        exchange_sessions(date(2020, 1, 1), date(2020, 2, 1), code="NOPE")
    with pytest.raises(ConfigError, match="empty"):
        exchange_sessions(date(2020, 2, 1), date(2020, 1, 1))


def test_bundled_sector_table_covers_every_bundled_symbol() -> None:
    table = bundled_sectors()
    bundled = {
        p.name.split("_")[0]
        for s in SAMPLE_SETS
        for p in Path(sample_data_dir(s)).glob("*.parquet")
    }
    assert bundled <= set(table.sectors)
    assert table.sector("AAPL") == "Information Technology"
    assert table.sector("PCLN") == "Consumer Discretionary"
    assert table.sector("NOPE") == UNKNOWN_SECTOR
    assert table.with_overrides({"BTC-USD": "Crypto"}).sector("BTC-USD") == "Crypto"


def test_bundled_earnings_use_the_bundled_tickers() -> None:
    cal = bundled_earnings()
    assert date(2020, 7, 30) in cal.dates["AAPL"]
    assert cal.dates["GOOGL"] == cal.dates["GOOG"]  # one company, two share classes
    assert date(2015, 1, 28) in cal.dates["FB"]  # filed as META today
    assert date(2016, 5, 4) in cal.dates["PCLN"]  # filed as BKNG today
    assert "SPY" not in cal.dates and "BABA" not in cal.dates
    assert cal.next_on_or_after("AAPL", date(2020, 7, 1)) == date(2020, 7, 30)


def test_earnings_parser_names_the_bad_line() -> None:
    with pytest.raises(DataError, match=r"line 3: '2020-13-01' is not a date"):
        parse_earnings_csv("symbol,earnings_date\nAAPL,2020-01-28\nAAPL,2020-13-01\n", "e.csv")
    with pytest.raises(DataError, match="missing column"):
        parse_earnings_csv("ticker,date\nAAPL,2020-01-28\n")
    merged = parse_earnings_csv("symbol,earnings_date\naapl,2020-01-28\n").merged(
        EarningsCalendar({"AAPL": (date(2020, 4, 30),)})
    )
    assert merged.dates["AAPL"] == (date(2020, 1, 28), date(2020, 4, 30))


def test_sector_parser_refuses_conflicts_and_blanks() -> None:
    with pytest.raises(DataError, match="listed twice"):
        parse_sector_table("symbol,sector\nA,Tech\nA,Energy\n")
    with pytest.raises(DataError, match="line 2: empty"):
        parse_sector_table("symbol,sector\nA,\n")


def test_state_from_an_unknown_version_or_corrupt_record_is_one_clear_error() -> None:
    plain = RiskState().to_dict()
    with pytest.raises(DataError, match="version 99"):
        RiskState.from_dict({**plain, "version": 99})
    with pytest.raises(DataError, match="does not decode"):
        RiskState.from_dict({**plain, "tier": "reckless"})
