"""Each order of a run simulated on its own by the paper venue, and its real fills paired
with the simulated ones.

Why: a backtest is only as good as its venue model. Comparing what a venue really did with
what :class:`~tradebot.adapters.paper.broker.PaperBroker` (its matching, fees, slippage and
volume model, reused here, never a second matching engine) would have done to *the same
orders* on *the same bars* measures that model's error — the drift a backtest hides.

The simulation, per order and independently of every other order (a fresh venue each, with
unlimited cash, so one order's fill never changes another's):

- the order works from the first bar after it was created (a bracket's stop or target from
  the bar after the one its entry's last real fill happened in, for the quantity the entry
  really filled) and fills as the paper venue fills it, with the run's slippage and fees;
- it stops working where the record says the venue stopped working it: on the bar that
  filled its bracket sibling (one-cancels-other), after the decision its cancel reason
  names ("cancelled: decision ID ..."), else when it is done or the bars end.

Each real fill is paired with the part of the simulated fills covering the same cumulative
quantity of the order (the k-th share bought beside the k-th share simulated): its price
is the simulated fills' average over that part, its time when the simulation had filled it.
``bps`` is signed so that a positive figure means the real fill was worse for us (paid
more on a buy, got less on a sell). Orders one side filled and the other did not are listed
apart (:class:`~tradebot.backtest.drift.model.Unmatched`).
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from tradebot.adapters.paper.broker import PaperBroker
from tradebot.adapters.paper.fees import FeeSchedule
from tradebot.adapters.paper.volume import VolumeShare
from tradebot.backtest.drift.model import DriftReport, FillDrift, Unmatched, summarise
from tradebot.config import BrokerSettings
from tradebot.domain.bar import Bar
from tradebot.domain.bracket import child_ids
from tradebot.domain.enums import OrderStatus
from tradebot.domain.messages import Fill, Order

__all__ = ["VenueFactory", "compare_run", "pair_fills", "simulate_order", "venue_from"]

VenueFactory = Callable[[], PaperBroker]
"""A fresh simulated venue with the run's fees, slippage and fill model."""

_ZERO = Decimal(0)
_WORKING = frozenset({OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_FILLED})
_CANCELLED_BY = re.compile(r"\bdecision (\S+)")
_TICK = timedelta(microseconds=1)


def venue_from(broker: BrokerSettings) -> VenueFactory:
    """The paper venue as the run configured it (fees, slippage, fill model), with
    unlimited cash and no latency: the fill at the bar after the order, as a backtest has it."""
    fees = FeeSchedule.of(broker)
    volume = None
    if broker.fill_model == "volume_share":
        volume = VolumeShare(broker.volume_limit, broker.price_impact)

    def venue() -> PaperBroker:
        return PaperBroker(fees=fees, slippage_bps=broker.slippage_bps, volume=volume)

    return venue


def simulate_order(
    order: Order,
    bars: Sequence[Bar],
    venue: VenueFactory,
    *,
    until: datetime | None = None,
    times: Sequence[datetime] | None = None,
) -> list[Fill]:
    """The simulated fills of ``order`` on ``bars`` (its symbol's, in time order): working
    from the first bar after ``order.created_at`` on bars closed before ``until``.
    ``times``: the bars' times, when the caller has them (one list per symbol, not per order)."""
    broker = venue()
    broker.submit(order.evolve(status=OrderStatus.NEW, broker_order_id=None, reason=""))
    if times is None:
        times = [bar.ts for bar in bars]
    fills: list[Fill] = []
    for bar in bars[bisect.bisect_right(times, order.created_at) :]:
        if until is not None and bar.ts >= until:
            break
        fills.extend(broker.fills_on(bar))
        known = broker.lookup(order.client_order_id)
        if known is None or known.status not in _WORKING:
            break
    return fills


