"""The paper broker: a simulated venue for backtests and paper trading alike.

Market orders accepted while bar t is processed fill at the open of the symbol's next bar
(never on a bar that is not later than the order), moved by ``slippage_bps`` against the
trader, and pay ``max(commission_min, notional × commission_rate)``. A notional order
(all-in sizing) buys as many units as its cash pays for at the fill price, fee included.
Resubmitting a client order id returns the existing order instead of creating a second one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal

from tradebot.domain.bar import Bar
from tradebot.domain.enums import OrderSide, OrderStatus, OrderType
from tradebot.domain.messages import Fill, Order

__all__ = ["PaperBroker"]

_FEE_PLACES = Decimal("1e-10")  # fractions of a cent are kept, as crypto venues charge them
_UNIT_PLACES = Decimal("1e-12")
_BPS = Decimal("0.0001")


class PaperBroker:
    def __init__(
        self,
        *,
        commission_rate: Decimal = Decimal(0),
        commission_min: Decimal = Decimal(0),
        slippage_bps: Decimal = Decimal(0),
    ) -> None:
        self.commission_rate = commission_rate
        self.commission_min = commission_min
        self.slippage = slippage_bps * _BPS
        self._orders: dict[str, Order] = {}
        self._pending: dict[str, list[str]] = defaultdict(list)

    def submit(self, order: Order) -> Order:
        known = self._orders.get(order.client_order_id)
        if known is not None:
            return known
        if order.type is not OrderType.MARKET:
            rejected = order.model_copy(
                update={
                    "status": OrderStatus.REJECTED,
                    "reason": f"{order.type} orders are not supported by the paper broker yet",
                }
            )
            self._orders[order.client_order_id] = rejected
            return rejected
        accepted = order.model_copy(
            update={
                "status": OrderStatus.ACCEPTED,
                "broker_order_id": "paper-" + order.client_order_id,
            }
        )
        self._orders[order.client_order_id] = accepted
        self._pending[order.symbol].append(order.client_order_id)
        return accepted

    def cancel(self, client_order_id: str) -> None:
        order = self._orders.get(client_order_id)
        if order is None or order.status is not OrderStatus.ACCEPTED:
            return
        self._orders[client_order_id] = order.model_copy(update={"status": OrderStatus.CANCELLED})
        self._pending[order.symbol].remove(client_order_id)

    def lookup(self, client_order_id: str) -> Order | None:
        return self._orders.get(client_order_id)

    def on_bar(self, bar: Bar) -> Sequence[Fill]:
        waiting = self._pending.get(bar.symbol)
        if not waiting:
            return ()
        fills: list[Fill] = []
        still: list[str] = []
        for coid in waiting:
            order = self._orders[coid]
            if order.created_at >= bar.ts:
                still.append(coid)  # decided on this very bar: it may only fill later
                continue
            fills.append(self._fill(order, bar))
            self._orders[coid] = order.model_copy(update={"status": OrderStatus.FILLED})
        self._pending[bar.symbol] = still
        return fills

    def _fill(self, order: Order, bar: Bar) -> Fill:
        sign = 1 if order.side is OrderSide.BUY else -1
        # exact: the bar's open (as data, e.g. adjusted prices off any tick grid) moved by
        # the slippage; rounding it to a tick would make the fill disagree with the data
        price = Decimal(repr(bar.open)) * (1 + sign * self.slippage)
        quantity = order.quantity
        if quantity is None:  # notional: units = cash / (price × (1 + fee rate)), fractional
            assert order.notional is not None
            quantity = self._units_for(order.notional, price)
        commission = max(
            self.commission_min, (price * quantity * self.commission_rate).quantize(_FEE_PLACES)
        )
        return Fill(
            fill_id=f"{order.client_order_id}-1",
            client_order_id=order.client_order_id,
            symbol=order.symbol,
            side=order.side,
            quantity=quantity,
            price=price,
            commission=commission,
            ts=bar.ts,
        )

    def _units_for(self, notional: Decimal, price: Decimal) -> Decimal:
        """The most units ``notional`` buys at ``price`` with the fee paid out of it too."""
        units = (notional / (price * (1 + self.commission_rate))).quantize(
            _UNIT_PLACES, rounding=ROUND_DOWN
        )
        if (
            price * units + max(self.commission_min, price * units * self.commission_rate)
            > notional
        ):
            units = ((notional - self.commission_min) / price).quantize(
                _UNIT_PLACES, rounding=ROUND_DOWN
            )
        return max(units, Decimal(0))
