"""``check_lookahead`` finds strategies whose opinions depend on bars they should not have."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from tests.kernel_builder import START
from tradebot.backtest.lookahead import check_lookahead
from tradebot.domain import Bar, Direction
from tradebot.strategies import make_factory
from tradebot.strategies.base import Opinion, StrategyContext
from tradebot.testing import bars_from_closes

CLOSES = [100 + 10 * math.sin(i / 7) + 0.1 * i for i in range(300)]


@dataclass
class SharedCacheStrategy:
    """A classic leak: a class-level cache shared by every instance, so a later replay sees
    bars an earlier one stored — including ones from its future."""

    name: str = "leaky"
    warmup_period: int = 1
    seen: ClassVar[dict[str, list[float]]] = {}

    def on_bar(self, bar: Bar, ctx: StrategyContext) -> Opinion | None:
        closes = self.seen.setdefault(bar.symbol, [])
        closes.append(bar.close)
        if max(closes) > bar.close * 1.05:
            return Opinion(Direction.LONG, 0.5, 0.5, "far below the best close")
        return None

    def reset(self) -> None:
        return None


@dataclass(frozen=True)
class LeakyFactory:
    name: str = "leaky"
    warmup_period: int = 1

    def __call__(self, symbol: str) -> SharedCacheStrategy:
        return SharedCacheStrategy()


def test_a_strategy_with_shared_state_is_caught() -> None:
    SharedCacheStrategy.seen.clear()
    report = check_lookahead(LeakyFactory(), bars_from_closes("AAA", CLOSES, START), cuts=5)
    assert not report.clean
    first = report.mismatches[0]
    assert first.with_future != first.without_future
    assert first.index < first.cut


def test_the_built_in_strategies_do_not_look_ahead() -> None:
    bars = bars_from_closes("AAA", CLOSES, START)
    for name in ("sma_cross", "momentum", "macd", "mean_reversion", "bollinger", "ema_cross"):
        report = check_lookahead(make_factory(name, {}), bars, cuts=8)
        assert report.clean, (name, report.mismatches[:3])
        assert len(report.cuts) == 8
