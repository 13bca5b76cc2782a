"""The kernel: one object that runs backtests, paper replays and live sessions alike.

It wires the stages on the bus in a fixed order and drives them with a merged stream of
news and bars in time order. The only things that differ between modes are the adapters
handed in (clock, feed, news source, broker, store); no stage knows which mode it is in.

Dispatch order on ``market.bars``: execution (broker fills pending orders at this bar's
open) → portfolio (marks) → signal generator (strategy sees the closed bar, may decide,
and the resulting order waits for the *next* bar). Articles at a timestamp come before bars
at the same timestamp.

Bars before ``trade_from`` only warm the strategies up (Freqtrade's startup candles): no
signal, order, snapshot or equity point comes from them.

The decision stage is the autonomous risk engine's (:class:`RiskStage`, given ``risk``) or
the reference one (:class:`DecisionStage`). The risk stage needs every bar (stops, ATR,
stale prices), so it keeps the kernel on the per-bar path. A stop request ends the run at a
bar-time boundary (every bar of the current time is processed first), and a clean end saves
the decision stage's state with that time, from which ``resume`` continues the run
(:mod:`tradebot.engine.resume`).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from tradebot.backtest.metrics import summarise
from tradebot.domain.bar import Bar
from tradebot.domain.messages import Article, ClosedTrade
from tradebot.domain.run import RunInfo
from tradebot.engine.batch_driver import BatchDriver
from tradebot.engine.clock import LiveClock
from tradebot.engine.collector import collector_paused, relaxed_collector
from tradebot.engine.contributions import StrategyContributions
from tradebot.engine.decision_stage import DecisionStage, SizingRules
from tradebot.engine.execution_stage import ExecutionStage
from tradebot.engine.news_stage import NewsStage
from tradebot.engine.order_manager import OrderManager
from tradebot.engine.portfolio import Portfolio
from tradebot.engine.portfolio_stage import PortfolioStage
from tradebot.engine.resume import Replay, ResumePoint
from tradebot.engine.risk_stage import RiskSetup, RiskStage
from tradebot.engine.signal_stage import SignalStage
from tradebot.engine.topics import (
    DECISIONS,
    FILLS,
    MARKET_BARS,
    NEWS_RAW,
    NEWS_SCORED,
    ORDER_UPDATES,
    ORDERS,
    SIGNALS,
    TRADES_CLOSED,
)
from tradebot.ops.logging import get_logger
from tradebot.ports import (
    BatchFeed,
    Broker,
    Bus,
    Clock,
    MarketFeed,
    NewsSource,
    SeenItems,
    SentimentModel,
    SimulatedVenue,
    Store,
)
from tradebot.signals.ensemble import DEFAULT_THRESHOLD
from tradebot.strategies.base import StrategyFactory

__all__ = ["Kernel", "RunResult"]


def _event_order(event: Bar | Article) -> tuple[datetime, int]:
    """Time order; at equal times news first, as it was known when the bar closed."""
    if isinstance(event, Bar):
        return event.ts, 1
    return event.published_at, 0


Progress = Callable[[int], None]


@dataclass(slots=True)
class RunResult:
    run_id: str
    status: str
    metrics: dict[str, Any]
    trades: list[ClosedTrade]
    equity_ts: NDArray[np.datetime64]
    """Time of each equity point, UTC, ``datetime64[ns]`` (one per distinct bar time)."""
    equity: NDArray[np.float64]
    counts: dict[str, int] = field(default_factory=dict)
    skip_reasons: dict[str, int] = field(default_factory=dict)
    """Skipped decisions by the first check that failed (e.g. "max open positions")."""
    benchmark: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    """Buy-and-hold of the same symbols on the equity curve's timestamps."""


