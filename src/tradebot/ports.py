"""The small interfaces the engine knows about the outside world (DESIGN.md §1).

Each port has an in-memory fake in :mod:`tradebot.testing` and real adapters in
:mod:`tradebot.adapters`. The engine imports only this module, never an adapter.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, runtime_checkable

from tradebot.domain.bar import Bar
from tradebot.domain.batch import BarBatch
from tradebot.domain.commands import CommandRecord, CommandStatus, OperatorCommand
from tradebot.domain.execution import ExecutionReport
from tradebot.domain.instrument import Instrument
from tradebot.domain.messages import (
    Article,
    ClosedTrade,
    Fill,
    Order,
    PortfolioSnapshot,
    ScoredArticle,
    Signal,
    TradingDecision,
)
from tradebot.domain.notifications import DeliveryStatus, Notification
from tradebot.domain.position import Position
from tradebot.domain.run import RunInfo
from tradebot.domain.timer import TimerEvent, TimerQueue

if TYPE_CHECKING:  # typing only: the engine's import of ports stays light
    from tradebot.risk.earnings import EarningsCalendar
    from tradebot.risk.events import RiskEvent
    from tradebot.sentiment.result import SentimentResult

__all__ = [
    "COMMAND_TIMEOUT_S",
    "VENUE_TIMERS",
    "BatchFeed",
    "BracketVenue",
    "Broker",
    "BrokerCommands",
    "BrokerQueries",
    "Bus",
    "Clock",
    "CommandLog",
    "DeliveryLog",
    "EarningsSource",
    "EventSink",
    "Handler",
    "InstrumentProvider",
    "LiveFeed",
    "LiveNews",
    "MarketFeed",
    "NewsSource",
    "NotificationChannel",
    "Notifier",
    "ReconcilingBroker",
    "Replaceable",
    "ReportStream",
    "RiskCheckpoint",
    "SeenItems",
    "SentimentModel",
    "SimulatedVenue",
    "StateDocument",
    "Store",
    "document_of",
]

Handler = Callable[[Any], None]

StateDocument = Mapping[str, Any] | Callable[[], Mapping[str, Any]]
"""A JSON-able document, or the function that makes it (see ``Store.save_risk_state``)."""


def document_of(state: StateDocument) -> dict[str, Any]:
    """The document itself (made now if it came as the function that makes it)."""
    return dict(state() if callable(state) else state)


@runtime_checkable
class Clock(Protocol):
    """The only source of "now", and where timers wait. The kernel moves it forward to each
    event's time and takes the timers that fall due into its event stream."""

    instant: bool
    """True when nothing waits between events (a backtest): the kernel may then skip quiet
    bars (its batch path)."""

    timers: TimerQueue
    """The pending timers, earliest first (the kernel reads ``timers.next_at``)."""

    def now(self) -> datetime: ...

    def advance_to(self, ts: datetime) -> None:
        """Move to ``ts``: instantly (backtest), paced (replay) or by waiting (live)."""
        ...

    def schedule(self, timer: TimerEvent) -> None:
        """Hand ``timer`` back through the event stream at ``timer.ts``; a pending timer with
        the same key is replaced."""
        ...

    def cancel(self, key: str) -> None: ...

    def interrupt(self) -> None:
        """Wake a clock that is waiting for the next event's time (a stop, a command)."""
        ...


@runtime_checkable
class MarketFeed(Protocol):
    """Closed bars in timestamp order (ties broken by symbol order)."""

    def bars(self) -> Iterator[Bar]: ...


@runtime_checkable
class BatchFeed(Protocol):
    """A replay feed that can also hand out its bars as blocks of columns (the kernel's
    batch path); the blocks hold the same bars in the same order as :meth:`bars`."""

    def bars(self) -> Iterator[Bar]: ...

    def batches(self) -> Iterator[BarBatch]: ...


@runtime_checkable
class EventSink(Protocol):
    """Where a live adapter pushes what it hears, from any thread (its own asyncio loop): the
    kernel's inbox. Each call returns at once; the kernel's one thread dispatches the
    events in arrival order, so adapters need no lock shared with the stages."""

    def bar(self, bar: Bar) -> None:
        """A closed bar (a repeat, or one older than its symbol's last, is dropped)."""
        ...

    def report(self, report: ExecutionReport) -> None:
        """What the venue says happened to one of our orders (a repeat changes nothing)."""
        ...

    def article(self, article: Article) -> None: ...

    def feed_status(self, source: str, connected: bool, detail: str = "") -> None:
        """A stream went down or came back (``detail`` says why): logged, and a feed that
        stays down lets prices go stale, which the risk engine acts on."""
        ...


