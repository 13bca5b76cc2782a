"""A live venue's broker behind its breaker (``runtime/resilient_broker.py``): reads retried
and refused while the service is down, commands made once and never refused, and
otherwise exactly the inner broker — the same capabilities for the engine's
``isinstance`` checks, the same kernel run, the same lost-reply path (never a resubmit).
Inner brokers are the real paper broker and the fault-injecting fakes of
``tradebot.testing``; the wiring is checked on the local Alpaca and Binance fakes."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.kernel_builder import START, make_kernel, wave
from tests.optional import require
from tradebot.adapters.paper.broker import PaperBroker
from tradebot.config import load_settings
from tradebot.domain import Mode, OrderStatus
from tradebot.domain.enums import OrderSide, OrderType
from tradebot.domain.errors import InvalidOrderError, TemporaryBrokerError, UnknownSymbolError
from tradebot.domain.messages import Order
from tradebot.engine.reconciler import PositionPrices
from tradebot.ops.circuit import CircuitState
from tradebot.ops.resilience import ServiceBoard
from tradebot.ports import (
    BracketVenue,
    Broker,
    BrokerCommands,
    BrokerQueries,
    ReconcilingBroker,
    Replaceable,
    SimulatedVenue,
)
from tradebot.runtime.live import LiveRequest
from tradebot.runtime.resilient_broker import ResilientBroker
from tradebot.runtime.venues import open_venue
from tradebot.testing import (
    LaggingBroker,
    MemoryStore,
    RecordingBroker,
    RecordingBus,
    TimeoutBroker,
    bars_from_closes,
)
from tradebot.testing.reconciling import ReconcilingPaperBroker

PROTOCOLS = (
    Broker,
    BrokerCommands,
    BrokerQueries,
    ReconcilingBroker,
    Replaceable,
    BracketVenue,
    SimulatedVenue,
    PositionPrices,
)


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class MinimalBroker:
    """A venue with the three methods of the port and nothing else."""

    def submit(self, order: Order) -> Order:
        return order.evolve(status=OrderStatus.ACCEPTED)

    def cancel(self, client_order_id: str) -> Order | None:
        return None

    def lookup(self, client_order_id: str) -> Order | None:
        return None


class ReplacingBroker(MinimalBroker):
    def replace(
        self,
        client_order_id: str,
        *,
        quantity: Decimal | None = None,
        limit_price: Decimal | None = None,
        stop_price: Decimal | None = None,
    ) -> Order:
        raise InvalidOrderError(f"{client_order_id} cannot be replaced", "")


class FlakyVenue(ReconcilingPaperBroker):
    """The reconciling paper venue whose queries and commands fail on demand."""

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.lookup_failures = 0
        self.submit_failures = 0
        self.calls: dict[str, int] = {}

    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1

    def lookup(self, client_order_id: str) -> Order | None:
        self._count("lookup")
        if self.lookup_failures:
            self.lookup_failures -= 1
            raise TemporaryBrokerError("GET /orders answered 503", "try later")
        return super().lookup(client_order_id)

    def positions(self) -> Mapping[str, Decimal]:
        self._count("positions")
        raise TemporaryBrokerError("GET /positions timed out", "")

    def instruments(self, symbols: Collection[str]) -> dict[str, Any]:
        self._count("instruments")
        if "ZZZZ" in symbols:
            raise UnknownSymbolError("the venue does not list ZZZZ", "check the symbols")
        return super().instruments(symbols)

    def submit(self, order: Order) -> Order:
        self._count("submit")
        if self.submit_failures:
            self.submit_failures -= 1
            raise TemporaryBrokerError("POST /orders timed out", "outcome unknown")
        return super().submit(order)

    def cancel(self, client_order_id: str) -> Order | None:
        self._count("cancel")
        return super().cancel(client_order_id)

    def fills_since(self, ts: datetime) -> Sequence[Any]:
        self._count("fills_since")
        return super().fills_since(ts)


def _order(coid: str = "tb-dec-1") -> Order:
    return Order(
        client_order_id=coid,
        decision_id="dec-1",
        symbol="AAPL",
        side=OrderSide.BUY,
        type=OrderType.MARKET,
        quantity=Decimal(5),
        created_at=START,
    )


@pytest.fixture
def board() -> ServiceBoard:
    return ServiceBoard(now=Ticks(), failure_threshold=3, recovery_s=30.0)


def _wrap(inner: Any, board: ServiceBoard, **options: Any) -> Any:
    return ResilientBroker(inner, service="alpaca", board=board, sleep=lambda _: None, **options)


# --- the same capabilities ------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        MinimalBroker,
        ReplacingBroker,
        PaperBroker,
        RecordingBroker,
        lambda: ReconcilingPaperBroker(initial_cash=Decimal(10_000)),
    ],
    ids=["minimal", "replacing", "paper", "recording", "reconciling"],
)
def test_the_wrapper_has_exactly_the_inner_brokers_capabilities(
    make: Any, board: ServiceBoard
) -> None:
    inner = make()
    wrapped = _wrap(inner, board)
    assert isinstance(wrapped, ResilientBroker) and wrapped.inner is inner
    for protocol in PROTOCOLS:
        assert isinstance(wrapped, protocol) == isinstance(inner, protocol), protocol.__name__
    if isinstance(inner, ReconcilingBroker):  # the reconciler names its threads by them
        assert wrapped.open_orders.__name__ == "open_orders"
    assert hasattr(wrapped, "replace") == hasattr(inner, "replace")


def test_other_attributes_are_the_inner_brokers(board: ServiceBoard) -> None:
    inner = PaperBroker(latency=None)
    wrapped = _wrap(inner, board)
    assert wrapped.immediate is inner.immediate
    assert wrapped.account is inner.account
    wrapped.allow_short = True  # set through to the inner broker
    assert inner.allow_short is True
    inner.added_later = "x"  # type: ignore[attr-defined]
    assert wrapped.added_later == "x"
    with pytest.raises(AttributeError):
        _ = wrapped.no_such_thing


# --- reads ---------------------------------------------------------------------------------


def test_a_lookup_failing_twice_then_answering_gives_one_answer_after_two_retries(
    board: ServiceBoard,
) -> None:
    venue = FlakyVenue(initial_cash=Decimal(10_000))
    venue.submit(_order())
    venue.lookup_failures = 2
    retries: list[str] = []
    errors: list[str] = []
    wrapped = _wrap(venue, board, on_retry=retries.append, on_error=errors.append)
    found = wrapped.lookup("tb-dec-1")
    assert found is not None and found.client_order_id == "tb-dec-1"
    assert venue.calls["lookup"] == 3
    assert retries == ["alpaca", "alpaca"] and errors == ["alpaca", "alpaca"]
    assert board.breaker("alpaca").state is CircuitState.CLOSED


def test_reads_are_refused_at_once_while_the_breaker_is_open(board: ServiceBoard) -> None:
    venue = FlakyVenue(initial_cash=Decimal(10_000))
    wrapped = _wrap(venue, board, attempts=2)
    with pytest.raises(TemporaryBrokerError):
        wrapped.positions()
    with pytest.raises(TemporaryBrokerError) as refused:
        wrapped.positions()  # the third failure in a row opens the breaker
    assert venue.calls["positions"] == 3
    assert board.breaker("alpaca").state is CircuitState.OPEN
    assert "alpaca unavailable: GET /positions timed out" in refused.value.message
    with pytest.raises(TemporaryBrokerError, match="circuit open; next trial in 30 s"):
        wrapped.fills_since(START)
    with pytest.raises(TemporaryBrokerError, match="circuit open"):
        wrapped.lookup("tb-dec-1")
    assert "fills_since" not in venue.calls and "lookup" not in venue.calls


def test_an_answer_that_is_an_error_is_not_retried(board: ServiceBoard) -> None:
    venue = FlakyVenue(initial_cash=Decimal(10_000))
    with pytest.raises(UnknownSymbolError, match="ZZZZ"):
        _wrap(venue, board).instruments(["ZZZZ"])
    assert venue.calls["instruments"] == 1
    assert board.breaker("alpaca").failures == 0


# --- commands ------------------------------------------------------------------------------


def test_a_submit_is_made_once_and_its_error_raised_at_once(board: ServiceBoard) -> None:
    venue = FlakyVenue(initial_cash=Decimal(10_000))
    venue.submit_failures = 1
    retries: list[str] = []
    wrapped = _wrap(venue, board, on_retry=retries.append)
    with pytest.raises(TemporaryBrokerError, match="POST /orders timed out"):
        wrapped.submit(_order())
    assert venue.calls["submit"] == 1 and retries == []
    assert board.breaker("alpaca").failures == 1  # counted, never retried


def test_commands_go_out_while_the_breaker_is_open_and_an_answer_closes_it(
    board: ServiceBoard,
) -> None:
    venue = FlakyVenue(initial_cash=Decimal(10_000))
    breaker = board.breaker("alpaca")
    for _ in range(3):
        breaker.failed("down")
    wrapped = _wrap(venue, board)
    accepted = wrapped.submit(_order())
    assert accepted.status is OrderStatus.ACCEPTED and venue.calls["submit"] == 1
    assert breaker.state is CircuitState.CLOSED
    for _ in range(3):
        breaker.failed("down")
    assert wrapped.cancel("tb-dec-1") is not None and venue.calls["cancel"] == 1


def test_a_refused_replace_is_an_answer(board: ServiceBoard) -> None:
    wrapped = _wrap(ReplacingBroker(), board)
    board.breaker("alpaca").failed("blip")
    with pytest.raises(InvalidOrderError):
        wrapped.replace("tb-dec-1", quantity=Decimal(1))
    assert board.breaker("alpaca").failures == 0


# --- inside the kernel ---------------------------------------------------------------------


def _run(broker: Broker) -> tuple[MemoryStore, RecordingBus]:
    store, bus = MemoryStore(), RecordingBus()
    make_kernel(bars_from_closes("AAA", wave(60), START), store=store, broker=broker, bus=bus).run()
    return store, bus


def test_a_kernel_run_through_the_wrapper_is_the_same_run(board: ServiceBoard) -> None:
    plain_store, _ = _run(PaperBroker(commission_rate=Decimal(0), slippage_bps=Decimal(0)))
    inner = PaperBroker(commission_rate=Decimal(0), slippage_bps=Decimal(0))
    store, _ = _run(_wrap(inner, board))
    assert plain_store.orders and store.orders == plain_store.orders
    assert store.fills == plain_store.fills


def test_a_lost_submit_reply_is_resolved_by_lookups_never_resent(board: ServiceBoard) -> None:
    broker = LaggingBroker(3, commission_rate=0, slippage_bps=0)
    store, bus = _run(_wrap(broker, board))
    first = broker.submitted[0].client_order_id
    assert [o.client_order_id for o in broker.submitted].count(first) == 1
    path = [o.status for o in bus.messages["orders"] if o.client_order_id == first]
    assert path == [OrderStatus.UNKNOWN, OrderStatus.ACCEPTED, OrderStatus.FILLED]
    assert store.orders[first].status is OrderStatus.FILLED


def test_with_the_venue_down_lost_orders_are_escalated_and_never_resent() -> None:
    class Down(TimeoutBroker):
        def lookup(self, client_order_id: str) -> Order | None:
            raise TemporaryBrokerError("GET /orders timed out", "")

    board = ServiceBoard(now=Ticks(), failure_threshold=2, recovery_s=3600.0)
    broker = Down(commission_rate=0, slippage_bps=0)
    store, _ = _run(_wrap(broker, board))
    sent = [o.client_order_id for o in broker.submitted]
    assert sent and len(sent) == len(set(sent))
    # refused lookups count as tries: the order is escalated, left to its venue reports
    assert "order unknown: 8 lookups found nothing" in store.orders[sent[0]].reason
    assert board.breaker("alpaca").state is CircuitState.OPEN


# --- the wiring of live venues ---------------------------------------------------------------


@pytest.fixture
def alpaca(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    require("alpaca")
    from tradebot.testing.alpaca import AlpacaVenue

    with AlpacaVenue() as venue:
        monkeypatch.setenv("APCA_API_KEY_ID", venue.key_id)
        monkeypatch.setenv("APCA_API_SECRET_KEY", "test-secret")
        yield venue


def test_an_alpaca_venue_trades_through_the_breaker(tmp_path: Path, alpaca: Any) -> None:
    board = ServiceBoard(now=Ticks(), failure_threshold=1, recovery_s=60.0)
    board.breaker("alpaca").failed("left open by an earlier session")
    settings = load_settings(
        store={"url": f"sqlite:///{tmp_path}/a.db"},
        live={"alpaca_url": alpaca.base_url},
        news={"enabled": False},
    )
    request = LiveRequest(mode=Mode.PAPER, broker="alpaca", symbols=("AAPL",))
    venue = open_venue(settings, request, board=board)
    try:
        broker = venue.broker
        assert isinstance(broker, ResilientBroker)
        assert isinstance(broker, ReconcilingBroker) and isinstance(broker, Replaceable)
        assert not isinstance(broker, SimulatedVenue)
        assert board.breaker("alpaca").state is CircuitState.CLOSED  # it just answered
        assert broker.account()["cash"] == Decimal(100_000)
        alpaca.stop()
        with pytest.raises(TemporaryBrokerError, match="Alpaca did not answer"):
            broker.positions()
        with pytest.raises(TemporaryBrokerError, match="alpaca unavailable"):
            broker.open_orders()
        assert board.breaker("alpaca").state is CircuitState.OPEN
    finally:
        venue.close()


def test_a_ccxt_venue_trades_through_the_breaker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require("ccxt")
    from tradebot.testing.binance import BinanceVenue

    key, secret = "resilience-key-1", "resilience-secret-2"
    with BinanceVenue(api_key=key, secret=secret) as exchange:
        monkeypatch.setenv("TRADEBOT_CCXT_API_KEY", key)
        monkeypatch.setenv("TRADEBOT_CCXT_SECRET", secret)
        settings = load_settings(
            store={"url": f"sqlite:///{tmp_path}/c.db"},
            live={"ccxt_url": exchange.url, "timeframe": "1m"},
            news={"enabled": False},
        )
        board = ServiceBoard(now=Ticks())
        request = LiveRequest(mode=Mode.PAPER, broker="ccxt", symbols=("BTC/USDT",))
        venue = open_venue(settings, request, board=board)
        try:
            assert isinstance(venue.broker, ResilientBroker)
            assert isinstance(venue.broker, ReconcilingBroker)
            assert venue.broker.positions() == {}
            assert board.states() == {"ccxt": CircuitState.CLOSED}
        finally:
            venue.close()


def test_the_simulated_venue_is_never_wrapped(tmp_path: Path, alpaca: Any) -> None:
    settings = load_settings(
        store={"url": f"sqlite:///{tmp_path}/s.db"},
        live={"alpaca_url": alpaca.base_url},
        news={"enabled": False},
    )
    board = ServiceBoard(now=Ticks())
    request = LiveRequest(mode=Mode.PAPER, broker="sim", symbols=("AAPL",))
    venue = open_venue(settings, request, board=board)
    try:
        assert type(venue.broker) is PaperBroker
        assert board.states() == {}
    finally:
        venue.close()
