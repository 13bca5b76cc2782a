"""Indicator cost: streaming update per bar, and batch time against TA-Lib's own call.

Data: the 1,000,000 one-minute bars of ``../shared/bench/gen_data.py`` (fixed seed), read
from ``bench/.peer-bench/data/minute.parquet`` (generated there when missing). Sessions for
VWAP are UTC days (the series runs 24/7, so 695 sessions).

Streaming: each indicator is fed the whole series one bar at a time the way a strategy
feeds it (a Python loop calling ``update`` with that bar's floats); the figure is wall time
per update, loop and call included, fastest of ``--repeats`` runs. The loop alone (calling
a function that does nothing) is reported as the floor.

Batch: our function against the TA-Lib call it wraps, on the same arrays, timed alternately,
fastest of ``--batch-repeats`` runs each (noise on a shared machine only adds time); the
ratio is ours / TA-Lib. TA-Lib has no VWAP, so ``vwap`` is
compared with the straightforward numpy version (one cumulative sum over the series minus
each session's starting offset), which is faster but loses precision on long series.

    .venv/bin/python bench/bench_indicators.py [--bars N] [--repeats 3] [--batch-repeats 25]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import talib

import tradebot.indicators as ind
from tradebot.indicators import stream

HERE = Path(__file__).resolve().parent
PEER_DIR = HERE / ".peer-bench"
GEN_DATA = HERE.parent.parent / "shared" / "bench" / "gen_data.py"

Array = np.ndarray[Any, Any]


def load_minute(bars: int) -> pd.DataFrame:
    path = PEER_DIR / "data" / "minute.parquet"
    if not path.exists():
        if not GEN_DATA.exists():
            sys.exit(f"{path} is missing and {GEN_DATA} is not there to generate it")
        env = {**os.environ, "PEER_BENCH_DIR": str(PEER_DIR)}
        subprocess.run([sys.executable, str(GEN_DATA)], check=True, env=env)
    return pd.read_parquet(path).iloc[:bars]


def best_of(fn: Callable[[], object], repeats: int) -> float:
    """Fastest wall time of ``repeats`` calls, in seconds (noise only ever adds time)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def best_of_pair(
    ours: Callable[[], object], theirs: Callable[[], object], repeats: int
) -> tuple[float, float]:
    """Fastest times of two functions, timed alternately so both see the same machine."""
    ours()  # warm-up: first-call costs (page faults, thread pools) are not the steady state
    theirs()
    t_ours, t_theirs = [], []
    for _ in range(repeats):
        t_ours.append(best_of(ours, 1))
        t_theirs.append(best_of(theirs, 1))
    return min(t_ours), min(t_theirs)


def loop1(update: Callable[[float], object], x: list[float]) -> None:
    for v in x:
        update(v)


def loop2(update: Callable[[float, float], object], a: list[float], b: list[float]) -> None:
    for u, v in zip(a, b, strict=True):
        update(u, v)


def loop3(update: Callable[..., object], a: list[float], b: list[float], c: list[float]) -> None:
    for u, v, w in zip(a, b, c, strict=True):
        update(u, v, w)


def loop5(update: Callable[..., object], *cols: list[Any]) -> None:
    for h, lo, c, v, s in zip(*cols, strict=True):
        update(h, lo, c, v, s)


def noop(*_: object) -> None:
    """The cheapest possible ``update``: measures the loop and call overhead."""


def _fresh_run(make: Callable[[], Any], run: Callable[[Any], None]) -> None:
    run(make())


def streaming_rows(frame: pd.DataFrame, session: Array, repeats: int) -> list[dict[str, Any]]:
    h, lo, c, v = (frame[k].to_numpy().tolist() for k in ("high", "low", "close", "volume"))
    s = session.tolist()
    cases: list[tuple[str, Callable[[], Any], Callable[[Any], None]]] = [
        ("loop + call floor (1 arg)", lambda: None, lambda o: loop1(noop, c)),
        ("loop + call floor (3 args)", lambda: None, lambda o: loop3(noop, h, lo, c)),
        ("SMA(20)", lambda: stream.SMA(20), lambda o: loop1(o.update, c)),
        ("EMA(12)", lambda: stream.EMA(12), lambda o: loop1(o.update, c)),
        ("RSI(14)", lambda: stream.RSI(14), lambda o: loop1(o.update, c)),
        ("MACD(12, 26, 9)", lambda: stream.MACD(), lambda o: loop1(o.update, c)),
        ("Bollinger(20, 2)", lambda: stream.Bollinger(), lambda o: loop1(o.update, c)),
        ("ATR(14)", lambda: stream.ATR(14), lambda o: loop3(o.update, h, lo, c)),
        ("Stoch(14, 3)", lambda: stream.Stoch(14, 3), lambda o: loop3(o.update, h, lo, c)),
        ("ADX(14)", lambda: stream.ADX(14), lambda o: loop3(o.update, h, lo, c)),
        ("OBV", lambda: stream.OBV(), lambda o: loop2(o.update, c, v)),
        ("VWAP (daily sessions)", lambda: stream.VWAP(), lambda o: loop5(o.update, h, lo, c, v, s)),
    ]
    rows = []
    for name, make, run in cases:
        seconds = best_of(partial(_fresh_run, make, run), repeats)
        rows.append({"indicator": name, "ns_per_update": seconds / len(c) * 1e9})
    return rows


