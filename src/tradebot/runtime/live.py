"""Sessions on live data: ``tradebot paper --broker sim|alpaca|ccxt`` and ``tradebot live``.

The same kernel as a backtest, with the wall clock, a venue's live feed, its execution
reports and its book. Start-up runs in one order, which is also the crash-restart path
(cold start and restart are the same code):

1. the venue (:mod:`tradebot.runtime.venues`): keys from the environment, reachable, its
   instruments for the session's symbols — each failure one line;
2. the run: a new one, or the one ``--resume`` names (its record, its initial cash);
3. the book restored from the store (the run's fills into the ledger, its open orders
   tracked without being sent again) and reconciled with the venue before the first order:
   missed fills and statuses applied once, orders that never reached the venue closed,
   never resubmitted; what stays unexplained halts the session (``live`` refuses to
   start on it);
4. the warm-up from the venue's history, then the streams.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from tradebot.adapters.clock import LiveClock
from tradebot.adapters.news.dedup import MemorySeenItems
from tradebot.adapters.news.pushed import PushedNews
from tradebot.adapters.news.sources import build_live_source
from tradebot.backtest.metrics import summarise
from tradebot.config import Settings
from tradebot.domain.enums import Mode, Timeframe
from tradebot.domain.errors import ConfigError
from tradebot.domain.instrument import AssetClass, Instrument
from tradebot.domain.run import RunInfo
from tradebot.engine.bus import MemoryBus
from tradebot.engine.decision_stage import SizingRules
from tradebot.engine.ids import stable_id
from tradebot.engine.kernel import Kernel, KernelSpec, RunOptions
from tradebot.engine.live_sources import LiveSources
from tradebot.engine.risk_stage import RiskSetup
from tradebot.ports import LiveNews, Store
from tradebot.runtime.analyzers import build_analyzer
from tradebot.runtime.metrics import observe_kernel, timed_sentiment
from tradebot.runtime.notify.attach import watch_kernel
from tradebot.runtime.revision import code_revision
from tradebot.runtime.venues import Venue
from tradebot.runtime.wiring import (
    news_memory,
    risk_setup_between,
    sizing_rules,
    summary_time,
    warmup_start,
)
from tradebot.sentiment.unavailable import UnavailableAnalyzer
from tradebot.strategies.registry import load_registry, make_factory

__all__ = ["LiveRequest", "build_live_kernel", "recording_dir"]

BrokerName = Literal["sim", "alpaca", "ccxt"]
_PREFIX = {Mode.PAPER: "paper", Mode.LIVE: "live"}


@dataclass(frozen=True, slots=True)
class LiveRequest:
    """What a session on live data is asked to do, on top of the settings."""

    mode: Mode
    broker: BrokerName
    symbols: tuple[str, ...]
    strategies: tuple[str, ...] = ()
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    timeframe: Timeframe | None = None
    """None: ``live.timeframe``."""


def build_live_kernel(
    settings: Settings,
    request: LiveRequest,
    store: Store,
    venue: Venue,
    *,
    run: RunInfo | None = None,
) -> Kernel:
    """The kernel of a session on ``venue``; ``run`` continues a recorded session (its
    strategies, parameters, weights and initial cash come from its record)."""
    if request.mode is Mode.BACKTEST:
        raise ConfigError(
            "a live session is paper or live, not a backtest", "use `tradebot backtest`"
        )
    timeframe = request.timeframe or settings.live.timeframe
    names = request.strategies or settings.strategy.names
    if run is not None:
        names = tuple(run.strategy.split(","))
    stored_params = dict(run.config.get("params", {})) if run is not None else {}
    params = stored_params or {
        name: settings.strategy.params.get(name, {}) | request.params.get(name, {})
        for name in names
    }
    registry = load_registry(settings.strategy.dir)
    factories = [make_factory(name, params.get(name, {}), registry=registry) for name in names]
    warmup = max([f.warmup_period for f in factories] + [settings.live.warmup_bars])
    wall = LiveClock()
    now = wall.now()
    warmup_from = warmup_start(now, timeframe, warmup) or now
    weights = store.load_weights(names) if run is None else dict(run.config.get("weights", {}))
    initial_cash = venue.starting_cash if run is None else Decimal(run.config["initial_cash"])
    run_id = f"{_PREFIX[request.mode]}-{request.broker}-{now:%Y%m%dT%H%M%S}-" + stable_id(
        request, now.isoformat(), length=6
    )
    run = run or RunInfo(
        id=run_id,
        mode=request.mode,
        started_at=now,
        strategy=",".join(names),
        symbols=request.symbols,
        timeframe=timeframe,
        data_start=now,
        config={
            "params": params,
            "weights": weights,
            "broker": request.broker,
            "venue": venue.name,
            "initial_cash": str(initial_cash),
            "git_revision": code_revision(),
            "data_dir": str(recording_dir(settings, run_id)),
            "settings": _recorded_settings(settings),
        },
    )
    options = RunOptions(
        snapshot_interval_s=min(settings.snapshot_interval_s, 3600),
        weights=weights,
        threshold=settings.strategy.threshold,
        borrow_rate=settings.broker.borrow_rate,
        sentiment_half_life=timedelta(hours=settings.sentiment.half_life_hours),
        periods_per_year=_periods_per_year(venue.instruments.values()),
        batch=False,
    )
    news = venue.news + _polled_news(settings)
    spec = KernelSpec(
        run=run,
        clock=wall,
        feed=venue.feed,
        broker=venue.broker,
        bus=MemoryBus(),
        store=store,
        strategies=factories,
        sentiment=timed_sentiment(
            build_analyzer(settings.sentiment.analyzer, settings.sentiment)
            if news
            else UnavailableAnalyzer(settings.sentiment.analyzer, "this session has no news"),
            request.mode,
        ),
        initial_cash=initial_cash,
        summarise=summarise,
        decide=_decide(settings, store, warmup_from, now),
        news_seen=news_memory(store, replay=False),
        options=options,
        instruments=venue.instruments,
        live=LiveSources(
            feed=venue.feed,
            warmup_from=warmup_from,
            reports=venue.reports,
            news=news,
            reconcile_every_s=float(settings.live.reconcile_interval_s),
        ),
        wall_clock=wall,
    )
    kernel = Kernel(spec)
    observe_kernel(kernel, source=request.broker)  # when the process serves metrics
    watch_kernel(kernel, settings.notifications)  # when the process notifies
    return kernel


def recording_dir(settings: Settings, run_id: str) -> Path:
    """Where a session keeps the bars it acted on (``tradebot drift`` reads them): beside
    the SQLite database, or under ``.tradebot`` for another database."""
    url = settings.store.url
    base = Path(".tradebot")
    if url.startswith("sqlite:///"):
        base = Path(url.removeprefix("sqlite:///")).parent
    return base / "recorded" / run_id


def _polled_news(settings: Settings) -> tuple[LiveNews, ...]:
    """RSS and Reddit (``news.feeds``, ``news.reddit``), polled on their own thread, when
    news is on."""
    if not settings.news.enabled:
        return ()
    source = build_live_source(settings.news, LiveClock(), MemorySeenItems())
    return (PushedNews(source),)


def _decide(
    settings: Settings, store: Store, first: datetime, now: datetime
) -> RiskSetup | SizingRules:
    """The autonomous risk engine (with the daily summary), or the reference stage."""
    if settings.risk.engine == "autonomous":
        setup = risk_setup_between(settings, store, first, now)
        return RiskSetup(setup.engine, setup.calendar, summary=summary_time(settings))
    return sizing_rules(settings)


def _periods_per_year(instruments: Iterable[Instrument]) -> int:
    """What annualises the session's daily ratios (the metrics use daily returns whatever
    the bar size, as a backtest's do): 365 for a book of 24/7 crypto pairs, else 252."""
    classes = {instrument.asset_class for instrument in instruments}
    return 365 if classes == {AssetClass.CRYPTO} else 252


def _recorded_settings(settings: Settings) -> dict[str, Any]:
    """The settings as the run records them: every secret left out."""
    return settings.model_dump(
        mode="json",
        exclude={
            "broker": {"alpaca_api_key", "alpaca_api_secret"},
            "live": {"ccxt_api_key", "ccxt_secret"},
        },
    )
