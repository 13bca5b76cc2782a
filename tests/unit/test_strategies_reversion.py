"""Reversion strategies on hand-built bars with known answers: mean_reversion, bollinger,
vwap, volume_profile."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from tests.unit.test_strategies_support import (
    LONG,
    MINUTE,
    SHORT,
    bar,
    bars_of,
    build,
    events,
    run,
)
from tradebot.domain import Bar, ConfigError
from tradebot.strategies import Strategy

# --- mean_reversion -------------------------------------------------------------------------


def test_rsi_oversold_buys_overbought_sells_with_extremity_as_strength() -> None:
    # RSI2 (Wilder): i2 = 50, i3 = 33.3, i4 = 20 (gain .125, loss .5), i5 = 86.2 (1.5625/.25).
    strategy = build("mean_reversion", period=2)
    assert strategy.warmup_period == 3
    ops = run(strategy, bars_of([10, 11, 10, 9.5, 9, 12]))
    assert events(ops) == [(4, LONG), (5, SHORT)]
    assert ops[4] is not None and ops[4].strength == pytest.approx((30 - 20) / 30)
    rsi5 = 100 * 1.5625 / (1.5625 + 0.25)
    assert ops[5] is not None and ops[5].strength == pytest.approx((rsi5 - 70) / 30)


def test_rsi_keeps_its_view_while_extreme_but_not_on_a_flat_market() -> None:
    # Two falls: RSI 0 (strength 1); one unchanged close: still 0; two unchanged: flat.
    ops = run(build("mean_reversion", period=2), bars_of([10, 9, 8, 8, 8, 8]))
    assert events(ops) == [(2, LONG), (3, LONG)]
    assert ops[2] is not None and ops[2].strength == 1.0
    assert events(run(build("mean_reversion"), bars_of([42.0] * 100))) == []


def test_rsi_thresholds_are_validated() -> None:
    with pytest.raises(ConfigError, match=r"'oversold' = 60.*oversold < 50"):
        build("mean_reversion", oversold=60)


# --- bollinger ------------------------------------------------------------------------------


def test_bollinger_reentry_from_below_buys() -> None:
    # period 3, k 1: i3 window (10, 10, 7): mean 9, std sqrt(2), lower 7.586 -> 7 is outside;
    # i4 window (10, 7, 9): lower 7.42 -> 9 is back inside: LONG.
    strategy = build("bollinger", period=3, k=1.0, min_bandwidth=0.0)
    ops = run(strategy, bars_of([10, 10, 10, 7, 9]))
    assert events(ops) == [(4, LONG)]
    depth = (9 - math.sqrt(2) - 7) / (2 * math.sqrt(2))
    assert ops[4] is not None and ops[4].strength == pytest.approx(0.5 + depth)


def test_bollinger_reentry_from_above_sells() -> None:
    ops = run(build("bollinger", period=3, k=1.0, min_bandwidth=0.0), bars_of([10, 10, 10, 13, 11]))
    assert events(ops) == [(4, SHORT)]


def test_bollinger_needs_minimum_bandwidth_and_clears_the_setup() -> None:
    # Same path; the bands at re-entry are 28.8 % wide, below a 30 % minimum: no signal, and
    # the setup is gone, so the next inside bar says nothing either.
    strategy = build("bollinger", period=3, k=1.0, min_bandwidth=0.30)
    assert events(run(strategy, bars_of([10, 10, 10, 7, 9, 9]))) == []


def test_bollinger_flat_market_and_gap_in_a_flat_market() -> None:
    flat = bars_of([20.0] * 50)
    assert events(run(build("bollinger", min_bandwidth=0.0), flat)) == []
    # A gap down after a flat stretch goes outside; coming back inside buys (bands wide now).
    ops = run(build("bollinger", period=3, k=1.0, min_bandwidth=0.0), bars_of([20.0] * 5 + [5, 19]))
    assert events(ops) == [(6, LONG)]


# --- vwap -----------------------------------------------------------------------------------

_MIN = datetime(2024, 3, 4, 14, 0, tzinfo=UTC)


def _minutes(
    closes: Sequence[float], volumes: Sequence[float], start: datetime = _MIN
) -> list[Bar]:
    return bars_of(closes, volumes, step=MINUTE, start=start)


def test_vwap_one_opinion_per_stretch_and_rearms_inside_the_threshold() -> None:
    strategy = build("vwap", threshold=0.01, min_session_bars=2)
    closes = [100, 100, 98, 97, 99.5, 101.6, 101.7]
    volumes = [100, 100, 100, 100, 100, 100, 100]
    ops = run(strategy, _minutes(closes, volumes))
    # i2 VWAP 99.33 (-1.34 %): LONG; i3 still stretched: nothing; i4 back within 1 %;
    # i5 VWAP 99.35 (+2.26 %): SHORT; i6 same stretch: nothing.
    assert events(ops) == [(2, LONG), (5, SHORT)]
    dev2 = (98 - 298 / 3) / (298 / 3)
    assert ops[2] is not None and ops[2].strength == pytest.approx(abs(dev2) / 0.02)
    assert ops[5] is not None and ops[5].strength == 1.0


def test_vwap_session_is_the_utc_date_of_the_close_label() -> None:
    strategy = build("vwap", threshold=0.01, min_session_bars=2)
    start = datetime(2024, 3, 4, 23, 58, tzinfo=UTC)
    # 23:58, 23:59, 00:00 (closes the old day: same session) then 00:01, 00:02 (new day).
    ops = run(strategy, _minutes([100, 100, 102, 102, 102], [100] * 5, start=start))
    assert events(ops) == [(2, SHORT)]  # 00:00 is the third bar of the old session
    # On a new day the anchor restarts: VWAP = 102, no deviation.


def test_vwap_session_time_zone() -> None:
    # 05:00 UTC is New York midnight in March before DST: 04:59 and 05:00 are one session.
    start = datetime(2024, 3, 4, 4, 58, tzinfo=UTC)
    bars = _minutes([100, 100, 102, 102], [100] * 4, start=start)
    ny = run(build("vwap", threshold=0.01, min_session_bars=2, session_tz="America/New_York"), bars)
    assert events(ny) == [(2, SHORT)]
    with pytest.raises(ConfigError, match="unknown time zone 'Mars/Base'"):
        build("vwap", session_tz="Mars/Base")


def test_vwap_time_gap_across_days_restarts_the_anchor() -> None:
    strategy = build("vwap", threshold=0.01, min_session_bars=2)
    day1 = _minutes([100, 100, 100], [100] * 3)
    day2 = _minutes([90, 90, 91], [100] * 3, start=datetime(2024, 3, 6, 14, 0, tzinfo=UTC))
    assert events(run(strategy, day1 + day2)) == []  # 90 is far below day 1's VWAP, not day 2's


def test_vwap_without_volume_says_nothing() -> None:
    ops = run(build("vwap", min_session_bars=1), _minutes([100, 80, 120], [0, 0, 0]))
    assert events(ops) == []


# --- volume_profile -------------------------------------------------------------------------

_BASE = [95.0] + [100.0] * 8 + [105.0]
_BASE_VOL = [10.0] + [100.0] * 8 + [10.0]


def _profile() -> Strategy:
    return build("volume_profile", window=10, bins=5, value_area=0.7)


def test_volume_profile_bounce_off_value_area_low() -> None:
    # Window of i0..i9: bins of width 2 from 95: POC bin 99..101, which holds 800/820 of the
    # volume, so the value area is 99..101. i10 closes below it (98); at i11 the window is
    # i1..i10: lo 98, hi 105, bins of 1.4: POC 100.1, VAL 99.4; 99.5 is back inside: LONG.
    strategy = _profile()
    assert strategy.warmup_period == 11
    ops = run(strategy, bars_of([*_BASE, 98.0, 99.5], [*_BASE_VOL, 10.0, 10.0]))
    assert events(ops) == [(11, LONG)]
    assert ops[11] is not None
    assert ops[11].strength == pytest.approx(0.5 + 0.5 * (100.1 - 99.5) / (100.1 - 99.4))


def test_volume_profile_rejection_at_value_area_high() -> None:
    # i11 window: lo 100, hi 105, bins of 1: POC 100.5, VA 100..101; 100.8 re-enters above POC.
    ops = run(_profile(), bars_of([*_BASE, 102.0, 100.8], [*_BASE_VOL, 10.0, 10.0]))
    assert events(ops) == [(11, SHORT)]
    assert ops[11] is not None
    assert ops[11].strength == pytest.approx(0.5 + 0.5 * (100.8 - 100.5) / (101 - 100.5))


def test_volume_profile_reentry_on_the_far_side_of_the_poc_is_silent() -> None:
    # From below the VAL straight to above the POC (100.1) but inside the value area.
    ops = run(_profile(), bars_of([*_BASE, 98.0, 100.5, 99.5], [*_BASE_VOL, 10.0, 10.0, 10.0]))
    assert events(ops) == []


def test_volume_profile_flat_or_volumeless_window_says_nothing() -> None:
    assert events(run(_profile(), bars_of([100.0] * 30))) == []
    closes = [*_BASE, 98.0, 99.5]
    assert events(run(_profile(), bars_of(closes, [0.0] * len(closes)))) == []


def test_volume_profile_bins_the_typical_price_not_the_close() -> None:
    # The bounce above, except that the eight heavy bars trade up to 106: their typical price
    # is 102, so the value area sits at 100.8..102.2 and 99.5 is still below it.
    highs = [95.0] + [106.0] * 8 + [105.0]
    bars = [
        bar(c, i=i, high=h, volume=v)
        for i, (c, h, v) in enumerate(zip(_BASE, highs, _BASE_VOL, strict=True))
    ]
    bars += [bar(98.0, i=10, volume=10.0), bar(99.5, i=11, volume=10.0)]
    assert events(run(_profile(), bars)) == []
