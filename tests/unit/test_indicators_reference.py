"""Batch and streaming indicators against TA-Lib on reference values and real bars.

Sources: ``../shared/bench/reference/indicator_reference.parquet`` (TA-Lib outputs on the
first 5,000 generated minute bars, OHLC included), the daily bars shipped in the package,
and the real daily and one-minute bars in ``../shared/data/``. Tests that need ``shared/``
skip without it, except under ``CI=true``, where it sits beside the clone and its absence
is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import talib

import tradebot.indicators as ind
from tradebot.data import sample_data_dir
from tradebot.indicators import stream

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
RTOL = 1e-9

Array = np.ndarray[Any, Any]


def shared_file(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing; CI runs with shared/ beside the clone")
        pytest.skip(f"{path} not available (shared/ is not beside this clone)")
    return path


def assert_matches(actual: Array, expected: Array, scale: float) -> None:
    """Equal NaN positions; elsewhere 1e-9 relative, or 1e-9 of the series' scale near 0."""
    np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected))
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=RTOL * scale, equal_nan=True)


def replay(obj: Any, *columns: Array) -> Array:
    rows = zip(*(c.tolist() for c in columns), strict=True)
    return np.array([obj.update(*row) for row in rows], dtype=float)


# --- the shared reference file ------------------------------------------------------------


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    return pd.read_parquet(shared_file("bench", "reference", "indicator_reference.parquet"))


def test_reference_file_has_5000_bars_and_the_documented_warmups(reference: pd.DataFrame) -> None:
    assert len(reference) == 5000
    columns = ("ema_12", "rsi_14", "bb_upper", "macd_12_26_9", "atr_14")
    first = {c: int(np.flatnonzero(reference[c].notna().to_numpy())[0]) for c in columns}
    assert first == {"ema_12": 11, "rsi_14": 14, "bb_upper": 19, "macd_12_26_9": 33, "atr_14": 14}


def test_batch_equals_the_reference(reference: pd.DataFrame) -> None:
    close = reference["close"].to_numpy()
    high, low = reference["high"].to_numpy(), reference["low"].to_numpy()
    scale = float(np.abs(close).max())
    col = {c: reference[c].to_numpy() for c in reference.columns}
    assert_matches(ind.ema(close, 12), col["ema_12"], scale)
    assert_matches(ind.rsi(close, 14), col["rsi_14"], 100.0)
    line, sig, hist = ind.macd(close, 12, 26, 9)
    assert_matches(line, col["macd_12_26_9"], scale)
    assert_matches(sig, col["macd_signal"], scale)
    assert_matches(hist, col["macd_hist"], scale)
    upper, middle, lower = ind.bollinger(close, 20, 2.0)
    assert_matches(upper, col["bb_upper"], scale)
    assert_matches(middle, col["bb_middle"], scale)
    assert_matches(lower, col["bb_lower"], scale)
    assert_matches(ind.atr(high, low, close, 14), col["atr_14"], scale)


def test_streaming_equals_the_reference(reference: pd.DataFrame) -> None:
    close = reference["close"].to_numpy()
    high, low = reference["high"].to_numpy(), reference["low"].to_numpy()
    scale = float(np.abs(close).max())
    col = {c: reference[c].to_numpy() for c in reference.columns}
    assert_matches(replay(stream.EMA(12), close), col["ema_12"], scale)
    assert_matches(replay(stream.RSI(14), close), col["rsi_14"], 100.0)
    macd = replay(stream.MACD(12, 26, 9), close)
    for j, name in enumerate(("macd_12_26_9", "macd_signal", "macd_hist")):
        assert_matches(macd[:, j], col[name], scale)
    bands = replay(stream.Bollinger(20, 2.0), close)
    for j, name in enumerate(("bb_upper", "bb_middle", "bb_lower")):
        assert_matches(bands[:, j], col[name], scale)
    assert_matches(replay(stream.ATR(14), high, low, close), col["atr_14"], scale)


# --- every indicator against TA-Lib on real bars ------------------------------------------

Case = tuple[str, Callable[..., Any], Callable[..., Any], Callable[[], Any], float]


