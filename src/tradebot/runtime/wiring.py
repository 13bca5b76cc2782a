"""The composition root: picks adapters for a mode and hands them to the kernel.

This is the only place that knows which mode runs. Backtests get a simulated clock and a
store that writes in batches; paper replays get a paced clock and a store that commits each
record before the next step. Everything else — feed, broker, strategy, stages — is the same
object graph.

The decision stage is the autonomous risk engine unless ``risk.engine`` is ``reference``
(:func:`risk_setup`: the bundled sector table, the bundled earnings calendar merged with
the dates imported into the database, and the XNYS sessions over the data's span).

News is scored by ``build_analyzer(settings.sentiment.analyzer, ...)`` (the lexicon by
default), built only when the run has news. The memory of scored news is fresh for every
replay and the store's own only for sessions on live sources (:func:`news_memory`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from tradebot.adapters.clock import LiveClock
from tradebot.adapters.instruments import BundledInstruments
from tradebot.adapters.news.dedup import MemorySeenItems
from tradebot.adapters.news.file_replay import FileReplaySource
from tradebot.adapters.news.polling import PollingNewsSource
from tradebot.adapters.paper.broker import PaperBroker
from tradebot.adapters.paper.fees import FeeSchedule
from tradebot.adapters.paper.intrabar import FinerBars
from tradebot.adapters.paper.latency import VenueLatency
from tradebot.adapters.paper.volume import VolumeShare
from tradebot.adapters.parquet.feed import ParquetReplayFeed
from tradebot.adapters.sql.store import SqlStore
from tradebot.backtest.metrics import summarise
from tradebot.config import InstrumentSettings, Settings
from tradebot.data import sample_data_dir
from tradebot.data.reference import bundled_earnings, bundled_sectors
from tradebot.domain.enums import Mode, Timeframe
from tradebot.domain.errors import ConfigError
from tradebot.domain.instrument import US_EQUITY_CALENDAR, AssetClass, Instrument
from tradebot.domain.run import RunInfo
from tradebot.engine.bus import MemoryBus
from tradebot.engine.clock import PacedClock, SimClock
from tradebot.engine.decision_stage import SizingRules
from tradebot.engine.ids import stable_id
from tradebot.engine.kernel import Kernel, KernelSpec, RunOptions
from tradebot.engine.learning_stage import LearningLog, LearningSetup, LearningStage
from tradebot.engine.resume import ResumePoint
from tradebot.engine.risk_stage import RiskSetup, RiskStage
from tradebot.learning import Guardrails, make_policy
from tradebot.ports import Clock, EarningsSource, NewsSource, SeenItems, SentimentModel, Store
from tradebot.risk import RiskEngine, exchange_sessions
from tradebot.runtime.analyzers import build_analyzer
from tradebot.runtime.discarding_store import NO_STORE, DiscardingStore
from tradebot.runtime.metrics import observe_kernel, timed_sentiment
from tradebot.runtime.notify.attach import watch_kernel
from tradebot.runtime.ranges import check_dates, require_bars
from tradebot.runtime.revision import code_revision
from tradebot.sentiment.unavailable import UnavailableAnalyzer
from tradebot.strategies.registry import load_registry, make_factory

__all__ = [
    "FRACTIONAL_LOT",
    "RunRequest",
    "attach_learning",
    "build_kernel",
    "learning_setup",
    "news_memory",
    "open_store",
    "risk_setup",
    "risk_setup_between",
    "run_instruments",
    "sizing_rules",
    "warmup_start",
]

FRACTIONAL_LOT = Decimal("0.0001")
"""The lot of a fractional share when ``risk.fractional`` is on (the reference stage's)."""

_RUN_PREFIX = {Mode.BACKTEST: "bt", Mode.PAPER: "paper", Mode.LIVE: "live"}


@dataclass(frozen=True, slots=True)
class RunRequest:
    """What one run is asked to do, on top of the settings."""

    symbols: tuple[str, ...]
    start: datetime | None = None
    end: datetime | None = None
    strategies: tuple[str, ...] = ()
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    data_dir: Path | None = None
    timeframe: Timeframe = Timeframe.D1
    news_file: Path | None = None
    mode: Mode = Mode.BACKTEST
    speed: float = 600.0
    weights: dict[str, float] | None = None
    """The strategies' starting weights (another run's learned ones, say); None: the
    database's."""
    run_id: str | None = None
    """The new run's id, when the caller named it before the run started (a backtest
    queued over the API answers with the id its run will have); None: made here."""


def open_store(settings: Settings, mode: Mode) -> Store:
    """Backtests buffer rows; paper and live commit every record before acting on it.
    ``store.url: none`` keeps nothing (backtests only: a paper or live session must leave
    a record of what it did)."""
    if settings.store.url == NO_STORE:
        if mode is not Mode.BACKTEST:
            raise ConfigError(
                f"store.url 'none' is for backtests, not {mode} sessions",
                "give paper and live a database (the default SQLite file, or PostgreSQL)",
            )
        return DiscardingStore()
    batch = settings.store.batch_size if mode is Mode.BACKTEST else 1
    return SqlStore(settings.store.url, batch_size=batch)


def build_kernel(
    settings: Settings,
    request: RunRequest,
    store: Store,
    *,
    run: RunInfo | None = None,
    resume: ResumePoint | None = None,
) -> Kernel:
    """The kernel for ``request``; ``run`` and ``resume`` continue a recorded run instead of
    starting a new one (:func:`tradebot.runtime.resume_run.resume_kernel`)."""
    check_dates(request.start, request.end)  # the user's dates, before the warm-up moves one
    data_dir = request.data_dir or settings.data.dir or sample_data_dir("equities_daily")
    names = request.strategies or settings.strategy.names
    params = {
        name: settings.strategy.params.get(name, {}) | request.params.get(name, {})
        for name in names
    }
    user_dir = settings.strategy.dir
    registry = load_registry(user_dir)
    factories = [make_factory(name, params[name], registry=registry) for name in names]
    warmup = max(f.warmup_period for f in factories)
    feed_start = warmup_start(request.start, request.timeframe, warmup)
    feed = ParquetReplayFeed(data_dir, request.symbols, request.timeframe, feed_start, request.end)
    require_bars(feed, request.start, request.end)
    news: NewsSource | None = None
    if request.news_file is not None and settings.news.enabled:
        news = FileReplaySource(
            request.news_file, start=request.start, end=request.end, symbols=request.symbols
        )
        news.load()  # a file with nothing usable fails here, before the run is recorded
    fees = FeeSchedule.of(settings.broker)
    clock = _clock(request)
    broker = PaperBroker(
        latency=_latency(settings, clock),
        slippage_bps=settings.broker.slippage_bps,
        fees=fees,
        initial_cash=settings.broker.initial_cash,
        volume=_volume_model(settings),
        allow_short=settings.risk.allow_short,
        finer_bars=_finer_bars(settings, data_dir, request),
    )
    rules = sizing_rules(settings)
    if run is not None:
        weights = dict(run.config.get("weights", {}))
    elif request.weights is not None:
        weights = _given_weights(request.weights, names)
    else:
        weights = store.load_weights(names)
    started = LiveClock().now()
    run = run or RunInfo(
        id=request.run_id
        or f"{_RUN_PREFIX[request.mode]}-{started:%Y%m%dT%H%M%S}-"
        + stable_id(request, started.isoformat(), length=8),
        mode=request.mode,
        started_at=started,
        strategy=",".join(names),
        symbols=request.symbols,
        timeframe=request.timeframe,
        data_start=request.start,
        data_end=request.end,
        config={
            "params": params,
            "weights": weights,
            "git_revision": code_revision(),
            "data_dir": str(data_dir),
            "news_file": str(request.news_file) if request.news_file else None,
            "settings": settings.model_dump(
                mode="json", exclude={"broker": {"alpaca_api_key", "alpaca_api_secret"}}
            ),
        },
    )
    options = RunOptions(
        snapshot_interval_s=settings.snapshot_interval_s,
        trade_from=request.start,
        run_until=request.end,
        weights=weights,
        threshold=settings.strategy.threshold,
        snapshots=not isinstance(store, DiscardingStore),
        borrow_rate=settings.broker.borrow_rate,
        sentiment_half_life=timedelta(hours=settings.sentiment.half_life_hours),
    )
    spec = KernelSpec(
        run=run,
        clock=clock,
        feed=feed,
        broker=broker,
        bus=MemoryBus(),
        store=store,
        strategies=factories,
        sentiment=timed_sentiment(_sentiment(settings, news), request.mode),
        initial_cash=settings.broker.initial_cash,
        summarise=summarise,
        decide=_decision_stage(settings, request, feed, store, rules),
        news=news,
        news_seen=news_memory(store, replay=not isinstance(news, PollingNewsSource)),
        resume=resume,
        options=options,
        wall_clock=LiveClock(),
        instruments=run_instruments(settings, request.symbols),
    )
    kernel = Kernel(spec)
    if settings.learning.enabled:
        attach_learning(kernel, learning_setup(settings, request.mode), names, store)
    observe_kernel(kernel, source="replay")  # paper replays only, when metrics are served
    watch_kernel(kernel, settings.notifications)  # paper replays, when the process notifies
    return kernel


def learning_setup(settings: Settings, mode: Mode) -> LearningSetup:
    """The learning engine from ``learning:`` settings (a bad guardrail is one line). Only
    paper and live sessions write learned weights to the strategies table; a backtest
    records its weight path with the run, so the next run starts from the same weights."""
    given = settings.learning
    try:
        guardrails = Guardrails(
            learning_rate=given.learning_rate,
            min_trades=given.min_trades,
            max_shift=given.max_shift,
            floor=given.floor,
            half_life=given.half_life,
        )
    except ValueError as exc:
        raise ConfigError(str(exc), "fix the `learning:` settings") from exc
    return LearningSetup(
        policy=make_policy(given.policy, given.seed),
        guardrails=guardrails,
        shadow=given.shadow,
        every=given.every,
        persist_weights=mode is not Mode.BACKTEST,
    )


def attach_learning(
    kernel: Kernel, setup: LearningSetup, strategies: Sequence[str], store: Store
) -> LearningStage:
    """Subscribe a learning stage to ``kernel``'s bus (after its stages), with the risk
    engine's ATR when it decides; a resumed run gets back its book and weights."""
    decisions = kernel.decisions
    stage = LearningStage(
        run_id=kernel.run_info.id,
        setup=setup,
        signals=kernel.signals,
        strategies=strategies,
        log=store if isinstance(store, LearningLog) else None,
        atr_of=decisions.market.atr if isinstance(decisions, RiskStage) else None,
    )
    if kernel.spec.resume is not None:
        stage.restore()
    stage.attach(kernel.spec.bus)
    kernel.learning = stage
    return stage


def risk_setup(settings: Settings, feed: ParquetReplayFeed, store: Store) -> RiskSetup:
    """The risk engine for a run on ``feed``: its rules from the settings, the bundled
    sectors, the bundled earnings dates with those imported into the store, and the XNYS
    sessions from a month before the first bar to a month after the last."""
    spans = [span for span in map(feed.span, feed.symbols) if span is not None]
    today = LiveClock().now()
    first = min(f for f, _ in spans) if spans else today
    last = max(last for _, last in spans) if spans else today
    return risk_setup_between(settings, store, first, last)


def risk_setup_between(
    settings: Settings, store: Store, first: datetime, last: datetime
) -> RiskSetup:
    """The risk engine for a run whose bars lie between ``first`` and ``last`` (a live
    session: its warm-up and the weeks ahead)."""
    earnings = bundled_earnings()
    if isinstance(store, EarningsSource):
        earnings = earnings.merged(store.imported_earnings())
    calendar = exchange_sessions(
        (first - timedelta(days=31)).astimezone(UTC).date(),
        (last + timedelta(days=31)).astimezone(UTC).date(),
    )
    engine = RiskEngine(
        settings.risk.risk_config(),
        sectors=bundled_sectors(),
        earnings=earnings,
        calendar=calendar,
    )
    return RiskSetup(engine, calendar)


def run_instruments(settings: Settings, symbols: Sequence[str]) -> dict[str, Instrument]:
    """The run's instruments from the bundled table (an unknown pair is one error line,
    before any work); equities trade fractional lots of 0.0001 with ``risk.fractional``."""
    declared = {
        s: _declared(s, settings.instruments[s]) for s in symbols if s in settings.instruments
    }
    table = BundledInstruments(settings.risk.fractional, fractional_lot=FRACTIONAL_LOT)
    listed = table.instruments([s for s in symbols if s not in declared])
    return {s: declared[s] if s in declared else listed[s] for s in symbols}


def _declared(symbol: str, given: InstrumentSettings) -> Instrument:
    """The instrument a user declared under ``instruments:`` in the configuration."""
    equity = given.asset_class == "equity"
    try:
        return Instrument(
            symbol=symbol,
            asset_class=AssetClass(given.asset_class),
            tick_size=given.tick_size,
            lot_size=given.lot_size,
            min_quantity=given.min_quantity or given.lot_size,
            min_notional=given.min_notional,
            fractional=bool(given.lot_size % 1),
            calendar=given.calendar or (US_EQUITY_CALENDAR if equity else None),
            currency=given.currency,
        )
    except ValueError as exc:
        raise ConfigError(str(exc), f"fix `instruments.{symbol}` in the configuration") from exc


def _given_weights(given: dict[str, float], names: Sequence[str]) -> dict[str, float]:
    """``given`` for the run's strategies; a strategy it does not name is one error line."""
    missing = [name for name in names if name not in given]
    if missing:
        raise ConfigError(
            f"no starting weight for {', '.join(missing)}",
            "give every running strategy a weight (--weights-from a run of the same strategies)",
        )
    return {name: float(given[name]) for name in names}


def sizing_rules(settings: Settings) -> SizingRules:
    """The reference decision stage's rules from the settings."""
    risk = settings.risk
    return SizingRules(
        position_fraction=risk.position_fraction,
        max_open_positions=risk.reference_max_open_positions,
        cash_buffer=risk.cash_buffer,
        commission_rate=settings.broker.commission_rate,
        fractional=risk.fractional,
        all_in=risk.sizing == "all_in",
        allow_short=risk.allow_short,
        stop_loss=risk.stop_loss,
        take_profit=risk.take_profit,
    )


def news_memory(store: Store, *, replay: bool) -> SeenItems:
    """The memory of (story, ticker) pairs already scored that a run's news stage gets.

    A replay — every backtest, and ``paper --replay`` — gets a fresh one: replaying the same
    file again must score its news again, or a second run would trade without news and a
    paper replay would no longer decide like the backtest of the same data. A session on
    live sources gets the store's persisted memory, so a restart scores nothing twice.
    """
    if replay or not isinstance(store, SeenItems):
        return MemorySeenItems()
    return store


def _sentiment(settings: Settings, news: NewsSource | None) -> SentimentModel:
    """The configured analyzer when the run has news; otherwise nothing is loaded (a model
    can take seconds and gigabytes) and an analyzer that never answers stands in."""
    if news is None:
        return UnavailableAnalyzer(settings.sentiment.analyzer, "this run has no news source")
    return build_analyzer(settings.sentiment.analyzer, settings.sentiment)


def _volume_model(settings: Settings) -> VolumeShare | None:
    if settings.broker.fill_model != "volume_share":
        return None
    return VolumeShare(settings.broker.volume_limit, settings.broker.price_impact)


def _finer_bars(settings: Settings, data_dir: Path, request: RunRequest) -> FinerBars | None:
    """Bars of ``broker.intrabar_timeframe`` from the same data folder, read on demand."""
    timeframe = settings.broker.intrabar_timeframe
    if timeframe is None:
        return None
    if timeframe.seconds >= request.timeframe.seconds:
        raise ConfigError(
            f"broker.intrabar_timeframe {timeframe} is not finer than {request.timeframe} bars",
            "choose a shorter timeframe (e.g. 1m for daily bars) or leave it unset",
        )
    finer = ParquetReplayFeed(data_dir, request.symbols, timeframe, request.start, request.end)
    return finer.bars_between


def warmup_start(start: datetime | None, timeframe: Timeframe, bars: int) -> datetime | None:
    """Where to start reading so that ``bars`` bars precede ``start``.

    Calendar slack covers weekends and holidays (daily: 1.5 calendar days per bar plus ten
    days; intraday: three times the span plus four days for nights and weekends). Reading a
    little too much costs a few bars; reading too little only delays the first signal.
    """
    if start is None or bars <= 0:
        return start
    if timeframe is Timeframe.D1:
        return start - timedelta(days=int(bars * 1.5) + 10)
    return start - timedelta(seconds=timeframe.seconds * bars * 3) - timedelta(days=4)


def _decision_stage(
    settings: Settings,
    request: RunRequest,
    feed: ParquetReplayFeed,
    store: Store,
    rules: SizingRules,
) -> RiskSetup | SizingRules:
    """The autonomous risk engine (the default), with the daily summary at
    ``notifications.daily_summary_at`` (New York) in paper and live sessions (a backtest has
    nobody to tell); or the reference stage."""
    if settings.risk.engine != "autonomous":
        return rules
    setup = risk_setup(settings, feed, store)
    if request.mode is Mode.BACKTEST:
        return setup
    return replace(setup, summary=summary_time(settings))


def summary_time(settings: Settings) -> time | None:
    """When the daily summary is made (New York): ``notifications.daily_summary_at``, none
    when it is off or notifications are."""
    notifications = settings.notifications
    at = notifications.daily_summary_at
    if not notifications.enabled or at is None:
        return None
    hours, minutes = at.split(":")
    return time(int(hours), int(minutes))


def _latency(settings: Settings, clock: Clock) -> VenueLatency | None:
    """The paper venue's latency (``broker.latency_ms``), on the run's clock."""
    delay = settings.broker.latency_ms
    return None if delay == 0 else VenueLatency(timedelta(milliseconds=delay), clock)


def _clock(request: RunRequest) -> Clock:
    if request.mode is Mode.BACKTEST:
        return SimClock()
    return PacedClock(request.speed)
