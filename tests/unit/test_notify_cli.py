"""``tradebot notify test`` and ``notify history`` through the real command line, against
the local Bot API fake: a working channel says ``sent`` and the message arrives; a wrong
token is ``failed`` with one line (exit 1), never the token itself; a listed channel with
nothing configured is one error line (exit 2)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_in_process import run_main
from tradebot.testing.telegram import FakeTelegramBotApi

TOKEN = "987654:REAL-looking-token-for-the-fake-api"
CHAT = "77"


@pytest.fixture
def telegram() -> Iterator[FakeTelegramBotApi]:
    with FakeTelegramBotApi(TOKEN, chats=[CHAT]) as api:
        yield api


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, telegram: FakeTelegramBotApi) -> Path:
    monkeypatch.delenv("TRADEBOT_CONFIG", raising=False)
    monkeypatch.setenv("TRADEBOT_STORE__URL", f"sqlite:///{tmp_path / 'bot.db'}")
    monkeypatch.setenv("TRADEBOT_NOTIFICATIONS__CHANNELS", '["log", "telegram"]')
    monkeypatch.setenv("TRADEBOT_NOTIFICATIONS__TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TRADEBOT_NOTIFICATIONS__TELEGRAM_CHAT_ID", CHAT)
    monkeypatch.setenv("TRADEBOT_NOTIFICATIONS__TELEGRAM_API_URL", telegram.url)
    monkeypatch.setenv("TRADEBOT_NOTIFICATIONS__RETRIES", "0")
    monkeypatch.setenv("COLUMNS", "250")
    return tmp_path


def test_a_test_notification_reaches_every_channel(
    env: Path, telegram: FakeTelegramBotApi, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_main(capsys, "notify", "test", "--message", "hello owner")
    assert code == 0, out
    (message,) = telegram.wait_for(1)
    assert "tradebot test notification" in message.text and "hello owner" in message.text
    assert "telegram" in out and "log" in out and out.count("sent") >= 2
    code, out, _ = run_main(capsys, "notify", "history")
    assert code == 0
    assert "tradebot test notification" in out and "telegram" in out


def test_a_wrong_token_fails_in_one_line_without_showing_it(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = "111111:WRONG-token-that-must-not-be-printed"
    monkeypatch.setenv("TRADEBOT_NOTIFICATIONS__TELEGRAM_BOT_TOKEN", wrong)
    code, out, err = run_main(capsys, "notify", "test")
    assert code == 1
    assert "failed" in out
    assert wrong not in out + err and "WRONG-token" not in out + err
    code, out, _ = run_main(capsys, "notify", "history", "--status", "failed")
    assert code == 0 and "telegram" in out and wrong not in out


def test_telegram_listed_without_a_token_is_one_error_line(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TRADEBOT_NOTIFICATIONS__TELEGRAM_BOT_TOKEN")
    code, out, err = run_main(capsys, "notify", "test")
    assert code == 2
    assert "TRADEBOT_NOTIFICATIONS__TELEGRAM_BOT_TOKEN" in out + err
    assert "Traceback" not in out + err
