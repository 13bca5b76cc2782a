"""What the risk engine knows about each symbol's market, kept up to date one bar at a time.

:class:`MarketState` is the kernel's :class:`~tradebot.risk.views.MarketView`: the streaming
ATR of the bars (Wilder, 14 by default; ``None`` until warmed up), the last close and when
it was seen, and the trailing daily returns (the last close of each New York date). The
returns are rebuilt only when asked for after a day closed, and the *same*
:class:`ReturnSeries` object is handed out until the next day closes, so the risk engine's
correlation cache hits on identity. Every update is O(1) per bar; a rebuild is O(lookback),
at most once a day per symbol, and only for the symbols a decision asks about.
"""

from __future__ import annotations

import math
from collections import deque
from datetime import date, datetime
from decimal import Decimal

from tradebot.domain.bar import Bar
from tradebot.indicators.stream import ATR
from tradebot.risk.calendar import local_day
from tradebot.risk.views import ReturnSeries

__all__ = ["MarketState"]

_DAY_SECONDS = 86_400


class _SymbolMarket:
    __slots__ = (
        "atr",
        "atr_value",
        "close",
        "closes",
        "day",
        "day_close",
        "price",
        "returns",
        "seconds",
        "ts",
    )

    def __init__(self, atr_period: int, days: int) -> None:
        self.atr = ATR(atr_period)
        self.atr_value: float | None = None
        self.close = 0.0
        self.price: Decimal | None = None
        self.ts: datetime | None = None
        self.seconds = 0
        self.day: date | None = None
        self.day_close = 0.0
        """Intraday bars: the latest close of ``day`` (its close once the day is over)."""
        self.closes: deque[tuple[date, float]] = deque(maxlen=days)
        self.returns: ReturnSeries | None = None


class MarketState:
    """Per-symbol ATR, last price and time, bar length and daily returns, fed by bars."""

    __slots__ = ("_atr_period", "_days", "_symbols", "event")

    def __init__(self, atr_period: int = 14, return_days: int = 90) -> None:
        """``return_days``: how many daily returns to keep (the correlation lookback)."""
        self._atr_period = atr_period
        self._days = return_days + 1  # n returns need n + 1 closes
        self._symbols: dict[str, _SymbolMarket] = {}
        self.event = False
        """A high-severity market event is under way (tightens stops); set by its source."""

    def on_bar(self, bar: Bar) -> None:
        book = self._symbols.get(bar.symbol)
        if book is None:
            book = self._symbols[bar.symbol] = _SymbolMarket(self._atr_period, self._days)
        if book.ts is not None and bar.ts <= book.ts:
            return  # redelivered or out of order
        value = book.atr.update(bar.high, bar.low, bar.close)
        book.atr_value = None if math.isnan(value) else value
        book.close = bar.close
        book.price = None
        book.ts = bar.ts
        book.seconds = bar.timeframe.seconds
        day = local_day(bar.ts)
        if book.seconds >= _DAY_SECONDS:  # a daily bar closes its day
            self._close_day(book, day, bar.close)
        else:
            if book.day is not None and day != book.day:
                self._close_day(book, book.day, book.day_close)
            book.day = day
            book.day_close = bar.close

    def _close_day(self, book: _SymbolMarket, day: date, close: float) -> None:
        book.closes.append((day, close))
        book.returns = None  # made again when next asked for (most days nobody asks)

    # --- the MarketView protocol ----------------------------------------------------------
    def atr(self, symbol: str) -> float | None:
        book = self._symbols.get(symbol)
        return None if book is None else book.atr_value

    def last_price(self, symbol: str) -> Decimal | None:
        book = self._symbols.get(symbol)
        if book is None or book.ts is None:
            return None
        if book.price is None:  # converted once per bar, when first asked
            book.price = Decimal(repr(book.close))
        return book.price

    def last_price_time(self, symbol: str) -> datetime | None:
        book = self._symbols.get(symbol)
        return None if book is None else book.ts

    def daily_returns(self, symbol: str) -> ReturnSeries | None:
        book = self._symbols.get(symbol)
        if book is None or len(book.closes) < 2:
            return None
        if book.returns is None:  # the same object until the next day closes
            days, closes = zip(*book.closes, strict=True)
            book.returns = ReturnSeries.from_closes(tuple(days), tuple(closes))
        return book.returns

    def high_severity_event(self) -> bool:
        return self.event

    # --- for the decision stage ------------------------------------------------------------
    def bar_seconds(self, symbol: str) -> int | None:
        """The length of ``symbol``'s bars (None before its first bar)."""
        book = self._symbols.get(symbol)
        return None if book is None or book.ts is None else book.seconds
