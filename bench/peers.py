"""tradebot beside its peers on the harness's standard case, in one table.

The standard case (../shared/bench/README.md): SMA(10/30) cross, long-only, all-in,
next-bar-open fills, 0.1 % fee per side, 100,000 cash per symbol. This script runs it through
tradebot's event-driven kernel exactly as ``tradebot backtest`` would — once keeping results
in memory only (``store.url: none``, framework ``tradebot``, as every peer does) and once
writing every signal, decision, order, fill, trade and snapshot to SQLite
(``tradebot+sqlite``) — and through the vectorised research path
(``tradebot-vectorised``); writes ``<framework>_<case>.json`` and
``trades_<framework>_<case>.parquet`` where the harness reads them, then runs the harness
(peers + comparison) unless ``--no-peers``.

    .venv/bin/python bench/peers.py [--shared ../shared] [--no-peers] [--cases daily,minute]

Wall time is the sum over symbols of ``Kernel.run`` (median of ``--repeats``); building each
symbol's kernel (store, migrations) and reading and validating its Parquet file are set-up
and not timed, as the harness excludes imports and data loading for every engine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from tradebot.adapters.parquet import ParquetReplayFeed
from tradebot.adapters.parquet.layout import available_symbols
from tradebot.backtest.vectorized import sma_cross_backtest
from tradebot.config import load_settings
from tradebot.domain.enums import Timeframe
from tradebot.engine.kernel import RunResult
from tradebot.ops.logging import configure_logging
from tradebot.runtime.wiring import RunRequest, build_kernel, open_store

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_throughput import prepare  # noqa: E402

CASES = {
    "daily": (Timeframe.D1, "0.001"),
    "minute": (Timeframe.M1, "0.001"),
    "minute_c0": (Timeframe.M1, "0"),
}


def _one(
    symbol: str, data_dir: Path, timeframe: Timeframe, fee: str, tmp: str, persist: bool
) -> tuple[RunResult, list[tuple[datetime, float]], float]:
    """One symbol's run, its position still open at the end (entry time and price), and
    the seconds ``Kernel.run`` took."""
    settings = load_settings(
        store={"url": f"sqlite:///{tmp}/{symbol}.db" if persist else "none"},
        broker={"commission_rate": fee, "slippage_bps": 0, "initial_cash": 100_000},
        risk={"sizing": "all_in", "max_open_positions": 1},
        instruments={symbol: {"asset_class": "equity"}},  # the harness's SYM00..: US rules
    )
    request = RunRequest(
        symbols=(symbol,),
        data_dir=data_dir,
        timeframe=timeframe,
        strategies=("sma_cross",),
        params={"sma_cross": {"fast": 10, "slow": 30}},
    )
    store = open_store(settings, request.mode)
    try:
        kernel = build_kernel(settings, request, store)
        len(kernel.feed)  # load and validate the data: not timed
        started = time.perf_counter()
        result = kernel.run()
        seconds = time.perf_counter() - started
    finally:
        store.close()
    still_open = [(p.opened_at, float(p.avg_price)) for p in kernel.portfolio.positions.values()]
    return result, still_open, seconds


def run_case(
    case: str, data_dir: Path, repeats: int, results: Path, *, persist: bool
) -> dict[str, object]:
    """The kernel as ``tradebot backtest`` runs it: with every record written to SQLite
    (``persist``, framework ``tradebot+sqlite``) or with ``store.url: none`` (``tradebot``:
    results in memory only, like every peer)."""
    timeframe, fee = CASES[case]
    symbols = available_symbols(data_dir, timeframe)
    times: list[float] = []
    runs: dict[str, tuple[RunResult, list[tuple[datetime, float]]]] = {}
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            timed = {s: _one(s, data_dir, timeframe, fee, tmp, persist) for s in symbols}
        runs = {s: (result, still_open) for s, (result, still_open, _) in timed.items()}
        times.append(sum(seconds for _, _, seconds in timed.values()))
    frames = [_trades(symbol, result, still_open) for symbol, (result, still_open) in runs.items()]
    bars = sum(r.counts["bars"] for r, _ in runs.values())
    wall = statistics.median(times)
    framework = "tradebot+sqlite" if persist else "tradebot"
    row = {
        "framework": framework,
        "case": case,
        "version": "event-driven kernel" + (", SQLite" if persist else ""),
        "wall_s": wall,
        "times": times,
        "bars": bars,
        "bars_per_s": bars / wall,
        "entries": int(sum(len(f) for f in frames)),
        "final_equity": float(sum(r.equity[-1] for r, _ in runs.values())),
        "final_equity_by_symbol": {s: r.equity[-1] for s, (r, _) in runs.items()},
    }
    results.mkdir(parents=True, exist_ok=True)
    (results / f"{framework}_{case}.json").write_text(json.dumps(row) + "\n")
    pd.concat(frames, ignore_index=True).to_parquet(
        results / f"trades_{framework}_{case}.parquet", index=False
    )
    return row


def run_vectorised(case: str, data_dir: Path, repeats: int, results: Path) -> dict[str, object]:
    """The same case through the vectorised research path (data loaded before timing)."""
    timeframe, fee = CASES[case]
    symbols = available_symbols(data_dir, timeframe)
    feed = ParquetReplayFeed(data_dir, symbols, timeframe)
    arrays = {
        s: (feed.frame(s)["open"].to_numpy(), feed.frame(s)["close"].to_numpy()) for s in symbols
    }
    times, out = [], {}
    for _ in range(repeats):
        started = time.perf_counter()
        out = {s: sma_cross_backtest(o, c, fee=float(fee)) for s, (o, c) in arrays.items()}
        times.append(time.perf_counter() - started)
    bars = sum(len(c) for _, c in arrays.values())
    wall = statistics.median(times)
    frames = []
    for s, r in out.items():
        still_open = len(r.entries) - len(r.exits)
        frames.append(
            pd.DataFrame(
                {
                    "symbol": s,
                    "entry_idx": r.entries,
                    "entry_price": r.entry_prices,
                    "exit_idx": np.concatenate([r.exits, np.full(still_open, -1, np.int64)]),
                    "exit_price": np.concatenate([r.exit_prices, np.full(still_open, np.nan)]),
                }
            )
        )
    row = {
        "framework": "tradebot-vectorised",
        "case": case,
        "version": "numpy signals",
        "wall_s": wall,
        "times": times,
        "bars": bars,
        "bars_per_s": bars / wall,
        "entries": int(sum(len(r.entries) for r in out.values())),
        "final_equity": float(sum(r.final_equity for r in out.values())),
        "final_equity_by_symbol": {s: r.final_equity for s, r in out.items()},
    }
    (results / f"tradebot-vectorised_{case}.json").write_text(json.dumps(row) + "\n")
    pd.concat(frames, ignore_index=True).to_parquet(
        results / f"trades_tradebot-vectorised_{case}.parquet", index=False
    )
    return row


def _trades(
    symbol: str, result: RunResult, still_open: list[tuple[datetime, float]]
) -> pd.DataFrame:
    """Entry/exit bar indices and prices from the closed trades (and an open one, if any)."""
    times = result.equity_ts.view(np.int64)

    def index(moment: datetime) -> int:
        """The bar a fill at ``moment`` happened on. The standard case fills at the open
        and a fill is stamped with that open: the first bar closing *after* it (a minute
        bar's open is the previous bar's close; a daily bar's is 9:30 that session)."""
        return int(np.searchsorted(times, pd.Timestamp(moment).value, side="right"))

    rows = [
        (symbol, index(t.entry_ts), float(t.entry_price), index(t.exit_ts), float(t.exit_price))
        for t in result.trades
    ]
    rows += [(symbol, index(ts), price, -1, float("nan")) for ts, price in still_open]
    return pd.DataFrame(
        rows, columns=["symbol", "entry_idx", "entry_price", "exit_idx", "exit_price"]
    ).astype({"entry_idx": "int64", "exit_idx": "int64"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=HERE.parent.parent / "shared")
    parser.add_argument("--work", type=Path, default=HERE / ".peer-bench")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cases", default="daily,minute,minute_c0")
    parser.add_argument("--no-peers", action="store_true", help="only compare, do not re-run")
    args = parser.parse_args()
    configure_logging("WARNING", json_output=True)
    work = args.work.resolve()
    data_dir = prepare(args.shared.resolve(), work)
    results = work / "results"
    for case in args.cases.split(","):
        rows = [
            run_case(case, data_dir, args.repeats, results, persist=False),
            run_case(case, data_dir, args.repeats, results, persist=True),
            run_vectorised(case, data_dir, args.repeats, results),
        ]
        for row in rows:
            row.pop("final_equity_by_symbol")
            print(json.dumps(row), flush=True)
    env = {**os.environ, "PEER_BENCH_DIR": str(work)}
    harness = args.shared.resolve() / "bench"
    if not args.no_peers:
        subprocess.run(["bash", str(harness / "run_peers.sh")], env=env, check=False)
    else:
        subprocess.run(
            [str(work / "venv" / "bin" / "python"), str(harness / "compare.py")],
            env=env,
            check=False,
        )


if __name__ == "__main__":
    main()
