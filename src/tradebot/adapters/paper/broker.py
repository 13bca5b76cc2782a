"""The paper broker: a simulated venue for backtests and paper trading alike.

Orders accepted while bar t is processed are working from the symbol's next bar on (never
on a bar that is not later than the order): MARKET, LIMIT, STOP and STOP_LIMIT orders fill
by the intrabar rules of :mod:`tradebot.adapters.paper.matching` (a gap through a level
fills at the open; slippage of ``slippage_bps`` moves market and stop fills against the
trader, never limit fills). A fill is stamped with when it happened: a fill at the open
with the bar's open (:mod:`tradebot.adapters.paper.bar_open`: 09:30 New York for a daily
XNYS bar), a level reached inside the bar with the bar's close — the bar does not say when
inside it, and its close is the first moment the fill is known to have happened (a bracket
leg settled on finer bars takes that finer bar's time). A fill pays its
:class:`FeeSchedule` (percent, per share, per order, minimum). Orders that do not fill stay
ACCEPTED across bars until filled or cancelled.

A notional order (all-in sizing) buys as many units as its cash pays for at the fill price,
fee included. Resubmitting a client order id returns the existing order instead of creating
a second one.

Brackets (:meth:`PaperBroker.submit_bracket`): the caller builds the children (ids derived
from the entry's, :func:`~tradebot.domain.bracket.child_ids`) and the venue holds them as
given; once the entry fills, the protective STOP and the take-profit LIMIT on the other side,
for the filled quantity, become working from the next bar; they are one-cancels-other. A bar
that reaches both levels cannot say which came first: with ``bracket_stop_first`` (the
default, the pessimistic choice) the stop wins.

Cash: the venue keeps its own account (:class:`VenueAccount`) from its own fills. With an
``initial_cash``, a BUY fill that would cost more than the account holds (price × quantity +
commission, after earlier fills on the same bar) is REJECTED with the shortfall in its
reason, never resized; without one, cash is unlimited. A notional order whose cash buys no
unit at the fill price is rejected too, never filled with nothing.

Status changes the venue makes on its own after accepting an order (a rejection at fill
time, an OCO sibling or a held child cancelled) are queued for :meth:`order_updates`, which
the execution stage drains after each bar — as a live broker's trade-update stream would
deliver them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from decimal import Decimal

from tradebot.adapters.paper.account import VenueAccount
from tradebot.adapters.paper.bar_open import SessionOpens
from tradebot.adapters.paper.fees import FeeSchedule
from tradebot.adapters.paper.intrabar import FinerBars, first_leg
from tradebot.adapters.paper.latency import VenueLatency
from tradebot.adapters.paper.matching import BarPrices, match
from tradebot.adapters.paper.reports import fill_report, status_report
from tradebot.adapters.paper.volume import VolumeShare, within_limit
from tradebot.domain.bar import Bar
from tradebot.domain.bracket import check_children, child_ids
from tradebot.domain.enums import OrderSide, OrderStatus, OrderType
from tradebot.domain.execution import ExecutionReport
from tradebot.domain.messages import Fill, Order
from tradebot.domain.timer import TimerEvent

__all__ = ["BarOpens", "PaperBroker", "child_ids"]

BarOpens = Callable[[Bar], datetime]
"""bar -> when it opened (the time of a fill at its open)."""

_BPS = Decimal("0.0001")


class PaperBroker:
    def __init__(
        self,
        *,
        commission_rate: Decimal = Decimal(0),
        commission_min: Decimal = Decimal(0),
        slippage_bps: Decimal = Decimal(0),
        initial_cash: Decimal | None = None,
        bracket_stop_first: bool = True,
        fees: FeeSchedule | None = None,
        volume: VolumeShare | None = None,
        allow_short: bool = False,
        finer_bars: FinerBars | None = None,
        bar_opens: BarOpens | None = None,
        latency: VenueLatency | None = None,
    ) -> None:
        """``fees`` gives the full schedule; without it the fee is
        ``max(commission_min, notional × commission_rate)``. ``volume``: fill sized orders
        within a share of each bar's volume (else whole). ``allow_short``: lend shares for
        a sell beyond the holding (else such a sell is rejected; checked only with an
        ``initial_cash`` account). ``finer_bars``: where both legs of a bracket fill on one
        bar, replay that bar's finer bars to see which came first (else ``bracket_stop_first``
        decides). ``bar_opens``: when a bar opened, the time of a fill at its open (else
        :class:`~tradebot.adapters.paper.bar_open.SessionOpens` on XNYS). ``latency``:
        report ``delay`` after the fact, market orders filled at the last price then
        (:mod:`tradebot.adapters.paper.latency`); else at the next bar, reported with it."""
        self.fees = fees or FeeSchedule(rate=commission_rate, minimum=commission_min)
        self.slippage = slippage_bps * _BPS
        self.account = VenueAccount(initial_cash)
        self.volume = volume
        self.allow_short = allow_short
        self._finer = finer_bars
        self._opens: BarOpens = bar_opens or SessionOpens()
        self.latency = latency
        self._latent: dict[str, datetime] = {}  # market orders filled by the latency timer
        self._last_close: dict[str, Decimal] = {}
        self._filled: dict[str, Decimal] = {}  # quantity filled so far, per partly filled order
        self._fills: dict[str, int] = {}  # fills so far per order (fill ids count them)
        self._last_bar: dict[str, datetime] = {}
        self._updates: list[Order] = []
        self.bracket_stop_first = bracket_stop_first
        self._orders: dict[str, Order] = {}
        self._pending: dict[str, list[str]] = defaultdict(list)
        self._triggered: set[str] = set()  # stop-limits whose stop was touched
        self._children: dict[str, tuple[str, ...]] = {}  # entry -> its stop-loss, take-profit
        self._sibling: dict[str, str] = {}  # bracket child -> the other child (OCO)

    def submit(self, order: Order) -> Order:
        known = self._orders.get(order.client_order_id)
        if known is not None:
            return known
        accepted = self._accept(order)
        self._pending[order.symbol].append(order.client_order_id)
        if self.latency is not None and order.type is OrderType.MARKET:
            coid = order.client_order_id
            self._latent[coid] = self.latency.fill_at(coid, order.created_at)
        return accepted

    @property
    def immediate(self) -> bool:
        """Every fill is reported with the bar it happened on (no latency): nothing of this
        venue's happens between two bars."""
        return self.latency is None

    def submit_bracket(self, entry: Order, children: Sequence[Order]) -> list[Order]:
        """Submit ``entry`` with its prepared ``children`` (see
        :func:`~tradebot.domain.bracket.bracket_children`: a STOP and/or a LIMIT on the
        other side); return the entry and then the children, in the order given.

        The children are held (status NEW) until the entry fills; then they carry the
        filled quantity and work from the next bar, one cancelling the other. Resubmitting
        the same entry id returns the existing orders.
        """
        known = self._orders.get(entry.client_order_id)
        if known is not None:
            ids = self._children.get(entry.client_order_id, ())
            return [known, *(self._orders[c] for c in ids)]
        check_children(entry, children)
        held = [c.evolve(status=OrderStatus.NEW, broker_order_id=None, reason="") for c in children]
        parent = self.submit(entry)
        for child in held:
            self._orders[child.client_order_id] = child
        # stop first: with ``bracket_stop_first`` the stop wins a bar that reaches both
        ordered = sorted(held, key=lambda c: c.type is not OrderType.STOP)
        self._children[entry.client_order_id] = tuple(c.client_order_id for c in ordered)
        if len(held) == 2:
            first, second = (c.client_order_id for c in held)
            self._sibling[first], self._sibling[second] = second, first
        if parent.status is OrderStatus.REJECTED:
            self._cancel_held(entry.client_order_id)
        return [parent, *(self._orders[c.client_order_id] for c in held)]

    def cancel(self, client_order_id: str) -> Order | None:
        """Cancel a working order at once (a simulated venue waits for nothing); cancelling
        a bracket's entry also drops its children. The order as the venue now holds it."""
        self._cancel(client_order_id, event=False)
        self._latent.pop(client_order_id, None)
        return self._orders.get(client_order_id)

    def _cancel(self, client_order_id: str, *, event: bool) -> None:
        order = self._orders.get(client_order_id)
        if order is None:
            return
        if order.status is OrderStatus.NEW:  # a held bracket child: it will never arm now
            self._set(order, OrderStatus.CANCELLED, event=event)
            return
        if order.status in _WORKING:
            self._set(order, OrderStatus.CANCELLED, event=event)
            self._unpend(order.symbol, client_order_id)
            self._triggered.discard(client_order_id)
            done = self._filled.pop(client_order_id, None)
            self._fills.pop(client_order_id, None)
            if done is not None and client_order_id in self._children:
                armed_at = self._last_bar.get(order.symbol, order.created_at)
                self._arm(client_order_id, done, order.symbol, armed_at)
                return  # the part bought stays protected
        self._cancel_held(client_order_id)

    def lookup(self, client_order_id: str) -> Order | None:
        return self._orders.get(client_order_id)

    def working_symbols(self) -> Collection[str]:
        """Symbols with an order working on their next bar: the only bars the kernel's
        batch path must show this venue (a live view: read it, don't keep it)."""
        return self._pending.keys()

    def _unpend(self, symbol: str, coid: str) -> None:
        waiting = self._pending[symbol]
        waiting.remove(coid)
        if not waiting:
            del self._pending[symbol]

    def on_bar(self, bar: Bar) -> list[ExecutionReport]:
        """What the venue says of ``bar``: a report per fill on it, then the status changes
        it made on its own (as the kernel's execution stage applies them); with a latency,
        nothing yet: they are delivered ``delay`` later (:meth:`on_timer`)."""
        fills = self.fills_on(bar)
        if not fills and not self._updates:
            return []
        orders = self._orders
        reports = []
        for fill in fills:  # (reports.fill_report, written out: once per fill)
            order = orders[fill.client_order_id]
            done = order.status is OrderStatus.FILLED
            reports.append(_report_of(fill, done=done, broker_order_id=order.broker_order_id))
        if self._updates:
            for update in self.order_updates():
                said = status_report(update, bar.ts)
                if said is not None:
                    reports.append(said)
        if self.latency is None:
            return reports
        self.latency.hold(reports, bar.ts)
        return []

    def on_timer(self, timer: TimerEvent) -> list[ExecutionReport]:
        """The venue's own timers (a latency): fill the market orders due at ``timer.ts``
        at their symbol's last price, and deliver the reports held until then."""
        reports: list[ExecutionReport] = []
        for coid, due in list(self._latent.items()):
            if due <= timer.ts:
                reports.extend(self._fill_latent(coid, timer.ts))
        if self.latency is not None:
            reports.extend(self.latency.delivered(timer.ts))
        return reports

    def _fill_latent(self, coid: str, at: datetime) -> list[ExecutionReport]:
        """A market order ``delay`` after its decision, at the last close of its symbol
        (slippage against the trader); with no close seen yet it waits for the next bar."""
        order = self._orders[coid]
        price = self._last_close.get(order.symbol)
        del self._latent[coid]
        if order.status not in _WORKING or price is None:
            return []
        moved = price * (1 + self.slippage if order.side is OrderSide.BUY else 1 - self.slippage)
        fill = self._fill(order, moved, None, at)
        refusal = self._refusal(order, fill, moved)
        if refusal is not None or fill is None:
            self._unpend(order.symbol, coid)
            self._set(order, OrderStatus.REJECTED, reason=refusal or "")
            self._cancel_held(coid)
            said = status_report(self._orders[coid], at)
            held = [status_report(u, at) for u in self.order_updates()]
            return [r for r in (said, *held) if r is not None]
        self.account.apply(fill)
        self._progress(order, fill, at)
        done = [fill_report(fill, self._orders[coid])]
        return done + [r for u in self.order_updates() if (r := status_report(u, at))]

    def fills_on(self, bar: Bar) -> list[Fill]:
        """Match the orders working on ``bar``'s symbol against it: the fills, in the
        order they happened (status changes of the venue's own wait in ``order_updates``)."""
        after = self._last_bar.get(bar.symbol)
        self._last_bar[bar.symbol] = bar.ts
        if self.latency is not None:
            self._last_close[bar.symbol] = Decimal(repr(bar.close))
        waiting = self._pending.get(bar.symbol)
        if not waiting:
            return []
        prices = BarPrices(bar)
        decided = self._bracket_races(waiting, bar, prices, after) if self._finer else {}
        fills: list[Fill] = []
        latent = self._latent
        for coid in list(waiting):
            order = self._orders[coid]
            if (
                order.status not in _WORKING
                or order.created_at >= bar.ts
                or (latent and coid in latent)
            ):
                continue  # cancelled by its OCO sibling, decided on this bar, or latent
            if coid in decided:
                race = decided[coid]
                if race is None:
                    continue  # the other leg of its bracket came first on the finer bars
                price, at = race
            else:
                result = match(
                    order, prices, slippage=self.slippage, triggered=coid in self._triggered
                )
                if result.triggered:
                    self._triggered.add(coid)
                if result.price is None:
                    continue
                price, at = result.price, self._opens(bar) if result.at_open else bar.ts
                if at < order.created_at:  # decided inside this bar (a timed duty): never
                    at = order.created_at  # filled before the decision that sent it
            fill = self._fill(order, price, bar, at)
            if fill is None and order.notional is None:
                continue  # the bar had no volume for it: it keeps working
            refusal = self._refusal(order, fill, price)
            if refusal is not None or fill is None:
                self._unpend(bar.symbol, coid)
                self._triggered.discard(coid)
                self._set(order, OrderStatus.REJECTED, reason=refusal or "", event=True)
                self._cancel_held(coid)
                continue
            self.account.apply(fill)
            fills.append(fill)
            self._progress(order, fill, bar.ts)
        return fills

    def _refusal(self, order: Order, fill: Fill | None, price: Decimal) -> str | None:
        """Why the venue refuses this fill (cash, shares to sell, a notional too small)."""
        if fill is None:
            return f"notional {order.notional} buys no unit at {price} (fees included)"
        if fill.side is OrderSide.SELL and not self.allow_short:
            short = self.account.shares_short(fill)
            if short is not None:
                return short
        return self.account.shortfall(fill)

    def _progress(self, order: Order, fill: Fill, bar_ts: datetime) -> None:
        """Book a fill on the bar closing at ``bar_ts``: the order is done (FILLED: its
        bracket legs arm, its OCO sibling goes) or partly filled (it keeps working; a
        triggered stop stays triggered)."""
        coid = order.client_order_id
        wanted = order.quantity
        before = self._filled.get(coid)
        if wanted is not None and (before is not None or fill.quantity < wanted):
            filled = fill.quantity if before is None else before + fill.quantity
            if filled < wanted:
                self._filled[coid] = filled
                self._set(order, OrderStatus.PARTIALLY_FILLED)
                self._shrink_sibling(coid, wanted - filled)
                return
        waiting = self._pending[order.symbol]  # (_unpend, written out: once per fill)
        waiting.remove(coid)
        if not waiting:
            del self._pending[order.symbol]
        self._triggered.discard(coid)
        self._fills.pop(coid, None)
        if before is None:
            filled = fill.quantity
        else:
            filled = before + fill.quantity
            del self._filled[coid]
        self._set(order, OrderStatus.FILLED)
        if coid in self._sibling or coid in self._children:  # a bracket's entry or leg
            self._after_fill(coid, fill, filled, bar_ts)

    def _shrink_sibling(self, coid: str, left: Decimal) -> None:
        """A bracket leg partly filled: its OCO sibling may close only what is left of the
        position (as a venue reduces the other leg), never the part already closed."""
        sibling_id = self._sibling.get(coid)
        if sibling_id is None:
            return
        sibling = self._orders[sibling_id]
        if sibling.status in _WORKING and sibling.quantity is not None and sibling.quantity > left:
            done = self._filled.get(sibling_id, Decimal(0))
            self._orders[sibling_id] = sibling.evolve(quantity=max(left, done))

    def _bracket_races(
        self, waiting: list[str], bar: Bar, prices: BarPrices, after: datetime | None
    ) -> dict[str, tuple[Decimal, datetime] | None]:
        """For each bracket whose two legs would both fill on ``bar``, ask the finer bars
        which came first: the winner's price and time, and ``None`` for the loser."""
        decided: dict[str, tuple[Decimal, datetime] | None] = {}
        if self._finer is None or after is None:
            return decided
        for coid in waiting:
            sibling = self._sibling.get(coid)
            if sibling is None or coid in decided or sibling not in waiting:
                continue
            is_stop = self._orders[coid].type is OrderType.STOP
            stop_id, target_id = (coid, sibling) if is_stop else (sibling, coid)
            stop, target = self._orders[stop_id], self._orders[target_id]
            both = all(
                o.status in _WORKING
                and o.created_at < bar.ts
                and match(o, prices, slippage=self.slippage).price is not None
                for o in (stop, target)
            )
            if not both:
                continue
            first = first_leg(stop, target, self._finer(bar.symbol, after, bar.ts), self.slippage)
            if first is not None:
                winner, price, at = first
                loser = target if winner is stop else stop
                decided[winner.client_order_id] = price, at
                decided[loser.client_order_id] = None
        return decided

    def _accept(self, order: Order) -> Order:
        accepted = order.evolve(
            status=OrderStatus.ACCEPTED, broker_order_id="paper-" + order.client_order_id
        )
        self._orders[order.client_order_id] = accepted
        return accepted

    def order_updates(self) -> list[Order]:
        """Status changes the venue made on its own since the last call (rejections at fill
        time, OCO and held-child cancellations), oldest first."""
        updates, self._updates = self._updates, []
        return updates

    def _set(
        self, order: Order, status: OrderStatus, reason: str = "", event: bool = False
    ) -> None:
        """Change an order's status; ``event``: the venue did it on its own, so the owner
        learns it through :meth:`order_updates` (not as the reply to a call it made)."""
        changed = (
            order.evolve(status=status, reason=reason) if reason else order.evolve(status=status)
        )
        self._orders[order.client_order_id] = changed
        if event:
            self._updates.append(changed)

    def _cancel_held(self, entry_id: str) -> None:
        """Children still waiting for an entry that will now never fill are cancelled."""
        for child in self._children.get(entry_id, ()):
            if self._orders[child].status is OrderStatus.NEW:
                self._set(self._orders[child], OrderStatus.CANCELLED, event=True)

    def _after_fill(self, coid: str, fill: Fill, filled: Decimal, bar_ts: datetime) -> None:
        """Activate a filled entry's children (for the ``filled`` quantity) from the bar
        after the one it filled on (``bar_ts``: a fill at the open is stamped earlier), or
        cancel a filled child's OCO sibling."""
        sibling = self._sibling.get(coid)
        if sibling is not None:
            self._cancel(sibling, event=True)
        if coid in self._children:
            self._arm(coid, filled, fill.symbol, bar_ts)

    def _arm(self, entry_id: str, quantity: Decimal, symbol: str, at: datetime) -> None:
        """The entry's held children start working for ``quantity`` on the bars after ``at``."""
        children = self._children[entry_id]
        if not self.bracket_stop_first:  # evaluated in list order: the first one wins a tie
            children = children[::-1]
        for child in children:
            held = self._orders[child]
            if held.status is not OrderStatus.NEW:
                continue  # cancelled while it was held
            armed = held.evolve(quantity=quantity, notional=None, created_at=at)
            self._accept(armed)
            self._pending[symbol].append(child)

    def _fill(self, order: Order, price: Decimal, bar: Bar | None, at: datetime) -> Fill | None:
        """This bar's fill of ``order`` at ``price`` and time ``at`` — all of what is left,
        or what the volume model lets through, at the price it moves to — or ``None`` when
        nothing fills: a notional order whose cash buys no unit (it is then rejected, never
        filled with nothing), or a bar without volume for it (it keeps working)."""
        coid = order.client_order_id
        quantity = order.quantity
        commission: Decimal | None = None
        if quantity is None:  # notional: units = cash / (price × (1 + fee rate)), fractional
            assert order.notional is not None
            quantity, commission = self.fees.affordable(order.notional, price)
            if quantity <= 0:
                return None
        else:
            done = self._filled.get(coid)
            if done is not None:
                quantity -= done
            if self.volume is not None and bar is not None:
                quantity = self.volume.quantity(quantity, bar.volume)
                if quantity <= 0:
                    return None
                price = within_limit(
                    order, self.volume.price(price, order.side, quantity, bar.volume)
                )
        if commission is None:
            commission = self.fees.fee(price, quantity)
        count = self._fills.get(coid, 0) + 1
        wanted = order.quantity  # (not compared with None: Decimal would ask if None is a number)
        if count > 1 or wanted is None or quantity != wanted:  # partial: later ones need the count
            self._fills[coid] = count
        return Fill(
            fill_id=f"{coid}-{count}",
            client_order_id=order.client_order_id,
            symbol=order.symbol,
            side=order.side,
            quantity=quantity,
            price=price,
            commission=commission,
            ts=at,
        )


_WORKING = frozenset({OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_FILLED})
_report_of = ExecutionReport.of_fill
