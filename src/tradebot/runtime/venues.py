"""The venue a session trades on: its broker, live feed, report stream, news, instruments.

``sim`` is our simulated venue (the paper broker, fills from the bars it is shown) on a
data venue's live bars (``live.data``: Alpaca for equities, a CCXT exchange for pairs);
``alpaca`` is Alpaca's paper or live account (the mode picks the URL); ``ccxt`` an
exchange through CCXT (``live.exchange``). Every check a session needs before it starts
happens here, each failure one line: keys in the environment, the venue reachable (its
account answers), the symbols listed and tradable. Instruments, fees and hours come from
the venue, not from constants; ``sim`` takes them from its data venue where it can list
them, else from the bundled table.

A live venue's broker (``alpaca``, ``ccxt``) is wrapped in a
:class:`~tradebot.runtime.resilient_broker.ResilientBroker` on the process's
:data:`~tradebot.ops.resilience.SERVICE_BOARD` (or the board given): its reads retried and
behind the service's circuit breaker, its commands never retried; errors and retries are
counted on the metrics this process reports to, if any. ``sim``'s paper broker is never
wrapped (backtests and paper runs stay exactly as they are).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from tradebot.adapters.clock import LiveClock, monotonic
from tradebot.adapters.paper.broker import PaperBroker
from tradebot.adapters.paper.fees import FeeSchedule
from tradebot.adapters.paper.latency import VenueLatency
from tradebot.config import Settings
from tradebot.domain.enums import Mode
from tradebot.domain.errors import BrokerError, ConfigError
from tradebot.domain.instrument import Instrument
from tradebot.ops.logging import get_logger
from tradebot.ops.resilience import SERVICE_BOARD, ServiceBoard
from tradebot.ports import Broker, LiveFeed, LiveNews, ReconcilingBroker, ReportStream
from tradebot.runtime.metrics import installed
from tradebot.runtime.resilient_broker import ResilientBroker

if TYPE_CHECKING:
    from tradebot.runtime.live import LiveRequest

__all__ = ["Venue", "open_venue", "paper_venue", "resilient"]


@dataclass(slots=True)
class Venue:
    """What a session trades through; ``close`` releases the SDK clients."""

    name: str
    broker: Broker
    feed: LiveFeed
    instruments: dict[str, Instrument]
    starting_cash: Decimal
    reports: ReportStream | None = None
    news: tuple[LiveNews, ...] = ()
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        log = get_logger("live")
        for close in self.closers:
            try:
                close()
            except Exception as exc:  # one client failing to close must not keep others open
                log.warning("venue client did not close cleanly", error=str(exc))


def open_venue(
    settings: Settings, request: LiveRequest, *, board: ServiceBoard | None = None
) -> Venue:
    """The venue ``request.broker`` names, checked (module docstring); a live venue's
    broker behind ``board``'s breaker (default: the process's board)."""
    if request.broker == "alpaca":
        with _needs("alpaca-py", "alpaca"):
            from tradebot.runtime.alpaca_venue import alpaca_venue

        venue = alpaca_venue(settings, request.symbols, paper=request.mode is Mode.PAPER)
        return resilient(venue, "alpaca", board)
    if request.broker == "ccxt":
        with _needs("ccxt", "crypto"):
            from tradebot.runtime.ccxt_venue import ccxt_venue

        venue = ccxt_venue(settings, request.symbols, test_account=request.mode is Mode.PAPER)
        return resilient(venue, "ccxt", board)
    return _sim_venue(settings, request)


def resilient(venue: Venue, service: str, board: ServiceBoard | None = None) -> Venue:
    """``venue`` with its broker wrapped (module docstring). The venue has just answered
    (its account was read to open it), so its breaker starts closed, whatever an earlier
    session in this process left it at."""
    board = SERVICE_BOARD if board is None else board
    board.use_clock(monotonic)
    board.breaker(service).succeeded()
    venue.broker = ResilientBroker(
        venue.broker,
        service=service,
        board=board,
        on_retry=_count_retry,
        on_error=_count_error,
    )
    return venue


def _count_retry(service: str) -> None:
    metrics = installed()
    if metrics is not None:
        metrics.outside_retry(service)


def _count_error(service: str) -> None:
    metrics = installed()
    if metrics is not None:
        metrics.outside_error(service)


@contextmanager
def _needs(package: str, extra: str) -> Iterator[None]:
    """A venue's SDK is an optional extra: without it, one line saying how to add it."""
    try:
        yield
    except ImportError as exc:
        raise ConfigError(
            f"{package} is not installed ({exc.name or package} is missing)",
            f"pip install 'tradebot[{extra}]'",
        ) from exc


def _sim_venue(settings: Settings, request: LiveRequest) -> Venue:
    """The paper broker on the data venue's live bars."""
    data = settings.live.data or (
        "ccxt" if all("/" in symbol for symbol in request.symbols) else "alpaca"
    )
    if data == "alpaca":
        with _needs("alpaca-py", "alpaca"):
            from tradebot.runtime.alpaca_venue import alpaca_venue

        source = alpaca_venue(settings, request.symbols, paper=True, trading=False)
    else:
        with _needs("ccxt", "crypto"):
            from tradebot.runtime.ccxt_venue import ccxt_venue

        source = ccxt_venue(settings, request.symbols, test_account=True, trading=False)
    return Venue(
        name=f"simulated venue on {source.name} bars",
        broker=paper_venue(settings),
        feed=source.feed,
        instruments=source.instruments,
        starting_cash=settings.broker.initial_cash,
        news=source.news,
        closers=source.closers,
    )


def paper_venue(settings: Settings) -> PaperBroker:
    """Our simulated venue as the settings describe it (fees, slippage, latency)."""
    broker = settings.broker
    fees = FeeSchedule.of(broker)
    latency = None
    if broker.latency_ms:
        latency = VenueLatency(timedelta(milliseconds=broker.latency_ms), LiveClock())
    return PaperBroker(
        latency=latency,
        slippage_bps=broker.slippage_bps,
        fees=fees,
        initial_cash=broker.initial_cash,
        allow_short=settings.risk.allow_short,
    )


def starting_cash(broker: ReconcilingBroker, name: str) -> Decimal:
    """The account's cash: also the proof that the venue answers and takes the keys."""
    try:
        account = broker.account()
    except BrokerError as exc:
        raise BrokerError(f"{name} is not reachable: {exc.message}", exc.hint) from exc
    cash = account.get("cash")
    if cash is None:
        raise ConfigError(
            f"{name} did not say how much cash the account holds", "check the account"
        )
    return cash
