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
from tradebot.domain.batch import SymbolBars, epoch_nanoseconds, utc_datetime
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
        return self._new_session(ts)

    def _new_session(self, ts: datetime) -> int:
        """The label of the session a bar closing at ``ts`` falls in; its bounds become the
        current ones (whatever they were)."""
        day = (ts - _BEFORE_CLOSE).astimezone(self._tz).date()
        self._start = datetime.combine(day, time(), tzinfo=self._tz)
        self._end = datetime.combine(day + timedelta(days=1), time(), tzinfo=self._tz)
        return day.toordinal()

    def on_bar(self, bar: Bar, ctx: StrategyContext | None = None) -> Opinion | None:
        session = self._session_of(bar.ts)
        self._enter(session)
        vwap = self._vwap.update(bar.high, bar.low, bar.close, bar.volume, session)
        return self._judge(bar.close, vwap)

    def on_bars(self, bars: SymbolBars) -> list[tuple[int, Opinion]]:
        """:meth:`on_bar` over a block, bit for bit, without a ``Bar`` per bar: the session
        labels first (:meth:`_sessions`), then the VWAP in one local loop
        (``update_many``), then the rule on plain floats."""
        sessions = self._sessions(bars.ts.tolist())
        closes = bars.close.tolist()
        vwaps = self._vwap.update_many(
            bars.high.tolist(), bars.low.tolist(), closes, bars.volume.tolist(), sessions
        )
        enter, judge = self._enter, self._judge
        out: list[tuple[int, Opinion]] = []
        for i, (session, close, vwap) in enumerate(zip(sessions, closes, vwaps, strict=True)):
            enter(session)
            opinion = judge(close, vwap)
            if opinion is not None:
                out.append((i, opinion))
        return out

    def _sessions(self, ts_ns: list[int]) -> list[int]:
        """The session label of each close time (epoch nanoseconds), as :meth:`_session_of`
        gives it: a time inside the current session's bounds — compared in microseconds,
        the resolution of the ``datetime`` a bar carries — keeps the label; the calendar is
        asked only when a bar leaves them."""
        labels: list[int] = []
        append = labels.append
        label = self._session
        start, end = self._bounds()
        for ns in ts_ns:
            if not start < ns // 1000 <= end:
                label = self._new_session(utc_datetime(ns))
                start, end = self._bounds()
            append(label)
        return labels

    def _bounds(self) -> tuple[int, int]:
        """The current session's ``(start, end]`` in epoch microseconds (empty: none yet)."""
        if self._start is None or self._end is None:
            return (0, -1)
        return (epoch_nanoseconds(self._start) // 1000, epoch_nanoseconds(self._end) // 1000)

    def _enter(self, session: int) -> None:
        """Count a bar into its session; a new session starts afresh, its stretch re-armed."""
        if session != self._session:
            self._session = session
            self._bars = 0
            self._stretch = 0
        self._bars += 1

    def _judge(self, close: float, vwap: float) -> Opinion | None:
        """The opinion on a bar that closed at ``close`` with the session at ``vwap``."""
        if self._bars < self.params.min_session_bars or not vwap > 0.0:  # NaN: no volume yet
            return None
        deviation = (close - vwap) / vwap
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