def cases(h: Array, lo: Array, c: Array, v: Array) -> list[Case]:
    """(name, our batch call, TA-Lib call, fresh streaming object, scale) per output."""
    p = float(np.abs(c).max())
    hlc = (h, lo, c)
    sma = talib.MA_Type.SMA  # type: ignore[attr-defined]
    return [
        ("sma", lambda: ind.sma(c, 10), lambda: talib.SMA(c, 10), lambda: stream.SMA(10), p),
        ("ema", lambda: ind.ema(c, 12), lambda: talib.EMA(c, 12), lambda: stream.EMA(12), p),
        ("rsi", lambda: ind.rsi(c, 14), lambda: talib.RSI(c, 14), lambda: stream.RSI(14), 100),
        ("macd", lambda: ind.macd(c), lambda: talib.MACD(c, 12, 26, 9), stream.MACD, p),
        (
            "bollinger",
            lambda: ind.bollinger(c, 20, 2.0),
            lambda: talib.BBANDS(c, 20, 2.0, 2.0, sma),
            stream.Bollinger,
            p,
        ),
        ("atr", lambda: ind.atr(*hlc, 14), lambda: talib.ATR(*hlc, 14), stream.ATR, p),
        ("adx", lambda: ind.adx(*hlc, 14), lambda: talib.ADX(*hlc, 14), stream.ADX, 100),
        (
            "stoch",
            lambda: ind.stoch(*hlc, 14, 3),
            lambda: talib.STOCHF(*hlc, 14, 3, sma),
            stream.Stoch,
            100,
        ),
        ("obv", lambda: ind.obv(c, v), lambda: talib.OBV(c, v), stream.OBV, float(v.sum())),
    ]


def check_against_talib(h: Array, lo: Array, c: Array, v: Array) -> None:
    inputs = {"obv": (c, v)}
    for name, ours, theirs, make, scale in cases(h, lo, c, v):
        expected = theirs()
        expected = expected if isinstance(expected, tuple) else (expected,)
        got = ours()
        got = got if isinstance(got, tuple) else (got,)
        columns = inputs.get(name, (h, lo, c) if name in {"atr", "adx", "stoch"} else (c,))
        streamed = replay(make(), *columns).reshape(len(c), -1)
        for j, exp in enumerate(expected):
            assert_matches(got[j], exp, scale)
            assert_matches(streamed[:, j], exp, scale)


SAMPLE = sample_data_dir("equities_daily")


@pytest.mark.parametrize("path", sorted(SAMPLE.glob("*_1d.parquet")), ids=lambda p: p.stem)
def test_packaged_daily_bars_match_ta_lib(path: Path) -> None:
    bars = pd.read_parquet(path)
    h, lo, c, v = (bars[k].to_numpy(dtype=float) for k in ("high", "low", "close", "volume"))
    check_against_talib(h, lo, c, v)


def test_shared_raw_daily_bars_match_ta_lib() -> None:
    # Raw (unadjusted) prices: the stock splits inside them are -74..-86 % gaps.
    bars = pd.read_csv(shared_file("data", "daily_ohlcv_us_equities.csv.gz"))
    for symbol in ("AAPL", "TSLA", "NFLX", "V", "SPY", "KO"):
        one = bars[bars["symbol"] == symbol]
        cols = ("high", "low", "close", "volume")
        h, lo, c, v = (one[k].to_numpy(dtype=float) for k in cols)
        check_against_talib(h, lo, c, v)


def test_shared_hourly_crypto_bars_match_ta_lib() -> None:
    bars = pd.read_csv(shared_file("data", "crypto_btcusd_1h_coinbase_2017-2019.csv.gz"))
    h, lo, c, v = (bars[k].to_numpy(dtype=float) for k in ("high", "low", "close", "volume"))
    check_against_talib(h, lo, c, v)


def test_vwap_matches_pandas_on_real_minute_bars() -> None:
    bars = pd.read_csv(shared_file("data", "intraday_1min_us_equities_2019.csv.gz"))
    for symbol, one in bars.groupby("symbol", sort=True):
        day = pd.to_datetime(one["timestamp"]).dt.normalize()
        session = day.factorize()[0]
        typical = (one["high"] + one["low"] + one["close"]) / 3.0
        pv = (typical * one["volume"]).groupby(session).cumsum()
        cum_v = one["volume"].groupby(session).cumsum()
        expected = (pv / cum_v.where(cum_v != 0)).to_numpy()
        h, lo, c, v = (one[k].to_numpy(dtype=float) for k in ("high", "low", "close", "volume"))
        scale = float(c.max())
        assert_matches(ind.vwap(h, lo, c, v, session), expected, scale)
        assert_matches(replay(stream.VWAP(), h, lo, c, v, session), expected, scale)
        assert len(np.unique(session)) == 5, symbol


def test_missing_shared_folder_skips_locally_and_fails_under_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(globals(), "SHARED", tmp_path / "no-shared")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        shared_file("bench", "reference", "indicator_reference.parquet")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        shared_file("bench", "reference", "indicator_reference.parquet")
