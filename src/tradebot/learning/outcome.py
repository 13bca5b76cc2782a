"""Outcome evaluation: one closed trade becomes a :class:`TradeOutcome` the policies learn from.

Why an R multiple: a 2 % gain on a stock that moves 4 % a day is luck, on one that moves
0.5 % a day it is skill. Dividing the trade's return by the risk it took at entry (its ATR,
as a fraction of the entry price) puts trades on volatile and quiet symbols on one scale,
so no strategy is rewarded merely for trading the wild ones.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from tradebot.domain.enums import Direction
from tradebot.domain.messages import ClosedTrade

__all__ = ["TradeOutcome", "evaluate_outcome", "reward"]


@dataclass(frozen=True, slots=True)
class TradeOutcome:
    """One closed trade, evaluated, linked to the decision and the signal that opened it.

    ``return_pct`` is a fraction (0.02 is 2 %), net of commission and borrow cost, already
    signed by the trade's side (a short that fell has a positive return). ``risk_adjusted``
    is that return over the risk taken at entry: an R multiple. ``contributions`` are each
    strategy's signed share of the opening signal's ensemble score (positive = voted long);
    treat the mapping as read-only.
    """

    trade_id: str
    symbol: str
    entry_decision_id: str
    signal_id: str | None
    closed_at: datetime
    pnl: Decimal
    return_pct: float
    hold_seconds: float
    risk_adjusted: float
    contributions: Mapping[str, float]
    direction: int

    def __post_init__(self) -> None:
        if self.closed_at.tzinfo is None:
            raise ValueError(f"trade {self.trade_id}: closed_at must be timezone-aware")
        if self.direction not in (1, -1):
            raise ValueError(f"trade {self.trade_id}: direction must be +1 or -1")
        if not (math.isfinite(self.return_pct) and math.isfinite(self.risk_adjusted)):
            raise ValueError(f"trade {self.trade_id}: return and R multiple must be finite")
        for name, value in self.contributions.items():
            if not math.isfinite(value):
                raise ValueError(f"trade {self.trade_id}: contribution of {name} is {value}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-able (for persistence); :meth:`from_dict` reads it back equal."""
        return {
            "trade_id": self.trade_id,
            "symbol": self.symbol,
            "entry_decision_id": self.entry_decision_id,
            "signal_id": self.signal_id,
            "closed_at": self.closed_at.isoformat(),
            "pnl": str(self.pnl),
            "return_pct": self.return_pct,
            "hold_seconds": self.hold_seconds,
            "risk_adjusted": self.risk_adjusted,
            "contributions": dict(self.contributions),
            "direction": self.direction,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TradeOutcome:
        return cls(
            trade_id=str(data["trade_id"]),
            symbol=str(data["symbol"]),
            entry_decision_id=str(data["entry_decision_id"]),
            signal_id=None if data["signal_id"] is None else str(data["signal_id"]),
            closed_at=datetime.fromisoformat(data["closed_at"]),
            pnl=Decimal(data["pnl"]),
            return_pct=float(data["return_pct"]),
            hold_seconds=float(data["hold_seconds"]),
            risk_adjusted=float(data["risk_adjusted"]),
            contributions={str(k): float(v) for k, v in data["contributions"].items()},
            direction=int(data["direction"]),
        )


def evaluate_outcome(
    trade: ClosedTrade,
    contributions: Mapping[str, float],
    *,
    signal_id: str | None,
    atr_at_entry: float | None,
    risk_fallback: float = 0.02,
) -> TradeOutcome:
    """Evaluate ``trade``. ``contributions`` come from the signal that opened it.

    ``atr_at_entry`` is the price distance the trade risked at entry, in the symbol's price
    units (the ATR, or the ATR times the stop multiplier if the caller prefers the stop
    distance); without a usable one (``None``, zero, negative, not finite) the risk is
    ``risk_fallback`` of the entry price (2 % by default), so every trade gets an R multiple.
    """
    if not (math.isfinite(risk_fallback) and risk_fallback > 0.0):
        raise ValueError(f"risk_fallback must be a positive fraction, not {risk_fallback}")
    if not math.isfinite(trade.return_pct):
        raise ValueError(f"trade {trade.id}: return_pct is {trade.return_pct}")
    risk = risk_fallback
    entry = float(trade.entry_price)
    usable = atr_at_entry is not None and math.isfinite(atr_at_entry) and atr_at_entry > 0.0
    if usable and entry > 0.0:
        risk = float(atr_at_entry or 0.0) / entry
    risk_adjusted = trade.return_pct / risk
    if not math.isfinite(risk_adjusted):  # an absurdly small ATR: cap rather than explode
        risk_adjusted = math.copysign(1e6, trade.return_pct)
    return TradeOutcome(
        trade_id=trade.id,
        symbol=trade.symbol,
        entry_decision_id=trade.entry_decision_id,
        signal_id=signal_id,
        closed_at=trade.exit_ts,
        pnl=trade.pnl,
        return_pct=trade.return_pct,
        hold_seconds=trade.hold_seconds,
        risk_adjusted=risk_adjusted,
        contributions={name: float(value) for name, value in contributions.items()},
        direction=-1 if trade.direction is Direction.SHORT else 1,
    )


def reward(outcome: TradeOutcome, scale: float = 1.0) -> float:
    """The trade's reward in (-1, 1): ``tanh(R / scale)``.

    Squashed because one outlier (a 10 R gap) must not outweigh twenty ordinary trades in a
    decayed mean, and because the seed's update wants a bounded reward; ``tanh`` keeps the
    sign and is nearly linear for ordinary trades (|R| < 1).
    """
    return math.tanh(outcome.risk_adjusted / scale)
