"""The risk engine's history records as stored rows: a kind, a time, a symbol, an exact payload.

Every engine call returns the events it caused (tier changes, reserve ledger entries,
breaker trips and resolutions, stop moves, closed tax lots, notices); the store appends them.
Each record gets an id derived from its content, so a record produced again — a redelivered
message, or a resumed run re-processing the bars after its last checkpoint — is the same
record and is stored once. The payload is the event itself through the risk codec, so
``decode(kind, encode(event)) == event`` exactly (Decimals, times and enums included).

It lives here, beside the codec, because both sides of the store need it and neither may
import the other: the SQL store (an adapter) and the in-memory fakes encode and decode with
it, and the layers contract keeps adapters from importing the engine. Record ids are stored:
:func:`record_id` must never change (a test pins one).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tradebot.domain.errors import DataError
from tradebot.risk.codec import from_plain, to_plain
from tradebot.risk.events import BreakerEvent, Notice, RiskEvent
from tradebot.risk.reserve import LedgerEntry
from tradebot.risk.stops import StopAdjustment
from tradebot.risk.tax_lots import ClosedLot
from tradebot.risk.tiers import TierChange

__all__ = ["KINDS", "RiskRecord", "decode_event", "encode_event", "record_id"]

KINDS: dict[str, type[Any]] = {
    "breaker": BreakerEvent,
    "closed_lot": ClosedLot,
    "reserve_ledger": LedgerEntry,
    "notice": Notice,
    "stop_adjustment": StopAdjustment,
    "tier_change": TierChange,
}
_KIND_OF = {cls: kind for kind, cls in KINDS.items()}


@dataclass(frozen=True, slots=True)
class RiskRecord:
    """One history record as a row: ``id`` is unique within a run and derived from the
    content; ``symbol`` is ``None`` for portfolio-wide events."""

    id: str
    kind: str
    ts: datetime
    symbol: str | None
    payload: dict[str, Any]


def record_id(kind: str, payload: dict[str, Any]) -> str:
    """32 hex digits of sha256 over ``kind|payload`` (the payload as sorted, compact JSON):
    equal events get equal ids in every process and every version of tradebot."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{kind}|{text}".encode()).hexdigest()[:32]


def encode_event(event: RiskEvent) -> RiskRecord:
    """``event`` as a row; :class:`TypeError` for anything that is not a risk event (a
    programming error, not a user's)."""
    kind = _KIND_OF.get(type(event))
    if kind is None:
        raise TypeError(f"not a risk event: {type(event).__name__}")
    payload: dict[str, Any] = to_plain(event)
    return RiskRecord(record_id(kind, payload), kind, _when(event), _symbol(event), payload)


def decode_event(kind: str, payload: dict[str, Any]) -> RiskEvent:
    """The event a stored row holds; :class:`DataError` for a kind this version does not
    know (a database written by a newer tradebot)."""
    cls = KINDS.get(kind)
    if cls is None:
        raise DataError(
            f"stored risk event of unknown kind {kind!r}",
            f"known kinds: {', '.join(KINDS)}; upgrade tradebot to read this database",
        )
    event: RiskEvent = from_plain(cls, payload)
    return event


def _when(event: RiskEvent) -> datetime:
    if isinstance(event, ClosedLot):
        return event.closed_at
    return event.ts


def _symbol(event: RiskEvent) -> str | None:
    if isinstance(event, BreakerEvent):
        return event.trip.symbol
    if isinstance(event, ClosedLot | StopAdjustment):
        return event.symbol
    return None
