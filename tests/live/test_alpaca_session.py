"""End to end against the local Alpaca: bundled minute bars streamed by the fake venue →
``paper --broker alpaca``'s session → decisions → orders (REST, our client ids) → fills
(trade_updates) → ledger; and the same decisions and fills as our simulated venue gives
on the same bars through the same kernel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from tests.live.rehearsal import (
    Running,
    decisions_of,
    fills_of,
    recent_bars,
    simulated_twin,
    take_bar,
    wait,
)
from tradebot.adapters.paper.broker import PaperBroker
from tradebot.config import Settings, load_settings
from tradebot.domain import Bar, Mode
from tradebot.domain.errors import BrokerError
from tradebot.runtime.live import LiveRequest
from tradebot.runtime.session import open_session
from tradebot.runtime.venues import open_venue
from tradebot.testing.alpaca import AlpacaVenue

TRADEBOT = Path(sys.executable).with_name("tradebot")
SYMBOLS = ("AAPL", "MSFT")
WARMUP = 60  # bars, both symbols
STREAM = 240


@pytest.fixture
def bars() -> list[Bar]:
    return recent_bars("equities", WARMUP + STREAM, SYMBOLS)


@pytest.fixture
def alpaca(monkeypatch: pytest.MonkeyPatch) -> Iterator[AlpacaVenue]:
    with AlpacaVenue(tick_prices=False) as venue:
        monkeypatch.setenv("APCA_API_KEY_ID", venue.key_id)
        monkeypatch.setenv("APCA_API_SECRET_KEY", "test-secret")
        yield venue


def _settings(tmp_path: Path, name: str, venue: AlpacaVenue) -> Settings:
    return load_settings(
        store={"url": f"sqlite:///{tmp_path}/{name}.db"},
        broker={"commission_rate": 0, "slippage_bps": 0},
        risk={"engine": "reference", "position_fraction": "0.2"},
        strategy={"names": ("sma_cross",), "params": {"sma_cross": {"fast": 5, "slow": 15}}},
        live={"alpaca_url": venue.base_url, "timeframe": "1m", "warmup_bars": 20},
        news={"enabled": False},  # RSS and Reddit would reach outside the machine
    )


def _no_drift(tmp_path: Path, run_id: str, fills: int) -> None:
    """`tradebot drift` on the session: its recorded bars through the simulated venue give
    every fill the fake venue gave (it fills as ours does here: next open, no fee)."""
    out = tmp_path / "drift.json"
    env = {**os.environ, "TRADEBOT_STORE__URL": f"sqlite:///{tmp_path}/alpaca.db"}
    done = subprocess.run(
        [TRADEBOT, "drift", run_id, "--json", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    overall = json.loads(out.read_text())["overall"]
    assert overall["fills"] == fills
    assert (overall["mean_bps"], overall["p95_bps"], Decimal(overall["cost"])) == (
        0.0,
        0.0,
        Decimal(0),
    )


def _request() -> LiveRequest:
    return LiveRequest(mode=Mode.PAPER, broker="alpaca", symbols=SYMBOLS)


def test_a_paper_session_on_alpaca_trades_like_the_simulated_venue(
    tmp_path: Path, alpaca: AlpacaVenue, bars: list[Bar]
) -> None:
    warm, stream = bars[:WARMUP], bars[WARMUP:]
    alpaca.add_history(warm)
    session = open_session(_settings(tmp_path, "alpaca", alpaca), _request())
    assert session.first is not None and session.first.ok
    running = Running(session.kernel)
    wait(lambda: all(alpaca.data_subscribers(s) for s in SYMBOLS), "the bar subscription")
    wait(lambda: alpaca.trading_listeners() > 0, "the trade_updates subscription")
    for bar in stream:
        take_bar(alpaca, running, bar)
    result = running.stop()
    try:
        assert result.counts["warmup_bars"] == WARMUP
        assert result.counts["bars"] == STREAM
        assert result.metrics["periods_per_year"] == 252  # daily ratios, whatever the bar size
        orders = alpaca.orders()
        assert orders, "the strategy traded"
        assert all(o["client_order_id"].startswith("tb-") for o in orders)
        recorded = {o.client_order_id for o in session.store.orders(session.kernel.run_info.id)}
        assert {o["client_order_id"] for o in orders} <= recorded
        held = session.kernel.portfolio.positions
        assert {s: p.quantity for s, p in held.items()} == alpaca.positions()
        live_decisions, live_fills = decisions_of(session), fills_of(session)
        instruments = session.venue.instruments
        run_id = session.kernel.run_info.id
    finally:
        session.close()
    _no_drift(tmp_path, run_id, len(live_fills))

    settings = _settings(tmp_path, "sim", alpaca)
    twin = simulated_twin(settings, _request(), warm, stream, instruments)
    assert twin == (live_decisions, live_fills)


def test_a_sim_session_trades_our_venue_on_alpacas_bars_and_listing(
    tmp_path: Path, alpaca: AlpacaVenue
) -> None:
    settings = _settings(tmp_path, "simvenue", alpaca)
    request = LiveRequest(mode=Mode.PAPER, broker="sim", symbols=SYMBOLS)
    venue = open_venue(settings, request)
    try:
        assert isinstance(venue.broker, PaperBroker)
        assert venue.reports is None  # the simulated venue reports with its bars
        assert venue.starting_cash == settings.broker.initial_cash
        assert set(venue.instruments) == set(SYMBOLS)
        assert venue.instruments["AAPL"].fractional  # Alpaca's asset says fractionable
        assert alpaca.submits() == 0  # nothing is sent to Alpaca's trading API
    finally:
        venue.close()


def test_live_refuses_a_book_that_does_not_reconcile(
    tmp_path: Path, alpaca: AlpacaVenue, bars: list[Bar]
) -> None:
    """A position at the venue that no run of ours made: `live` (policy halt) does not start,
    says why in one line, and records the reconciliation."""
    alpaca.add_history(bars)
    alpaca.call(lambda: alpaca.book.positions.__setitem__("MSFT", (Decimal(7), Decimal(100))))
    settings = _settings(tmp_path, "refused", alpaca)
    request = LiveRequest(mode=Mode.LIVE, broker="alpaca", symbols=SYMBOLS)
    with pytest.raises(BrokerError) as refused:
        open_session(settings, request, confirm_live=True)
    line = refused.value.one_line()
    assert "does not reconcile with the venue: external position MSFT" in line
    assert "\n" not in line and "Reconciliation(" not in line
