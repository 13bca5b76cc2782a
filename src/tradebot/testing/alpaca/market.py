"""Market data REST (``GET /v2/stocks/bars``, ``GET /v1beta1/news``) and the routes of the
market-data websockets (``/v2/iex``, ``/v2/sip``, ``/v1beta1/news`` with an Upgrade).

Paging is Alpaca's: ``limit`` items per page (capped at the venue's ``max_page_size``) and
an opaque ``next_page_token`` that the next request hands back as ``page_token``; bars of
several symbols come sorted by symbol, then time, the limit counting across symbols.
Bars match ``start <= t <= end`` on their start time ``t`` (both ends inclusive, as Alpaca).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tradebot.testing.alpaca.shapes import ALPACA_TIMEFRAMES, bar_json, bar_start, rfc3339

if TYPE_CHECKING:
    from tradebot.testing.alpaca.venue import AlpacaVenue

__all__ = ["MarketData", "NewsItem", "page_of", "parse_time"]


@dataclass(frozen=True)
class NewsItem:
    id: int
    headline: str
    symbols: list[str]
    summary: str
    url: str
    created_at: datetime

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "headline": self.headline,
            "author": "tradebot fake",
            "created_at": rfc3339(self.created_at),
            "updated_at": rfc3339(self.created_at),
            "summary": self.summary,
            "content": "",
            "url": self.url or None,
            "symbols": self.symbols,
            "source": "benzinga",
            "images": [],
        }


class BadRequestError(Exception):
    pass


def parse_time(raw: str | None) -> datetime | None:
    """An RFC 3339 time or a date (midnight UTC); naive times are UTC, as Alpaca reads them."""
    if not raw:
        return None
    try:
        ts = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadRequestError(f"invalid time: {raw}") from exc
    return ts if ts.tzinfo is not None else ts.replace(tzinfo=UTC)


def page_of(
    items: list[Any], query: Any, *, default: int, cap: int
) -> tuple[list[Any], str | None]:
    """One page of ``items`` and the token of the next (None on the last page)."""
    try:
        limit = min(int(query.get("limit") or default), cap)
        token = query.get("page_token")
        offset = int(base64.urlsafe_b64decode(token.encode()).decode()) if token else 0
    except ValueError as exc:
        raise BadRequestError("invalid limit or page_token") from exc
    if limit < 1:
        raise BadRequestError("limit must be >= 1")
    end = offset + limit
    following = base64.urlsafe_b64encode(str(end).encode()).decode()
    return items[offset:end], following if end < len(items) else None


def _error(message: str, status: int = 400) -> web.Response:
    return web.json_response({"code": 40010001, "message": message}, status=status)


class MarketData:
    def __init__(self, venue: AlpacaVenue) -> None:
        self._venue = venue

    def install(self, app: web.Application) -> None:
        app.router.add_get("/v2/stocks/bars", self.bars)
        app.router.add_get("/v1beta1/news", self.news)
        app.router.add_get("/v2/{feed:iex|sip|test}", self.stock_stream)

    async def stock_stream(self, request: web.Request) -> web.StreamResponse:
        return await self._venue.streams.data(request, "data")

    async def bars(self, request: web.Request) -> web.Response:
        query = request.query
        symbols = [s for s in query.get("symbols", "").split(",") if s]
        timeframe = ALPACA_TIMEFRAMES.get(query.get("timeframe", ""))
        if not symbols:
            return _error("symbols is required")
        if timeframe is None:
            return _error(f"invalid timeframe: {query.get('timeframe')}", 422)
        try:
            start, end = parse_time(query.get("start")), parse_time(query.get("end"))
            wanted = [
                bar
                for bar in self._venue.history
                if bar.symbol in symbols
                and bar.timeframe == timeframe
                and (start is None or bar_start(bar) >= start)
                and (end is None or bar_start(bar) <= end)
            ]
            if query.get("sort") == "desc":
                wanted.sort(key=lambda b: (b.symbol, -b.ts.timestamp()))
            page, following = page_of(wanted, query, default=1000, cap=self._venue.max_page_size)
        except BadRequestError as exc:
            return _error(str(exc))
        out: dict[str, list[dict[str, Any]]] = {}
        for bar in page:
            out.setdefault(bar.symbol, []).append(bar_json(bar))
        return web.json_response({"bars": out, "next_page_token": following})

    async def news(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await self._venue.streams.data(request, "news")
        query = request.query
        symbols = {s for s in query.get("symbols", "").split(",") if s}
        try:
            start, end = parse_time(query.get("start")), parse_time(query.get("end"))
            items = [
                item
                for item in self._venue.news
                if (not symbols or symbols & set(item.symbols))
                and (start is None or item.created_at >= start)
                and (end is None or item.created_at <= end)
            ]
            items.sort(key=lambda n: (n.created_at, n.id), reverse=query.get("sort") != "asc")
            page, following = page_of(items, query, default=10, cap=50)
        except BadRequestError as exc:
            return _error(str(exc))
        return web.json_response({"news": [n.json() for n in page], "next_page_token": following})
