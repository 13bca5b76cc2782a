"""The hot spots issue 17 took down, each alone: before (the plain form, kept here as the
reference) against after (what tradebot runs now), on the same inputs, in one process.

- every built-in strategy over the standard minute bars, bar by bar (``on_bar`` on a
  ``Bar`` per bar: the batch path's way for a strategy without a bulk hook) against its
  bulk hook (``on_bars``, blocks of 65,536 bars); the opinions are checked equal.

Each figure is the best of ``--repeats`` (the machine's noise only ever adds time).

    .venv/bin/python bench/bench_hotspots.py [--bars 200000] [--repeats 5] [--only vwap,grid]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from tradebot.adapters.parquet import ParquetReplayFeed
from tradebot.domain.batch import SymbolBars, epoch_nanoseconds
from tradebot.domain.enums import Timeframe
from tradebot.strategies.base import BatchStrategy, Opinion, StrategyContext
from tradebot.strategies.registry import load_registry, make_factory

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_throughput import prepare  # noqa: E402

BLOCK = 65_536
REGISTRY = load_registry(plugins=False)


def _best(run: Callable[[], object], repeats: int) -> tuple[float, object]:
    best, result = math.inf, None
    for _ in range(repeats):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return best, result


def strategy_pair(name: str, data: Path, bars: int, repeats: int) -> tuple[float, float, int]:
    """Seconds bar by bar, seconds in blocks, opinions (equal in both) for one built-in
    with its default parameters."""
    feed = ParquetReplayFeed(data, ("MIN",), Timeframe.M1, None, None)
    series = [bar for _, bar in zip(range(bars), feed.bars(), strict=False)]
    factory = make_factory(name, {}, registry=REGISTRY)
    context = StrategyContext("MIN")

    def streaming() -> list[tuple[int, Opinion]]:
        strategy = factory("MIN")
        return [
            (i, opinion)
            for i, bar in enumerate(series)
            if (opinion := strategy.on_bar(bar, context)) is not None
        ]

    columns = {
        name: np.array([getattr(bar, name) for bar in series], dtype=np.float64)
        for name in ("open", "high", "low", "close", "volume")
    }
    ts = np.array([epoch_nanoseconds(bar.ts) for bar in series], dtype=np.int64)

    def bulk() -> list[tuple[int, Opinion]]:
        strategy = factory("MIN")
        assert isinstance(strategy, BatchStrategy), f"{name} has no bulk hook"
        hits: list[tuple[int, Opinion]] = []
        for lo in range(0, len(series), BLOCK):
            hi = min(lo + BLOCK, len(series))
            o, h, low, c, v = (
                columns[name][lo:hi] for name in ("open", "high", "low", "close", "volume")
            )
            span = np.arange(hi - lo, dtype=np.int64)
            part = SymbolBars("MIN", Timeframe.M1, span, ts[lo:hi], o, h, low, c, v)
            hits.extend((lo + i, opinion) for i, opinion in strategy.on_bars(part))
        return hits

    slow, expected = _best(streaming, repeats)
    fast, got = _best(bulk, repeats)
    assert got == expected, f"{name}: the bulk hook disagrees with on_bar"
    assert isinstance(got, list)
    return slow, fast, len(got)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=HERE.parent.parent / "shared")
    parser.add_argument("--work", type=Path, default=HERE / ".peer-bench")
    parser.add_argument("--bars", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--only", default="", help="comma-separated strategy names")
    args = parser.parse_args()
    data = prepare(args.shared.resolve(), args.work.resolve())
    table = Table(title="Hot spots: before (plain) and after (tradebot now), best of repeats")
    for column in ("what", "before", "after", "speed-up", "checked"):
        table.add_column(column, justify="left" if column == "what" else "right")
    names = args.only.split(",") if args.only else REGISTRY.names()
    for name in names:
        slow, fast, opinions = strategy_pair(name, data, args.bars, args.repeats)
        table.add_row(
            f"{name}, {args.bars:,} minute bars",
            f"{args.bars / slow:,.0f} bars/s",
            f"{args.bars / fast:,.0f} bars/s",
            f"{slow / fast:.1f}×",
            f"{opinions:,} opinions equal",
        )
    Console().print(table)


if __name__ == "__main__":
    main()
