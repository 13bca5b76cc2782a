"""Bounded label values: every label a metric carries comes from a fixed or capped set.

A label value per symbol, run, order id or free-text source would make one time series per
value, and Prometheus keeps each one in memory for as long as it lives. So a label either
comes from a fixed set (:class:`Known`: the decision checks, the order statuses, the
strategies the run was configured with) or from a set capped at its first few values
(:class:`Capped`: news sources and sentiment model tiers, which adapters name freely);
anything else is counted under :data:`OTHER`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import Final

__all__ = ["DECISION_CHECKS", "NONE", "OTHER", "Capped", "Known", "label_text"]

OTHER: Final = "other"
"""Where a value outside the set is counted."""
NONE: Final = "none"
"""The first failed check of a decision that acted (none failed)."""

DECISION_CHECKS: Final = frozenset(
    {
        # the risk engine's entry path (tradebot.risk.entry_path) and sizer (risk.sizing)
        "direction",
        "no_open_order",
        "circuit_breakers",
        "ticker_cooldown",
        "max_open_positions",
        "declining_positions",
        "trading_window",
        "not_already_in",
        "micro_trading",
        "stop_levels",
        "gradual_entry",
        "active_pool_minimum",
        "confidence_gate",
        "earnings_proximity",
        "correlation",
        "diversification_bonus",
        "allocation",
        "absolute_cap",
        "sector_cap",
        "cash",
        "quantity",
        "portfolio_heat",
        # the operator's pause or kill (both decision stages)
        "operator",
        # the reference decision stage (tradebot.engine.decision_stage)
        "holding_to_exit",
        "cash_to_invest",
        "position_size",
        "not_already_long",
        "not_already_short",
    }
)
"""Every check name a decision's trace can carry, as label text (:func:`label_text`)."""

_NOT_LABEL = re.compile(r"[^a-z0-9]+")
_MAX_TEXT = 40


def label_text(value: str) -> str:
    """``value`` as a short, tidy label: lower case, runs of other characters as ``_``
    ("circuit breakers" → ``circuit_breakers``), at most 40 characters."""
    return _NOT_LABEL.sub("_", value.lower()).strip("_")[:_MAX_TEXT] or OTHER


class Known:
    """A fixed set of label values; anything else is :data:`OTHER`."""

    __slots__ = ("values",)

    def __init__(self, values: Iterable[str]) -> None:
        self.values = frozenset(label_text(v) for v in values)

    def __call__(self, value: str) -> str:
        text = label_text(value)
        return text if text in self.values else OTHER


class Capped:
    """The first ``cap`` distinct values seen keep their own label, later ones are
    :data:`OTHER` (thread-safe: observers run on the kernel's thread, a test's on its own)."""

    __slots__ = ("_cap", "_lock", "values")

    def __init__(self, cap: int, initial: Iterable[str] = ()) -> None:
        if cap < 1:
            raise ValueError(f"cap must be >= 1, got {cap}")
        self._cap = cap
        self._lock = threading.Lock()
        self.values: set[str] = {label_text(v) for v in initial}

    def __call__(self, value: str) -> str:
        text = label_text(value)
        if text in self.values:
            return text
        with self._lock:
            if len(self.values) < self._cap:
                self.values.add(text)
                return text
        return OTHER
