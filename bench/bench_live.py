"""Live path figures: bar received → order accepted, and reconnect → resubscribed, gap filled.

Both run a real ``paper --broker alpaca`` session (``open_session``) against the local fake
Alpaca (:class:`tradebot.testing.alpaca.AlpacaVenue`, on 127.0.0.1, in this process), with
durable SQLite, the reference decision stage and ``sma_cross`` (fast 1, slow 2) on AAPL
minute bars that close alternately at 100 and 101: every bar crosses, so every bar makes
the session send an order (a buy when flat, a sell when long).

1. **Bar → order accepted.** Bars are paced as ``tests/live/rehearsal.py`` paces them: the
   venue matches the open order on the bar, the session takes the fill (trade_updates), then
   the bar is published on the market-data websocket and the session acts on it. Per bar:
   ``t0`` when the adapter hands the parsed bar to the kernel (``Kernel.sink.bar``), ``t1``
   when the order manager publishes the order ACCEPTED (the venue's answer to ``submit``
   taken and recorded). The fake's own time answering ``POST /v2/orders`` is measured in
   the server (a middleware around its handler) and subtracted: ``tradebot`` = total −
   venue handler (kernel dispatch, strategy, decision, order manager with its SQLite
   commits, alpaca-py's client and the HTTP round trip on loopback). The same pipeline on
   the simulated venue (paper broker, no network; bars handed to the same sink) comes
   beside it.
2. **Reconnect.** With an order open at the venue, ``venue.drop_connections()`` cuts every
   websocket; while the streams are down the venue fills that order (its trade_update is
   lost) and publishes two bars (no subscriber hears them). Timed from the drop: market
   data subscribed again, both bars taken by the kernel (the adapter's REST gap fill),
   trade_updates listening again, the lost fill applied (from ``fills_since``); after the
   trial the fill must have been applied exactly once. alpaca-py waits 0.5–1 s (its
   backoff with jitter) before reconnecting, which dominates the figures.

    .venv/bin/python bench/bench_live.py --bars 10000 --trials 20 --json live.json
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from aiohttp import web
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from tradebot.ops.logging import configure_logging

# Before the rest of tradebot is imported: a module's logger keeps the configuration of the
# moment it was bound (at import), and each drop below is logged as a warning.
configure_logging("ERROR", json_output=False)

from tradebot.adapters.alpaca import (  # noqa: E402
    AlpacaBarFeed,
    AlpacaBroker,
    AlpacaEndpoints,
    AlpacaTradeUpdates,
    RestLimits,
    TokenBucket,
    credentials_from_env,
    data_client,
    trading_client,
)
from tradebot.config import Settings, load_settings  # noqa: E402
from tradebot.domain import Bar, Mode  # noqa: E402
from tradebot.domain.enums import OrderStatus, Timeframe  # noqa: E402
from tradebot.domain.execution import ExecutionReport  # noqa: E402
from tradebot.domain.messages import Article, Fill, Order  # noqa: E402
from tradebot.engine.kernel import Kernel  # noqa: E402
from tradebot.engine.run_result import RunResult  # noqa: E402
from tradebot.engine.topics import FILLS, MARKET_BARS, ORDERS  # noqa: E402
from tradebot.ports import EventSink  # noqa: E402
from tradebot.runtime.live import LiveRequest  # noqa: E402
from tradebot.runtime.session import open_session  # noqa: E402
from tradebot.runtime.venues import Venue, paper_venue, starting_cash  # noqa: E402
from tradebot.runtime.wiring import run_instruments  # noqa: E402
from tradebot.testing.alpaca import AlpacaVenue  # noqa: E402
from tradebot.testing.alpaca.streams import Streams  # noqa: E402

SYMBOL = "AAPL"
LOW, HIGH = 100.0, 101.0
WARM_BARS = 30
GAP_BARS = 2
TARGET_P99_MS = 10.0
WAIT_S = 20.0
_FINAL = {OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.REJECTED}


def _now_ns() -> int:
    return time.perf_counter_ns()


# -- the venue, timed in the server ----------------------------------------------------------


class TimedAlpacaVenue(AlpacaVenue):
    """The fake Alpaca, noting how long it spends answering each ``POST /v2/orders``: from
    its middleware's entry to the handler's response (request parsing and sending are
    aiohttp's, on either side)."""

    def __init__(self) -> None:
        super().__init__(tick_prices=False)
        self.submit_ns: list[int] = []
        self.timed_streams = TimedStreams(self)
        self.streams = self.timed_streams

    @web.middleware
    async def _gate(
        self, request: web.Request, handler: Callable[[web.Request], Any]
    ) -> web.StreamResponse:
        if request.method != "POST" or request.path != "/v2/orders":
            return await super()._gate(request, handler)
        start = _now_ns()
        response = await super()._gate(request, handler)
        self.submit_ns.append(_now_ns() - start)
        return response


class TimedStreams(Streams):
    """The fake's websockets, noting when each bar starts going out to its subscribers."""

    def __init__(self, venue: AlpacaVenue) -> None:
        super().__init__(venue)
        self.sent: dict[datetime, int] = {}

    async def bar(self, bar: Bar) -> None:
        self.sent[bar.ts] = _now_ns()
        await super().bar(bar)


# -- what the session does, seen from its bus and its sink -----------------------------------


@dataclass(slots=True)
class Sample:
    """One bar's way from the adapter to the order accepted (perf_counter_ns)."""

    sent: int
    """When the venue started writing the bar's frame (the simulated feed: ``received``)."""
    received: int
    submit_start: int
    submit_end: int
    venue_ns: int
    accepted: int

    def parts(self) -> dict[str, int]:
        total = self.accepted - self.received
        return {
            "total": total,
            "tradebot": total - self.venue_ns,
            "to_submit": self.submit_start - self.received,
            "submit_call": self.submit_end - self.submit_start,
            "venue_handler": self.venue_ns,
            "after_submit": self.accepted - self.submit_end,
            "ws_in": self.received - self.sent,
            "from_send_tradebot": self.accepted - self.sent - self.venue_ns,
        }


@dataclass
class Probe:
    """Listens on the kernel's bus (after every stage) and wraps its sink and its broker's
    ``submit``; the bench thread waits on :attr:`changed` for what it needs."""

    venue_ns: list[int] | None = None
    sent: dict[datetime, int] | None = None
    changed: threading.Condition = field(default_factory=threading.Condition)
    received: dict[datetime, int] = field(default_factory=dict)
    acted: dict[datetime, int] = field(default_factory=dict)
    accepted: dict[str, int] = field(default_factory=dict)
    accepted_order: list[str] = field(default_factory=list)
    final: set[str] = field(default_factory=set)
    fills: dict[str, list[int]] = field(default_factory=dict)
    submits: list[tuple[int, int, int]] = field(default_factory=list)
    fill_reports: dict[str, int] = field(default_factory=dict)
    """Fill reports the streams (and gap fills) pushed, per order: repeats included."""

    def attach(self, kernel: Kernel) -> None:
        bus = kernel.spec.bus
        bus.subscribe(ORDERS, self._order, stage="bench")
        bus.subscribe(FILLS, self._fill, stage="bench")
        bus.subscribe(MARKET_BARS, self._bar, stage="bench")
        kernel.sink = TimedSink(kernel.sink, self)  # type: ignore[assignment]
        broker: Any = kernel.spec.broker
        inner = broker.submit

        def submit(order: Order) -> Order:
            start = _now_ns()
            answer: Order = inner(order)
            end = _now_ns()
            server = self.venue_ns[-1] if self.venue_ns else 0  # appended before it answered
            self.submits.append((start, end, server))
            return answer

        broker.submit = submit

    def _notify(self) -> None:
        with self.changed:
            self.changed.notify_all()

    def _order(self, order: Order) -> None:
        coid = order.client_order_id
        if order.status is OrderStatus.ACCEPTED and coid not in self.accepted:
            self.accepted[coid] = _now_ns()
            self.accepted_order.append(coid)
        elif order.status in _FINAL:
            self.final.add(coid)
            self._notify()

    def _fill(self, fill: Fill) -> None:
        self.fills.setdefault(fill.client_order_id, []).append(_now_ns())
        self._notify()

    def _bar(self, bar: Bar) -> None:
        self.acted[bar.ts] = _now_ns()
        self._notify()

    def open_orders(self) -> list[str]:
        return [c for c in self.accepted_order if c not in self.final]

    def wait(self, done: Callable[[], bool], what: str, timeout: float = WAIT_S) -> None:
        with self.changed:
            if not self.changed.wait_for(done, timeout):
                raise SystemExit(f"bench_live: timed out waiting for {what}")


class TimedSink:
    """The kernel's sink, noting when each bar reaches it (the adapter has parsed it)."""

    def __init__(self, inner: EventSink, probe: Probe) -> None:
        self._inner = inner
        self._probe = probe
        self.health = getattr(inner, "health", None)

    def bar(self, bar: Bar) -> None:
        self._probe.received[bar.ts] = _now_ns()
        self._inner.bar(bar)

    def report(self, report: ExecutionReport) -> None:
        if report.is_fill:
            reports = self._probe.fill_reports
            reports[report.client_order_id] = reports.get(report.client_order_id, 0) + 1
        self._inner.report(report)

    def article(self, article: Article) -> None:
        self._inner.article(article)

    def feed_status(self, source: str, connected: bool, detail: str = "") -> None:
        self._inner.feed_status(source, connected, detail)


class Running:
    """The session's kernel on its own thread."""

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel
        self.result: RunResult | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="session", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self.result = self.kernel.run()
        except BaseException as exc:  # reported by stop()
            self.error = exc

    def stop(self) -> RunResult:
        self.kernel.stop_when_drained()
        self._thread.join(timeout=60)
        if self.error is not None:
            raise self.error
        if self.result is None:
            raise SystemExit("bench_live: the session did not stop")
        return self.result


# -- bars, settings, sessions ----------------------------------------------------------------


def _bars(count: int) -> list[Bar]:
    """``count`` AAPL minute bars ending a minute ago (whole minutes), open = close, closing
    alternately at 100 and 101: sma_cross(1, 2) crosses on each, and a buy decided on an up
    bar fills at the next (down) bar's open, so the account never runs dry."""
    end = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=1)
    out = []
    for i in range(count):
        price = HIGH if i % 2 else LOW
        ts = end - timedelta(minutes=count - 1 - i)
        out.append(Bar(SYMBOL, Timeframe.M1, ts, price, price, price, price, 1_000.0))
    return out


