"""Deterministic identities.

A signal's id comes from what it is about (run, symbol, bar time); a decision's from its
signal; a client order id from its decision. Replaying the same input therefore produces the
same ids, which is what makes a retried or restarted submission detectable instead of doubled.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

__all__ = ["client_order_id", "decision_id", "signal_id", "stable_id"]


def stable_id(*parts: object, length: int = 24) -> str:
    """A short hex digest of ``parts`` (joined with ``|``)."""
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:length]


def signal_id(run_id: str, symbol: str, ts: datetime, source: str) -> str:
    return "sig-" + stable_id(run_id, symbol, ts.isoformat(), source)


def decision_id(signal_id_: str) -> str:
    return "dec-" + stable_id(signal_id_)


def client_order_id(decision_id_: str, leg: int = 0) -> str:
    """At most 32 characters: fits Alpaca (128), Binance (36) and most venues."""
    return "tb-" + stable_id(decision_id_, leg, length=28)
