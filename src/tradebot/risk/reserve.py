"""The reserve pool: a slice of the portfolio set aside from profits and never traded.

The reserve is a partition of equity, not a second account: ``active pool = total value −
reserve`` (seed 7.1) and only the active pool is sized against. A profitable close moves
``profit × siphon_pct`` into the reserve; a drawdown beyond the emergency threshold releases
the whole reserve back to the active pool (and the engine drops to the conservative tier);
a reserve above ``high_water_pct`` of the total raises a signal. Every movement is a
:class:`LedgerEntry` whose ``balance_after`` chains from the previous one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

__all__ = [
    "LedgerEntry",
    "ReserveState",
    "ReserveTrigger",
    "active_pool",
    "adjust_reserve",
    "drawdown",
    "emergency_release",
    "high_water_reached",
    "siphon_profit",
]

_ZERO = Decimal(0)


class ReserveTrigger(StrEnum):
    PROFIT_SIPHON = "profit_siphon"
    EMERGENCY_LIQUIDATION = "emergency_liquidation"
    MANUAL_ADJUSTMENT = "manual_adjustment"
    INITIAL = "initial"


@dataclass(frozen=True, slots=True)
class ReserveState:
    balance: Decimal = _ZERO
    total_deposits: Decimal = _ZERO
    total_withdrawals: Decimal = _ZERO


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One row of the reserve ledger: a signed amount and the balance after it."""

    ts: datetime
    amount: Decimal
    balance_after: Decimal
    trigger: ReserveTrigger
    reference: str = ""


def active_pool(total_value: Decimal, reserve: ReserveState) -> Decimal:
    return total_value - reserve.balance


def _move(
    state: ReserveState, amount: Decimal, trigger: ReserveTrigger, ts: datetime, ref: str
) -> tuple[ReserveState, LedgerEntry]:
    balance = state.balance + amount
    new = ReserveState(
        balance=balance,
        total_deposits=state.total_deposits + max(amount, _ZERO),
        total_withdrawals=state.total_withdrawals + max(-amount, _ZERO),
    )
    return new, LedgerEntry(ts, amount, balance, trigger, ref)


def siphon_profit(
    state: ReserveState, realized_profit: Decimal, pct: Decimal, ts: datetime, reference: str
) -> tuple[ReserveState, LedgerEntry | None]:
    """Move ``realized_profit × pct`` into the reserve; losses and zero move nothing."""
    amount = realized_profit * pct
    if realized_profit <= 0 or amount <= 0:
        return state, None
    return _move(state, amount, ReserveTrigger.PROFIT_SIPHON, ts, reference)


def emergency_release(
    state: ReserveState, ts: datetime, reference: str = ""
) -> tuple[ReserveState, LedgerEntry | None]:
    """Release the entire reserve into the active pool."""
    if state.balance <= 0:
        return state, None
    return _move(state, -state.balance, ReserveTrigger.EMERGENCY_LIQUIDATION, ts, reference)


def adjust_reserve(
    state: ReserveState, amount: Decimal, ts: datetime, reference: str = "manual"
) -> tuple[ReserveState, LedgerEntry]:
    """A manual deposit (positive) or withdrawal (negative); the balance never goes below 0."""
    if state.balance + amount < 0:
        raise ValueError(
            f"withdrawing {-amount} would leave the reserve negative (balance {state.balance})"
        )
    return _move(state, amount, ReserveTrigger.MANUAL_ADJUSTMENT, ts, reference)


def drawdown(peak: Decimal, equity: Decimal) -> Decimal:
    """Fall from the peak as a positive fraction (0 at or above the peak)."""
    if peak <= 0 or equity >= peak:
        return _ZERO
    return (peak - equity) / peak


def high_water_reached(state: ReserveState, total_value: Decimal, pct: Decimal) -> bool:
    return total_value > 0 and state.balance > total_value * pct
