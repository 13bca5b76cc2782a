"""Hand-built series with answers worked out by hand, batch and streaming alike."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import tradebot.indicators as ind
from tradebot.indicators import stream

NAN = math.nan


def feed(obj: Any, *columns: Any) -> np.ndarray[Any, Any]:
    """Run a streaming indicator over columns; tuple outputs become 2-D (bar, component)."""
    rows = zip(*(list(map(float, c)) for c in columns), strict=True)
    return np.array([obj.update(*row) for row in rows], dtype=float)


def both(batch: Any, streaming: np.ndarray[Any, Any], expected: list[float]) -> None:
    np.testing.assert_allclose(batch, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(streaming, expected, rtol=1e-12, atol=1e-12)


def test_sma_of_one_to_five() -> None:
    x = [1.0, 2.0, 3.0, 4.0, 5.0]
    expected = [NAN, NAN, 2.0, 3.0, 4.0]
    both(ind.sma(x, 3), feed(stream.SMA(3), x), expected)
    both(ind.sma(x, 5), feed(stream.SMA(5), x), [NAN] * 4 + [3.0])
    both(ind.sma(x, 1), feed(stream.SMA(1), x), x)


def test_ema_is_seeded_with_the_sma_then_halves_the_gap() -> None:
    # n = 3: k = 0.5; seed = mean(1, 2, 3) = 2; then 2 + (4 - 2) / 2 = 3; 3 + (8 - 3) / 2 = 5.5
    x = [1.0, 2.0, 3.0, 4.0, 8.0]
    both(ind.ema(x, 3), feed(stream.EMA(3), x), [NAN, NAN, 2.0, 3.0, 5.5])


def test_rsi_of_a_strictly_rising_series_is_100_and_falling_is_0() -> None:
    up = list(range(1, 31))
    down = up[::-1]
    both(ind.rsi(up, 14), feed(stream.RSI(14), up), [NAN] * 14 + [100.0] * 16)
    both(ind.rsi(down, 14), feed(stream.RSI(14), down), [NAN] * 14 + [0.0] * 16)


def test_rsi_of_a_flat_series_is_0_as_in_ta_lib() -> None:
    flat = [50.0] * 20
    both(ind.rsi(flat, 5), feed(stream.RSI(5), flat), [NAN] * 5 + [0.0] * 15)


def test_rsi_by_hand_with_wilder_smoothing() -> None:
    # n = 2. Changes: +2, -1 -> seed gain 1.0, loss 0.5 -> 100 * 1 / 1.5 = 66.67
    # next change +3: gain (1*1 + 3)/2 = 2, loss (0.5*1 + 0)/2 = 0.25 -> 100 * 2 / 2.25
    x = [10.0, 12.0, 11.0, 14.0]
    both(ind.rsi(x, 2), feed(stream.RSI(2), x), [NAN, NAN, 200 / 3, 800 / 9])


def test_macd_of_a_constant_series_is_zero_after_33_bars() -> None:
    x = [7.0] * 40
    expected = [NAN] * 33 + [0.0] * 7
    out = feed(stream.MACD(), x)
    for j, arr in enumerate(ind.macd(x)):
        both(arr, out[:, j], expected)


def test_macd_fast_ema_starts_where_the_slow_one_does() -> None:
    # fast 2, slow 4, signal 1: both EMAs seeded at bar 3; the fast seed is mean(x[2], x[3]).
    x = [1.0, 2.0, 3.0, 5.0, 9.0]
    slow_seed, fast_seed = (1 + 2 + 3 + 5) / 4, (3 + 5) / 2
    line3 = fast_seed - slow_seed
    slow4 = slow_seed + (9 - slow_seed) * 0.4
    fast4 = fast_seed + (9 - fast_seed) * (2 / 3)
    expected_line = [NAN, NAN, NAN, line3, fast4 - slow4]
    out = feed(stream.MACD(2, 4, 1), x)
    both(ind.macd(x, 2, 4, 1)[0], out[:, 0], expected_line)


def test_bollinger_uses_the_population_standard_deviation() -> None:
    x = [1.0, 2.0, 3.0, 4.0, 5.0]  # mean 3, population variance 2
    out = feed(stream.Bollinger(5, 1.0), x)
    upper, middle, lower = ind.bollinger(x, 5, 1.0)
    both(upper, out[:, 0], [NAN] * 4 + [3.0 + math.sqrt(2.0)])
    both(middle, out[:, 1], [NAN] * 4 + [3.0])
    both(lower, out[:, 2], [NAN] * 4 + [3.0 - math.sqrt(2.0)])


def test_bollinger_bands_collapse_on_a_flat_window() -> None:
    x = [100.0, 101.0, 100.37, 100.37, 100.37, 100.37]
    out = feed(stream.Bollinger(3, 2.0), x)
    for j, arr in enumerate(ind.bollinger(x, 3, 2.0)):
        assert arr[4] == arr[5] == 100.37
        assert out[4, j] == out[5, j] == 100.37


def test_atr_by_hand() -> None:
    # True ranges of bars 1..3: max(h-l, |h-pc|, |l-pc|) = 2 (gap up), 1, 3 (gap down)
    high = [10.0, 12.0, 12.5, 10.0]
    low = [9.0, 11.0, 11.5, 9.5]
    close = [10.0, 11.5, 12.0, 9.8]
    # n = 2: first ATR at bar 2 = mean(2, 1) = 1.5; bar 3: (1.5 * 1 + 2.5) / 2 = 2
    # (bar 3: h-l 0.5, |10-12| = 2, |9.5-12| = 2.5 -> tr 2.5)
    out = feed(stream.ATR(2), high, low, close)
    both(ind.atr(high, low, close, 2), out, [NAN, NAN, 1.5, 2.0])


def test_obv_starts_at_the_first_volume_and_ignores_unchanged_closes() -> None:
    close = [10.0, 11.0, 10.0, 10.0, 12.0]
    volume = [1.0, 2.0, 3.0, 4.0, 5.0]
    both(ind.obv(close, volume), feed(stream.OBV(), close, volume), [1.0, 3.0, 0.0, 0.0, 5.0])


def test_stoch_by_hand() -> None:
    high = [10.0, 12.0, 11.0, 13.0, 12.0]
    low = [8.0, 9.0, 9.0, 10.0, 11.0]
    close = [9.0, 11.0, 10.0, 12.0, 11.5]
    # k = 3: window highs/lows: bar 2: 12/8 -> (10-8)/4 = 50; bar 3: 13/9 -> 75; bar 4: 13/9 -> 62.5
    # d = 2: %D at bar 3 = (50 + 75)/2 = 62.5, bar 4 = 68.75; %K is NaN until %D exists
    out = feed(stream.Stoch(3, 2), high, low, close)
    k, d = ind.stoch(high, low, close, 3, 2)
    both(k, out[:, 0], [NAN, NAN, NAN, 75.0, 62.5])
    both(d, out[:, 1], [NAN, NAN, NAN, 62.5, 68.75])


def test_stoch_of_a_flat_market_is_zero() -> None:
    flat = [5.0] * 10
    out = feed(stream.Stoch(3, 3), flat, flat, flat)
    expected = [NAN] * 4 + [0.0] * 6
    both(ind.stoch(flat, flat, flat, 3, 3)[0], out[:, 0], expected)


def test_adx_of_a_steady_uptrend_is_100_and_of_a_flat_market_0() -> None:
    close = [float(i) for i in range(40)]
    high = [c + 0.5 for c in close]
    low = [c - 0.5 for c in close]
    expected = [NAN] * 9 + [100.0] * 31
    both(ind.adx(high, low, close, 5), feed(stream.ADX(5), high, low, close), expected)
    flat = [3.0] * 20
    both(
        ind.adx(flat, flat, flat, 5), feed(stream.ADX(5), flat, flat, flat), [NAN] * 9 + [0.0] * 11
    )


def test_vwap_by_hand_restarts_each_session() -> None:
    high = [11.0, 12.0, 13.0, 20.0, 22.0]
    low = [9.0, 10.0, 11.0, 18.0, 20.0]
    close = [10.0, 11.0, 12.0, 19.0, 21.0]  # typical prices 10, 11, 12 | 19, 21
    volume = [100.0, 300.0, 0.0, 0.0, 50.0]
    session = [1, 1, 1, 2, 2]
    # session 1: (1000 + 3300) / 400 = 10.75, unchanged by the 0-volume bar
    # session 2: no volume yet -> NaN, then 21
    expected = [10.0, 10.75, 10.75, NAN, 21.0]
    out = feed(stream.VWAP(), high, low, close, volume, session)
    both(ind.vwap(high, low, close, volume, session), out, expected)


@pytest.mark.parametrize("labels", [[0, 0, 1, 1, 0], [5, 5, 3, 3, 5]])
def test_vwap_a_returning_label_starts_a_new_session(labels: list[int]) -> None:
    price = [1.0, 2.0, 3.0, 4.0, 5.0]
    volume = [1.0] * 5
    out = ind.vwap(price, price, price, volume, labels)
    np.testing.assert_allclose(out, [1.0, 1.5, 3.0, 3.5, 5.0])


@pytest.mark.parametrize("bars_per_session", [1, 2, 7, 200, 5000])
def test_vwap_agrees_with_a_plain_loop_for_short_and_long_sessions(bars_per_session: int) -> None:
    # Short sessions take pandas' grouped sums, long ones a cumsum per session: same answer.
    rng = np.random.default_rng(3)
    size = 5000
    close = np.round(100 + np.cumsum(rng.normal(0, 0.1, size)), 2)
    high, low = close + 0.05, close - 0.07
    volume = rng.integers(0, 50, size).astype(float)
    session = (np.arange(size) // bars_per_session) % 3  # labels repeat: runs matter
    expected = np.empty(size)
    pv = v = 0.0
    for i in range(size):
        if i == 0 or session[i] != session[i - 1]:
            pv = v = 0.0
        pv += (high[i] + low[i] + close[i]) / 3.0 * volume[i]
        v += volume[i]
        expected[i] = pv / v if v else NAN
    got = ind.vwap(high, low, close, volume, session)
    np.testing.assert_allclose(got, expected, rtol=1e-12, equal_nan=True)