def pair_fills(order: Order, real: Sequence[Fill], simulated: Sequence[Fill]) -> list[FillDrift]:
    """Each real fill beside the simulated fills over the same cumulative quantity."""
    spans: list[tuple[Decimal, Decimal, Fill]] = []
    done = _ZERO
    for fill in simulated:
        spans.append((done, done + fill.quantity, fill))
        done += fill.quantity
    rows: list[FillDrift] = []
    low = _ZERO
    for fill in real:
        high = low + fill.quantity
        parts = [
            (min(high, end) - max(low, start), sim)
            for start, end, sim in spans
            if min(high, end) > max(low, start)
        ]
        quantity = sum((w for w, _ in parts), _ZERO)
        price: Decimal | None = None
        if len(parts) == 1:
            price = parts[0][1].price
        elif parts:
            price = sum((w * s.price for w, s in parts), _ZERO) / quantity
        commission = sum((s.commission * w / s.quantity for w, s in parts), _ZERO)
        ts = parts[-1][1].ts if parts else None
        rows.append(FillDrift(order, fill, quantity, price, commission, ts))
        low = high
    return rows


def compare_run(
    run_id: str,
    orders: Sequence[Order],
    fills: Sequence[Fill],
    bars: Mapping[str, Sequence[Bar]],
    venue: VenueFactory,
    decided_at: Mapping[str, datetime] | None = None,
) -> DriftReport:
    """Simulate every order of a run on its symbol's ``bars`` and compare (module docstring).
    ``decided_at``: decision id -> when it was taken, to end orders its cancel names."""
    by_order: dict[str, list[Fill]] = defaultdict(list)
    for fill in fills:
        by_order[fill.client_order_id].append(fill)
    known = {o.client_order_id: o for o in orders}
    parents: dict[str, str] = {}
    siblings: dict[str, str] = {}
    for order in orders:
        legs = [c for c in child_ids(order.client_order_id) if c in known]
        parents.update((leg, order.client_order_id) for leg in legs)
        if len(legs) == 2:
            siblings[legs[0]], siblings[legs[1]] = legs[1], legs[0]
    rows: list[FillDrift] = []
    unmatched: list[Unmatched] = []
    sim_filled: dict[str, Decimal] = {}
    times = {symbol: [bar.ts for bar in series] for symbol, series in bars.items()}
    for order in orders:
        series, at = bars.get(order.symbol, ()), times.get(order.symbol, [])
        real = by_order.get(order.client_order_id, [])
        working = _as_worked(order, parents.get(order.client_order_id), by_order, series, at)
        if working is None:
            continue  # a bracket leg whose entry never filled: the venue never worked it
        until = _ended(order, siblings.get(order.client_order_id), by_order, decided_at or {})
        simulated = simulate_order(working, series, venue, until=until, times=at)
        if real and simulated:
            rows.extend(pair_fills(order, real, simulated))
            sim_filled[order.client_order_id] = sum((f.quantity for f in simulated), _ZERO)
        elif real or simulated:
            unmatched.append(_unmatched(order, real or simulated, venue=bool(real)))
    return summarise(DriftReport(run_id, rows, unmatched, sim_filled))


def _as_worked(
    order: Order,
    parent: str | None,
    fills: Mapping[str, list[Fill]],
    bars: Sequence[Bar],
    times: Sequence[datetime],
) -> Order | None:
    """The order as the venue worked it: a bracket leg armed after its entry's last fill,
    for what the entry filled; ``None`` for a leg whose entry never filled."""
    if parent is None:
        return order
    entry = fills.get(parent)
    if not entry:
        return None
    at = bisect.bisect_left(times, entry[-1].ts)
    armed = bars[at].ts if at < len(bars) else entry[-1].ts
    filled = sum((f.quantity for f in entry), _ZERO)
    return order.evolve(created_at=armed, quantity=filled, notional=None)


def _ended(
    order: Order,
    sibling: str | None,
    fills: Mapping[str, list[Fill]],
    decided_at: Mapping[str, datetime],
) -> datetime | None:
    """When the venue stopped working ``order`` as far as the record says (exclusive)."""
    ends: list[datetime] = []
    if sibling is not None and fills.get(sibling):
        ends.append(fills[sibling][0].ts)
    named = _CANCELLED_BY.search(order.reason) if order.status is OrderStatus.CANCELLED else None
    if named is not None and named.group(1) in decided_at:
        ends.append(decided_at[named.group(1)] + _TICK)  # after that decision's own bar
    return min(ends) if ends else None


def _unmatched(order: Order, fills: Sequence[Fill], *, venue: bool) -> Unmatched:
    quantity = sum((f.quantity for f in fills), _ZERO)
    price = sum((f.price * f.quantity for f in fills), _ZERO) / quantity
    return Unmatched(order, venue, tuple(fills), quantity, price)