@runtime_checkable
class LiveFeed(Protocol):
    """Closed bars pushed as they arrive (a venue's websocket, or polling where it has
    none), with history from its REST API for the warm-up and for the gap a dropped stream
    leaves. ``start`` returns at once: the feed runs on its own thread until ``stop``."""

    def history(self, symbols: Sequence[str], start: datetime, end: datetime) -> list[Bar]:
        """Closed bars with ``start <= ts < end``, in time order (ties by symbol)."""
        ...

    def start(self, sink: EventSink) -> None: ...

    def stop(self) -> None:
        """Disconnect and join the feed's thread (bounded: a few seconds at most)."""
        ...


@runtime_checkable
class ReportStream(Protocol):
    """A live venue's execution reports as they happen (Alpaca's ``trade_updates``, an
    exchange's order stream or its polling), pushed to ``sink`` from the adapter's thread.
    After a reconnect the adapter asks the venue for what it missed (fills since the last
    one seen) and pushes that too: the order state machine drops repeats."""

    def start(self, sink: EventSink) -> None: ...

    def stop(self) -> None: ...


@runtime_checkable
class LiveNews(Protocol):
    """A news source that pushes articles as it finds them (polled feeds, a news stream)."""

    def start(self, sink: EventSink) -> None: ...

    def stop(self) -> None: ...


@runtime_checkable
class NewsSource(Protocol):
    """Articles in ``published_at`` order."""

    def articles(self) -> Iterator[Article]: ...


@runtime_checkable
class SeenItems(Protocol):
    """Keys of news items already taken in (canonical URL, content hash), kept across
    restarts so the same story scores once however often and from wherever it arrives."""

    def seen(self, keys: Collection[str]) -> set[str]:
        """The subset of ``keys`` remembered before."""
        ...

    def remember(self, keys: Collection[str], ts: datetime) -> None:
        """Remember ``keys`` as first seen at ``ts``; a key already known keeps its time."""
        ...


@runtime_checkable
class SentimentModel(Protocol):
    """Scores an article for one ticker. ``score_article`` is what the news stage calls: it
    says which model answered (for a tiered analyzer, the tier) and returns ``None`` for *no
    score*, which is skipped, never replaced by a default."""

    name: str

    def score_article(self, article: Article, ticker: str) -> SentimentResult | None:
        """The result with its label and the name of the model that produced it, or
        ``None`` when no model could score the article."""
        ...


VENUE_TIMERS = "timers.venue"
"""The topic of a simulated venue's own timers (a latency): the kernel hands them back to
the venue through the execution stage."""

COMMAND_TIMEOUT_S = 10.0
"""The longest a broker command (submit, cancel, replace, lookup) may wait for the venue's
answer: an adapter sets its SDK's timeout to this or less. No answer in time is "outcome
unknown" (:class:`~tradebot.domain.errors.TemporaryBrokerError`), never "refused"."""


@runtime_checkable
class BrokerCommands(Protocol):
    """Commands out. Each returns the venue's immediate answer (its view of the order) or
    raises :class:`~tradebot.domain.errors.BrokerError` (refused: an
    :class:`~tradebot.domain.errors.InvalidOrderError`; outcome unknown: a
    :class:`~tradebot.domain.errors.TemporaryBrokerError`) within
    :data:`COMMAND_TIMEOUT_S`. What happens to the order afterwards arrives as execution
    reports: from a live venue's stream (pushed into the kernel's inbox), from a simulated
    venue's :meth:`SimulatedVenue.on_bar`."""

    def submit(self, order: Order) -> Order:
        """Hand the order to the venue; its answer (accepted, or rejected with a reason)."""
        ...

    def cancel(self, client_order_id: str) -> Order | None:
        """Ask the venue to cancel; its view of the order after asking (a simulated venue
        cancels at once; a live one says pending cancel, then reports the cancel)."""
        ...


@runtime_checkable
class BrokerQueries(Protocol):
    """What the venue knows, for reconciliation and for resolving a lost reply."""

    def lookup(self, client_order_id: str) -> Order | None:
        """The venue's view of an order, by our client order id; ``None`` if it never arrived."""
        ...


@runtime_checkable
class Broker(BrokerCommands, BrokerQueries, Protocol):
    """A venue: commands in, queries answered; execution reports come back on their own
    stream (see :class:`BrokerCommands`)."""


