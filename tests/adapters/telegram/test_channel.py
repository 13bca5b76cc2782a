"""TelegramChannel against FakeTelegramBotApi on 127.0.0.1 (real HTTP, no mocks)."""

from __future__ import annotations

import html
import logging
import traceback
from collections.abc import Iterator
from typing import Any

import pytest

from tests.adapters.notify_samples import notification, tiny_png
from tradebot.adapters.telegram import TelegramChannel
from tradebot.domain.errors import ConfigError
from tradebot.domain.notifications import DeliveryError
from tradebot.testing.telegram import FakeTelegramBotApi

TOKEN = "123456:AAH-the-real-SECRET-token"
WRONG_TOKEN = "123456:AAH-a-wrong-SECRET-token"
CHAT = "4242"


@pytest.fixture
def api() -> Iterator[FakeTelegramBotApi]:
    with FakeTelegramBotApi(TOKEN, chats=[CHAT], username="tradebot_owner_bot") as fake:
        yield fake


@pytest.fixture
def channel(api: FakeTelegramBotApi) -> Iterator[TelegramChannel]:
    channel = TelegramChannel(TOKEN, CHAT, api_url=api.url, timeout_s=5.0)
    yield channel
    channel.close()


def _fails(channel: TelegramChannel, **kwargs: Any) -> DeliveryError:
    with pytest.raises(DeliveryError) as caught:
        channel.send(notification(**kwargs))
    return caught.value


def test_message_arrives_as_html_with_bold_title_and_escaped_body(
    api: FakeTelegramBotApi, channel: TelegramChannel
) -> None:
    channel.send(notification())

    [message] = api.wait_for(1)
    assert message.method == "sendMessage"
    assert message.chat_id == CHAT
    assert message.parse_mode == "HTML"
    assert message.disable_web_page_preview
    assert message.text == (
        "<b>Breaker tripped</b>\n\n"
        "Daily loss 3.2% &gt; 3% limit &amp; trading halted &lt;until tomorrow&gt;"
    )
    assert api.calls == ["sendMessage"]


def test_a_long_body_is_clipped_to_what_telegram_accepts(
    api: FakeTelegramBotApi, channel: TelegramChannel
) -> None:
    body = "P&L <up> 📈 " * 1000  # escaping makes it longer; the emoji counts twice

    channel.send(notification(body=body))

    [message] = api.wait_for(1)  # the fake refuses anything over 4,096 parsed characters
    parsed = html.unescape(message.text.replace("<b>", "").replace("</b>", ""))
    assert 4095 <= len(parsed.encode("utf-16-le")) // 2 <= 4096  # an emoji does not split
    assert parsed.endswith("…")
    assert parsed.startswith("Breaker tripped\n\nP&L <up> 📈 P&L")


def test_an_image_arrives_as_a_photo_with_the_text_as_caption(
    api: FakeTelegramBotApi, channel: TelegramChannel
) -> None:
    channel.send(notification(body="Equity 10,250 (+2.5%)", image=True))

    [photo] = api.wait_for(1)
    assert api.calls == ["sendPhoto"]
    assert photo.method == "sendPhoto"
    assert photo.photo == tiny_png()
    assert photo.photo_filename == "equity.png"
    assert photo.photo_content_type == "image/png"
    assert photo.text == "<b>Breaker tripped</b>\n\nEquity 10,250 (+2.5%)"
    assert photo.parse_mode == "HTML"


def test_text_too_long_for_a_caption_follows_the_photo(
    api: FakeTelegramBotApi, channel: TelegramChannel
) -> None:
    body = "line of the weekly digest\n" * 60  # 1,560 characters: over the caption's 1,024

    channel.send(notification(title="Weekly digest", body=body, image=True))

    photo, text = api.wait_for(2)
    assert api.calls == ["sendPhoto", "sendMessage"]
    assert photo.photo == tiny_png()
    assert photo.text == "<b>Weekly digest</b>\n\nequity, last 30 days"
    assert text.text == "<b>Weekly digest</b>\n\n" + body.strip()


def test_429_gives_retry_after_and_the_next_send_goes_through(
    api: FakeTelegramBotApi, channel: TelegramChannel
) -> None:
    api.throttle_next(1, retry_after=7)

    error = _fails(channel)

    assert error.retry_after == 7
    assert not error.permanent
    assert "429" in error.reason
    assert api.messages == []
    channel.send(notification())
    assert len(api.wait_for(1)) == 1


def test_a_5xx_is_transient(api: FakeTelegramBotApi, channel: TelegramChannel) -> None:
    api.fail_next(1, status=502)

    error = _fails(channel)

    assert not error.permanent
    assert error.retry_after is None
    assert "502" in error.reason


def test_a_wrong_token_is_permanent_and_never_shown(
    api: FakeTelegramBotApi,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    channel = TelegramChannel(WRONG_TOKEN, CHAT, api_url=api.url, timeout_s=5.0)
    try:
        error = _fails(channel)
        with pytest.raises(DeliveryError) as check_error:
            channel.check()
    finally:
        channel.close()

    assert error.permanent
    assert "401" in error.reason
    assert check_error.value.permanent
    assert any(record.name == "httpx" for record in caplog.records)  # a request line was logged
    out, err = capfd.readouterr()
    shown = [
        str(error),
        repr(error),
        "".join(traceback.format_exception(error)),
        repr(channel),
        caplog.text,
        out,
        err,
    ]
    for text in shown:
        assert WRONG_TOKEN not in text
        assert "SECRET" not in text


def test_a_good_token_stays_out_of_the_logs_too(
    api: FakeTelegramBotApi,
    channel: TelegramChannel,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)

    channel.send(notification(image=True))

    api.wait_for(1)
    assert any(record.name == "httpx" for record in caplog.records)
    out, err = capfd.readouterr()
    assert "SECRET" not in caplog.text + out + err


def test_an_unknown_chat_is_permanent(api: FakeTelegramBotApi) -> None:
    channel = TelegramChannel(TOKEN, "777", api_url=api.url, timeout_s=5.0)
    try:
        error = _fails(channel)
    finally:
        channel.close()

    assert error.permanent
    assert "chat not found" in error.reason


def test_down_is_transient_and_delivery_resumes_when_back(
    api: FakeTelegramBotApi, channel: TelegramChannel
) -> None:
    channel.send(notification(title="first"))  # leaves a kept-alive connection in the pool
    api.wait_for(1)
    api.go_down()

    error = _fails(channel, title="second")

    assert not error.permanent
    assert "connection refused" in error.reason
    api.come_back()
    channel.send(notification(title="third"))
    assert [m.text.split("\n")[0] for m in api.wait_for(2)] == ["<b>first</b>", "<b>third</b>"]


def test_a_stalled_api_times_out_as_transient(api: FakeTelegramBotApi) -> None:
    api.stall_next(1, seconds=30)
    channel = TelegramChannel(TOKEN, CHAT, api_url=api.url, timeout_s=0.3)
    try:
        error = _fails(channel)
    finally:
        channel.close()

    assert not error.permanent
    assert "timed out" in error.reason


def test_check_names_the_bot(channel: TelegramChannel) -> None:
    assert channel.check() == "tradebot_owner_bot"


@pytest.mark.parametrize("token", ["12:SECRET/cd", "12:SECRET cd", ""])
def test_a_malformed_token_is_a_config_error_without_the_token(token: str) -> None:
    with pytest.raises(ConfigError) as caught:
        TelegramChannel(token, CHAT)

    assert "SECRET" not in caught.value.one_line()


def test_an_api_url_without_a_scheme_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        TelegramChannel(TOKEN, CHAT, api_url="api.telegram.org")
