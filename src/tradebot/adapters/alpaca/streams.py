"""Running an alpaca-py websocket stream on its own thread, and hearing when it
(re)connects.

alpaca-py's streams reconnect by themselves (``_run_forever``: exponential backoff with
equal jitter, 1 s doubling to 30 s, resubscribing after each connect), and we rely on
that. What they do not offer is a way to learn that the connection came back, which a
gap fill needs; so each stream is subclassed with :class:`HookedStream`, which reports
through :class:`StreamHooks`:

- ``connected`` after each successful connect and authentication (``_start_ws``);
- ``subscribed`` when the server acknowledges the subscription (``listening`` on the
  trading stream, ``subscription`` on the data streams) — the moment from which every new
  event will arrive, so a gap filled from REST after it leaves no hole;
- ``failed`` when a connect or authentication fails (wrong keys say so here);
- ``disconnected`` when an open connection closes other than by :meth:`StreamThread.stop`.

:class:`StreamThread` runs the stream's loop on a daemon thread with its own asyncio
loop; ``stop`` closes the socket (which ends the stream's wait at once) and joins within a
few seconds. Everything the hooks do runs on that loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from tradebot.ops.logging import get_logger

__all__ = ["HookedStream", "StreamHooks", "StreamThread"]

_log = get_logger("alpaca-stream")
JOIN_S = 5.0
"""The longest :meth:`StreamThread.stop` waits for the thread."""


class StreamHooks(Protocol):
    """What a stream tells its adapter, on the stream's loop."""

    def connected(self) -> None: ...

    def subscribed(self) -> None: ...

    def failed(self, error: BaseException) -> None: ...

    def disconnected(self) -> None: ...


class HookedStream:
    """Mixin before an alpaca-py stream class: calls ``self.hooks`` at the moments above.
    ``_start_ws``, ``_dispatch`` and ``close`` are the stream's own steps, extended, never
    replaced."""

    hooks: StreamHooks
    stopping: bool = False

    async def _start_ws(self) -> None:
        try:
            await super()._start_ws()  # type: ignore[misc]
        except Exception as exc:
            if not self.stopping:
                self.hooks.failed(exc)
            raise
        self.hooks.connected()

    async def _dispatch(self, msg: dict[str, Any]) -> None:
        if msg.get("stream") == "listening" or msg.get("T") == "subscription":
            self.hooks.subscribed()
        await super()._dispatch(msg)  # type: ignore[misc]

    async def close(self) -> None:
        was_open = getattr(self, "_ws", None) is not None and getattr(self, "_running", False)
        await super().close()  # type: ignore[misc]
        if was_open and not self.stopping:
            self.hooks.disconnected()


class StreamThread:
    """One hooked stream (and helper coroutines, such as a staleness watchdog) on a
    daemon thread with its own asyncio loop."""

    def __init__(
        self,
        name: str,
        stream: Any,
        helpers: tuple[Callable[[], Coroutine[Any, Any, None]], ...] = (),
    ) -> None:
        self.name = name
        self._stream = stream
        self._helpers = helpers
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        return self._loop

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError(f"{self.name} already started")
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()
        self._ready.wait(JOIN_S)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main())
        finally:
            loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        self._ready.set()
        tasks = [asyncio.create_task(self._stream._run_forever(), name=self.name)]
        tasks += [asyncio.create_task(helper()) for helper in self._helpers]
        stopper = asyncio.create_task(self._stop.wait())
        await asyncio.wait([stopper, tasks[0]], return_when=asyncio.FIRST_COMPLETED)
        self._stream.stopping = True
        try:
            await self._stream.stop_ws()
            await self._stream.close()
        except Exception as exc:  # a socket already gone: nothing more to close
            _log.debug("closing the stream", stream=self.name, error=type(exc).__name__)
        _, pending = await asyncio.wait(tasks[:1], timeout=JOIN_S / 2)
        for task in [*pending, *tasks[1:], stopper]:
            task.cancel()
        await asyncio.gather(*tasks, stopper, return_exceptions=True)

    def call_soon(self, callback: Callable[[], Any]) -> None:
        """Run ``callback`` on the stream's loop (from any thread)."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(callback)

    def stop(self) -> None:
        """Close the socket, end the loop and join the thread (at most :data:`JOIN_S`)."""
        thread, stop = self._thread, self._stop
        if thread is None:
            return
        if stop is not None:
            self.call_soon(stop.set)
        thread.join(JOIN_S)
        if thread.is_alive():
            _log.warning("stream thread did not end in time", stream=self.name)