@runtime_checkable
class ReconcilingBroker(Broker, Protocol):
    """A venue that can list its whole book, so a starting session can reconcile open
    orders, positions and cash with the store before it trades (the live adapters)."""

    def open_orders(self) -> Sequence[Order]:
        """Every working order at the venue, ours (client ids we made) and others."""
        ...

    def positions(self) -> Mapping[str, Decimal]:
        """Signed quantity held per symbol (symbols with nothing held are left out)."""
        ...

    def account(self) -> Mapping[str, Decimal]:
        """``cash``, ``buying_power`` and ``equity`` as the venue counts them."""
        ...

    def fills_since(self, ts: datetime) -> Sequence[ExecutionReport]:
        """Every execution at or after ``ts``, as fill reports (``trade_id``, quantity,
        price, commission, ``symbol`` and ``side`` set), oldest first: what the session
        missed while it was down."""
        ...

    def instruments(self, symbols: Collection[str]) -> dict[str, Instrument]:
        """The venue's own tick, lot and minimums for ``symbols`` (unknown ones raise
        :class:`~tradebot.domain.errors.UnknownSymbolError`, all named in one line)."""
        ...


@runtime_checkable
class Replaceable(Protocol):
    """A venue that can change a working order in place (quantity, limit or stop)."""

    def replace(
        self,
        client_order_id: str,
        *,
        quantity: Decimal | None = None,
        limit_price: Decimal | None = None,
        stop_price: Decimal | None = None,
    ) -> Order: ...


@runtime_checkable
class BracketVenue(Protocol):
    """A broker that takes an entry with a protective stop and/or a profit target attached
    (as Alpaca's bracket or a CCXT OTO/OCO order): the children are held until the entry
    fills, then work for the filled quantity, one cancelling the other.

    The caller builds the children (:func:`tradebot.domain.bracket.bracket_children`: client
    ids derived from the entry's) and records them before it calls; the venue takes them
    as given and creates no order of its own, so it never holds one the store does not
    know."""

    def submit_bracket(self, entry: Order, children: Sequence[Order]) -> list[Order]:
        """Send ``entry`` with ``children`` (a STOP and/or a LIMIT on the other side, status
        ``NEW``); return ``[entry, *children]`` with their statuses, children in the order
        given. Resubmitting a known entry returns the orders the venue already holds."""
        ...


@runtime_checkable
class SimulatedVenue(Protocol):
    """A broker that simulates fills from the bars it is shown (the paper venue): it says
    what happened on each bar, and on its own timers (a latency), as execution reports, and
    which symbols have an order working, so the batch path shows it only those bars."""

    immediate: bool
    """Every report comes with the bar that caused it (no latency): nothing of the venue's
    happens between two bars, so the batch path may skip them."""

    def on_bar(self, bar: Bar) -> Sequence[ExecutionReport]: ...

    def on_timer(self, timer: TimerEvent) -> Sequence[ExecutionReport]: ...

    def working_symbols(self) -> Collection[str]: ...


class RiskCheckpoint(NamedTuple):
    """The risk engine's state document as last saved for a run: everything up to and
    including the bar time ``as_of`` is in it (a resumed run continues after ``as_of``)."""

    as_of: datetime
    state: dict[str, Any]


@runtime_checkable
class Bus(Protocol):
    def publish(self, topic: str, message: Any) -> None: ...

    def subscribe(self, topic: str, handler: Handler, *, stage: str) -> None: ...


@runtime_checkable
class Store(Protocol):
    """Durable record of what the bot did. Whether a call commits at once (paper, live) or in
    batches (backtest) is the adapter's configuration, never the caller's concern; ``flush``
    makes everything recorded so far durable."""

    def start_run(self, run: RunInfo) -> None: ...

    def finish_run(
        self, run_id: str, status: str, finished_at: datetime, metrics: dict[str, Any]
    ) -> None: ...

    def record_article(self, run_id: str, article: Article) -> None: ...

    def record_sentiment(self, run_id: str, scored: ScoredArticle) -> None: ...

    def record_signal(self, run_id: str, signal: Signal) -> None: ...

    def record_decision(self, run_id: str, decision: TradingDecision) -> None: ...

    def record_order(self, run_id: str, order: Order) -> None:
        """Insert, or update the status of, the order with this client order id."""
        ...

    def record_fill(self, run_id: str, fill: Fill) -> None: ...

    def record_closed_trade(self, run_id: str, trade: ClosedTrade) -> None: ...

    def record_snapshot(self, run_id: str, snapshot: PortfolioSnapshot) -> None: ...

    def save_positions(self, run_id: str, positions: Sequence[Position]) -> None:
        """Replace the run's open positions with these."""
        ...

    def load_weights(self, names: Sequence[str]) -> dict[str, float]:
        """The ensemble weights of these strategies; one never seen before is registered
        with the mean of the known weights (an equal share when none is known)."""
        ...

    def save_risk_state(self, run_id: str, as_of: datetime, state: StateDocument) -> None:
        """Replace the run's risk-state document (plain JSON; the latest save wins). The
        document may come as the function that makes it: a store that batches its writes
        calls only the last one it holds when it writes, so a backtest serialises its
        state once per write, not once per session."""
        ...

    def load_risk_state(self, run_id: str) -> RiskCheckpoint | None:
        """The run's last saved risk-state document, or ``None`` if it never saved one."""
        ...

    def record_risk_events(self, run_id: str, events: Sequence[RiskEvent]) -> None:
        """Append the risk engine's history records (tier changes, reserve ledger, breaker
        events, stop moves, closed tax lots, notices); one recorded before is ignored."""
        ...

    def flush(self) -> None: ...

    def close(self) -> None: ...


