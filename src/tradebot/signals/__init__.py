"""Signals: the weighted ensemble that turns strategies' opinions into pipeline signals.

Invariants: pure (weights come in as arguments); a signal's strength is in 0..1; the
per-strategy contributions sum to the signed score; nothing below the threshold is emitted.
"""

from tradebot.signals.ensemble import DEFAULT_THRESHOLD, EnsembleResult, combine

__all__ = ["DEFAULT_THRESHOLD", "EnsembleResult", "combine"]
