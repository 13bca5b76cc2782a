"""Notifications from a real paper replay, through the real channels, to local servers that
speak the real protocols (the Bot API fake, an aiosmtpd server with STARTTLS):

- with both up, the day's summaries and the large trades arrive, text and image checked;
- with both down, the replay makes the same decisions and orders as with notifications
  off, every notification is recorded ``failed``, and once the servers come back the same
  rows turn ``sent`` and the messages arrive;
- a backtest built while a notifier is installed tells nobody.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from tests.optional import require
from tradebot.adapters.sql.api_models import NotificationRow
from tradebot.config import Settings, load_settings
from tradebot.data import sample_data_dir, sample_news_file
from tradebot.domain.enums import Mode
from tradebot.engine.run_result import RunResult
from tradebot.runtime.notify.attach import installed
from tradebot.runtime.notify.process import notifying
from tradebot.runtime.wiring import RunRequest, build_kernel, open_store

require("aiosmtpd")
from tradebot.testing.smtp import LocalSmtpServer  # noqa: E402
from tradebot.testing.telegram import FakeTelegramBotApi  # noqa: E402

TOKEN = "123456:TEST-token-for-the-fake"
CHAT = "4242"


@pytest.fixture
def telegram() -> Iterator[FakeTelegramBotApi]:
    with FakeTelegramBotApi(TOKEN, chats=[CHAT]) as api:
        yield api


@pytest.fixture
def smtp() -> Iterator[LocalSmtpServer]:
    with LocalSmtpServer(username="bot", password="smtp-pass-word") as server:
        yield server


def _settings(
    tmp_path: Path, telegram: FakeTelegramBotApi, smtp: LocalSmtpServer, **more: Any
) -> Settings:
    return load_settings(
        store={"url": f"sqlite:///{tmp_path / 'run.db'}"},
        notifications={
            "channels": ("telegram", "email"),
            "telegram_bot_token": TOKEN,
            "telegram_chat_id": CHAT,
            "telegram_api_url": telegram.url,
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port,
            "smtp_username": "bot",
            "smtp_password": "smtp-pass-word",
            "smtp_ca_file": smtp.ca_file,
            "email_from": "bot@example.test",
            "email_to": ("owner@example.test",),
            "telegram_per_hour": 1000,
            "email_per_hour": 1000,
            "large_trade_pnl": "150",
            "timeout_s": 2.0,
            "retries": 1,
            "redeliver_every_s": 0.2,
            **more,
        },
    )


def _request(mode: Mode = Mode.PAPER) -> RunRequest:
    return RunRequest(
        symbols=("AAPL", "MSFT"),
        start=datetime(2015, 6, 1, tzinfo=UTC),
        end=datetime(2015, 9, 30, tzinfo=UTC),
        data_dir=sample_data_dir("stocknet"),
        news_file=sample_news_file(),
        mode=mode,
        speed=1e9,
    )


def _replay(settings: Settings, mode: Mode = Mode.PAPER) -> RunResult:
    store = open_store(settings, mode)
    try:
        return build_kernel(settings, _request(mode), store).run()
    finally:
        store.close()


def _rows(settings: Settings) -> list[NotificationRow]:
    db = create_engine(settings.store.url)
    try:
        with db.connect() as connection:
            return list(
                connection.execute(select(NotificationRow).order_by(NotificationRow.id)).all()
            )  # type: ignore[arg-type]
    finally:
        db.dispose()


def _poll(done: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    wake = threading.Event()
    deadline = datetime.now(UTC).timestamp() + timeout
    while not done():
        if datetime.now(UTC).timestamp() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        wake.wait(0.05)


def _trading(result: RunResult) -> tuple[object, ...]:
    """What the run decided and traded (the run id aside)."""
    counts = result.counts
    return (
        counts["signals"],
        counts["acted"],
        counts["skipped"],
        result.metrics["final_equity"],
        result.metrics["trades"],
    )


def test_summaries_and_large_trades_reach_telegram_and_email(
    tmp_path: Path, telegram: FakeTelegramBotApi, smtp: LocalSmtpServer
) -> None:
    settings = _settings(tmp_path, telegram, smtp)
    with notifying(settings) as notifier:
        assert notifier is not None and installed() is notifier
        _replay(settings)
        dispatcher = notifier.dispatcher
        assert dispatcher is not None
        assert dispatcher.wait_idle(30.0)
    assert installed() is None
    rows = _rows(settings)
    events = {row.event for row in rows}
    assert {"daily_summary", "weekly_digest", "large_trade_pnl"} <= events
    assert {row.status for row in rows} == {"sent"}
    per_channel = {ch: sum(1 for r in rows if r.channel == ch) for ch in ("telegram", "email")}
    assert per_channel["telegram"] == per_channel["email"] == len(rows) // 2
    assert len(telegram.messages) >= per_channel["telegram"]  # a long photo caption: two
    assert len(smtp.messages) == per_channel["email"]
    # a daily summary with its sparkline: a photo on Telegram, an inline image by e-mail
    photos = [m for m in telegram.messages if m.photo is not None]
    assert photos and photos[0].photo is not None and photos[0].photo[:8] == b"\x89PNG\r\n\x1a\n"
    digest = next(m.message for m in smtp.messages if "Weekly digest" in str(m.message["Subject"]))
    kinds = {part.get_content_type() for part in digest.walk()}
    assert {"text/plain", "text/html", "image/png"} <= kinds
    assert all(m.tls and m.authenticated_as == "bot" for m in smtp.messages)
    large = next(r for r in rows if r.event == "large_trade_pnl")
    assert large.correlation_id  # the exit decision the trade closed on
    assert any(large.title in m.text for m in telegram.messages)


def test_with_both_channels_down_trading_is_unchanged_and_delivery_follows_recovery(
    tmp_path: Path, telegram: FakeTelegramBotApi, smtp: LocalSmtpServer
) -> None:
    quiet = load_settings(
        store={"url": f"sqlite:///{tmp_path / 'quiet.db'}"}, notifications={"enabled": False}
    )
    baseline = _trading(_replay(quiet))
    settings = _settings(tmp_path, telegram, smtp)
    telegram.go_down()
    smtp.go_down()
    with notifying(settings) as notifier:
        assert notifier is not None and notifier.dispatcher is not None
        result = _replay(settings)
        assert _trading(result) == baseline  # the same decisions, orders and fills
        dispatcher = notifier.dispatcher
        assert dispatcher.wait_idle(60.0)
        failed = _rows(settings)
        assert failed and {r.status for r in failed} == {"failed"}
        assert all(r.error for r in failed)
        assert telegram.messages == [] and smtp.messages == []
        telegram.come_back()
        smtp.come_back()
        _poll(
            lambda: {r.status for r in _rows(settings)} == {"sent"},
            "the failed notifications to be delivered",
        )
    delivered = _rows(settings)
    assert [r.id for r in delivered] == [r.id for r in failed]  # the same rows, updated
    assert all(r.delivered_at is not None and r.attempts >= 1 for r in delivered)
    assert any(r.attempts >= 2 for r in delivered)  # tried while down, then again
    assert len(smtp.messages) == sum(1 for r in delivered if r.channel == "email")
    titles = [r.title for r in delivered if r.channel == "email"]
    subjects = [str(m.message["Subject"]) for m in smtp.messages]
    assert all(any(t in s for s in subjects) for t in titles)


def test_a_backtest_tells_nobody_even_with_a_notifier_installed(
    tmp_path: Path, telegram: FakeTelegramBotApi, smtp: LocalSmtpServer
) -> None:
    settings = _settings(tmp_path, telegram, smtp)
    with notifying(settings) as notifier:
        assert notifier is not None and notifier.dispatcher is not None
        _replay(settings, Mode.BACKTEST)
        assert notifier.dispatcher.wait_idle(10.0)
    assert _rows(settings) == []
    assert telegram.messages == [] and smtp.messages == []
