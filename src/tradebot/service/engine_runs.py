"""What the engine host runs, built exactly as the CLI builds it.

- ``replay``: ``tradebot paper --replay`` — the bundled StockNet prices and tweets replayed
  at ``api.replay_speed`` by a paper kernel on a store that commits every record;
- ``paper``: ``tradebot paper --broker api.broker`` — a session on live data (opened,
  restored and reconciled by :func:`~tradebot.runtime.session.open_session`);
- ``live``: ``tradebot live --broker B --confirm-live`` — only through the go-live control.

Each returns a :class:`HostedRun`: the kernel, the store the kernel writes through (for
its commands' log the host opens a second one), and how to close what was opened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tradebot.adapters.parquet import data_symbols
from tradebot.adapters.sql.store import SqlStore
from tradebot.config import Settings
from tradebot.data import sample_data_dir, sample_news_file
from tradebot.domain.enums import Mode, Timeframe
from tradebot.domain.errors import ConfigError
from tradebot.engine.kernel import Kernel
from tradebot.runtime.live import BrokerName, LiveRequest
from tradebot.runtime.resume_run import resume_kernel
from tradebot.runtime.session import RECONCILE_TOPIC, open_session
from tradebot.runtime.wiring import RunRequest, build_kernel, open_store

__all__ = ["REPLAY_DATASET", "HostedRun", "hosted_symbols", "open_live", "open_replay"]

REPLAY_DATASET = "stocknet"
"""What ``tradebot paper --replay`` replays without ``--data`` (prices and tweets)."""
_DEFAULT_SYMBOLS: dict[str, tuple[str, ...]] = {
    "sim": ("AAPL", "MSFT"),
    "alpaca": ("AAPL", "MSFT"),
    "ccxt": ("BTC/USDT",),
}


@dataclass(slots=True)
class HostedRun:
    kernel: Kernel
    store: SqlStore
    mode: Mode
    broker: str
    reconciled: bool | None
    """The start-up reconciliation agreed (None: a venue without a book of its own)."""
    close: Callable[[], None]
    extra_topics: tuple[str, ...] = ()
    """Topics of the session's own timers (the reconciliation), for the heartbeat."""


def open_replay(settings: Settings, *, resume: str | None = None) -> HostedRun:
    """The paper replay of the bundled data (``api.symbols``, default every symbol), or
    the continuation of the replay ``resume`` (``tradebot paper --replay --resume``)."""
    if resume is not None:
        store = open_store(settings, Mode.PAPER)
        assert isinstance(store, SqlStore)  # paper always has a database
        try:
            kernel = resume_kernel(settings, store, resume, speed=settings.api.replay_speed)
        except BaseException:
            store.close()
            raise
        return HostedRun(kernel, store, Mode.PAPER, "replay", None, store.close)
    data_dir = sample_data_dir(REPLAY_DATASET)
    symbols = tuple(settings.api.symbols) or data_symbols(data_dir, Timeframe.D1)
    request = RunRequest(
        symbols=symbols,
        data_dir=data_dir,
        news_file=sample_news_file(),
        mode=Mode.PAPER,
        speed=settings.api.replay_speed,
    )
    store = open_store(settings, Mode.PAPER)
    if not isinstance(store, SqlStore):  # store.url none is refused for paper already
        store.close()
        raise ConfigError("a paper replay needs a database", "set store.url")
    try:
        kernel = build_kernel(settings, request, store)
    except BaseException:
        store.close()
        raise
    return HostedRun(kernel, store, Mode.PAPER, "replay", None, store.close)


def hosted_symbols(settings: Settings, broker: BrokerName) -> tuple[str, ...]:
    """What a hosted session on ``broker`` trades (``api.symbols``, else a default)."""
    return tuple(settings.api.symbols) or _DEFAULT_SYMBOLS[broker]


def open_live(
    settings: Settings, mode: Mode, broker: BrokerName, *, resume: str | None = None
) -> HostedRun:
    """A session on live data; ``mode`` live trades real money (the caller confirmed it)."""
    symbols = hosted_symbols(settings, broker)
    request = LiveRequest(mode=mode, broker=broker, symbols=symbols)
    session = open_session(settings, request, resume=resume, confirm_live=mode is Mode.LIVE)
    first = session.first
    return HostedRun(
        session.kernel,
        session.store,
        mode,
        broker,
        None if first is None else first.ok,
        session.close,
        extra_topics=(RECONCILE_TOPIC,),
    )
