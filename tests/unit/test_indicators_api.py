"""The indicators' public surface: names, argument checks, shapes, warm-up, reset."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tradebot.indicators as ind
from tradebot.indicators import stream

RNG = np.random.default_rng(7)
CLOSE = np.round(100.0 + np.cumsum(RNG.normal(0.0, 0.5, 300)), 2)
HIGH = CLOSE + np.round(RNG.uniform(0.0, 0.6, 300), 2)
LOW = CLOSE - np.round(RNG.uniform(0.0, 0.6, 300), 2)
VOLUME = np.round(RNG.uniform(0.0, 1000.0, 300))
SESSION = np.repeat(np.arange(10), 30)


def test_batch_all_is_the_documented_surface() -> None:
    assert sorted(ind.__all__) == sorted(
        [
            "sma",
            "ema",
            "rsi",
            "macd",
            "bollinger",
            "atr",
            "vwap",
            "obv",
            "stoch",
            "adx",
            "StreamingSMA",
        ]
    )
    for name in ind.__all__:
        assert hasattr(ind, name)


def test_stream_all_is_the_documented_surface() -> None:
    expected = ["SMA", "EMA", "RSI", "MACD", "Bollinger", "ATR", "VWAP", "OBV", "Stoch", "ADX"]
    assert sorted(stream.__all__) == sorted([*expected, "StreamingSMA"])
    for name in stream.__all__:
        assert hasattr(stream, name)


def test_streaming_sma_keeps_its_old_import_path() -> None:
    from tradebot.indicators.stream import StreamingSMA

    assert StreamingSMA is stream.SMA
    sma = StreamingSMA(2)
    assert math.isnan(sma.update(1.0))
    assert sma.update(3.0) == 2.0


BATCH_CALLS: list[tuple[str, Callable[..., Any]]] = [
    ("sma", lambda n: ind.sma(CLOSE, n)),
    ("ema", lambda n: ind.ema(CLOSE, n)),
    ("rsi", lambda n: ind.rsi(CLOSE, n)),
    ("macd fast", lambda n: ind.macd(CLOSE, fast=n)),
    ("macd slow", lambda n: ind.macd(CLOSE, slow=n)),
    ("macd signal", lambda n: ind.macd(CLOSE, signal=n)),
    ("bollinger", lambda n: ind.bollinger(CLOSE, n)),
    ("atr", lambda n: ind.atr(HIGH, LOW, CLOSE, n)),
    ("stoch k", lambda n: ind.stoch(HIGH, LOW, CLOSE, k=n)),
    ("stoch d", lambda n: ind.stoch(HIGH, LOW, CLOSE, d=n)),
    ("adx", lambda n: ind.adx(HIGH, LOW, CLOSE, n)),
    ("SMA", stream.SMA),
    ("EMA", stream.EMA),
    ("RSI", stream.RSI),
    ("MACD", lambda n: stream.MACD(fast=n)),
    ("Bollinger", stream.Bollinger),
    ("ATR", stream.ATR),
    ("Stoch", lambda n: stream.Stoch(d=n)),
    ("ADX", stream.ADX),
]


@pytest.mark.parametrize(("label", "call"), BATCH_CALLS, ids=[c[0] for c in BATCH_CALLS])
@pytest.mark.parametrize("bad", [0, -3, 2.5, "14", True, None])
def test_periods_below_one_or_not_integers_are_refused(
    label: str, call: Callable[..., Any], bad: object
) -> None:
    with pytest.raises(ValueError, match=r"must be an integer >= 1"):
        call(bad)


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf, "2"])
def test_bollinger_width_must_be_a_finite_non_negative_number(bad: object) -> None:
    with pytest.raises(ValueError, match="k must be a finite number >= 0"):
        ind.bollinger(CLOSE, 20, bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="k must be a finite number >= 0"):
        stream.Bollinger(20, bad)  # type: ignore[arg-type]


def test_numpy_integer_periods_are_accepted() -> None:
    np.testing.assert_array_equal(ind.sma(CLOSE, np.int64(5)), ind.sma(CLOSE, 5))  # type: ignore[arg-type]


def test_inputs_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match=r"same length.*high=300, low=299, close=300"):
        ind.atr(HIGH, LOW[:-1], CLOSE)
    with pytest.raises(ValueError, match="same length"):
        ind.obv(CLOSE, VOLUME[:10])
    with pytest.raises(ValueError, match="same length"):
        ind.vwap(HIGH, LOW, CLOSE, VOLUME, SESSION[:-1])


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_prices_are_refused(bad: float) -> None:
    x = CLOSE.copy()
    x[5] = bad
    with pytest.raises(ValueError, match="x contains NaN or infinite values"):
        ind.sma(x, 3)
    with pytest.raises(ValueError, match="close contains NaN"):
        ind.adx(HIGH, LOW, x)


def test_non_numeric_and_two_dimensional_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="sequence of numbers"):
        ind.ema(["a", "b"], 2)
    with pytest.raises(ValueError, match="one-dimensional"):
        ind.rsi(np.ones((5, 5)), 2)
    with pytest.raises(ValueError, match="integer labels"):
        ind.vwap([1.0], [1.0], [1.0], [1.0], [0.5])


def test_lists_are_accepted_and_give_float64_arrays_of_the_input_length() -> None:
    out = ind.sma(CLOSE.tolist(), 10)
    assert out.dtype == np.float64 and out.shape == CLOSE.shape
    np.testing.assert_array_equal(out, ind.sma(CLOSE, 10))
    for arr in (
        *ind.macd(CLOSE.tolist()),
        *ind.bollinger(CLOSE.tolist()),
        *ind.stoch(HIGH.tolist(), LOW.tolist(), CLOSE.tolist()),
        ind.vwap(HIGH.tolist(), LOW.tolist(), CLOSE.tolist(), VOLUME.tolist(), SESSION.tolist()),
        ind.obv(CLOSE.tolist(), VOLUME.tolist()),
    ):
        assert arr.dtype == np.float64 and arr.shape == CLOSE.shape


def _first_valid(arr: np.ndarray[Any, Any]) -> int:
    return int(np.flatnonzero(~np.isnan(arr))[0])


@pytest.mark.parametrize(
    ("batch", "streaming"),
    [
        (lambda: ind.sma(CLOSE, 10), stream.SMA(10)),
        (lambda: ind.ema(CLOSE, 12), stream.EMA(12)),
        (lambda: ind.rsi(CLOSE, 14), stream.RSI(14)),
        (lambda: ind.macd(CLOSE)[0], stream.MACD()),
        (lambda: ind.macd(CLOSE)[1], stream.MACD()),
        (lambda: ind.bollinger(CLOSE)[0], stream.Bollinger()),
        (lambda: ind.atr(HIGH, LOW, CLOSE), stream.ATR()),
        (lambda: ind.stoch(HIGH, LOW, CLOSE)[0], stream.Stoch()),
        (lambda: ind.stoch(HIGH, LOW, CLOSE)[1], stream.Stoch()),
        (lambda: ind.adx(HIGH, LOW, CLOSE), stream.ADX()),
        (lambda: ind.obv(CLOSE, VOLUME), stream.OBV()),
        (lambda: ind.vwap(HIGH, LOW, CLOSE, VOLUME + 1.0, SESSION), stream.VWAP()),
    ],
)
def test_lookback_is_the_first_valid_index(batch: Callable[[], Any], streaming: Any) -> None:
    assert _first_valid(batch()) == streaming.lookback


def test_ta_lib_warmup_lengths() -> None:
    assert _first_valid(ind.ema(CLOSE, 12)) == 11
    assert _first_valid(ind.rsi(CLOSE, 14)) == 14
    assert _first_valid(ind.atr(HIGH, LOW, CLOSE, 14)) == 14
    assert _first_valid(ind.bollinger(CLOSE, 20)[1]) == 19
    assert _first_valid(ind.macd(CLOSE)[0]) == 33
    assert _first_valid(ind.adx(HIGH, LOW, CLOSE, 14)) == 27
    assert _first_valid(ind.stoch(HIGH, LOW, CLOSE, 14, 3)[0]) == 15


def test_empty_and_short_series_give_nan_of_the_same_length() -> None:
    assert ind.sma([], 3).shape == (0,)
    assert ind.vwap([], [], [], [], np.array([], dtype=np.int64)).shape == (0,)
    assert np.isnan(ind.rsi(CLOSE[:10], 14)).all()
    assert np.isnan(ind.adx(HIGH[:20], LOW[:20], CLOSE[:20], 14)).all()


def _feed(obj: Any, *columns: np.ndarray[Any, Any]) -> list[Any]:
    return [obj.update(*row) for row in zip(*(c.tolist() for c in columns), strict=True)]


@pytest.mark.parametrize(
    ("obj", "columns"),
    [
        (stream.SMA(7), (CLOSE,)),
        (stream.EMA(7), (CLOSE,)),
        (stream.RSI(7), (CLOSE,)),
        (stream.MACD(5, 9, 4), (CLOSE,)),
        (stream.Bollinger(7, 1.5), (CLOSE,)),
        (stream.ATR(7), (HIGH, LOW, CLOSE)),
        (stream.Stoch(7, 3), (HIGH, LOW, CLOSE)),
        (stream.ADX(7), (HIGH, LOW, CLOSE)),
        (stream.OBV(), (CLOSE, VOLUME)),
        (stream.VWAP(), (HIGH, LOW, CLOSE, VOLUME, SESSION)),
    ],
)
def test_reset_starts_over(obj: Any, columns: tuple[np.ndarray[Any, Any], ...]) -> None:
    first = _feed(obj, *columns)
    obj.reset()
    second = _feed(obj, *columns)
    np.testing.assert_array_equal(np.array(first, dtype=float), np.array(second, dtype=float))


@pytest.mark.parametrize(
    "obj",
    [
        stream.SMA(3),
        stream.EMA(3),
        stream.RSI(),
        stream.MACD(),
        stream.Bollinger(),
        stream.ATR(),
        stream.Stoch(),
        stream.ADX(),
        stream.OBV(),
        stream.VWAP(),
    ],
)
def test_streaming_classes_have_slots_and_no_dict(obj: Any) -> None:
    assert not hasattr(obj, "__dict__")
    with pytest.raises(AttributeError):
        obj.extra = 1


def test_periods_ta_lib_refuses_fall_back_to_the_streaming_definition() -> None:
    # TA-Lib rejects period 1 for RSI, BBANDS, ADX and MACD; the value is still defined.
    np.testing.assert_array_equal(ind.bollinger(CLOSE, 1)[0], CLOSE)
    np.testing.assert_array_equal(ind.bollinger(CLOSE, 1)[2], CLOSE)
    up = np.diff(CLOSE) > 0
    flat = np.diff(CLOSE) == 0
    expected = np.where(up, 100.0, 0.0)
    expected[flat] = 0.0
    np.testing.assert_array_equal(ind.rsi(CLOSE, 1)[1:], expected)
    line, sig, hist = ind.macd(CLOSE, 1, 2, 1)
    np.testing.assert_allclose(line[1:], CLOSE[1:] - ind.ema(CLOSE, 2)[1:], atol=1e-9)
    np.testing.assert_allclose(hist[1:], line[1:] - sig[1:], atol=1e-12)
    adx1 = ind.adx(HIGH, LOW, CLOSE, 1)
    assert math.isnan(adx1[0]) and not np.isnan(adx1[1:]).any()
    assert ((adx1[1:] >= 0.0) & (adx1[1:] <= 100.0)).all()


def test_macd_swaps_fast_and_slow_like_ta_lib() -> None:
    for a, b in zip(ind.macd(CLOSE, 26, 12, 9), ind.macd(CLOSE, 12, 26, 9), strict=True):
        np.testing.assert_array_equal(a, b)
    s1, s2 = stream.MACD(26, 12, 9), stream.MACD(12, 26, 9)
    assert _feed(s1, CLOSE)[-1] == _feed(s2, CLOSE)[-1]


def test_huge_finite_values_are_accepted_even_when_their_sum_overflows() -> None:
    # The cheap finiteness test sums the values; an overflowing sum falls back to the exact one.
    assert ind.ema([1e308, 1e308, 1.0], 2).shape == (3,)
