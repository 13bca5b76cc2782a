"""Trend strategies on hand-built bars with known answers: sma_cross, ema_cross, macd, momentum."""

from __future__ import annotations

import pytest

from tests.unit.test_strategies_support import LONG, SHORT, bar, bars_of, build, events, run

# --- sma_cross ------------------------------------------------------------------------------


def test_sma_cross_long_then_short_with_price_relative_strength() -> None:
    # SMA2 / SMA3: i2 tie, i3 first sign (below), i6 crosses above, i7 crosses below.
    closes = [10, 10, 10, 9, 8, 9, 9.5, 8]
    ops = run(build("sma_cross", fast=2, slow=3), bars_of(closes))
    assert events(ops) == [(6, LONG), (7, SHORT)]
    up = ops[6]
    assert up is not None
    assert up.strength == pytest.approx(0.5 + 10 * ((9 + 9.5) / 2 - (8 + 9 + 9.5) / 3) / 9.5)
    assert up.confidence == 0.6
    assert "SMA2 crossed above SMA3" in up.reason
    down = ops[7]
    assert down is not None
    assert down.strength == pytest.approx(0.5 + 10 * ((9 + 9.5 + 8) / 3 - 8.75) / 8)


def test_sma_cross_tie_is_skipped_not_a_cross() -> None:
    # fast - slow: +, 0 (tie), + again -> no cross; then + -> 0 -> - is one cross down.
    closes = [10, 10, 11, 10, 11, 11, 11, 12, 12, 9]
    ops = run(build("sma_cross", fast=1, slow=2), bars_of(closes))
    # close - SMA2 from i1: 0, +.5, -.5, +.5, 0, 0, +.5, 0, -1.5
    assert events(ops) == [(3, SHORT), (4, LONG), (9, SHORT)]


def test_sma_cross_gap_gives_a_capped_strength() -> None:
    closes = [100.0, 101.0, 102.0, 103.0, 104.0, 90.0, 90.0, 200.0]
    ops = run(build("sma_cross", fast=2, slow=4), bars_of(closes))
    assert events(ops) == [(5, SHORT), (7, LONG)]
    assert ops[7] is not None and ops[7].strength == 1.0


# --- ema_cross ------------------------------------------------------------------------------


def test_ema_cross_golden_then_death_cross() -> None:
    # EMA2 (k=2/3) and EMA3 (k=1/2), both SMA-seeded: at i4 EMA2 = 98/9, EMA3 = 21/2;
    # at i5 EMA2 = 260/27, EMA3 = 39/4.
    ops = run(build("ema_cross", fast=2, slow=3), bars_of([10, 10, 10, 8, 12, 9]))
    assert events(ops) == [(4, LONG), (5, SHORT)]
    assert ops[4] is not None and ops[4].strength == pytest.approx(0.5 + 10 * (7 / 18) / 12)
    assert ops[5] is not None and ops[5].strength == pytest.approx(0.5 + 10 * (13 / 108) / 9)
    assert "golden cross" in ops[4].reason and "death cross" in ops[5].reason


def test_ema_cross_needs_slow_bars_before_anything() -> None:
    strategy = build("ema_cross", fast=2, slow=5)
    assert strategy.warmup_period == 5
    ops = run(strategy, bars_of([10, 12, 8, 14, 6]))
    assert events(ops) == []


# --- macd -----------------------------------------------------------------------------------


def test_macd_histogram_zero_cross_down_then_up() -> None:
    # fast 2, slow 3, signal 2 (TA-Lib alignment: first histogram at bar 3 = 0).
    # i4: macd .5, signal 1/3, hist 1/6; i5: macd -5/12, signal -1/6, hist -1/4;
    # i6: macd 41/72, signal 35/108, hist 53/216.
    closes = [1000, 1000, 1000, 1000, 1003, 998, 1004]
    strategy = build("macd", fast=2, slow=3, signal=2)
    assert strategy.warmup_period == 4
    ops = run(strategy, bars_of(closes))
    assert events(ops) == [(5, SHORT), (6, LONG)]
    swing5 = 1 / 6 + 1 / 4
    swing6 = 53 / 216 + 1 / 4
    assert ops[5] is not None and ops[5].strength == pytest.approx(0.5 + 0.5 * swing5 / 4.99)
    assert ops[6] is not None and ops[6].strength == pytest.approx(0.5 + 0.5 * swing6 / 5.02)


def test_macd_refuses_fast_not_below_slow() -> None:
    from tradebot.domain import ConfigError

    with pytest.raises(ConfigError, match=r"strategy 'macd': fast \(26\) must be smaller"):
        build("macd", fast=26, slow=26)


# --- momentum -------------------------------------------------------------------------------


def test_momentum_long_needs_rising_volume_short_does_not() -> None:
    closes = [10, 10, 10, 9, 9, 9.1, 8.95]
    volumes = [100, 100, 100, 100, 100, 150, 10]
    ops = run(build("momentum", period=3, volume_period=2), bars_of(closes, volumes))
    assert events(ops) == [(5, LONG), (6, SHORT)]
    sma5 = (9 + 9 + 9.1) / 3
    sma6 = (9 + 9.1 + 8.95) / 3
    assert ops[5] is not None
    assert ops[5].strength == pytest.approx((9.1 - sma5) / sma5 / 0.02)
    assert ops[6] is not None
    assert ops[6].strength == pytest.approx((sma6 - 8.95) / sma6 / 0.02)
    assert 0.3 < ops[6].strength < 0.4


def test_momentum_cross_on_thin_volume_is_ignored_and_needs_a_fresh_cross() -> None:
    closes = [10, 10, 10, 9, 9, 9.6, 9.9]
    volumes = [100, 100, 100, 100, 100, 90, 500]  # the cross bar has below-average volume
    ops = run(build("momentum", period=3, volume_period=2), bars_of(closes, volumes))
    assert events(ops) == []


def test_momentum_strength_is_proportional_to_distance_and_capped() -> None:
    closes = [10, 10, 10, 9, 9, 12]
    volumes = [100, 100, 100, 100, 100, 1000]
    ops = run(build("momentum", period=3, volume_period=2), bars_of(closes, volumes))
    assert events(ops) == [(5, LONG)]
    assert ops[5] is not None and ops[5].strength == 1.0  # 20 % from the SMA, capped


def test_momentum_zero_volume_never_confirms_an_entry() -> None:
    closes = [10, 10, 10, 9, 9, 9.6]
    ops = run(build("momentum", period=3, volume_period=2), bars_of(closes, [0.0] * 6))
    assert events(ops) == []


def test_trend_strategies_say_nothing_on_a_flat_market_or_a_single_bar() -> None:
    flat = bars_of([50.0] * 200)
    for name in ("sma_cross", "ema_cross", "macd", "momentum"):
        assert events(run(build(name), flat)) == [], name
        assert run(build(name), [bar(50.0)]) == [None], name