@runtime_checkable
class Notifier(Protocol):
    """Where the engine's side hands a notification over (``ops.notify.Dispatcher``).

    ``notify`` never blocks and never raises: it queues the notification for the channels'
    worker and returns at once, so a channel that is down or slow costs the trading loop
    nothing."""

    def notify(self, notification: Notification) -> None: ...


@runtime_checkable
class NotificationChannel(Protocol):
    """One way to reach the owner (log, Telegram, e-mail). ``send`` delivers one
    notification or raises :class:`~tradebot.domain.notifications.DeliveryError`; it may
    block (it runs on the dispatcher's worker thread, never on the kernel's)."""

    name: str

    def send(self, notification: Notification) -> None: ...

    def close(self) -> None: ...


@runtime_checkable
class DeliveryLog(Protocol):
    """Where each notification's delivery status is kept (the ``notifications`` table).

    A log may write in batches (the SQL one does, so its writes seldom meet the trading
    loop's on the database): what it was given is durable after :meth:`flush`."""

    def record(
        self, notification: Notification, channel: str, status: DeliveryStatus, error: str | None
    ) -> int:
        """Record a new delivery; the id to update it by."""
        ...

    def update(
        self,
        delivery_id: int,
        status: DeliveryStatus,
        error: str | None,
        attempts: int,
        delivered_at: datetime | None,
    ) -> None:
        """A later outcome of delivery ``delivery_id`` (sent after a failure, failed again)."""
        ...

    def flush(self) -> None:
        """Write what is buffered now."""
        ...

    def close(self) -> None:
        """Flush and release what the log holds."""
        ...


@runtime_checkable
class InstrumentProvider(Protocol):
    """Each symbol's tick, lot, minimums, asset class and calendar (``domain.instrument``).

    The bundled table answers offline (``adapters.instruments``); a venue adapter answers from
    the venue's own listing. A symbol the provider cannot vouch for raises
    :class:`~tradebot.domain.errors.UnknownSymbolError`, one line naming it."""

    def instrument(self, symbol: str) -> Instrument: ...

    def instruments(self, symbols: Collection[str]) -> dict[str, Instrument]:
        """Every one of ``symbols``; all unknown ones are named in a single error."""
        ...


@runtime_checkable
class CommandLog(Protocol):
    """Where operator commands wait for their run and what became of them: the way a
    command reaches a running process with no server in between (the CLI writes a row, the
    run's poller takes it). Every call commits at once, whatever the store batches: an
    operator waits on each. Apart from the :class:`Store`, so a store that keeps nothing
    needs none; the SQL store and the in-memory fake are both."""

    def post_command(self, command: OperatorCommand) -> None:
        """Record ``command`` as pending; one with a known id is left as it is."""
        ...

    def pending_commands(self, run_id: str) -> list[OperatorCommand]:
        """The run's commands issued and not yet taken, oldest first."""
        ...

    def command_taken(self, command_id: str, ts: datetime) -> bool:
        """Mark a pending command taken at ``ts``; False when it was not pending."""
        ...

    def command_outcome(
        self, command_id: str, status: CommandStatus, outcome: str, ts: datetime
    ) -> None:
        """Record that the command was applied or refused at ``ts``, and why."""
        ...

    def commands(self, run_id: str) -> list[CommandRecord]:
        """The run's commands, oldest first, with how far each got."""
        ...


@runtime_checkable
class EarningsSource(Protocol):
    """A store that keeps the earnings dates a user imported (``tradebot data
    import-earnings``), for the risk engine's earnings rules on top of the bundled ones."""

    def imported_earnings(self) -> EarningsCalendar: ...
