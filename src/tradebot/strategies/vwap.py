"""VWAP (``vwap``): reversion towards the session's volume-weighted average price.

Idea: intraday, the session VWAP is the fair price institutions benchmark against, and
closes far from it tend to be pulled back. VWAP is anchored at each session start. A session
is one calendar date in ``session_tz`` (default UTC): right for crypto, which trades 24/7 and
conventionally resets VWAP at 00:00 UTC, and right for US equities too, whose regular
session (13:30–21:00 UTC) never spans UTC midnight; set ``session_tz`` to the exchange's zone
(e.g. ``Asia/Tokyo``) for a market whose session does. Bars are labelled by their close
time, so a bar closing exactly at midnight belongs to the day that ends there. Entry: LONG
on the bar whose close first stretches more than ``threshold`` below VWAP. Exit: SHORT on the
bar whose close first stretches more than ``threshold`` above it. One opinion per stretch:
the setup re-arms once the close is back within the threshold (or a new session starts), so
a long excursion is one event, not a vote on every bar. No opinion on the first
``min_session_bars − 1`` bars of a session (the anchor needs volume behind it) nor while the
session has no volume; on daily bars each session is one bar, so the strategy is meant for
intraday data. Strength: |close − VWAP| / VWAP ÷ (2 × ``threshold``), capped at 1 (0.5 just
past the threshold); confidence a fixed 0.6.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from tradebot.domain.bar import Bar
from tradebot.domain.enums import Direction
from tradebot.indicators.stream import VWAP
from tradebot.strategies.base import BaseStrategy, Opinion, StrategyContext, StrategyParams

__all__ = ["Vwap", "VwapParams"]

_CONFIDENCE = 0.6
_BEFORE_CLOSE = timedelta(microseconds=1)


class VwapParams(StrategyParams):
    threshold: float = Field(
        default=0.005, gt=0, le=0.5, description="deviation from VWAP (fraction) to act on"
    )
    min_session_bars: int = Field(
        default=10, ge=1, le=100_000, description="bars into the session before any signal"
    )
    session_tz: str = Field(default="UTC", description="time zone whose dates are sessions")

    @field_validator("session_tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from exc
        return value


class Vwap(BaseStrategy[VwapParams]):
    """A close stretching far below the session VWAP to buy, far above it to sell."""

    name = "vwap"
    params_model = VwapParams

    @property
    def warmup_period(self) -> int:
        return self.params.min_session_bars

    def reset(self) -> None:
        self._tz = ZoneInfo(self.params.session_tz)
        self._vwap = VWAP()
        self._session = 0
        self._start: datetime | None = None  # the session is (start, end]
        self._end: datetime | None = None
        self._bars = 0
        self._stretch = 0  # side of the stretch already signalled (-1 below, +1 above), 0: armed

    def _session_of(self, ts: datetime) -> int:
        """The session label of a bar closing at ``ts``; O(1) while inside one session."""
        start, end = self._start, self._end
        if start is not None and end is not None and start < ts <= end:
            return self._session
        day = (ts - _BEFORE_CLOSE).astimezone(self._tz).date()
        self._start = datetime.combine(day, time(), tzinfo=self._tz)
        self._end = datetime.combine(day + timedelta(days=1), time(), tzinfo=self._tz)
        return day.toordinal()

    def on_bar(self, bar: Bar, ctx: StrategyContext | None = None) -> Opinion | None:
        session = self._session_of(bar.ts)
        if session != self._session:
            self._session = session
            self._bars = 0
            self._stretch = 0
        self._bars += 1
        vwap = self._vwap.update(bar.high, bar.low, bar.close, bar.volume, session)
        if self._bars < self.params.min_session_bars or not vwap > 0.0:  # NaN: no volume yet
            return None
        deviation = (bar.close - vwap) / vwap
        threshold = self.params.threshold
        if -threshold <= deviation <= threshold:
            self._stretch = 0
            return None
        side = -1 if deviation < 0 else 1
        if side == self._stretch:
            return None
        self._stretch = side
        return Opinion(
            Direction.LONG if side < 0 else Direction.SHORT,
            min(1.0, abs(deviation) / (2.0 * threshold)),
            _CONFIDENCE,
            f"close {deviation:+.2%} from session VWAP {vwap:.4g}",
        )
