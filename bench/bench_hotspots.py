"""The hot spots issue 17 took down, each alone: before (the plain form, kept here as the
reference) against after (what tradebot runs now), on the same inputs, in one process.

- ``volume_profile``: the strategy over the standard minute bars, bar by bar (``on_bar``,
  what the batch path did before) against its bulk hook (``on_bars``, blocks of 65,536
  bars); the opinions are checked equal.

Each figure is the best of ``--repeats`` (the machine's noise only ever adds time).

    .venv/bin/python bench/bench_hotspots.py [--bars 200000] [--repeats 5]
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
from tradebot.domain.batch import SymbolBars
from tradebot.domain.enums import Timeframe
from tradebot.strategies.volume_profile import VolumeProfile, VolumeProfileParams

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_throughput import prepare  # noqa: E402

BLOCK = 65_536


def _best(run: Callable[[], object], repeats: int) -> tuple[float, object]:
    best, result = math.inf, None
    for _ in range(repeats):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return best, result


def volume_profile(data: Path, bars: int, repeats: int) -> tuple[float, float, int]:
    """Seconds bar by bar, seconds in blocks, opinions (equal in both)."""
    feed = ParquetReplayFeed(data, ("MIN",), Timeframe.M1, None, None)
    series = [bar for _, bar in zip(range(bars), feed.bars(), strict=False)]

    def streaming() -> list[int]:
        strategy = VolumeProfile(VolumeProfileParams())
        return [i for i, bar in enumerate(series) if strategy.on_bar(bar, None) is not None]

    columns = {
        name: np.array([getattr(bar, name) for bar in series], dtype=np.float64)
        for name in ("open", "high", "low", "close", "volume")
    }
    ts = np.arange(len(series), dtype=np.int64) * 60_000_000_000

    def bulk() -> list[int]:
        strategy = VolumeProfile(VolumeProfileParams())
        hits: list[int] = []
        for lo in range(0, len(series), BLOCK):
            hi = min(lo + BLOCK, len(series))
            cut = [columns[name][lo:hi] for name in ("open", "high", "low", "close", "volume")]
            span = np.arange(hi - lo, dtype=np.int64)
            o, h, low, c, v = cut
            part = SymbolBars("MIN", Timeframe.M1, span, ts[lo:hi], o, h, low, c, v)
            hits.extend(lo + i for i, _ in strategy.on_bars(part))
        return hits

    slow, expected = _best(streaming, repeats)
    fast, got = _best(bulk, repeats)
    assert got == expected, "the bulk hook disagrees with on_bar"
    assert isinstance(got, list)
    return slow, fast, len(got)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=HERE.parent.parent / "shared")
    parser.add_argument("--work", type=Path, default=HERE / ".peer-bench")
    parser.add_argument("--bars", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    data = prepare(args.shared.resolve(), args.work.resolve())
    table = Table(title="Hot spots: before (plain) and after (tradebot now), best of repeats")
    for column in ("what", "before", "after", "speed-up", "checked"):
        table.add_column(column, justify="left" if column == "what" else "right")
    slow, fast, opinions = volume_profile(data, args.bars, args.repeats)
    table.add_row(
        f"volume_profile, {args.bars:,} minute bars",
        f"{args.bars / slow:,.0f} bars/s",
        f"{args.bars / fast:,.0f} bars/s",
        f"{slow / fast:.1f}×",
        f"{opinions:,} opinions equal",
    )
    Console().print(table)


if __name__ == "__main__":
    main()
