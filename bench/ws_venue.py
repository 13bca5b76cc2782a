"""The two ends ``bench_ws.py`` times: the fake Alpaca noting when each fill leaves it, and a
``/ws`` client noting when each fill message arrives.

Both live in the bench's process, so their moments are compared on one clock
(``time.perf_counter_ns``); each also notes the wall clock (``time.time_ns``) so the hub's
own stamp on a message (the server's ``utc_now()`` when the engine published it, same
host) can split the way in two.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from tradebot.testing.alpaca import AlpacaVenue
from tradebot.testing.alpaca.streams import Streams

__all__ = ["FillClockVenue", "Received", "Sent", "WsClient"]

_FILL_EVENTS = frozenset({"fill", "partial_fill"})


@dataclass(frozen=True, slots=True)
class Sent:
    """When the venue started writing one fill's trade_updates frame."""

    perf_ns: int
    wall_ns: int


@dataclass(frozen=True, slots=True)
class Received:
    """When the ``/ws`` client got one fill message, and the hub's stamp on it."""

    perf_ns: int
    wall_ns: int
    published: datetime
    client_order_id: str


class FillClockStreams(Streams):
    """The fake's websockets, noting (on the venue's loop) the moment each fill event starts
    going out to its trade_updates subscribers, keyed by its execution id — the id the
    session's :class:`~tradebot.domain.messages.Fill` carries as ``fill_id``."""

    def __init__(self, venue: AlpacaVenue) -> None:
        super().__init__(venue)
        self.sent: dict[str, Sent] = {}

    async def trade_update(self, event: dict[str, Any]) -> None:
        if event.get("event") in _FILL_EVENTS:
            self.sent[str(event["execution_id"])] = Sent(time.perf_counter_ns(), time.time_ns())
        await super().trade_update(event)


class FillClockVenue(AlpacaVenue):
    """The fake Alpaca (fills at the bars' own prices) with :class:`FillClockStreams`."""

    def __init__(self) -> None:
        super().__init__(tick_prices=False)
        self.clock_streams = FillClockStreams(self)
        self.streams = self.clock_streams

    def executions(self) -> int:
        """Executions made so far (read on the venue's loop)."""
        return self.call(lambda: len(self.book.executions))

    def executions_after(self, count: int) -> list[str]:
        """The ids of the executions made after the first ``count``."""
        return self.call(lambda: [e.id for e in self.book.executions[count:]])

    def fills_sent(self) -> dict[str, Sent]:
        return self.call(lambda: dict(self.clock_streams.sent))


@dataclass
class _Seen:
    hello: bool = False
    fills: dict[str, Received] = field(default_factory=dict)
    bars: set[datetime] = field(default_factory=set)
    closed: str | None = None


class WsClient:
    """A signed-in ``/ws`` client on a thread of its own (its own asyncio loop). It notes the
    receipt of each message before parsing it; the bench thread waits on :meth:`wait`."""

    def __init__(self, url: str, token: str) -> None:
        self._url = url
        self._token = token
        self._changed = threading.Condition()
        self.seen = _Seen()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ws: ClientConnection | None = None
        self._thread = threading.Thread(target=self._run, name="ws-client", daemon=True)

    def start(self, timeout_s: float) -> None:
        self._thread.start()
        self.wait(lambda: self.seen.hello, "the /ws hello", timeout_s)

    def wait(self, done: Callable[[], bool], what: str, timeout_s: float) -> None:
        """Until ``done()`` holds (checked whenever a message arrives); SystemExit after
        ``timeout_s`` or when the socket closed first."""
        with self._changed:
            ok = self._changed.wait_for(lambda: done() or self.seen.closed is not None, timeout_s)
            if ok and done():
                return
        reason = self.seen.closed or f"no answer within {timeout_s:g} s"
        raise SystemExit(f"bench_ws: waiting for {what}: {reason}")

    def close(self) -> None:
        loop, ws = self._loop, self._ws
        if loop is not None and ws is not None and self._thread.is_alive():
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(ws.close(), loop).result(5)
        if self._thread.ident is not None:  # started
            self._thread.join(5)

    # -- the client's thread ---------------------------------------------------------------

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except Exception as exc:  # the bench thread reports it
            self._closed(f"{type(exc).__name__}: {exc}")

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        async with connect(self._url, proxy=None, max_queue=None) as ws:
            self._ws = ws
            await ws.send(json.dumps({"type": "auth", "token": self._token, "since": None}))
            async for raw in ws:
                self._take(raw, time.perf_counter_ns(), time.time_ns())
        self._closed(f"the server closed /ws ({ws.close_code} {ws.close_reason})")

    def _take(self, raw: str | bytes, perf_ns: int, wall_ns: int) -> None:
        message = json.loads(raw)
        seen = self.seen
        with self._changed:
            if message.get("type") == "hello":
                seen.hello = True
            elif message.get("type") == "event":
                data = message["data"]
                if message["kind"] == "fill":
                    published = datetime.fromisoformat(message["ts"])
                    seen.fills[str(data["fill_id"])] = Received(
                        perf_ns, wall_ns, published, str(data["client_order_id"])
                    )
                elif message["kind"] == "portfolio":  # after each bar the session took
                    seen.bars.add(datetime.fromisoformat(data["ts"]))
            self._changed.notify_all()

    def _closed(self, reason: str) -> None:
        with self._changed:
            self.seen.closed = self.seen.closed or reason
            self._changed.notify_all()
