"""In-memory market and news sources, and a bar builder for hand-made sequences."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta

from tradebot.domain.bar import Bar
from tradebot.domain.enums import Timeframe
from tradebot.domain.messages import Article

__all__ = ["ListFeed", "ListNewsSource", "bars_from_closes"]


class ListFeed:
    """:class:`~tradebot.ports.MarketFeed` over bars given up front, sorted by time."""

    def __init__(self, bars: Iterable[Bar]) -> None:
        self._bars = sorted(bars, key=lambda b: b.ts)

    def bars(self) -> Iterator[Bar]:
        return iter(self._bars)

    def __len__(self) -> int:
        return len(self._bars)


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
