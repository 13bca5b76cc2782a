"""A paced rehearsal: bundled minute bars through a local fake venue into a live session.

Each bar is taken in two steps — the venue works the open orders on it (their fills come
back on the trade stream), and once the session holds every fill the venue made, the bar
is published and the session acts on it — so the session sees a bar's fills before its
close, as a simulated venue orders them, whatever the two sockets' timing. The bars are
moved in time to end a minute ago, so the warm-up history lies inside the window a session
reads at start.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tradebot.config import Settings
from tradebot.data.minute_bars import sample_minute_bars
from tradebot.domain import Bar
from tradebot.domain.instrument import Instrument
from tradebot.domain.messages import Fill
from tradebot.engine.kernel import Kernel
from tradebot.engine.run_result import RunResult
from tradebot.engine.topics import FILLS, MARKET_BARS
from tradebot.runtime.live import LiveRequest
from tradebot.runtime.session import LiveSession, open_session
from tradebot.runtime.venues import Venue, paper_venue
from tradebot.testing.alpaca import AlpacaVenue
from tradebot.testing.live import ScriptedLiveFeed


def recent_bars(kind: str, count: int, symbols: Sequence[str] | None = None) -> list[Bar]:
    """The first ``count`` bundled bars of ``kind`` (of ``symbols``), moved to end a minute
    before now, whole minutes kept."""
    bars = [b for b in sample_minute_bars(kind) if symbols is None or b.symbol in symbols]  # type: ignore[arg-type]
    bars = bars[:count]
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    shift = (now - timedelta(minutes=1)) - bars[-1].ts
    return [replace(b, ts=b.ts + shift) for b in bars]


def wait(predicate: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    """Poll ``predicate`` until it holds, or fail naming ``what``."""
    event = threading.Event()
    deadline = datetime.now(UTC) + timedelta(seconds=timeout)
    while not predicate():
        if datetime.now(UTC) > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        event.wait(0.002)


class Running:
    """A session's kernel run on a thread; ``result`` once it ends, ``fills`` as they are
    applied (a listener on the kernel's bus)."""

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel
        self.result: RunResult | None = None
        self.error: BaseException | None = None
        self.fills: list[Fill] = []
        self.taken: set[tuple[str, datetime]] = set()
        """Each bar every stage has acted on (this listener comes after them)."""
        bus = kernel.spec.bus
        bus.subscribe(FILLS, self.fills.append, stage="rehearsal")
        bus.subscribe(
            MARKET_BARS, lambda bar: self.taken.add((bar.symbol, bar.ts)), stage="rehearsal"
        )
        self._thread = threading.Thread(target=self._run, name="session", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self.result = self.kernel.run()
        except BaseException as exc:  # handed to the test
            self.error = exc

    def filled(self) -> Decimal:
        """What the session's fills add up to."""
        return sum((f.quantity for f in list(self.fills)), Decimal(0))

    def acted_on(self, bar: Bar) -> bool:
        return (bar.symbol, bar.ts) in self.taken

    def stop(self) -> RunResult:
        self.kernel.stop_when_drained()
        self._thread.join(timeout=30)
        if self.error is not None:
            raise self.error
        assert self.result is not None, "the session did not stop"
        return self.result


def take_bar(venue: AlpacaVenue, running: Running, bar: Bar) -> None:
    """One paced step (module docstring): the venue works its orders on ``bar``, the
    session takes in every fill, then the bar is published and acted on."""
    venue.match_bar(bar)
    filled = sum(Decimal(o["filled_qty"]) for o in venue.orders())
    wait(lambda: running.filled() == filled, f"the fills of {bar.ts}")
    venue.publish_bar(bar, match=False)
    wait(lambda: running.acted_on(bar), f"the session to act on {bar.symbol} {bar.ts}")


def decisions_of(session: LiveSession) -> list[tuple[object, ...]]:
    """A session's decisions without their ids (which carry the run's id), in order."""
    return sorted(
        (d.ts, d.symbol, d.action, d.side, d.quantity, d.reason)
        for d in session.store.decisions(session.kernel.run_info.id)
    )


def fills_of(
    session: LiveSession, commission_places: Decimal | None = None
) -> list[tuple[object, ...]]:
    """A session's fills without their ids; with ``commission_places``, each commission to
    the venue's precision as well."""
    fills = session.store.fills(session.kernel.run_info.id)
    if commission_places is None:
        return sorted((f.symbol, f.side, f.quantity, f.price) for f in fills)
    return sorted(
        (f.symbol, f.side, f.quantity, f.price, f.commission.quantize(commission_places))
        for f in fills
    )


def simulated_twin(
    settings: Settings,
    request: LiveRequest,
    warm: Sequence[Bar],
    stream: Sequence[Bar],
    instruments: dict[str, Instrument],
    commission_places: Decimal | None = None,
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The decisions and fills our simulated venue gives a session of the same bars, the
    same settings and the same instruments, through the same kernel."""
    feed = ScriptedLiveFeed(warm, stream)
    venue = Venue("simulated", paper_venue(settings), feed, instruments, Decimal(100_000))
    session = open_session(settings, request, venue=venue)
    running = Running(session.kernel)
    wait(lambda: all(running.acted_on(b) for b in stream[-2:]), "the simulated session")
    running.stop()
    try:
        return decisions_of(session), fills_of(session, commission_places)
    finally:
        session.close()
