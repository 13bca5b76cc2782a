""":class:`Services`: every application service of one process, built from its settings.

One per ``tradebot serve`` (the API holds it in ``app.state.services``); tests build one on
a temporary database. Closing it stops the engine it hosts, the background backtests and
the pool.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from tradebot.config import Settings
from tradebot.runtime.notify.attach import install, uninstall
from tradebot.runtime.notify.process import ProcessNotifier
from tradebot.service.backtests import BacktestJobs
from tradebot.service.config_changes import ConfigService
from tradebot.service.config_refresher import CONFIG_REFRESH_S, ConfigRefresher
from tradebot.service.controls import Controls
from tradebot.service.database import open_database
from tradebot.service.engine_host import EngineHost
from tradebot.service.events import EventHub
from tradebot.service.notifications import NotificationService, follow_settings
from tradebot.service.queries import Queries
from tradebot.service.tier_follower import TierFollower

__all__ = ["Services"]


@dataclass(slots=True)
class Services:
    settings: Settings
    db: Engine
    events: EventHub
    config: ConfigService
    host: EngineHost
    queries: Queries
    notifications: NotificationService
    controls: Controls
    backtests: BacktestJobs
    notifier: ProcessNotifier
    refresher: ConfigRefresher

    @classmethod
    def open(cls, settings: Settings) -> Services:
        """Every service on ``settings.store.url`` (migrated to head). The engine host is
        built idle: ``services.host.start()`` runs ``settings.api.engine``."""
        db = open_database(settings.store.url)
        events = EventHub(settings.api.event_buffer)
        config = ConfigService(db, settings)
        host = EngineHost(config.effective, events)
        controls = Controls(db, settings.store.url, host)
        # a new risk.tier reaches the hosted run at once
        config.subscribe(TierFollower(host, controls, config.effective))
        notifier = ProcessNotifier(db)
        notifier.apply(config.effective().notifications)
        install(notifier)  # the runs this server hosts tell it
        config.subscribe(follow_settings(notifier))
        refresher = ConfigRefresher(config, CONFIG_REFRESH_S)
        return cls(
            settings=settings,
            db=db,
            events=events,
            config=config,
            host=host,
            queries=Queries(db, host.current_run_id, fresh_for_s=settings.api.read_cache_ms / 1000),
            notifications=NotificationService(db, config),
            controls=controls,
            backtests=BacktestJobs(config.effective, events, db=db),
            notifier=notifier,
            refresher=refresher,
        )

    def close(self) -> None:
        """Stop the backtests, then the engine, then the pool: each one even when the one
        before it failed (a failing backtest close must not leave the engine running)."""
        self.refresher.close()
        try:
            self.backtests.close()
        finally:
            try:
                self.host.stop()
            finally:
                try:
                    uninstall(self.notifier)
                    self.notifier.close()
                finally:
                    self.db.dispose()
