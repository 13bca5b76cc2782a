"""How many bars per second the vectorised research path pushes through, per strategy.

Data: the standard 1,000,000 one-minute bars of ``bench_throughput.py`` (generated and laid
out once, from ``../shared/bench/gen_data.py``). Each strategy runs with its shipped default
parameters and the kernel's ensemble threshold: ``vector_backtest`` end to end (parameter
validation, signals, the all-in fill loop; the Parquet read is not timed). Wall time is the
median of ``--repeats`` runs. ``--check`` also replays the streaming strategy bar by bar
through the one-strategy ensemble and reports whether its LONG/SHORT bars are the
vectorised ones on all 1M bars (slow: a few seconds per strategy).

    .venv/bin/python bench/bench_vectorized.py [--repeats 3] [--check]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from tradebot.adapters.parquet.layout import bar_file
from tradebot.backtest.vectorized import VECTORISED, vector_backtest, vector_signals
from tradebot.domain.enums import Direction, Timeframe
from tradebot.signals.ensemble import DEFAULT_THRESHOLD, combine
from tradebot.strategies import make_factory

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_throughput import prepare  # noqa: E402  (a sibling script, not a package)


def streaming_agrees(name: str, close: np.ndarray) -> bool:
    """The streaming strategy's signals through the ensemble equal the vectorised ones."""
    strategy = make_factory(name, {})("MIN")
    long, short = vector_signals(name, close)
    want_long: list[int] = []
    want_short: list[int] = []
    for i, x in enumerate(close.tolist()):
        opinion = strategy.on_close(x)  # type: ignore[attr-defined]
        result = combine([(name, opinion)], {}) if opinion else None
        if result is not None:
            (want_long if result.direction is Direction.LONG else want_short).append(i)
    return (
        np.flatnonzero(long).tolist() == want_long and np.flatnonzero(short).tolist() == want_short
    )


def run(
    name: str, open_: np.ndarray, close: np.ndarray, repeats: int, check: bool
) -> dict[str, object]:
    times: list[float] = []
    signal_times: list[float] = []
    result = None
    for _ in range(repeats):
        started = time.perf_counter()
        vector_signals(name, close)
        signal_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        result = vector_backtest(name, open_, close)
        times.append(time.perf_counter() - started)
    assert result is not None
    wall = statistics.median(times)
    row: dict[str, object] = {
        "framework": "tradebot-vectorised",
        "strategy": name,
        "threshold": DEFAULT_THRESHOLD,
        "bars": len(close),
        "wall_s": round(wall, 4),
        "times": [round(t, 4) for t in times],
        "signals_s": round(statistics.median(signal_times), 4),
        "bars_per_s": round(len(close) / wall),
        "trades": len(result.entries),
        "final_equity": result.final_equity,
    }
    if check:
        row["streaming_signals_identical"] = streaming_agrees(name, close)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=HERE.parent.parent / "shared")
    parser.add_argument("--work", type=Path, default=HERE / ".peer-bench")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--strategies", default=",".join(VECTORISED))
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    path = bar_file(args.work.resolve() / "tradebot-data", "MIN", Timeframe.M1)
    if not path.exists():
        prepare(args.shared.resolve(), args.work.resolve())
    frame = pd.read_parquet(path, columns=["open", "close"])
    open_ = frame["open"].to_numpy(np.float64)
    close = frame["close"].to_numpy(np.float64)
    for name in args.strategies.split(","):
        print(json.dumps(run(name, open_, close, args.repeats, args.check)))


if __name__ == "__main__":
    main()
