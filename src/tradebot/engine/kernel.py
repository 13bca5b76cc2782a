"""The kernel: one object that runs backtests, paper replays and live sessions alike.

It is built from one :class:`~tradebot.engine.kernel_spec.KernelSpec`, wires the stages on
the bus in a fixed order and drives them with one ordered stream of events — bars, articles,
timers, execution reports, operator commands (:mod:`tradebot.engine.event_loop`: the
stream, its tie rule and when a bar time closes). The only things that differ between
modes are the adapters handed in (clock, feed, news source, broker, store); no stage knows
which mode it is in.

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

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from tradebot.domain.bar import Bar
from tradebot.domain.ledger_context import in_ledger_context
from tradebot.domain.messages import Article
from tradebot.domain.timer import TimerEvent
from tradebot.engine.batch_driver import BatchDriver
from tradebot.engine.collector import collector_paused, relaxed_collector
from tradebot.engine.command_stage import CommandStage
from tradebot.engine.contributions import StrategyContributions
from tradebot.engine.decision_stage import DecisionStage, SizingRules
from tradebot.engine.event_loop import (
    RANK_ARTICLE,
    RANK_BAR,
    RANK_COMMAND,
    Event,
    Inbox,
    Queued,
    live_events,
    simulated_events,
)
from tradebot.engine.execution_stage import ExecutionStage
from tradebot.engine.kernel_spec import KernelSpec, RunOptions
from tradebot.engine.learning_stage import LearningStage
from tradebot.engine.live_sources import FeedHealth, KernelSink, LiveSources
from tradebot.engine.lost_replies import ORDER_TIMERS
from tradebot.engine.news_stage import NewsStage
from tradebot.engine.operator_gate import OperatorGate
from tradebot.engine.order_manager import OrderManager
from tradebot.engine.portfolio import Portfolio
from tradebot.engine.portfolio_stage import PortfolioStage
from tradebot.engine.resume import Replay
from tradebot.engine.risk_duties import RISK_TIMERS
from tradebot.engine.risk_stage import RiskStage
from tradebot.engine.risk_views import instruments_from
from tradebot.engine.run_result import RunResult, summary_counts
from tradebot.engine.signal_stage import SignalStage
from tradebot.engine.topics import (
    COMMANDS,
    DECISIONS,
    EXECUTION_REPORTS,
    FILLS,
    MARKET_BARS,
    NEWS_RAW,
    NEWS_SCORED,
    ORDERS,
    SIGNALS,
    TRADES_CLOSED,
)
from tradebot.ops.logging import get_logger
from tradebot.ports import VENUE_TIMERS, BatchFeed, CommandLog, MarketFeed, SimulatedVenue

__all__ = ["Kernel", "KernelSpec", "RunOptions", "RunResult"]

Progress = Callable[[int], None]


class Kernel:
    def __init__(self, spec: KernelSpec) -> None:
        self.spec = spec
        self.run_info = run = spec.run
        self.clock = spec.clock
        self.feed = spec.feed
        self.inbox = Inbox()
        """Events arriving between bars (execution reports, operator commands): any thread
        may put them here; the kernel's thread dispatches them in order."""
        self._live: LiveSources | None = spec.live
        self._live_started = False
        self._history: list[Bar] = []
        self.health = FeedHealth()
        """Each live stream's connection, as its adapter last reported it."""
        self.sink = KernelSink(self._post_queued, self.health)
        """Where live adapters push bars, reports and articles (thread-safe)."""
        options = self._options = spec.options
        store, bus, broker = self._store, self._bus, self._broker = (
            spec.store,
            spec.bus,
            spec.broker,
        )
        self._stopping = False
        self._log = get_logger("kernel")
        rid = run.id
        self.gate = OperatorGate()
        """The operator's pause and kill switch (commands change it; stages read it)."""
        self.orders = OrderManager(
            run_id=rid, broker=broker, store=store, bus=bus, clock=self.clock, gate=self.gate
        )
        self.portfolio = Portfolio(
            spec.initial_cash, self.orders.context, borrow_rate=options.borrow_rate
        )
        self.orders.holding = self.portfolio.held_quantity
        venue = broker if isinstance(broker, SimulatedVenue) else None
        self._venue = venue
        self._block_feed = isinstance(self.feed, BatchFeed)  # asked once: protocols are slow
        self.execution = ExecutionStage(venue=venue, orders=self.orders)
        self.ledger = PortfolioStage(
            run_id=rid,
            portfolio=self.portfolio,
            store=store,
            bus=bus,
            snapshot_interval_s=options.snapshot_interval_s,
            record_snapshots=options.snapshots,
        )
        self.signals = SignalStage(
            run_id=rid,
            factories=spec.strategies,
            store=store,
            bus=bus,
            weights=options.weights,
            threshold=options.threshold,
            sentiment_half_life=options.sentiment_half_life,
        )
        instrument_of = instruments_from(spec.instruments)
        self.decisions: DecisionStage | RiskStage
        self._risk: RiskStage | None = None
        if isinstance(spec.decide, SizingRules):
            self.decisions = DecisionStage(
                run_id=rid,
                rules=spec.decide,
                portfolio=self.portfolio,
                orders=self.orders,
                store=store,
                bus=bus,
                gate=self.gate,
                instrument_of=instrument_of if spec.instruments else None,
            )
        else:
            self.decisions = self._risk = RiskStage(
                run_id=rid,
                setup=spec.decide,
                portfolio=self.portfolio,
                orders=self.orders,
                store=store,
                bus=bus,
                clock=self.clock,
                gate=self.gate,
                instrument_of=instrument_of,
            )
        self.news = NewsStage(
            run_id=rid,
            model=spec.sentiment,
            store=store,
            bus=bus,
            universe=run.symbols,
            seen=spec.news_seen,
        )
        self.news_share = StrategyContributions("news")
        log = store if isinstance(store, CommandLog) else None
        self.commands = CommandStage(
            run_id=rid,
            gate=self.gate,
            orders=self.orders,
            decisions=self.decisions,
            portfolio=self.portfolio,
            store=log,
            bus=bus,
            clock=self.clock,
            wall_clock=spec.wall_clock,
        )
        if spec.resume is not None and log is not None:  # a kill survives a restart
            self.commands.restore(log.commands(rid))
        self.learning: LearningStage | None = None
        """The learning stage, when the runtime attached one (it subscribes itself)."""
        self._replay: Replay | None = None
        if spec.resume is not None:
            self._replay = Replay(
                spec.resume,
                orders=self.orders,
                execution=self.execution,
                ledger=self.ledger,
                signals=self.signals,
                decisions=self.decisions,
                contributions=self.news_share if self._counts_news() else None,
            )
        # A run in real time (paced replay, paper, live): readers see the book as it moves.
        self.ledger.saves_positions_as_they_change = not self.clock.instant
        if self._live is not None and self._risk is not None:
            self._risk.save_each_close = True  # a restart continues from the latest close
        self._wire()

    @property
    def risk(self) -> RiskStage | None:
        """The autonomous risk engine's stage, when it decides (None: the reference stage)."""
        return self._risk

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
        sub(COMMANDS, self.commands.on_command, stage=CommandStage.stage)
        sub(_STOP_TOPIC, lambda _: self.stop(), stage="kernel")
        sub(DECISIONS, self.orders.on_decision, stage=OrderManager.stage)
        sub(EXECUTION_REPORTS, self.orders.on_report, stage=OrderManager.stage)
        sub(VENUE_TIMERS, self.execution.on_timer, stage=ExecutionStage.stage)
        lost = self.orders.lost_replies
        if lost is not None:
            sub(ORDER_TIMERS, lost.on_timer, stage=OrderManager.stage)
        sub(FILLS, self.ledger.on_fill, stage=PortfolioStage.stage)
        if risk is not None:  # after the ledger: fills see the updated position
            sub(TRADES_CLOSED, risk.on_trade_closed, stage=RiskStage.stage)
            sub(FILLS, risk.on_fill, stage=RiskStage.stage)
            sub(RISK_TIMERS, risk.on_timer, stage=RiskStage.stage)
            sub(ORDERS, risk.on_order, stage=RiskStage.stage)
        if self._replay is not None:
            sub(FILLS, self._replay.on_fill, stage="resume")

    def _counts_news(self) -> bool:
        """Whether the news strategy's share is counted (a strategy that is not running
        contributes nothing: no need to listen)."""
        return any(f.name == self.news_share.strategy for f in self.spec.strategies)

    def stop(self) -> None:
        """Ask the loop to finish after the current event (safe from a signal handler)."""
        self._stopping = True
        self.clock.interrupt()

    def post(self, event: Any, topic: str, ts: datetime, rank: int) -> None:
        """Queue an event that is not a bar, an article or a timer (an execution report,
        an operator command) to be dispatched on ``topic`` at ``ts``; thread-safe."""
        self._post_queued(Queued(ts, rank, event, topic))

    def stop_when_drained(self) -> None:
        """Stop once everything queued so far is dispatched (thread-safe): the stop waits
        in the inbox behind what the streams pushed before it (a rehearsal's last bar)."""
        self._post_queued(Queued(_DRAINED_AT, RANK_COMMAND, None, _STOP_TOPIC))

    def _post_queued(self, item: Queued) -> None:
        self.inbox.put(item)
        self.clock.interrupt()

    @property
    def uses_batch_path(self) -> bool:
        """Whether :meth:`run` takes the batch path: nothing waits between bars (instant
        clock), the feed has blocks, the venue says which symbols have working orders, no
        news must be interleaved with the bars and no timer is pending; and the decision
        stage does not need every bar, and no recorded past is being replayed. Between
        the bars it visits nothing can happen: no timer, report or command is waiting."""
        return (
            self._options.batch
            and self._replay is None
            and not self.decisions.needs_every_bar
            and self.spec.news is None
            and self.clock.instant
            and not self.clock.timers
            and self.inbox.head() is None
            and self._block_feed
            and self._venue is not None
            and self._venue.immediate
        )

    def run(self, progress: Progress | None = None, every: int = 2000) -> RunResult:
        """Replay every event; ``progress`` gets the number of bars done every ``every`` bars
        (every block on the batch path).

        A failure records the run as ``failed`` with its partial results, then re-raises.
        """
        with in_ledger_context():  # whatever a library did to this thread's Decimal context
            if self.uses_batch_path:
                with collector_paused():
                    return self._run_batches(progress)
            with relaxed_collector():
                return self._run_events(progress, every)

    def _run_events(self, progress: Progress | None, every: int) -> RunResult:
        """The per-event path: every event through the bus, in the stream's order."""
        self._store.start_run(self.run_info)
        status = "completed"
        done = {"bars": 0, "articles": 0, "warmup_bars": 0}
        current: datetime | None = None  # the latest bar time
        open_time: datetime | None = None  # the bar time not closed yet
        trade_from = self._options.trade_from
        publish, advance, close_time = (
            self._bus.publish,
            self.clock.advance_to,
            self.ledger.close_time,
        )
        replay = self._replay
        settling: Replay | None = None  # the past is done; its last fills may follow
        risk, ledger = self._risk, self.ledger
        bars = 0
        live = self._live
        try:
            if live is not None:
                trade_from = self._live_start(live)
            for item in self._events():
                if isinstance(item, Bar):
                    kind, ts = _BAR, item.ts
                elif isinstance(item, Article):
                    kind, ts = _ARTICLE, item.published_at
                else:
                    kind, ts = _OTHER, item.ts
                if self._stopping and ts != current:  # stop between bar times, never inside
                    status = "stopped"
                    break
                if trade_from is not None and ts < trade_from:
                    if kind is _BAR:  # history before the period only warms strategies up
                        assert isinstance(item, Bar)
                        done["warmup_bars"] += 1
                        self.signals.warm_up(item)
                        if risk is not None:
                            risk.warm_up(item)
                    elif kind is _OTHER:  # a command given before the period: not lost
                        self._dispatch(item)
                    continue
                if replay is not None and ts > replay.as_of:  # the recorded past is done
                    replay.finish()
                    replay, settling = None, replay
                if open_time is None and ledger.open_bucket is not None:
                    ledger.advance(ts, bar=kind is _BAR)
                if kind is _BAR and ts != current:  # the curve has a point per bar time
                    if open_time is not None:
                        close_time(open_time, ts)
                        settling = self._settle(settling, open_time)
                    current = open_time = ts
                elif kind is _OTHER and open_time is not None and ts > open_time:
                    close_time(open_time, ts, early=True)  # a timer or a report between bars
                    if risk is not None:
                        risk.close_through(ts)
                    settling = self._settle(settling, open_time)
                    open_time = None
                if replay is not None:  # resuming: the past again, unpaced, deciding nothing
                    if kind is _BAR:
                        assert isinstance(item, Bar)
                        bars += 1
                        replay.bar(item)
                    elif kind is _ARTICLE:
                        done["articles"] += 1
                        publish(NEWS_RAW, item)
                    else:
                        self._dispatch(item)
                    continue
                advance(ts)
                if kind is not _OTHER and live is None:  # what arrived while a paced clock
                    # waited comes first (live: the inbox is the stream, in arrival order)
                    self._dispatch_before(ts, RANK_BAR if kind is _BAR else RANK_ARTICLE)
                if kind is _BAR:
                    bars += 1
                    publish(MARKET_BARS, item)
                    if progress is not None and bars % every == 0:
                        progress(bars)
                elif kind is _ARTICLE:
                    done["articles"] += 1
                    publish(NEWS_RAW, item)
                else:
                    self._dispatch(item)
            if live is not None and self._stopping:
                status = "stopped"  # a live session ends only when asked to
            if replay is not None and status == "stopped":  # still in the recorded past:
                done["bars"] = bars  # its saved state stays the one to resume from
                return self._finish(current, open_time, status, done, save=False)
            if replay is not None:
                replay.finish()
                replay.settle()  # no bar after the past: nothing more can fill
            elif settling is not None and current is not None and current > settling.as_of:
                settling.settle()
        except KeyboardInterrupt:  # inside a bar time: no state saved, resume from the last
            done["bars"] = bars
            return self._finish(current, open_time, "stopped", done, save=False)
        except BaseException:
            done["bars"] = bars
            self._finish(current, open_time, "failed", done, save=False)
            raise
        finally:
            if live is not None and self._live_started:
                live.stop()
        done["bars"] = bars
        return self._finish(current, open_time, status, done)

    @staticmethod
    def _settle(settling: Replay | None, closed: datetime) -> Replay | None:
        """The first bar time after a resumed past is closed: its owed fills are due."""
        if settling is not None and closed > settling.as_of:
            settling.settle()
            return None
        return settling

    def _dispatch_before(self, ts: datetime, rank: int) -> None:
        """Dispatch the queued events that sort before an event at ``(ts, rank)``: they
        arrived while a paced clock waited for it (a command from another shell)."""
        inbox = self.inbox
        while (head := inbox.head()) is not None and head < (ts, rank):
            self._dispatch(inbox.pop())

    def _dispatch(self, item: Event) -> None:
        """A timer or a queued event, on its topic."""
        if isinstance(item, TimerEvent):
            self._bus.publish(item.topic, item)
        elif isinstance(item, Queued):
            self._bus.publish(item.topic, item.event)

    def _run_batches(self, progress: Progress | None) -> RunResult:
        """The batch path (:mod:`tradebot.engine.batch_driver`): same stages, same results."""
        self._store.start_run(self.run_info)
        venue, feed = self._venue, self.feed
        assert venue is not None
        options = self._options
        driver = BatchDriver(
            clock=self.clock,
            venue=venue,
            execution=self.execution,
            ledger=self.ledger,
            signals=self.signals,
            portfolio=self.portfolio,
            trade_from=options.trade_from,
            snapshot_interval_s=options.snapshot_interval_s,
        )
        status = "completed"
        try:
            for block in cast(BatchFeed, feed).batches():
                if self._stopping:
                    status = "stopped"
                    break
                driver.run_block(block)
                if self.clock.timers or self.inbox.head() is not None:
                    raise RuntimeError(  # the path is chosen only when none can arise
                        "a timer or an event arrived on the batch path, which skips the "
                        "time between the bars it visits; run with batch=False"
                    )
                if progress is not None:
                    progress(driver.bars)
        except KeyboardInterrupt:
            status = "stopped"
        except BaseException:
            counts = {"bars": driver.bars, "articles": 0, "warmup_bars": driver.warmup_bars}
            self._finish(None, None, "failed", counts, save=False)
            raise
        counts = {"bars": driver.bars, "articles": 0, "warmup_bars": driver.warmup_bars}
        return self._finish(None, None, status, counts)

    def _events(self) -> Any:
        """The simulated stream (:func:`~tradebot.engine.event_loop.simulated_events`), or
        a live session's (:meth:`_live_events`)."""
        if self._live is not None:
            return self._live_events(self._live)
        trade_from = self._options.trade_from
        assert isinstance(self.feed, MarketFeed)
        news = self.spec.news
        return simulated_events(
            self.feed.bars(),
            None if news is None else news.articles(),
            self.clock,
            self.inbox,
            until=self._options.run_until,
            holding=(lambda ts: ts < trade_from) if trade_from is not None else _never,
        )

    def _live_start(self, live: LiveSources) -> datetime:
        """Read the warm-up history (bars before the session trades, which only the
        strategies and the risk engine's market state see) and say where trading starts:
        just after the history's last bar, so every bar the stream brings is traded."""
        now = self.clock.now()
        history = live.feed.history(self.run_info.symbols, live.warmup_from, now)
        self._history = history
        last = max((bar.ts for bar in history), default=None)
        return now if last is None else last + _TICK

    def _live_events(self, live: LiveSources) -> Any:
        """The warm-up history, then the streams (started once the history is in hand),
        drained in arrival order until a stop."""
        history, self._history = self._history, []
        taken: dict[str, datetime] = {}
        for bar in history:
            taken[bar.symbol] = bar.ts
        live.start(self.sink)
        self._live_started = True
        yield from history
        yield from live_events(
            self.clock,
            self.inbox,
            lambda: self._stopping,
            dropped=self._dropped_bar,
            taken=taken,
        )

    def _dropped_bar(self, bar: Bar, why: str) -> None:
        self._log.warning("bar dropped", symbol=bar.symbol, ts=bar.ts.isoformat(), why=why)

    def _finish(
        self,
        current: datetime | None,
        open_time: datetime | None,
        status: str,
        counts: dict[str, int],
        save: bool = True,
    ) -> RunResult:
        """``save``: the run ended cleanly after bar time ``current``; the decision stage
        closes that time and saves its state with it (what a resume continues from)."""
        if open_time is not None:
            self.ledger.close_time(open_time, None)
        self.ledger.advance(None)
        if save and current is not None:
            if self._risk is not None:
                self._risk.finish(current)
            else:
                self._store.save_risk_state(self.run_info.id, current, {})
        self.ledger.save_positions()
        counts |= summary_counts(self)
        times, equity, held, benchmark = self.ledger.curve.arrays()
        equity_ts = times.view("datetime64[ns]")
        metrics = self.spec.summarise(
            equity_ts,
            equity,
            self.ledger.closed_trades,
            float(self.portfolio.initial_cash),
            self._options.periods_per_year,
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
        if self.learning is not None:
            metrics |= self.learning.summary()
        wall = self.spec.wall_clock or self.clock
        self._store.finish_run(self.run_info.id, status, wall.now(), metrics)
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


_BAR, _ARTICLE, _OTHER = 0, 1, 2
_TICK = timedelta(microseconds=1)
_STOP_TOPIC = "kernel.stop"
_DRAINED_AT = datetime(1970, 1, 1, tzinfo=UTC)
"""A stop queued behind the streams counts at no bar time: it closes none early."""


def _never(ts: datetime) -> bool:
    return False
