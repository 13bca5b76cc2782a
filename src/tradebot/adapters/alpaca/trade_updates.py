"""``AlpacaTradeUpdates``: Alpaca's ``trade_updates`` stream as execution reports (port
``ReportStream``).

Each event becomes at most one report (:func:`.convert_reports.report_of_update`) pushed to
the sink from the stream's own thread. When the connection comes back after a drop, the
events sent while it was down are lost, so once the server acknowledges ``listening``
again the adapter asks the broker for every fill since the last one it heard (or since it
started, less :attr:`margin`, for clock skew) and pushes those too. Repeats are expected —
the same fill heard live and read back — and harmless: the order state machine drops a
second report of one trade id. Connectivity goes to ``sink.feed_status("alpaca-trades",
…)``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from alpaca.trading.models import TradeUpdate
from alpaca.trading.stream import TradingStream

from tradebot.adapters.alpaca.convert_reports import report_of_update
from tradebot.adapters.alpaca.credentials import AlpacaCredentials
from tradebot.adapters.alpaca.streams import HookedStream, StreamHooks, StreamThread
from tradebot.adapters.clock import utc_now
from tradebot.domain.execution import ExecutionReport
from tradebot.ops.logging import get_logger
from tradebot.ports import EventSink

__all__ = ["SOURCE", "AlpacaTradeUpdates"]

SOURCE = "alpaca-trades"
_log = get_logger("alpaca-trade-updates")

FillsSince = Callable[[datetime], Sequence[ExecutionReport]]


class _Stream(HookedStream, TradingStream):
    def __init__(self, creds: AlpacaCredentials, url: str | None, hooks: StreamHooks) -> None:
        TradingStream.__init__(
            self,
            creds.key_id.get_secret_value(),
            creds.secret_key.get_secret_value(),
            paper=creds.paper,
            url_override=url,  # type: ignore[arg-type]
        )
        self.hooks = hooks


class AlpacaTradeUpdates:
    """Reports from ``trade_updates``; after a reconnect, the fills it missed from
    ``fills_since`` (an :class:`~tradebot.adapters.alpaca.broker.AlpacaBroker`'s)."""

    def __init__(
        self,
        creds: AlpacaCredentials,
        fills_since: FillsSince,
        *,
        url: str | None = None,
        margin: timedelta = timedelta(seconds=5),
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self._creds = creds
        self._fills_since = fills_since
        self._url = url
        self.margin = margin
        self._now = now
        self._sink: EventSink | None = None
        self._thread: StreamThread | None = None
        self._since: datetime | None = None
        self._connects = 0
        self._gap_due = False
        self._filling: asyncio.Task[None] | None = None

    def start(self, sink: EventSink) -> None:
        self._sink = sink
        self._since = self._now() - self.margin
        stream = _Stream(self._creds, self._url, self)
        stream.subscribe_trade_updates(self._on_update)
        self._thread = StreamThread("alpaca-trade-updates", stream)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._thread.stop()
            self._thread = None

    async def _on_update(self, update: TradeUpdate) -> None:
        try:
            report = report_of_update(update)
        except ValueError as exc:  # a malformed event: said once, never a crash
            _log.warning("trade update not understood", error=str(exc))
            return
        if report is None or self._sink is None:
            return
        if report.is_fill and (self._since is None or report.ts > self._since):
            self._since = report.ts
        self._sink.report(report)

    # ---- StreamHooks ------------------------------------------------------------------

    def connected(self) -> None:
        self._connects += 1
        self._gap_due = self._connects > 1
        if self._sink is not None:
            detail = "reconnected" if self._connects > 1 else "connected"
            self._sink.feed_status(SOURCE, True, detail)

    def subscribed(self) -> None:
        if self._gap_due and (self._filling is None or self._filling.done()):
            self._gap_due = False
            self._filling = asyncio.get_running_loop().create_task(self._fill_gap())

    def failed(self, error: BaseException) -> None:
        if self._sink is not None:
            self._sink.feed_status(SOURCE, False, f"connect failed: {error}"[:200])

    def disconnected(self) -> None:
        if self._sink is not None:
            self._sink.feed_status(SOURCE, False, "disconnected; reconnecting")

    async def _fill_gap(self) -> None:
        since = self._since or self._now() - self.margin
        try:
            reports = await asyncio.to_thread(self._fills_since, since)
        except Exception as exc:  # the next reconnect tries again; reconciliation backs up
            _log.warning("gap fill failed", error=str(exc)[:200])
            if self._sink is not None:
                self._sink.feed_status(SOURCE, True, f"gap fill failed: {exc}"[:200])
            self._gap_due = True
            return
        _log.info("gap filled", since=since.isoformat(), fills=len(reports))
        for report in reports:
            if self._sink is not None:
                self._sink.report(report)
            if self._since is None or report.ts > self._since:
                self._since = report.ts
