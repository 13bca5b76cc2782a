"""Look-ahead analysis (Freqtrade's lookahead-analysis is the model).

A strategy that peeks at the future gives, for some bar t, a different opinion when the bars
after t are absent. We replay the full series once, then replays truncated at several cut
points, and report every bar whose opinion changed. The strategies are run directly (no
orders, no money), so the check is fast and isolates the strategy itself.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from tradebot.domain.bar import Bar
from tradebot.strategies.base import Opinion, StrategyContext, StrategyFactory

__all__ = ["LookaheadReport", "Mismatch", "check_lookahead"]


@dataclass(frozen=True, slots=True)
class Mismatch:
    symbol: str
    index: int
    cut: int
    with_future: Opinion | None
    without_future: Opinion | None


@dataclass(slots=True)
class LookaheadReport:
    strategy: str
    bars: int
    cuts: list[int]
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.mismatches


def _opinions(factory: StrategyFactory, bars: Sequence[Bar]) -> list[Opinion | None]:
    if not bars:
        return []
    strategy = factory(bars[0].symbol)
    ctx = StrategyContext(bars[0].symbol, history=deque(maxlen=factory.warmup_period + 1))
    out: list[Opinion | None] = []
    for bar in bars:
        ctx.history.append(bar)
        out.append(strategy.on_bar(bar, ctx))
    return out


def check_lookahead(
    factory: StrategyFactory, bars: Sequence[Bar], cuts: int = 20
) -> LookaheadReport:
    """Compare opinions on ``bars`` (one symbol, in order) with those on ``cuts`` prefixes."""
    n = len(bars)
    start = min(factory.warmup_period + 1, n)
    points = sorted({start + (n - start) * (i + 1) // (cuts + 1) for i in range(cuts)} - {n})
    report = LookaheadReport(factory.name, n, points)
    full = _opinions(factory, bars)
    for cut in points:
        for i, opinion in enumerate(_opinions(factory, bars[:cut])):
            if opinion != full[i]:
                report.mismatches.append(Mismatch(bars[i].symbol, i, cut, full[i], opinion))
    return report
