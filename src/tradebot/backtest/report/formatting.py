"""Text for numbers and times in the report, identical on every machine.

``strftime`` month names follow the process locale and ``format(x, "n")`` too, which would
make the same run give different bytes on two machines; everything here is spelled out in
English with fixed separators instead. Money carries no currency sign: an account may be in
dollars or in a crypto quote currency, and the report does not know which.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np

from tradebot.domain.batch import utc_datetime

__all__ = [
    "MONTHS",
    "compact",
    "decimals_for",
    "duration",
    "money",
    "number",
    "pct",
    "stamp",
    "utc",
]

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DASH = "—"


def utc(ns: int | np.integer) -> datetime:
    """The UTC datetime of epoch nanoseconds (microsecond precision, as ``datetime`` holds)."""
    return utc_datetime(ns)


def stamp(moment: datetime, *, time: bool | None = None) -> str:
    """``04 Mar 2019`` or ``04 Mar 2019 14:30`` (UTC); ``time=None`` adds the time unless midnight
    or a daily bar's close, which carries no information beyond its date."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    day = f"{moment.day:02d} {MONTHS[moment.month - 1]} {moment.year}"
    if time is None:
        time = (moment.hour, moment.minute) not in ((0, 0), (20, 0), (21, 0))
    return f"{day} {moment.hour:02d}:{moment.minute:02d}" if time else day


def decimals_for(step: float, limit: int = 6) -> int:
    """Fewest decimals that write multiples of ``step`` exactly (2.5 → 1, 0.25 → 2, 500 → 0)."""
    step = abs(step)
    if step == 0 or not math.isfinite(step):
        return 0
    for places in range(limit + 1):
        scaled = step * 10**places
        if abs(scaled - round(scaled)) < 1e-6 * max(1.0, scaled):
            return places
    return limit


def number(value: float, places: int = 2) -> str:
    """``1,234,567.89``: thousands separators, fixed decimals, ``—`` when undefined."""
    if not math.isfinite(value):
        return DASH
    text = f"{value:,.{places}f}"
    return "0" + text[2:] if text.startswith("-0") and float(text.replace(",", "")) == 0 else text


def money(value: float | None) -> str:
    """Signed money with two decimals (``-314.10``); ``—`` for ``None``."""
    return DASH if value is None else number(float(value), 2)


def pct(value: float | None, places: int = 2, *, signed: bool = False) -> str:
    """A fraction as a percentage (``0.0701`` → ``7.01%``); ``—`` for ``None`` or NaN."""
    if value is None or not math.isfinite(value):
        return DASH
    text = number(value * 100, places)
    if signed and value > 0 and text.strip("0.,") != "":
        text = "+" + text
    return text + "%"


def compact(value: float, step: float) -> str:
    """An axis label: ``105k``, ``1.25M``, ``98.5``, with as many decimals as ``step`` needs."""
    magnitude = max(abs(value), abs(step))
    for divisor, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if magnitude >= divisor * 10 or (magnitude >= divisor and step >= divisor / 10):
            return number(value / divisor, decimals_for(step / divisor, 3)) + suffix
    return number(value, decimals_for(step, 4))


def duration(seconds: float | None) -> str:
    """``83d 4h``, ``5h 30m``, ``45s``: the two largest units, ``—`` when unknown."""
    if seconds is None or not math.isfinite(seconds):
        return DASH
    left = round(seconds)
    parts: list[str] = []
    for size, unit in ((86_400, "d"), (3_600, "h"), (60, "m"), (1, "s")):
        count, left = divmod(left, size)
        if count or (parts and len(parts) < 2):
            parts.append(f"{count}{unit}")
        if len(parts) == 2:
            break
    parts = [p for p in parts if not p.startswith("0")] or ["0s"]
    return " ".join(parts)
