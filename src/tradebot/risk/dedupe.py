"""Recommendation de-duplication: a signal id is decided once within its time-to-live.

Redelivery is normal on a distributed bus (DESIGN.md §2); deciding a redelivered signal
again would double an order. :func:`first_sighting` answers "is this id new?" and returns
the memory with the id marked; ids older than the TTL (24 h) are forgotten, so the memory
stays bounded by the signals of one TTL.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

__all__ = ["first_sighting"]


def first_sighting(
    seen: Mapping[str, datetime], signal_id: str, now: datetime, ttl: timedelta
) -> tuple[bool, Mapping[str, datetime]]:
    """``(True, marked)`` the first time within ``ttl``; ``(False, seen)`` on a repeat."""
    when = seen.get(signal_id)
    if when is not None and now - when <= ttl:
        return False, seen
    cutoff = now - ttl
    kept = {k: t for k, t in seen.items() if t >= cutoff}
    kept[signal_id] = now
    return True, kept
