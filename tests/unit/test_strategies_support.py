"""Helpers for the strategy tests (no tests here): bars by hand, running a strategy, events.

Kept in a ``test_strategies*`` module so the strategy tests stay in their own files; pytest
collects it and finds nothing to run.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from tradebot.domain import Bar, Direction, Timeframe
from tradebot.strategies import Opinion, Strategy, StrategyContext, make_factory

T0 = datetime(2024, 1, 2, 21, tzinfo=UTC)
DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)
LONG, SHORT = Direction.LONG, Direction.SHORT


def bar(
    close: float,
    *,
    i: int = 0,
    high: float | None = None,
    low: float | None = None,
    volume: float = 1000.0,
    ts: datetime | None = None,
    step: timedelta = DAY,
    open_: float | None = None,
) -> Bar:
    """One bar; high/low default to the close (so the typical price is the close)."""
    return Bar(
        "AAA",
        Timeframe.D1 if step == DAY else Timeframe.M1,
        ts if ts is not None else T0 + i * step,
        close if open_ is None else open_,
        close if high is None else high,
        close if low is None else low,
        close,
        volume,
    )


def bars_of(
    closes: Sequence[float],
    volumes: Sequence[float] | None = None,
    *,
    step: timedelta = DAY,
    start: datetime = T0,
) -> list[Bar]:
    vols = volumes if volumes is not None else [1000.0] * len(closes)
    return [
        bar(c, volume=v, ts=start + i * step, step=step)
        for i, (c, v) in enumerate(zip(closes, vols, strict=True))
    ]


def build(name: str, **params: Any) -> Strategy:
    """A fresh instance of registered strategy ``name`` with ``params`` over its defaults."""
    return make_factory(name, params)("AAA")


def run(
    strategy: Strategy, bars: Sequence[Bar], ctx: StrategyContext | None = None
) -> list[Opinion | None]:
    """Feed ``bars`` one by one as the signal stage does (history holds the current bar)."""
    ctx = ctx if ctx is not None else StrategyContext("AAA", history=deque(maxlen=600))
    out: list[Opinion | None] = []
    for b in bars:
        ctx.history.append(b)
        out.append(strategy.on_bar(b, ctx))
    return out


def events(opinions: Sequence[Opinion | None]) -> list[tuple[int, Direction]]:
    """(bar index, direction) of every opinion."""
    return [(i, o.direction) for i, o in enumerate(opinions) if o is not None]