def vwap_numpy_reference(h: Array, lo: Array, c: Array, v: Array, session: Array) -> Array:
    """The one-pass numpy VWAP: global cumulative sums minus each session's offset."""
    pv = (h + lo + c) / 3.0 * v
    cum_pv = np.cumsum(pv)
    cum_v = np.cumsum(v)
    starts = np.r_[0, np.flatnonzero(session[1:] != session[:-1]) + 1]
    first = np.repeat(starts, np.diff(np.r_[starts, len(c)]))
    base_pv = cum_pv[first] - pv[first]
    base_v = cum_v[first] - v[first]
    with np.errstate(invalid="ignore", divide="ignore"):
        out: Array = (cum_pv - base_pv) / (cum_v - base_v)
    return out


def batch_rows(frame: pd.DataFrame, session: Array, repeats: int) -> list[dict[str, Any]]:
    h, lo, c, v = (frame[k].to_numpy(np.float64) for k in ("high", "low", "close", "volume"))
    sma_type: Any = 0
    cases: list[tuple[str, Callable[[], object], Callable[[], object], str]] = [
        ("sma(20)", lambda: ind.sma(c, 20), lambda: talib.SMA(c, 20), "TA-Lib SMA"),
        ("ema(12)", lambda: ind.ema(c, 12), lambda: talib.EMA(c, 12), "TA-Lib EMA"),
        ("rsi(14)", lambda: ind.rsi(c, 14), lambda: talib.RSI(c, 14), "TA-Lib RSI"),
        ("macd()", lambda: ind.macd(c), lambda: talib.MACD(c, 12, 26, 9), "TA-Lib MACD"),
        (
            "bollinger(20, 2)",
            lambda: ind.bollinger(c, 20, 2.0),
            lambda: talib.BBANDS(c, 20, 2.0, 2.0, sma_type),
            "TA-Lib BBANDS",
        ),
        ("atr(14)", lambda: ind.atr(h, lo, c, 14), lambda: talib.ATR(h, lo, c, 14), "TA-Lib ATR"),
        (
            "stoch(14, 3)",
            lambda: ind.stoch(h, lo, c, 14, 3),
            lambda: talib.STOCHF(h, lo, c, 14, 3, sma_type),
            "TA-Lib STOCHF",
        ),
        ("adx(14)", lambda: ind.adx(h, lo, c, 14), lambda: talib.ADX(h, lo, c, 14), "TA-Lib ADX"),
        ("obv", lambda: ind.obv(c, v), lambda: talib.OBV(c, v), "TA-Lib OBV"),
        (
            "vwap (daily sessions)",
            lambda: ind.vwap(h, lo, c, v, session),
            lambda: vwap_numpy_reference(h, lo, c, v, session),
            "numpy one-pass cumsum",
        ),
    ]
    rows = []
    for name, ours, theirs, label in cases:
        t_ours, t_ref = best_of_pair(ours, theirs, repeats)
        rows.append(
            {
                "function": name,
                "ours_ms": t_ours * 1e3,
                "reference": label,
                "reference_ms": t_ref * 1e3,
                "ratio": t_ours / t_ref,
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3, help="streaming runs per indicator")
    parser.add_argument("--batch-repeats", type=int, default=25, help="batch runs per function")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows here")
    args = parser.parse_args()

    frame = load_minute(args.bars)
    ts = pd.to_datetime(frame["timestamp"], utc=True)
    days = ts.dt.tz_convert(None).to_numpy().astype("datetime64[D]")
    session = days.astype(np.int64)
    print(f"{len(frame):,} one-minute bars, {len(np.unique(session))} daily sessions")

    streaming = streaming_rows(frame, session, args.repeats)
    print("\n| streaming indicator | ns per update |\n|---|---:|")
    for row in streaming:
        print(f"| {row['indicator']} | {row['ns_per_update']:,.0f} |")

    batch = batch_rows(frame, session, args.batch_repeats)
    print("\n| batch function | ours (ms) | reference | reference (ms) | ratio |")
    print("|---|---:|---|---:|---:|")
    for row in batch:
        print(
            f"| {row['function']} | {row['ours_ms']:.1f} | {row['reference']} "
            f"| {row['reference_ms']:.1f} | {row['ratio']:.2f} |"
        )
    if args.json:
        args.json.write_text(json.dumps({"streaming": streaming, "batch": batch}, indent=2))


if __name__ == "__main__":
    main()