def _settings(db: Path, total_bars: int, alpaca_url: str | None) -> Settings:
    # warm-up reads 3 × warmup_bars minutes + 4 days back: enough to reach the first bar
    warmup = min(10_000, max(WARM_BARS, total_bars // 3 + 10))
    live: dict[str, Any] = {
        "timeframe": "1m",
        "warmup_bars": warmup,
        "reconcile_interval_s": 86_400,  # no periodic reconciliation inside the figures
        "stale_after_s": 86_400,
    }
    if alpaca_url is not None:
        live["alpaca_url"] = alpaca_url
    return load_settings(
        store={"url": f"sqlite:///{db}"},
        broker={"commission_rate": 0, "slippage_bps": 0},
        risk={"engine": "reference", "position_fraction": "0.2"},
        strategy={"names": ("sma_cross",), "params": {"sma_cross": {"fast": 1, "slow": 2}}},
        live=live,
        news={"enabled": False},
    )


def _alpaca_venue(settings: Settings, url: str) -> Venue:
    """What ``open_venue`` builds for ``--broker alpaca`` (``runtime/alpaca_venue.py``), the
    same adapters and checks, but with a token bucket that never makes a request wait: the
    bench sends an order every few milliseconds, Alpaca's quota (200 requests a minute, the
    default bucket) would pace it to one per 0.3 s after the first 200, and that wait is
    the quota, not latency. The bucket is still taken for every request."""
    creds = credentials_from_env(settings.broker, paper=True)
    urls = AlpacaEndpoints.local(url)
    limits = RestLimits(bucket=TokenBucket(per_minute=1e9))
    client = trading_client(creds, urls.base_url, limits)
    cash = starting_cash(AlpacaBroker(client), "the fake Alpaca")
    instruments = AlpacaBroker(client).instruments((SYMBOL,))
    broker = AlpacaBroker(client, instruments=instruments)
    feed = AlpacaBarFeed(
        creds,
        data_client(creds, urls.data_url, limits),
        (SYMBOL,),
        timeframe=settings.live.timeframe,
        feed=settings.live.alpaca_feed,
        url=urls.data_stream_url,
        stale_after_s=float(settings.live.stale_after_s),
    )
    reports = AlpacaTradeUpdates(creds, broker.fills_since, url=urls.trading_stream_url)
    return Venue(f"fake Alpaca at {url}", broker, feed, instruments, cash, reports=reports)


def _request(broker: str) -> LiveRequest:
    return LiveRequest(mode=Mode.PAPER, broker=broker, symbols=(SYMBOL,))  # type: ignore[arg-type]


class PacedFeed:
    """A :class:`~tradebot.ports.LiveFeed` without a network: history from a list, and each
    bar handed to the sink when the bench says (as an adapter's thread would)."""

    def __init__(self, past: list[Bar]) -> None:
        self._past = past
        self.sink: EventSink | None = None

    def history(self, symbols: Any, start: datetime, end: datetime) -> list[Bar]:
        return [b for b in self._past if start <= b.ts < end]

    def start(self, sink: EventSink) -> None:
        self.sink = sink

    def stop(self) -> None:
        self.sink = None

    def push(self, bar: Bar) -> None:
        if self.sink is None:
            raise SystemExit("bench_live: the simulated session's feed is not started")
        self.sink.bar(bar)


def _poll(predicate: Callable[[], bool], what: str, timeout: float = WAIT_S) -> int:
    """Poll ``predicate`` every 0.5 ms; the moment it held (perf_counter_ns)."""
    deadline = _now_ns() + int(timeout * 1e9)
    pause = threading.Event()
    while not predicate():
        if _now_ns() > deadline:
            raise SystemExit(f"bench_live: timed out waiting for {what}")
        pause.wait(0.0005)
    return _now_ns()


# -- 1. bar → order accepted -----------------------------------------------------------------


class AlpacaStepper:
    """Paced steps on the fake venue (``tests/live/rehearsal.py``'s two-step bar)."""

    def __init__(self, venue: TimedAlpacaVenue, probe: Probe, bars: Iterator[Bar]) -> None:
        self.venue, self.probe, self.bars = venue, probe, bars

    def step(self) -> tuple[Bar, str | None]:
        """One bar: its fills taken, then the bar acted on; the order it made, if any."""
        bar = next(self.bars)
        probe = self.probe
        working = probe.open_orders()
        if working:
            self.venue.match_bar(bar)
            probe.wait(lambda: all(c in probe.final for c in working), f"fills at {bar.ts}")
        before = len(probe.accepted_order)
        self.venue.publish_bar(bar, match=False)
        probe.wait(lambda: bar.ts in probe.acted, f"the session to act on {bar.ts}")
        made = probe.accepted_order[before:]
        return bar, made[-1] if made else None


def _sample(probe: Probe, bar: Bar, coid: str, submits_before: int) -> Sample | None:
    new = probe.submits[submits_before:]
    if len(new) != 1:
        return None
    start, end, venue_ns = new[0]
    received = probe.received[bar.ts]
    sent = probe.sent.get(bar.ts, received) if probe.sent is not None else received
    return Sample(sent, received, start, end, venue_ns, probe.accepted[coid])


def _measure(
    step: Callable[[], tuple[Bar, str | None]],
    probe: Probe,
    warm: int,
    n: int,
    progress: Progress,
    label: str,
) -> tuple[list[Sample], int]:
    """``warm`` unmeasured steps, then steps until ``n`` bars made an order."""
    task = progress.add_task(label, total=n)
    samples: list[Sample] = []
    skipped = 0
    for _ in range(warm):
        step()
    while len(samples) < n:
        before = len(probe.submits)
        bar, coid = step()
        sample = _sample(probe, bar, coid, before) if coid is not None else None
        if sample is None:
            skipped += 1
            if skipped > n:
                raise SystemExit("bench_live: the strategy stopped trading on every bar")
            continue
        samples.append(sample)
        if len(samples) % 100 == 0:
            progress.update(task, completed=len(samples))
    progress.update(task, completed=n)
    return samples, skipped


def run_alpaca(n: int, warm: int, trials: int, tmp: Path, progress: Progress) -> dict[str, Any]:
    total = WARM_BARS + warm + n + trials * (GAP_BARS + 8) + 50
    bars = _bars(total)
    venue = TimedAlpacaVenue()
    with venue:
        os.environ["APCA_API_KEY_ID"] = venue.key_id  # the fake's keys, nothing real
        os.environ["APCA_API_SECRET_KEY"] = "test-secret"
        venue.add_history(bars[:WARM_BARS])
        settings = _settings(tmp / "alpaca.db", total, venue.base_url)
        opened = _alpaca_venue(settings, venue.base_url)
        session = open_session(settings, _request("alpaca"), venue=opened)
        try:
            if session.first is None or not session.first.ok:
                raise SystemExit("bench_live: the session did not start reconciled")
            probe = Probe(venue_ns=venue.submit_ns, sent=venue.timed_streams.sent)
            probe.attach(session.kernel)
            running = Running(session.kernel)
            _poll(lambda: venue.data_subscribers(SYMBOL) > 0, "the bar subscription")
            _poll(lambda: venue.trading_listeners() > 0, "the trade_updates subscription")
            stepper = AlpacaStepper(venue, probe, iter(bars[WARM_BARS:]))
            samples, skipped = _measure(
                stepper.step, probe, warm, n, progress, "bar → order (Alpaca)"
            )
            reconnects = _reconnects(venue, probe, stepper, trials, progress)
            result = running.stop()
        finally:
            session.close()
    return {
        "bars_taken": result.counts["bars"],
        "orders": len(probe.accepted_order),
        "latency": _summary(samples),
        "bars_without_order": skipped,
        "reconnect": reconnects,
    }


def simulated_venue(settings: Settings, feed: PacedFeed) -> Venue:
    """The paper broker on ``feed``'s bars: what ``open_venue`` builds for ``sim``, without
    a data venue."""
    return Venue(
        "simulated venue (paper broker)",
        paper_venue(settings),
        feed,
        run_instruments(settings, (SYMBOL,)),
        Decimal(100_000),
    )


def measure_simulated(
    kernel: Kernel,
    feed: PacedFeed,
    bars: list[Bar],
    warm: int,
    n: int,
    progress: Progress,
    label: str,
) -> tuple[list[Sample], Probe, RunResult, int]:
    """Run ``kernel`` (a simulated session's) on its thread, push ``bars`` one at a time,
    each once the session acted on the one before; the samples, the probe, the run's result
    and the bars that made no order."""
    probe = Probe()
    probe.attach(kernel)
    running = Running(kernel)
    _poll(lambda: feed.sink is not None, "the simulated feed to start")
    stream = iter(bars)

    def step() -> tuple[Bar, str | None]:
        bar = next(stream)
        before = len(probe.accepted_order)
        feed.push(bar)
        probe.wait(lambda: bar.ts in probe.acted, f"the session to act on {bar.ts}")
        made = probe.accepted_order[before:]
        return bar, made[-1] if made else None

    samples, skipped = _measure(step, probe, warm, n, progress, label)
    return samples, probe, running.stop(), skipped


def run_simulated(n: int, warm: int, tmp: Path, progress: Progress) -> dict[str, Any]:
    total = WARM_BARS + warm + n + 50
    bars = _bars(total)
    settings = _settings(tmp / "sim.db", total, None)
    feed = PacedFeed(bars[:WARM_BARS])
    session = open_session(settings, _request("sim"), venue=simulated_venue(settings, feed))
    try:
        samples, probe, result, skipped = measure_simulated(
            session.kernel, feed, bars[WARM_BARS:], warm, n, progress, "bar → order (simulated)"
        )
    finally:
        session.close()
    return {
        "bars_taken": result.counts["bars"],
        "orders": len(probe.accepted_order),
        "latency": _summary(samples),
        "bars_without_order": skipped,
    }


def _summary(samples: list[Sample]) -> dict[str, Any]:
    parts = [s.parts() for s in samples]
    out: dict[str, Any] = {"samples": len(samples)}
    for name in parts[0]:
        ms = np.array([p[name] for p in parts], dtype=float) / 1e6
        out[name] = {
            "p50_ms": float(np.percentile(ms, 50)),
            "p90_ms": float(np.percentile(ms, 90)),
            "p99_ms": float(np.percentile(ms, 99)),
            "max_ms": float(ms.max()),
        }
    return out


# -- 2. reconnects ---------------------------------------------------------------------------


def _reconnects(
    venue: TimedAlpacaVenue, probe: Probe, stepper: AlpacaStepper, trials: int, progress: Progress
) -> dict[str, Any]:
    task = progress.add_task("reconnects", total=trials)
    rows: list[dict[str, float]] = []
    unheard = once = 0
    heard_twice = 0
    for _ in range(trials):
        working = probe.open_orders()
        for _ in range(6):  # a bar that left an order open at the venue
            if working:
                break
            stepper.step()
            working = probe.open_orders()
        if not working:
            raise SystemExit("bench_live: no order open to fill during a drop")
        coid = working[-1]
        row, heard = _trial(venue, probe, [next(stepper.bars) for _ in range(GAP_BARS)], coid)
        stepper.step()  # one more bar: a repeat of the fill would have arrived by now
        unheard += not heard
        once += len(probe.fills[coid]) == 1
        heard_twice += probe.fill_reports.get(coid, 0) > 1
        rows.append(row)
        progress.advance(task)
    out: dict[str, Any] = {
        "trials": trials,
        "gap_bars_per_trial": GAP_BARS,
        "trials_with_gap_unheard": unheard,
        "lost_fill_applied_once": once,
        "lost_fill_reported_more_than_once": heard_twice,
    }
    for name in rows[0]:
        ms = np.array([r[name] for r in rows])
        out[name] = {
            "p50_ms": float(np.percentile(ms, 50)),
            "p95_ms": float(np.percentile(ms, 95)),
            "max_ms": float(ms.max()),
        }
    return out


def _trial(
    venue: TimedAlpacaVenue, probe: Probe, gap: list[Bar], coid: str
) -> tuple[dict[str, float], bool]:
    """One drop (module docstring): the moments after it (ms), and whether the gap and the
    fill were made while no stream listened (so only the REST gap fills could bring them)."""
    dropped = _now_ns()
    venue.drop_connections()
    venue.match_bar(gap[0])  # the open order fills while nobody listens
    for bar in gap:
        venue.publish_bar(bar, match=False)
    streams = venue.streams
    heard = venue.call(lambda: streams.bar_subscribers(SYMBOL) + streams.listening()) > 0
    seen: dict[str, int] = {}
    deadline = dropped + int(WAIT_S * 1e9)
    pause = threading.Event()
    while len(seen) < 4:  # every moment polled in one loop, each noted when it first holds
        data, trading = venue.call(lambda: (streams.bar_subscribers(SYMBOL), streams.listening()))
        now = _now_ns()
        if data:
            seen.setdefault("data_resubscribed", now)
        if trading:
            seen.setdefault("trade_updates_listening", now)
        if all(b.ts in probe.acted for b in gap):
            seen.setdefault("gap_bars_taken", max(probe.acted[b.ts] for b in gap))
        if coid in probe.fills:
            seen.setdefault("lost_fill_applied", probe.fills[coid][0])
        if now > deadline:
            raise SystemExit(f"bench_live: a reconnect did not finish: {sorted(seen)}")
        pause.wait(0.0005)
    row = {name: (at - dropped) / 1e6 for name, at in seen.items()}
    row["gap_fill_after_resubscribe"] = row["gap_bars_taken"] - row["data_resubscribed"]
    row["fill_after_listening"] = row["lost_fill_applied"] - row["trade_updates_listening"]
    return row, heard


# -- output ----------------------------------------------------------------------------------


_LATENCY_ROWS = (
    ("total", "sink.bar → ACCEPTED published"),
    ("tradebot", "  the same, less the fake's handler"),
    ("to_submit", "  sink.bar → submit called"),
    ("submit_call", "  submit (SDK + HTTP + fake)"),
    ("venue_handler", "    the fake's handler"),
    ("after_submit", "  submit returned → ACCEPTED"),
    ("ws_in", "fake sends bar → sink.bar"),
    ("from_send_tradebot", "fake sends bar → ACCEPTED, less handler"),
)
_RECONNECT_ROWS = (
    ("data_resubscribed", "drop → market data subscribed again"),
    ("gap_bars_taken", "drop → the gap's bars taken by the kernel"),
    ("gap_fill_after_resubscribe", "  of which: subscribed → gap bars taken (REST)"),
    ("trade_updates_listening", "drop → trade_updates listening again"),
    ("lost_fill_applied", "drop → the fill made while down applied"),
    ("fill_after_listening", "  of which: listening → fill applied (REST)"),
)


def _tables(result: dict[str, Any], console: Console) -> None:
    latency = Table(title=f"bar received → order accepted (target p99 < {TARGET_P99_MS:g} ms)")
    for column in ("venue", "part", "p50 ms", "p90 ms", "p99 ms", "max ms"):
        latency.add_column(column, justify="left" if column in ("venue", "part") else "right")
    for case in ("alpaca", "simulated"):
        if case not in result:
            continue
        figures = result[case]["latency"]
        for part, label in _LATENCY_ROWS:
            row = figures[part]
            latency.add_row(
                case,
                label,
                *(f"{row[k]:.3f}" for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms")),
            )
    console.print(latency)
    if "alpaca" not in result:
        return
    re = result["alpaca"]["reconnect"]
    table = Table(title=f"reconnect after drop_connections(), {re['trials']} trials")
    for column in ("measure", "p50 ms", "p95 ms", "max ms"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    for name, label in _RECONNECT_ROWS:
        row = re[name]
        table.add_row(label, *(f"{row[k]:.1f}" for k in ("p50_ms", "p95_ms", "max_ms")))
    console.print(table)
    console.print(
        f"gap unheard by any stream in {re['trials_with_gap_unheard']}/{re['trials']} trials; "
        f"lost fill applied exactly once in {re['lost_fill_applied_once']}/{re['trials']} "
        f"(reported to the kernel more than once in "
        f"{re['lost_fill_reported_more_than_once']}/{re['trials']})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=10_000, help="bars measured per venue")
    parser.add_argument("--warm", type=int, default=50, help="unmeasured bars first")
    parser.add_argument("--trials", type=int, default=20, help="reconnects")
    parser.add_argument("--cases", default="alpaca,simulated")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if args.bars < 1 or args.trials < 1 or args.warm < 0:
        parser.error("--bars and --trials must be at least 1, --warm at least 0")
    cases = {c.strip() for c in args.cases.split(",") if c.strip()}
    if not cases <= {"alpaca", "simulated"}:
        parser.error("--cases takes alpaca and/or simulated")
    logging.getLogger("alpaca").setLevel(logging.CRITICAL)
    # the session's summary annualises a minute-bar return over 10,000 bars: it overflows
    warnings.filterwarnings("ignore", "overflow", RuntimeWarning, "tradebot.backtest.metrics")
    console = Console()
    if not console.is_terminal:  # a redirected run keeps the tables' rows on one line
        console.width = 110
    result: dict[str, Any] = {
        "bars": args.bars,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "load_avg": os.getloadavg(),
    }
    with tempfile.TemporaryDirectory() as tmp, Progress(console=console) as progress:
        if "alpaca" in cases:
            result["alpaca"] = run_alpaca(args.bars, args.warm, args.trials, Path(tmp), progress)
        if "simulated" in cases:
            result["simulated"] = run_simulated(args.bars, args.warm, Path(tmp), progress)
    result["load_avg_after"] = os.getloadavg()
    _tables(result, console)
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
