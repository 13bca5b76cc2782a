"""Axis ticks, number and date text, heat-map colours: readable and locale-independent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tradebot.backtest.report.formatting import compact, duration, money, pct, stamp
from tradebot.backtest.report.heatmap import cell_colour
from tradebot.backtest.report.svg import esc, nice_ticks, time_ticks


def _ns(year: int, month: int, day: int, hour: int = 0) -> int:
    return int(datetime(year, month, day, hour, tzinfo=UTC).timestamp()) * 10**9


@pytest.mark.parametrize(
    ("lo", "hi", "step"),
    [(97_000.0, 290_000.0, 50_000.0), (-0.0217, 0.0, 0.005), (0.0, 1.0, 0.2), (5.0, 5.0, 0.02)],
)
def test_nice_ticks_are_round_and_cover_the_data(lo: float, hi: float, step: float) -> None:
    ticks, found = nice_ticks(lo, hi, 5)
    assert found == pytest.approx(step)
    assert ticks[0] <= lo and ticks[-1] >= hi
    assert 2 <= len(ticks) <= 8


def test_time_ticks_follow_the_calendar_for_each_span() -> None:
    two_years = time_ticks(_ns(2019, 1, 2), _ns(2020, 12, 31))
    assert [label for _, label in two_years] == [
        "Apr 2019",
        "Jul 2019",
        "Oct 2019",
        "Jan 2020",
        "Apr 2020",
        "Jul 2020",
        "Oct 2020",
    ]
    decade = [label for _, label in time_ticks(_ns(2005, 6, 1), _ns(2020, 6, 1))]
    assert decade == ["2006", "2008", "2010", "2012", "2014", "2016", "2018", "2020"]
    one_month = [label for _, label in time_ticks(_ns(2020, 3, 1), _ns(2020, 3, 31))]
    assert one_month[0] == "02 Mar 2020" and len(one_month) <= 8  # Mondays
    one_day = [label for _, label in time_ticks(_ns(2020, 3, 2, 14), _ns(2020, 3, 2, 21))]
    assert one_day[0] == "02 Mar 14:00"


def test_numbers_read_the_same_on_every_machine() -> None:
    assert money(-1234.5) == "-1,234.50"
    assert money(-0.001) == "0.00"
    assert money(None) == "—"
    assert pct(0.07010) == "7.01%"
    assert pct(0.0123, 1, signed=True) == "+1.2%"
    assert pct(float("nan")) == "—"
    assert compact(102_500.0, 2_500.0) == "102.5k"
    assert compact(1_250_000.0, 250_000.0) == "1.25M"
    assert compact(98.5, 0.5) == "98.5"
    assert duration(86_400 * 3.5) == "3d 12h"
    assert duration(45) == "45s"
    assert duration(3_600 * 5 + 1_800) == "5h 30m"
    assert stamp(datetime(2019, 1, 8, 21, tzinfo=UTC)) == "08 Jan 2019"
    assert stamp(datetime(2019, 1, 8, 14, 30, tzinfo=UTC)) == "08 Jan 2019 14:30"


def test_heat_map_colours_diverge_from_a_pale_middle() -> None:
    assert cell_colour(0.0, 0.1) == "#f8fafc"
    assert cell_colour(0.1, 0.1) == "#15803d"
    assert cell_colour(-0.5, 0.1) == "#b91c1c"  # saturates beyond the scale
    assert cell_colour(0.01, 0.1) not in ("#f8fafc", "#15803d")


def test_escaping_covers_quotes_for_attributes() -> None:
    assert esc("<a href='x'>\"&\"</a>") == (
        "&lt;a href=&#x27;x&#x27;&gt;&quot;&amp;&quot;&lt;/a&gt;"
    )
