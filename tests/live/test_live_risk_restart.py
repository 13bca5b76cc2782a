"""A live session with the autonomous risk engine saves its state at every bar time's close
(not only at each session's end), and a restart continues from the latest save — tiers,
breakers, stops and pending plans as the crashed process left them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

from tests.live.rehearsal import Running, recent_bars, wait
from tradebot.adapters.instruments import BundledInstruments
from tradebot.adapters.sql.store import SqlStore
from tradebot.config import Settings, load_settings
from tradebot.domain import Bar, Mode
from tradebot.risk.state import RiskState
from tradebot.runtime.live import LiveRequest
from tradebot.runtime.session import LiveSession, open_session
from tradebot.runtime.venues import Venue, paper_venue
from tradebot.testing.live import ScriptedLiveFeed

SYMBOLS = ("AAPL", "MSFT")


def _settings(tmp_path: Path) -> Settings:
    return load_settings(
        store={"url": f"sqlite:///{tmp_path}/risk.db"},
        live={"timeframe": "1m", "warmup_bars": 20},
        news={"enabled": False},
    )


def _session(
    settings: Settings, warm: list[Bar], stream: list[Bar], resume: str | None = None
) -> LiveSession:
    instruments = BundledInstruments().instruments(SYMBOLS)
    feed = ScriptedLiveFeed(warm, stream)
    venue = Venue("simulated", paper_venue(settings), feed, instruments, Decimal(100_000))
    request = LiveRequest(mode=Mode.PAPER, broker="sim", symbols=SYMBOLS)
    return open_session(settings, request, venue=venue, resume=resume)


def _run(session: LiveSession, stream: list[Bar], url: str) -> datetime | None:
    """Run the session over ``stream``; the time of the risk state saved while it still
    ran (before the clean stop saves its own)."""
    running = Running(session.kernel)
    wait(lambda: all(running.acted_on(b) for b in stream[-2:]), "the session")
    with SqlStore(url, auto_migrate=False) as store:
        saved = store.load_risk_state(session.kernel.run_info.id)
    running.stop()
    return None if saved is None else saved.as_of


def test_a_restart_continues_from_the_risk_state_of_the_last_close(tmp_path: Path) -> None:
    bars = recent_bars("equities", 160, SYMBOLS)
    warm, first, later = bars[:60], bars[60:120], bars[120:]
    settings = _settings(tmp_path)
    session = _session(settings, warm, first)
    try:
        assert session.kernel.risk is not None
        while_running = _run(session, first, settings.store.url)
        assert while_running == first[-3].ts  # the last closed bar time (one per minute)
        run_id = session.kernel.run_info.id
        before = session.kernel.risk.state
    finally:
        session.close()
    with SqlStore(settings.store.url) as store:
        checkpoint = store.load_risk_state(run_id)
    assert checkpoint is not None
    assert checkpoint.as_of == first[-1].ts  # saved at the last close, not a day's end
    assert RiskState.from_dict(checkpoint.state) == before

    resumed = _session(settings, warm + first, later, resume=run_id)
    try:
        risk = resumed.kernel.risk
        assert risk is not None
        assert risk.state == before  # restored before the first bar after the restart
        assert risk.current == checkpoint.as_of
        _run(resumed, later, settings.store.url)
    finally:
        resumed.close()
    with SqlStore(settings.store.url) as store:
        after = store.load_risk_state(run_id)
    assert after is not None and after.as_of == later[-1].ts
