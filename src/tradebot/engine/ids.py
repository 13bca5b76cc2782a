"""Deterministic identities.

A signal's id comes from what it is about (run, symbol, bar time, source); a decision's from
its signal; a client order id from its decision; a closed trade's from the decision that
closed it. Replaying the same input therefore produces the same ids, which is what makes a
retried or restarted submission detectable instead of doubled.

Only the part that names *who* (run, symbol, source) is hashed, once per combination; the
part that names *when* is the bar time itself, in hexadecimal microseconds. Ids derived from
another id reuse its tail, so a decision, its order and its trade can be matched by eye,
and the hot path hashes nothing per signal.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import lru_cache

from tradebot.domain.batch import epoch_nanoseconds

__all__ = [
    "CLIENT_ID_PREFIX",
    "client_order_id",
    "decision_id",
    "signal_id",
    "stable_id",
    "trade_id",
]


def stable_id(*parts: object, length: int = 24) -> str:
    """A short hex digest of ``parts`` (joined with ``|``)."""
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:length]


@lru_cache(maxsize=4096)
def _who(run_id: str, symbol: str, source: str) -> str:
    return stable_id(run_id, symbol, source, length=12)


def signal_id(run_id: str, symbol: str, ts: datetime, source: str) -> str:
    """``sig-<hash of run, symbol, source>-<bar time in µs, hex>`` (30 characters until
    the year 2112)."""
    return f"sig-{_who(run_id, symbol, source)}-{epoch_nanoseconds(ts) // 1000:x}"


def decision_id(signal_id_: str) -> str:
    """Exactly one decision per signal: the signal's id under the ``dec-`` prefix."""
    return "dec-" + signal_id_.removeprefix("sig-")


CLIENT_ID_PREFIX = "tb-"
"""Every client order id tradebot makes starts with this: an order at a venue without it
is not ours (an external order, for reconciliation)."""


def client_order_id(decision_id_: str, leg: int = 0) -> str:
    """``tb-<decision>-<leg>``, at most 32 characters: fits Alpaca (128), Binance (36) and
    most venues. A decision's legs (tranches, bracket parts) are numbered."""
    tail = decision_id_.removeprefix("dec-")
    coid = f"tb-{tail}" if leg == 0 else f"tb-{tail}.{leg}"
    if len(coid) > 32:  # a decision id from elsewhere (not one of ours): hash it down
        coid = "tb-" + stable_id(decision_id_, leg, length=28)
    return coid


def trade_id(closing_fill_id: str) -> str:
    """A round trip closes on exactly one fill (a venue trade id is unique), so ``trd-`` and
    that fill's id name it — also when one decision's order legs (a bracket's stop, later
    tranches) close several round trips over a run."""
    return "trd-" + closing_fill_id
