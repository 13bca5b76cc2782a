"""What a drift comparison finds: each real fill beside its simulated counterpart, the
orders only one side filled, and the summaries per symbol and overall.

``bps`` is signed so that a positive figure means the real fill was worse for us (paid more
on a buy, got less on a sell); money and quantities stay ``Decimal``, only the statistics
over many fills (mean, median, 95th percentile of bps; mean latencies) are floats.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import numpy as np

from tradebot.domain.enums import OrderSide
from tradebot.domain.messages import Fill, Order

__all__ = ["DriftReport", "FillDrift", "SymbolDrift", "Unmatched", "drift_bps", "summarise"]

_TEN_THOUSAND = Decimal(10_000)
_ZERO = Decimal(0)


def drift_bps(side: OrderSide, real: Decimal, simulated: Decimal) -> Decimal:
    """How much worse ``real`` is than ``simulated`` for an order on ``side``, in basis
    points of the simulated price (positive: we paid more on a buy, got less on a sell)."""
    worse = real - simulated if side is OrderSide.BUY else simulated - real
    return worse / simulated * _TEN_THOUSAND


@dataclass(frozen=True, slots=True)
class FillDrift:
    """One real fill beside the simulated part of its order that covers the same quantity
    (``sim_quantity`` 0 and no price when the simulation never reached that part)."""

    order: Order
    fill: Fill
    sim_quantity: Decimal
    sim_price: Decimal | None
    sim_commission: Decimal
    sim_ts: datetime | None

    @property
    def bps(self) -> Decimal | None:
        if self.sim_price is None:
            return None
        return drift_bps(self.fill.side, self.fill.price, self.sim_price)

    @property
    def price_diff(self) -> Decimal | None:
        return None if self.sim_price is None else self.fill.price - self.sim_price

    @property
    def cost(self) -> Decimal:
        """What the difference cost us on the quantity both filled (positive: a loss)."""
        if self.sim_price is None:
            return _ZERO
        diff = self.fill.price - self.sim_price
        return (diff if self.fill.side is OrderSide.BUY else -diff) * self.sim_quantity

    @property
    def latency(self) -> timedelta:
        return self.fill.ts - self.order.created_at

    @property
    def sim_latency(self) -> timedelta | None:
        return None if self.sim_ts is None else self.sim_ts - self.order.created_at

    @property
    def quantity_diff(self) -> Decimal:
        return self.fill.quantity - self.sim_quantity


@dataclass(frozen=True, slots=True)
class Unmatched:
    """An order that only one side filled: ``venue`` says which (True: only the venue did)."""

    order: Order
    venue: bool
    fills: tuple[Fill, ...]
    """The side's fills (the venue's, or the simulation's)."""
    quantity: Decimal
    price: Decimal | None

    @property
    def what(self) -> str:
        if self.venue:
            return "the simulation would not have filled it"
        return f"the venue did not fill it ({self.order.status.value})"


@dataclass(frozen=True, slots=True)
class SymbolDrift:
    """Summary of one symbol's (or every symbol's) fills."""

    symbol: str
    fills: int
    mean_bps: float | None
    median_bps: float | None
    p95_bps: float | None
    mean_latency_s: float | None
    mean_sim_latency_s: float | None
    cost: Decimal
    quantity_diff: Decimal
    venue_only: int
    sim_only: int


@dataclass(frozen=True, slots=True)
class DriftReport:
    run_id: str
    rows: list[FillDrift]
    unmatched: list[Unmatched]
    sim_filled: dict[str, Decimal] = field(default_factory=dict)
    """What the simulation filled of each order both sides filled (its own total may pass
    the venue's, which the rows, one per real fill, do not show)."""
    by_symbol: dict[str, SymbolDrift] = field(default_factory=dict)
    overall: SymbolDrift | None = None


def summarise(report: DriftReport) -> DriftReport:
    """``report`` with its per-symbol and overall summaries filled in."""
    rows, unmatched = report.rows, report.unmatched
    symbols = sorted({r.fill.symbol for r in rows} | {u.order.symbol for u in unmatched})
    by_symbol = {
        s: _summary(
            s,
            [r for r in rows if r.fill.symbol == s],
            [u for u in unmatched if u.order.symbol == s],
            report.sim_filled,
        )
        for s in symbols
    }
    overall = _summary("overall", rows, unmatched, report.sim_filled)
    return DriftReport(report.run_id, rows, unmatched, report.sim_filled, by_symbol, overall)


def _summary(
    symbol: str,
    rows: Sequence[FillDrift],
    unmatched: Sequence[Unmatched],
    sim_filled: Mapping[str, Decimal],
) -> SymbolDrift:
    bps = [float(b) for r in rows if (b := r.bps) is not None]
    sim = [lat.total_seconds() for r in rows if (lat := r.sim_latency) is not None]
    real = sum((r.fill.quantity for r in rows), _ZERO)
    simulated = sum(
        (sim_filled.get(c, _ZERO) for c in {r.order.client_order_id for r in rows}), _ZERO
    )
    return SymbolDrift(
        symbol=symbol,
        fills=len(bps),
        mean_bps=statistics.fmean(bps) if bps else None,
        median_bps=statistics.median(bps) if bps else None,
        p95_bps=float(np.percentile(bps, 95)) if bps else None,
        mean_latency_s=statistics.fmean(r.latency.total_seconds() for r in rows) if rows else None,
        mean_sim_latency_s=statistics.fmean(sim) if sim else None,
        cost=sum((r.cost for r in rows), _ZERO),
        quantity_diff=real - simulated,
        venue_only=sum(1 for u in unmatched if u.venue),
        sim_only=sum(1 for u in unmatched if not u.venue),
    )
