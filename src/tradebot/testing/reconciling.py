"""A venue that lists its whole book, for rehearsing reconciliation (a crash, a restart).

:class:`ReconcilingPaperBroker` is the real paper broker (its fill rules, its own cash
account) that also answers a :class:`~tradebot.ports.ReconcilingBroker`'s questions — open
orders, positions, account, fills since a time (as fill reports), instruments — and the
average entry price of what it holds (for an adoption). What a session misses while it is
down is rehearsed by driving the venue without the session: show it bars (``on_bar``) and
throw the reports away; trade in the account from outside (:meth:`trade_outside`); place
an order by hand (``submit`` with a client id of your own). :meth:`hold_answers` makes
every question wait until :meth:`release` (a venue that does not answer).
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from tradebot.adapters.instruments.bundled import BundledInstruments
from tradebot.adapters.paper.broker import PaperBroker
from tradebot.domain.bar import Bar
from tradebot.domain.enums import OrderSide, OrderStatus
from tradebot.domain.execution import ExecutionReport
from tradebot.domain.instrument import Instrument
from tradebot.domain.messages import Fill, Order
from tradebot.domain.timer import TimerEvent

__all__ = ["ReconcilingPaperBroker"]

_ZERO = Decimal(0)
_LISTED = frozenset(
    {
        OrderStatus.NEW,
        OrderStatus.ACCEPTED,
        OrderStatus.PARTIALLY_FILLED,
        OrderStatus.PENDING_CANCEL,
    }
)
"""Statuses the venue lists as open (a held bracket child included, as Alpaca's ``held``)."""


class ReconcilingPaperBroker:
    """The paper broker (:attr:`paper`, built from ``settings``), plus the
    :class:`~tradebot.ports.ReconcilingBroker` queries. Give it an ``initial_cash``: its
    ``account()`` reports the paper venue's own cash."""

    def __init__(self, **settings: Any) -> None:
        self.paper = PaperBroker(**settings)
        self.executions: list[ExecutionReport] = []
        """Every fill at the venue, as a fill report, in the order they happened."""
        self._cost: dict[str, tuple[Decimal, Decimal]] = {}  # symbol -> (signed qty, cost)
        self._marks: dict[str, Decimal] = {}
        self._answering = threading.Event()
        self._answering.set()
        self._instruments = BundledInstruments()
        self._ids: dict[str, None] = {}  # every client id handed to the venue, in order

    # --- the venue: the paper broker's commands and its reports, fills kept ---------------
    @property
    def immediate(self) -> bool:
        return self.paper.immediate

    def submit(self, order: Order) -> Order:
        self._ids.setdefault(order.client_order_id)
        return self.paper.submit(order)

    def submit_bracket(self, entry: Order, children: Sequence[Order]) -> list[Order]:
        for order in (entry, *children):
            self._ids.setdefault(order.client_order_id)
        return self.paper.submit_bracket(entry, children)

    def cancel(self, client_order_id: str) -> Order | None:
        return self.paper.cancel(client_order_id)

    def working_symbols(self) -> Collection[str]:
        return self.paper.working_symbols()

    def on_bar(self, bar: Bar) -> list[ExecutionReport]:
        self._marks[bar.symbol] = Decimal(repr(bar.close))
        return self._kept(self.paper.on_bar(bar))

    def on_timer(self, timer: TimerEvent) -> list[ExecutionReport]:
        return self._kept(self.paper.on_timer(timer))

    def _kept(self, reports: list[ExecutionReport]) -> list[ExecutionReport]:
        for report in reports:
            if report.fill is not None:
                self._keep(report, report.fill)
        return reports

    # --- rehearsing ------------------------------------------------------------------
    def trade_outside(
        self, symbol: str, quantity: Decimal, price: Decimal, ts: datetime, coid: str = ""
    ) -> Fill:
        """A trade in the account that tradebot did not make (``quantity`` signed: a sell
        is negative), as a person at the broker's website would make it."""
        number = len(self.executions) + 1
        fill = Fill(
            fill_id=f"outside-{number}",
            client_order_id=coid or f"manual-{number}",
            symbol=symbol,
            side=OrderSide.BUY if quantity > 0 else OrderSide.SELL,
            quantity=abs(quantity),
            price=price,
            commission=_ZERO,
            ts=ts,
        )
        self.paper.account.apply(fill)
        self._keep(ExecutionReport.of_fill(fill, done=True, broker_order_id=None), fill)
        return fill

    def hold_answers(self) -> None:
        """From now on every question waits until :meth:`release`."""
        self._answering.clear()

    def release(self) -> None:
        self._answering.set()

    def _keep(self, report: ExecutionReport, fill: Fill) -> None:
        """Keep the fill in the venue's history and its position's average price."""
        self.executions.append(report)
        signed = fill.quantity if fill.side is OrderSide.BUY else -fill.quantity
        held, cost = self._cost.get(fill.symbol, (_ZERO, _ZERO))
        left = held + signed
        if held == 0 or (held > 0) == (signed > 0):  # opens or adds: the average moves
            cost += signed * fill.price
        elif left and (left > 0) == (held > 0):  # reduces: the average stays
            cost = cost * left / held
        else:  # closes, or turns through zero: the rest at this price
            cost = left * fill.price
        if left:
            self._cost[fill.symbol] = (left, cost)
        else:
            self._cost.pop(fill.symbol, None)
        self._marks[fill.symbol] = fill.price

    # --- the ReconcilingBroker queries ------------------------------------------------
    def lookup(self, client_order_id: str) -> Order | None:
        self._answering.wait()
        return self.paper.lookup(client_order_id)

    def open_orders(self) -> Sequence[Order]:
        self._answering.wait()
        listed = (self.paper.lookup(c) for c in self._ids)
        return [o for o in listed if o is not None and o.status in _LISTED]

    def positions(self) -> Mapping[str, Decimal]:
        self._answering.wait()
        return dict(self.paper.account.holdings)

    def account(self) -> Mapping[str, Decimal]:
        """``cash``, ``buying_power`` and ``equity`` (holdings at their last price)."""
        self._answering.wait()
        venue = self.paper.account
        cash = venue.cash if venue.cash is not None else _ZERO
        held = sum((q * self._marks.get(s, _ZERO) for s, q in venue.holdings.items()), _ZERO)
        return {"cash": cash, "buying_power": cash, "equity": cash + held}

    def fills_since(self, ts: datetime) -> Sequence[ExecutionReport]:
        self._answering.wait()
        return sorted((r for r in self.executions if r.ts >= ts), key=lambda r: r.ts)

    def instruments(self, symbols: Collection[str]) -> dict[str, Instrument]:
        self._answering.wait()
        return self._instruments.instruments(symbols)

    def average_prices(self) -> Mapping[str, Decimal]:
        """Average entry price of each position held."""
        self._answering.wait()
        return {s: abs(cost / held) for s, (held, cost) in self._cost.items()}
