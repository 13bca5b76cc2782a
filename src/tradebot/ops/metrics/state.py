"""The kernel's state as plain numbers, and how it lands in the gauges.

The runtime reads a :class:`StateSample` on the kernel's thread (the kernel's objects are
read nowhere else) and :func:`record_state` sets the gauges from it; nothing here knows the
kernel, so the mapping is tested with plain values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tradebot.ops.metrics.definitions import BREAKERS, TIERS, EngineMetrics
from tradebot.ops.metrics.labels import OTHER, Known

__all__ = ["StateSample", "record_reconciliation", "record_state"]

_TIER = Known(TIERS)
_BREAKER = Known(BREAKERS)


@dataclass(frozen=True, slots=True)
class StateSample:
    equity: float
    open_positions: int
    halted: bool = False
    paused: bool = False
    feeds_down: int = 0
    tier: str | None = None
    """The risk tier in effect (None: the reference decision stage has none)."""
    breakers: Mapping[str, bool] = field(default_factory=dict)
    """Each breaker's name → tripped now."""
    heat: float | None = None
    active_pool: float | None = None
    reserve_pool: float | None = None


def record_state(metrics: EngineMetrics, sample: StateSample) -> None:
    """Set every state gauge from ``sample`` (a tier or breaker outside the known set is
    shown as ``other``)."""
    metrics.equity.set(sample.equity)
    metrics.open_positions.set(sample.open_positions)
    metrics.halted.set(1 if sample.halted else 0)
    metrics.paused.set(1 if sample.paused else 0)
    metrics.feeds_down.set(sample.feeds_down)
    if sample.tier is not None:
        current = _TIER(sample.tier)
        for tier in TIERS:
            metrics.risk_tier.labels(tier).set(1 if tier == current else 0)
        if current == OTHER:
            metrics.risk_tier.labels(OTHER).set(1)
    for name, tripped in sample.breakers.items():
        metrics.breaker_tripped.labels(_BREAKER(name)).set(1 if tripped else 0)
    if sample.heat is not None:
        metrics.heat.set(sample.heat)
    if sample.active_pool is not None:
        metrics.pool.labels("active").set(sample.active_pool)
    if sample.reserve_pool is not None:
        metrics.pool.labels("reserve").set(sample.reserve_pool)


def record_reconciliation(metrics: EngineMetrics, differences: int, unexplained: int) -> None:
    """A reconciliation's outcome (reconciling is not a bus message: the runtime calls
    this): ``mismatch`` when anything is unexplained, and the latest counts."""
    metrics.reconciliations.labels("ok" if unexplained == 0 else "mismatch").inc()
    metrics.reconciliation_differences.labels("differences").set(differences)
    metrics.reconciliation_differences.labels("unexplained").set(unexplained)
