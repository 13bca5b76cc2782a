"""How many bars per second ``tradebot backtest`` pushes through the whole kernel.

Data: the standard sets of ``../shared/bench/gen_data.py`` (fixed seed): 20 symbols × 2,520
daily bars, and 1,000,000 one-minute bars of one symbol. They are converted once into the
Parquet layout the backtester reads. Each case runs the full pipeline — Parquet replay,
SMA(10/30) momentum, decision stage, order manager, paper broker, ledger — writing signals,
decisions, orders, fills, trades and snapshots into a fresh SQLite file in batches, exactly
as ``tradebot backtest`` does. Wall time is the median of ``--repeats`` runs of
``Kernel.run`` (imports, data generation and the Parquet read excluded).

    .venv/bin/python bench/bench_throughput.py [--shared ../shared] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from tradebot.adapters.parquet.layout import (
    OhlcvArrays,
    available_symbols,
    bar_file,
    write_ohlcv_files,
)
from tradebot.config import load_settings
from tradebot.domain.enums import Timeframe
from tradebot.ops.logging import configure_logging
from tradebot.runtime.wiring import RunRequest, build_kernel, open_store

HERE = Path(__file__).resolve().parent
CASES = {
    "daily": Timeframe.D1,
    "minute": Timeframe.M1,
    "minute_ensemble": Timeframe.M1,
    "daily_autonomous": Timeframe.D1,
}
"""The first three run the reference decision stage (fixed fraction of equity, at most 8
positions), the kernel's batch path; ``daily_autonomous`` runs the autonomous risk engine,
which needs every bar (per-bar path)."""
STANDARD = "sma_cross"
NINE = (
    "momentum",
    "mean_reversion",
    "news",
    "macd",
    "bollinger",
    "ema_cross",
    "vwap",
    "volume_profile",
    "grid",
)


def _arrays(frame: pd.DataFrame) -> OhlcvArrays:
    ts = pd.to_datetime(frame["timestamp"], utc=True).to_numpy("datetime64[ns]").view(np.int64)
    cols = [frame[c].to_numpy(np.float64) for c in ("open", "high", "low", "close", "volume")]
    return OhlcvArrays(ts, *cols)


def prepare(shared: Path, work: Path) -> Path:
    """Generate the standard data (if missing) and lay it out as tradebot Parquet files."""
    raw = work / "data"
    if not (raw / "minute.parquet").exists():
        env = {**os.environ, "PEER_BENCH_DIR": str(work)}
        subprocess.run(
            [sys.executable, str(shared / "bench" / "gen_data.py")],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    out = work / "tradebot-data"
    if not bar_file(out, "MIN", Timeframe.M1).exists():
        daily = pd.read_parquet(raw / "daily.parquet")
        files = {
            bar_file(out, str(sym), Timeframe.D1): _arrays(group)
            for sym, group in daily.groupby("symbol", sort=True)
        }
        files[bar_file(out, "MIN", Timeframe.M1)] = _arrays(pd.read_parquet(raw / "minute.parquet"))
        write_ohlcv_files(files)
    return out


def run_case(case: str, data_dir: Path, repeats: int) -> dict[str, object]:
    timeframe = CASES[case]
    symbols = tuple(available_symbols(data_dir, timeframe))
    times: list[float] = []
    result = None
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            engine = "autonomous" if case.endswith("autonomous") else "reference"
            settings = load_settings(
                store={"url": f"sqlite:///{tmp}/bench.db"},
                risk={"engine": engine},
                # the harness's daily SYM00..: US equities (the minute series trades 24/7)
                instruments={
                    symbol: {"asset_class": "equity"}
                    for symbol in symbols
                    if timeframe is Timeframe.D1
                },
            )
            store = open_store(settings, RunRequest(symbols=symbols).mode)
            if case == "minute_ensemble":  # all nine built-ins through the ensemble
                request = RunRequest(
                    symbols=symbols, data_dir=data_dir, timeframe=timeframe, strategies=NINE
                )
            else:  # the standard case's SMA(10/30) cross
                request = RunRequest(
                    symbols=symbols,
                    data_dir=data_dir,
                    timeframe=timeframe,
                    strategies=(STANDARD,),
                    params={STANDARD: {"fast": 10, "slow": 30}},
                )
            kernel = build_kernel(settings, request, store)
            len(kernel.feed)  # load and validate the data: not timed
            started = time.perf_counter()
            result = kernel.run()
            times.append(time.perf_counter() - started)
            store.close()
    assert result is not None
    wall = statistics.median(times)
    bars = result.counts["bars"]
    return {
        "framework": "tradebot",
        "case": case,
        "wall_s": round(wall, 3),
        "times": [round(t, 3) for t in times],
        "bars": bars,
        "bars_per_s": round(bars / wall),
        "signals": result.counts["signals"],
        "strategies": list(request.strategies),
        "trades": len(result.trades),
        "final_equity": result.metrics["final_equity"],
        # the process's peak resident memory so far (Linux reports KiB): run a case alone
        # (--cases minute) to read that case's peak
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=HERE.parent.parent / "shared")
    parser.add_argument("--work", type=Path, default=HERE / ".peer-bench")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cases", default="daily,minute,minute_ensemble,daily_autonomous")
    args = parser.parse_args()
    configure_logging("WARNING", json_output=True)
    data_dir = prepare(args.shared.resolve(), args.work.resolve())
    results_dir = args.work / "tradebot-throughput"  # not results/: compare.py reads that
    results_dir.mkdir(parents=True, exist_ok=True)
    for case in args.cases.split(","):
        row = run_case(case, data_dir, 1 if case.startswith("minute_") else args.repeats)
        (results_dir / f"{case}.json").write_text(json.dumps(row) + "\n")
        print(json.dumps(row))


if __name__ == "__main__":
    main()
