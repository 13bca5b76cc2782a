"""Curve metrics on hand-computed cases: daily and monthly returns, drawdowns, exposure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest

from tradebot.backtest.metrics import (
    daily_returns,
    exposure,
    longest_drawdown,
    max_drawdown,
    monthly_returns,
)
from tradebot.backtest.metrics.curve import exposure_of_flags, to_ns

T0 = datetime(2024, 3, 4, tzinfo=UTC)


def days(*offsets: int) -> list[datetime]:
    return [T0 + timedelta(days=d) for d in offsets]


def test_daily_bars_give_one_return_per_day_after_the_first() -> None:
    assert daily_returns(days(0, 1, 2), [100.0, 110.0, 99.0]) == pytest.approx([0.1, -0.1])


def test_intraday_points_use_each_days_last_value_and_the_first_point_as_base() -> None:
    ts = [
        T0 + timedelta(hours=9),
        T0 + timedelta(hours=16),
        T0 + timedelta(days=1, hours=10),
        T0 + timedelta(days=1, hours=15),
        T0 + timedelta(days=2, hours=12),
    ]
    got = daily_returns(ts, [100.0, 102.0, 101.0, 103.02, 99.0])
    assert got == pytest.approx([0.02, 0.01, 99.0 / 103.02 - 1.0])


def test_days_are_utc_days_whatever_the_offset_of_the_timestamps() -> None:
    late = datetime(2024, 3, 4, 23, 30, tzinfo=UTC)
    ts = [late - timedelta(hours=1), late, late + timedelta(hours=1)]  # 22:30, 23:30, 00:30
    new_york = timezone(timedelta(hours=-5))  # the same instants are all on the 4th there
    expected = pytest.approx([0.1, 0.1])
    assert daily_returns(ts, [100.0, 110.0, 121.0]) == expected
    assert daily_returns([t.astimezone(new_york) for t in ts], [100.0, 110.0, 121.0]) == expected
    mixed = [ts[0], ts[1].astimezone(new_york), ts[2]]  # mixed offsets: each goes through UTC
    assert daily_returns(mixed, [100.0, 110.0, 121.0]) == expected


def test_timestamps_as_datetimes_numpy_and_pandas_agree() -> None:
    ts = days(0, 1, 5)
    as_numpy = np.array([t.replace(tzinfo=None) for t in ts], dtype="datetime64[us]")
    assert list(to_ns(ts)) == list(to_ns(as_numpy))
    assert to_ns(ts)[1] - to_ns(ts)[0] == 86_400 * 10**9


def test_empty_and_single_point_curves_have_no_returns() -> None:
    assert daily_returns([], []).size == 0
    assert daily_returns(days(0), [100.0]).size == 0


def test_max_drawdown_is_the_deepest_fall_below_a_running_peak() -> None:
    assert max_drawdown([100.0, 110.0, 99.0, 105.0, 110.0, 120.0, 90.0, 100.0]) == pytest.approx(
        -0.25
    )
    assert max_drawdown([100.0, 101.0, 102.0]) == 0.0
    assert np.isnan(max_drawdown([100.0]))  # no return at all, as empyrical


EQUITY = [100.0, 110.0, 99.0, 105.0, 110.0, 120.0, 90.0, 100.0]


def test_longest_drawdown_runs_from_the_peak_to_its_recovery() -> None:
    spell = longest_drawdown(days(0, 1, 2, 3, 4, 5, 6, 7), EQUITY)
    # 110 at day 1, under water on days 2-3, back at 110 on day 4: 3 days, 3 bars. The later
    # fall from 120 (day 5) is unrecovered at day 7: 2 days.
    assert (spell.start, spell.end) == (T0 + timedelta(days=1), T0 + timedelta(days=4))
    assert (spell.duration, spell.bars, spell.recovered) == (timedelta(days=3), 3, True)


def test_longest_drawdown_is_longest_in_time_and_may_be_unrecovered() -> None:
    spell = longest_drawdown(days(0, 1, 2, 3, 4, 5, 20, 30), EQUITY)
    assert (spell.start, spell.end) == (T0 + timedelta(days=5), T0 + timedelta(days=30))
    assert (spell.duration, spell.bars, spell.recovered) == (timedelta(days=25), 2, False)


def test_a_curve_always_at_its_high_has_no_drawdown_spell() -> None:
    spell = longest_drawdown(days(0, 1, 2), [1.0, 1.0, 2.0])
    assert (spell.duration, spell.bars, spell.recovered) == (timedelta(0), 0, True)
    assert longest_drawdown([], []).start is None


def test_exposure_counts_points_between_entry_and_exit_once() -> None:
    ts = [T0 + timedelta(minutes=i) for i in range(10)]
    entries = [ts[2], ts[4]]
    exits = [ts[5], ts[7]]  # held at points 2-4 and 4-6: five of ten points
    assert exposure(ts, entries, exits) == 0.5
    assert exposure(ts, [], []) == 0.0
    # An entry between points is held from the next one; an exit after the end, to the end.
    late = [ts[7] + timedelta(seconds=30)]
    assert exposure(ts, late, [ts[-1] + timedelta(hours=1)]) == 0.2
    assert np.isnan(exposure([], [], []))


def test_exposure_from_flags_or_counts() -> None:
    assert exposure_of_flags([True, False, True, True]) == 0.75
    assert exposure_of_flags([0, 2, 1, 0]) == 0.5


def test_monthly_table_compounds_within_each_month_year_by_year() -> None:
    ts = [
        datetime(2024, 1, 15, tzinfo=UTC),
        datetime(2024, 1, 31, tzinfo=UTC),
        datetime(2024, 2, 10, tzinfo=UTC),
        datetime(2024, 3, 31, tzinfo=UTC),
        datetime(2025, 1, 2, tzinfo=UTC),
    ]
    table = monthly_returns(ts, [100.0, 110.0, 99.0, 108.9, 98.01])
    assert [row.year for row in table] == [2024, 2025]
    assert table[0].months[:3] == pytest.approx((0.1, -0.1, 0.1))
    assert table[0].months[3:] == (None,) * 9
    assert table[0].total == pytest.approx(1.1 * 0.9 * 1.1 - 1.0)
    assert table[1].months[0] == pytest.approx(-0.1)
    assert table[1].total == pytest.approx(-0.1)


def test_a_first_month_with_only_the_first_point_has_no_return() -> None:
    ts = [datetime(2024, 1, 31, tzinfo=UTC), datetime(2024, 2, 29, tzinfo=UTC)]
    (row,) = monthly_returns(ts, [100.0, 110.0])
    assert row.months[0] is None
    assert row.months[1] == pytest.approx(0.1)
    assert monthly_returns([], []) == []


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="timestamps"):
        longest_drawdown(days(0, 1), [1.0])
    with pytest.raises(ValueError, match="1-D"):
        max_drawdown([[1.0, 2.0]])
