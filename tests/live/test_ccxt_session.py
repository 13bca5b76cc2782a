"""End to end against the local Binance: bundled BTC/USDT minute bars served as klines by
the fake venue → ``paper --broker ccxt``'s session (bars and fills by polling) → decisions →
orders (signed REST, our client ids) → fills (``myTrades``) → a ledger equal to the venue's
balances; and the same decisions and fills as our simulated venue gives on the same bars
through the same kernel. The venue charges 0.1 % in the quote currency, and so does the
simulated venue here (``broker.commission_rate``), which keeps two more decimals of it than
the venue's 8: commissions are compared at 8. Both fill a market order at the next bar's
open, the venue on its 0.01 tick, where the bundled prices already sit.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from tests.live.binance_rehearsal import (
    add_history,
    bundled,
    stream_times,
    take_kline,
    venue_symbol,
    wait_polling,
    warm_history,
)
from tests.live.rehearsal import Running, decisions_of, fills_of, simulated_twin
from tradebot.adapters.ccxt import CcxtBarFeed, CcxtOrderReports
from tradebot.config import Settings, load_settings
from tradebot.domain import Mode
from tradebot.domain.errors import BrokerError, ConfigError
from tradebot.runtime.live import LiveRequest
from tradebot.runtime.session import open_session
from tradebot.testing.binance import BinanceVenue

TRADEBOT = Path(sys.executable).with_name("tradebot")
SYMBOL = "BTC/USDT"
WARMUP = 60
STREAM = 100
COMMISSION_PLACES = Decimal("1e-8")
KEY, SECRET = "rehearsal-key-7d1c", "rehearsal-secret-93fa"


@pytest.fixture
def binance(monkeypatch: pytest.MonkeyPatch) -> Iterator[BinanceVenue]:
    with BinanceVenue(api_key=KEY, secret=SECRET) as venue:
        monkeypatch.setenv("TRADEBOT_CCXT_API_KEY", KEY)
        monkeypatch.setenv("TRADEBOT_CCXT_SECRET", SECRET)
        yield venue


def _settings(tmp_path: Path, name: str, venue: BinanceVenue) -> Settings:
    return load_settings(
        store={"url": f"sqlite:///{tmp_path}/{name}.db"},
        broker={"commission_rate": "0.001", "slippage_bps": 0},
        risk={"engine": "reference", "position_fraction": "0.2"},
        strategy={"names": ("sma_cross",), "params": {"sma_cross": {"fast": 5, "slow": 15}}},
        live={
            "ccxt_url": venue.url,
            "timeframe": "1m",
            "warmup_bars": 20,
            "poll_s": 0.02,  # a local venue: poll as fast as ccxt's rate limiter lets
        },
        news={"enabled": False},  # RSS and Reddit would reach outside the machine
    )


def _request() -> LiveRequest:
    return LiveRequest(mode=Mode.PAPER, broker="ccxt", symbols=(SYMBOL,))


def test_a_paper_session_on_binance_trades_like_the_simulated_venue(
    tmp_path: Path, binance: BinanceVenue
) -> None:
    warm = warm_history(bundled(0, WARMUP))
    add_history(binance, warm)
    session = open_session(_settings(tmp_path, "binance", binance), _request())
    assert session.first is not None and session.first.ok
    reports, feed = session.venue.reports, session.venue.feed
    assert isinstance(reports, CcxtOrderReports) and isinstance(feed, CcxtBarFeed)
    assert (reports.mode, feed.mode) == ("websocket", "websocket")  # the fake streams both
    running = Running(session.kernel)
    wait_polling(running)
    stream = stream_times(bundled(WARMUP, STREAM))
    for bar in stream:
        take_kline(binance, running, bar)
    result = running.stop()
    try:
        assert result.counts["warmup_bars"] == WARMUP
        assert result.counts["bars"] == STREAM
        assert result.metrics["periods_per_year"] == 365  # a 24/7 pair's daily ratios
        orders = binance.orders()
        assert len(orders) >= 2, "the strategy traded"
        assert all(o.client_order_id.startswith("tb-") for o in orders)
        assert all(o.status == "FILLED" for o in orders)
        recorded = {o.client_order_id for o in session.store.orders(session.kernel.run_info.id)}
        assert {o.client_order_id for o in orders} <= recorded
        balances = binance.balances()
        book = session.kernel.portfolio
        assert book.cash == balances["USDT"]
        held = {s: p.quantity for s, p in book.positions.items() if p.quantity}
        base = balances.get(venue_symbol(SYMBOL).removesuffix("USDT"), Decimal(0))
        assert held == ({SYMBOL: base} if base else {})
        live_decisions, live_fills = decisions_of(session), fills_of(session, COMMISSION_PLACES)
        assert len(live_fills) == len(binance.trades())
        instruments = session.venue.instruments
    finally:
        session.close()

    settings = _settings(tmp_path, "sim", binance)
    twin = simulated_twin(settings, _request(), warm, stream, instruments, COMMISSION_PLACES)
    assert twin == (live_decisions, live_fills)


def test_a_wrong_secret_ends_in_one_line_without_the_keys(
    tmp_path: Path, binance: BinanceVenue, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "not-the-secret-5e2b"
    monkeypatch.setenv("TRADEBOT_CCXT_SECRET", wrong)
    with pytest.raises((ConfigError, BrokerError)) as refused:
        open_session(_settings(tmp_path, "refused", binance), _request())
    line = refused.value.one_line()
    assert "\n" not in line and "TRADEBOT_CCXT_SECRET" in line
    assert all(secret not in line for secret in (KEY, SECRET, wrong))
    assert binance.submits() == []


def test_paper_broker_ccxt_with_a_wrong_secret_exits_2_with_one_line(
    tmp_path: Path, binance: BinanceVenue
) -> None:
    wrong = "not-the-secret-5e2b"
    env = {
        **os.environ,
        "TRADEBOT_CCXT_SECRET": wrong,
        "TRADEBOT_LIVE__CCXT_URL": binance.url,
        "TRADEBOT_STORE__URL": f"sqlite:///{tmp_path}/cli.db",
        "TRADEBOT_NEWS__ENABLED": "false",
    }
    done = subprocess.run(
        [TRADEBOT, "paper", "--broker", "ccxt", "--symbols", SYMBOL],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "refused the API credentials" in lines[0], done.stderr
    assert all(secret not in done.stderr + done.stdout for secret in (KEY, SECRET, wrong))


def test_poll_s_must_be_positive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADEBOT_LIVE__POLL_S", "0")
    with pytest.raises(ConfigError) as refused:
        load_settings()
    assert "poll_s" in refused.value.one_line() and "\n" not in refused.value.one_line()
    monkeypatch.setenv("TRADEBOT_LIVE__POLL_S", "0.5")
    assert load_settings().live.poll_s == 0.5