class Kernel:
    def __init__(
        self,
        *,
        run: RunInfo,
        clock: Clock,
        feed: MarketFeed,
        news: NewsSource | None,
        broker: Broker,
        bus: Bus,
        store: Store,
        strategies: Sequence[StrategyFactory],
        sentiment: SentimentModel,
        rules: SizingRules,
        initial_cash: Decimal,
        snapshot_interval_s: int = 86_400,
        periods_per_year: int = 252,
        trade_from: datetime | None = None,
        weights: Mapping[str, float] | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        batch: bool = True,
        snapshots: bool = True,
        borrow_rate: Decimal = Decimal(0),
        sentiment_half_life: timedelta = timedelta(hours=4),
        news_seen: SeenItems | None = None,
        risk: RiskSetup | None = None,
        resume: ResumePoint | None = None,
    ) -> None:
        """``batch=False`` forces the per-bar path even where the batch path could run;
        ``snapshots=False`` records no portfolio snapshots (for a store that keeps nothing);
        ``borrow_rate`` is the yearly stock-borrow fee of short positions; ``risk`` makes the
        autonomous risk engine the decision stage (``rules`` then serve nothing); ``resume``
        continues the run ``run`` from what the store recorded of it."""
        self.run_info = run
        self.clock = clock
        self.feed = feed
        self._news = news
        self._bus = bus
        self._store = store
        self._periods = periods_per_year
        self._stopping = False
        self._trade_from = trade_from
        self._snapshot_interval_s = snapshot_interval_s
        self._broker = broker
        self._batch = batch
        self._log = get_logger("kernel")
        rid = run.id
        self.orders = OrderManager(run_id=rid, broker=broker, store=store, bus=bus)
        self.portfolio = Portfolio(initial_cash, self.orders.context, borrow_rate=borrow_rate)
        self.execution = ExecutionStage(run_id=rid, broker=broker, store=store, bus=bus)
        self.ledger = PortfolioStage(
            run_id=rid,
            portfolio=self.portfolio,
            store=store,
            bus=bus,
            snapshot_interval_s=snapshot_interval_s,
            record_snapshots=snapshots,
        )
        self._strategies = tuple(strategies)
        self.signals = SignalStage(
            run_id=rid,
            factories=strategies,
            store=store,
            bus=bus,
            weights=weights,
            threshold=threshold,
            sentiment_half_life=sentiment_half_life,
        )
        self.decisions: DecisionStage | RiskStage
        self._risk: RiskStage | None = None
        if risk is not None:
            self.decisions = self._risk = RiskStage(
                run_id=rid,
                setup=risk,
                portfolio=self.portfolio,
                orders=self.orders,
                store=store,
                bus=bus,
            )
        else:
            self.decisions = DecisionStage(
                run_id=rid,
                rules=rules,
                portfolio=self.portfolio,
                orders=self.orders,
                store=store,
                bus=bus,
            )
        self.news = NewsStage(
            run_id=rid,
            model=sentiment,
            store=store,
            bus=bus,
            universe=run.symbols,
            seen=news_seen,
        )
        self.news_share = StrategyContributions("news")
        self._replay: Replay | None = None
        if resume is not None:
            self._replay = Replay(
                resume,
                orders=self.orders,
                execution=self.execution,
                ledger=self.ledger,
                signals=self.signals,
                decisions=self.decisions,
                contributions=self.news_share if self._counts_news() else None,
            )
        self._wire()

    def _wire(self) -> None:
        sub = self._bus.subscribe
        risk = self._risk
        if risk is not None:  # first: the close of a bar time comes before the next fills
            sub(MARKET_BARS, risk.before_bar, stage=RiskStage.stage)
        sub(MARKET_BARS, self.execution.on_bar, stage=ExecutionStage.stage)
        sub(MARKET_BARS, self.ledger.on_bar, stage=PortfolioStage.stage)
        sub(MARKET_BARS, self.signals.on_bar, stage=SignalStage.stage)
        sub(NEWS_RAW, self.news.on_article, stage=NewsStage.stage)
        sub(NEWS_SCORED, self.signals.on_scored, stage=SignalStage.stage)
        sub(SIGNALS, self.decisions.on_signal, stage=DecisionStage.stage)
        if self._counts_news():
            sub(SIGNALS, self.news_share.on_signal, stage=StrategyContributions.stage)
            sub(DECISIONS, self.news_share.on_decision, stage=StrategyContributions.stage)
        sub(DECISIONS, self.orders.on_decision, stage=OrderManager.stage)
        sub(FILLS, self.orders.on_fill, stage=OrderManager.stage)
        sub(ORDER_UPDATES, self.orders.on_venue_update, stage=OrderManager.stage)
        sub(FILLS, self.ledger.on_fill, stage=PortfolioStage.stage)
        if risk is not None:  # after the ledger: fills see the updated position
            sub(TRADES_CLOSED, risk.on_trade_closed, stage=RiskStage.stage)
            sub(FILLS, risk.on_fill, stage=RiskStage.stage)
            sub(ORDERS, risk.on_order, stage=RiskStage.stage)
        if self._replay is not None:
            sub(FILLS, self._replay.on_fill, stage="resume")

    def _counts_news(self) -> bool:
        """Whether the news strategy's share is counted (a strategy that is not running
        contributes nothing: no need to listen)."""
        return any(f.name == self.news_share.strategy for f in self._strategies)

    def stop(self) -> None:
        """Ask the loop to finish after the current event (safe from a signal handler)."""
        self._stopping = True
        interrupt = getattr(self.clock, "interrupt", None)
        if interrupt is not None:
            interrupt()

    @property
    def uses_batch_path(self) -> bool:
        """Whether :meth:`run` takes the batch path: nothing waits between bars (instant
        clock), the feed has blocks, the venue says which symbols have working orders, and
        no news must be interleaved with the bars; and the decision stage does not need
        every bar, and no recorded past is being replayed."""
        return (
            self._batch
            and self._replay is None
            and not getattr(self.decisions, "needs_every_bar", False)
            and self._news is None
            and getattr(self.clock, "instant", False)
            and isinstance(self.feed, BatchFeed)
            and isinstance(self._broker, SimulatedVenue)
        )

    def run(self, progress: Progress | None = None, every: int = 2000) -> RunResult:
        """Replay every event; ``progress`` gets the number of bars done every ``every`` bars
        (every block on the batch path).

        A failure records the run as ``failed`` with its partial results, then re-raises.
        """
        if self.uses_batch_path:
            with collector_paused():
                return self._run_batches(progress)
        with relaxed_collector():
            return self._run_bars(progress, every)

    def _run_bars(self, progress: Progress | None, every: int) -> RunResult:
        """The per-bar path: every event through the bus, in time order."""
        self._store.start_run(self.run_info)
        status = "completed"
        done = {"bars": 0, "articles": 0, "warmup_bars": 0}
        current: datetime | None = None
        trade_from = self._trade_from
        publish, advance, close_time = (
            self._bus.publish,
            self.clock.advance_to,
            self.ledger.close_time,
        )
        replay = self._replay
        settling: Replay | None = None  # the past is done; its last fills may follow
        risk = self._risk
        bars = 0
        try:
            for item in self._events():
                if isinstance(item, Bar):
                    is_bar, ts = True, item.ts
                else:
                    is_bar, ts = False, item.published_at
                if self._stopping and ts != current:  # stop between bar times, never inside
                    status = "stopped"
                    break
                if trade_from is not None and ts < trade_from:
                    if is_bar:  # history before the period only warms the strategies up
                        done["warmup_bars"] += 1
                        self.signals.warm_up(cast(Bar, item))
                        if risk is not None:
                            risk.warm_up(cast(Bar, item))
                    continue
                if replay is not None and ts > replay.as_of:  # the recorded past is done
                    replay.finish()
                    replay, settling = None, replay
                if is_bar and ts != current:  # the equity curve has a point per bar time
                    if current is not None:
                        close_time(current, ts)
                        if settling is not None and current > settling.as_of:
                            settling.settle()  # the first bar time after the past is done
                            settling = None
                    current = ts
                if replay is not None:  # resuming: the past again, unpaced, deciding nothing
                    if is_bar:
                        bars += 1
                        replay.bar(cast(Bar, item))
                    else:
                        done["articles"] += 1
                        publish(NEWS_RAW, item)
                    continue
                advance(ts)
                if is_bar:
                    bars += 1
                    publish(MARKET_BARS, item)
                    if progress is not None and bars % every == 0:
                        progress(bars)
                else:
                    done["articles"] += 1
                    publish(NEWS_RAW, item)
            if replay is not None and status == "stopped":  # still in the recorded past:
                done["bars"] = bars  # its saved state stays the one to resume from
                return self._finish(current, status, done, save=False)
            if replay is not None:
                replay.finish()
                replay.settle()  # no bar after the past: nothing more can fill
            elif settling is not None and current is not None and current > settling.as_of:
                settling.settle()
        except KeyboardInterrupt:  # inside a bar time: no state saved, resume from the last
            done["bars"] = bars
            return self._finish(current, "stopped", done, save=False)
        except BaseException:
            done["bars"] = bars
            self._finish(current, "failed", done, save=False)
            raise
        done["bars"] = bars
        return self._finish(current, status, done)

    def _run_batches(self, progress: Progress | None) -> RunResult:
        """The batch path (:mod:`tradebot.engine.batch_driver`): same stages, same results."""
        self._store.start_run(self.run_info)
        assert isinstance(self.feed, BatchFeed)
        assert isinstance(self._broker, SimulatedVenue)
        driver = BatchDriver(
            clock=self.clock,
            venue=self._broker,
            execution=self.execution,
            ledger=self.ledger,
            signals=self.signals,
            portfolio=self.portfolio,
            trade_from=self._trade_from,
            snapshot_interval_s=self._snapshot_interval_s,
        )
        status = "completed"
        try:
            for block in self.feed.batches():
                if self._stopping:
                    status = "stopped"
                    break
                driver.run_block(block)
                if progress is not None:
                    progress(driver.bars)
        except KeyboardInterrupt:
            status = "stopped"
        except BaseException:
            counts = {"bars": driver.bars, "articles": 0, "warmup_bars": driver.warmup_bars}
            self._finish(None, "failed", counts, save=False)
            raise
        counts = {"bars": driver.bars, "articles": 0, "warmup_bars": driver.warmup_bars}
        return self._finish(None, status, counts)

    def _events(self) -> Iterator[Bar | Article]:
        bars = self.feed.bars()
        if self._news is None:
            return bars
        return heapq.merge(self._news.articles(), bars, key=_event_order)

    def _finish(
        self, current: datetime | None, status: str, counts: dict[str, int], save: bool = True
    ) -> RunResult:
        """``save``: the run ended cleanly after bar time ``current``; the decision stage
        closes that time and saves its state with it (what a resume continues from)."""
        if current is not None:
            self.ledger.close_time(current, None)
        if save and current is not None:
            if self._risk is not None:
                self._risk.finish(current)
            else:
                self._store.save_risk_state(self.run_info.id, current, {})
        self.ledger.save_positions()
        counts |= {
            "signals": self.signals.emitted,
            "acted": self.decisions.acted,
            "skipped": self.decisions.skipped,
            "snapshots": self.ledger.snapshots,
            "scored_articles": self.news.scored,
            "unscored_articles": self.news.unscored,
            "news_signals": self.news_share.signals,
            "news_acted": self.news_share.acted,
        }
        times, equity, held, benchmark = self.ledger.curve.arrays()
        equity_ts = times.view("datetime64[ns]")
        metrics = summarise(
            equity_ts,
            equity,
            self.ledger.closed_trades,
            float(self.portfolio.initial_cash),
            self._periods,
            benchmark=benchmark if benchmark.size else None,
            held=held if held.size else None,
        )
        metrics |= {
            "decisions_acted": self.decisions.acted,
            "decisions_skipped": self.decisions.skipped,
            "open_positions": len(self.portfolio.positions),
            "news_signals": self.news_share.signals,
            "news_decisions_acted": self.news_share.acted,
        }
        self._store.finish_run(self.run_info.id, status, LiveClock().now(), metrics)
        self._store.flush()
        self._log.info("run finished", run_id=self.run_info.id, status=status, **counts)
        return RunResult(
            self.run_info.id,
            status,
            metrics,
            list(self.ledger.closed_trades),
            equity_ts,
            equity,
            counts,
            dict(self.decisions.skip_reasons.most_common()),
            benchmark,
        )
