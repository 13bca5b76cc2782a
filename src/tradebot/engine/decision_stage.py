"""The minimal decision stage: one persisted decision per signal, act or skip, with a trace.

Sizing is a fixed fraction of equity in whole units (fractional when configured), capped by
the cash not already promised to open buy orders, less a buffer for the gap between the
decision price (bar t close) and the fill (bar t+1 open). Long-only: a SHORT signal exits a
long position and is skipped when there is none. The risk engine replaces this stage later;
its trace format (one :class:`DecisionCheck` per rule, in order) stays.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from tradebot.domain.enums import DecisionAction, Direction, OrderSide
from tradebot.domain.messages import DecisionCheck, Signal, TradingDecision
from tradebot.engine.ids import decision_id
from tradebot.engine.order_manager import OrderManager
from tradebot.engine.portfolio import Portfolio
from tradebot.engine.topics import DECISIONS
from tradebot.ports import Bus, Store

__all__ = ["DecisionStage", "SizingRules"]

_ALL_IN_QUANTUM = Decimal("1e-12")
"""The smallest quantity an all-in (notional) order is sized to at the venue."""


@dataclass(frozen=True, slots=True)
class SizingRules:
    position_fraction: Decimal
    max_open_positions: int
    cash_buffer: Decimal
    commission_rate: Decimal
    fractional: bool = False
    lot: Decimal = Decimal("0.0001")
    all_in: bool = False
    """Spend all available cash on each entry (the venue sizes it at the fill price);
    the reference sizing of the standard benchmark case."""


class DecisionStage:
    stage = "decision"

    def __init__(
        self,
        *,
        run_id: str,
        rules: SizingRules,
        portfolio: Portfolio,
        orders: OrderManager,
        store: Store,
        bus: Bus,
    ) -> None:
        self._run_id = run_id
        self._rules = rules
        self._portfolio = portfolio
        self._orders = orders
        self._store = store
        self._bus = bus
        self._seen: set[str] = set()
        self.acted = 0
        self.skipped = 0
        self.skip_reasons: Counter[str] = Counter()

    def on_signal(self, signal: Signal) -> None:
        did = decision_id(signal.id)
        if did in self._seen:
            return  # redelivered signal: it was decided already
        self._seen.add(did)
        price = Decimal(repr(signal.price))
        trace: list[DecisionCheck] = []
        if signal.direction is Direction.LONG:
            side, qty, notional, reason = self._entry(signal, price, trace)
        elif signal.direction is Direction.SHORT:
            side, qty, notional, reason = self._exit(signal, trace)
        else:
            side, qty, notional, reason = _skip("neutral signal: nothing to do")
        action = DecisionAction.ACT if side is not None else DecisionAction.SKIP
        decision = TradingDecision(
            id=did,
            signal_id=signal.id,
            ts=signal.ts,
            symbol=signal.symbol,
            action=action,
            side=side,
            quantity=qty,
            notional=notional,
            reference_price=price,
            reason=reason,
            trace=tuple(trace),
            strategies=tuple(signal.sources),
        )
        if action is DecisionAction.ACT:
            self.acted += 1
        else:
            self.skipped += 1
            failed = next((step.check for step in trace if not step.passed), reason)
            self.skip_reasons[failed] += 1
        self._store.record_decision(self._run_id, decision)
        self._bus.publish(DECISIONS, decision)

    def _entry(self, signal: Signal, price: Decimal, trace: list[DecisionCheck]) -> _Sizing:
        symbol = signal.symbol
        held = symbol in self._portfolio.positions
        if not _check(trace, "not already long", not held, f"holding {symbol}" if held else "flat"):
            return _skip(f"already long {symbol}")
        pending = self._orders.open_count(symbol)
        if not _check(trace, "no open order", not pending, f"{pending} open order(s)"):
            return _skip(f"an order for {symbol} is still open")
        busy = len(self._portfolio.positions) + self._orders.open_buys()
        limit = self._rules.max_open_positions
        if not _check(
            trace,
            "max open positions",
            busy < limit,
            f"{busy} of {limit} in use",
            {"open": busy, "max": limit},
        ):
            return _skip(f"max open positions reached ({limit})")
        available = self._portfolio.cash - self._orders.reserved_cash()
        if self._rules.all_in:  # the amount goes out as a notional; the venue sizes it
            unit_cost = price * (1 + self._rules.cash_buffer + self._rules.commission_rate)
            enough = available >= unit_cost * _ALL_IN_QUANTUM
            detail = f"all-in with {available} of cash"
            if not enough:
                detail = f"{available} of cash buys less than {_ALL_IN_QUANTUM} unit"
            inputs = {"available_cash": str(available), "min_quantity": str(_ALL_IN_QUANTUM)}
            if not _check(trace, "cash to invest", enough, detail, inputs):
                return _skip("no cash to invest")
            reason = f"enter long all-in: signal strength {signal.strength:.2f}"
            return OrderSide.BUY, Decimal(0), available, reason
        equity = self._portfolio.equity()
        target = equity * self._rules.position_fraction
        unit_cost = price * (1 + self._rules.cash_buffer + self._rules.commission_rate)
        affordable = max(available, Decimal(0)) / unit_cost
        qty = self._round(min(target / price, affordable))
        inputs = {
            "equity": str(equity),
            "fraction": str(self._rules.position_fraction),
            "price": str(price),
            "available_cash": str(available),
            "quantity": str(qty),
        }
        capped = "cash" if affordable < target / price else "fraction of equity"
        if not _check(trace, "position size", qty > 0, f"{qty} units, capped by {capped}", inputs):
            return _skip("insufficient cash for one unit")
        reason = f"enter long: {signal.direction} signal strength {signal.strength:.2f}"
        return OrderSide.BUY, qty, None, reason

    def _exit(self, signal: Signal, trace: list[DecisionCheck]) -> _Sizing:
        pos = self._portfolio.positions.get(signal.symbol)
        if not _check(
            trace,
            "holding to exit",
            pos is not None,
            "long position open" if pos else "flat; short selling disabled",
        ):
            return _skip("no long position to exit (short selling disabled)")
        assert pos is not None
        pending = self._orders.open_count(signal.symbol)
        if not _check(trace, "no open order", not pending, f"{pending} open order(s)"):
            return _skip(f"an order for {signal.symbol} is still open")
        return OrderSide.SELL, pos.quantity, None, "exit long: short signal"

    def _round(self, qty: Decimal) -> Decimal:
        step = self._rules.lot if self._rules.fractional else Decimal(1)
        return (qty / step).to_integral_value(rounding=ROUND_DOWN) * step


_Sizing = tuple[OrderSide | None, Decimal, Decimal | None, str]
"""(side or None to skip, quantity, notional for all-in entries, reason)."""


def _skip(reason: str) -> _Sizing:
    return None, Decimal(0), None, reason


def _check(
    trace: list[DecisionCheck],
    name: str,
    passed: bool,
    detail: str,
    inputs: Mapping[str, object] | None = None,
) -> bool:
    trace.append(DecisionCheck(name, passed, detail, dict(inputs) if inputs else {}))
    return passed
