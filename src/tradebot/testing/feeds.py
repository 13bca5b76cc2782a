"""In-memory market and news sources, and a bar builder for hand-made sequences."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta

import numpy as np

from tradebot.domain.bar import Bar
from tradebot.domain.batch import BarBatch, epoch_nanoseconds
from tradebot.domain.enums import Timeframe
from tradebot.domain.messages import Article

__all__ = ["BlockListFeed", "ListFeed", "ListNewsSource", "bars_from_closes"]


class ListFeed:
    """:class:`~tradebot.ports.MarketFeed` over bars given up front, sorted by time."""

    def __init__(self, bars: Iterable[Bar]) -> None:
        self._bars = sorted(bars, key=lambda b: b.ts)

    def bars(self) -> Iterator[Bar]:
        return iter(self._bars)

    def __len__(self) -> int:
        return len(self._bars)


class BlockListFeed(ListFeed):
    """A :class:`ListFeed` that also hands its bars out as blocks (a
    :class:`~tradebot.ports.BatchFeed`), of at least ``block_size`` bars each, ending at a
    change of time, as the Parquet feed does — so tests can drive the kernel's batch path
    with hand-made bars and any block boundaries."""

    def __init__(self, bars: Iterable[Bar], block_size: int = 4096) -> None:
        super().__init__(bars)
        if block_size < 1:
            raise ValueError("block_size must be >= 1")
        self.block_size = block_size

    def batches(self) -> Iterator[BarBatch]:
        bars = self._bars
        if not bars:
            return
        symbols = list(dict.fromkeys(b.symbol for b in bars))
        index = {s: k for k, s in enumerate(symbols)}
        ts = np.array([epoch_nanoseconds(b.ts) for b in bars], dtype=np.int64)
        lo, n = 0, len(bars)
        while lo < n:
            hi = min(lo + self.block_size, n)
            while hi < n and ts[hi] == ts[hi - 1]:
                hi += 1
            part = bars[lo:hi]
            o, h, lo_, c, v = (np.array([getattr(b, f) for b in part]) for f in _COLUMNS)
            yield BarBatch(
                symbols,
                part[0].timeframe,
                np.array([index[b.symbol] for b in part], dtype=np.intp),
                ts[lo:hi],
                o,
                h,
                lo_,
                c,
                v,
                next_ts=int(ts[hi]) if hi < n else None,
            )
            lo = hi


_COLUMNS = ("open", "high", "low", "close", "volume")


class ListNewsSource:
    """:class:`~tradebot.ports.NewsSource` over articles given up front."""

    def __init__(self, articles: Iterable[Article]) -> None:
        self._articles = sorted(articles, key=lambda a: a.published_at)

    def articles(self) -> Iterator[Article]:
        return iter(self._articles)


def bars_from_closes(
    symbol: str,
    closes: Sequence[float],
    start: datetime,
    step: timedelta = timedelta(days=1),
    *,
    timeframe: Timeframe = Timeframe.D1,
    gap: float = 0.0,
) -> list[Bar]:
    """Bars whose open is the previous close shifted by ``gap``; high/low bracket both."""
    bars: list[Bar] = []
    previous = closes[0]
    for i, close in enumerate(closes):
        open_ = previous + gap
        bars.append(
            Bar(
                symbol,
                timeframe,
                start + i * step,
                open_,
                max(open_, close) + 0.01,
                max(min(open_, close) - 0.01, 0.01),
                close,
                1000.0 + i,
            )
        )
        previous = close
    return bars
