"""EmailChannel against LocalSmtpServer: a real aiosmtpd server on 127.0.0.1 with STARTTLS,
a certificate from its own CA, and AUTH (no mocks)."""

from __future__ import annotations

import logging
import os
import socket
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest

from tests.adapters.notify_samples import notification, tiny_png
from tradebot.adapters.email import EmailChannel
from tradebot.domain.errors import ConfigError
from tradebot.domain.notifications import DeliveryError

try:
    from tradebot.testing.smtp import LocalSmtpServer
except ImportError as exc:  # aiosmtpd is in the dev extra: under CI=true its absence fails
    if os.environ.get("CI") == "true":
        raise
    pytest.skip(f"{exc}; it is in the dev extra", allow_module_level=True)

USER = "tradebot"
PASSWORD = "pw-SECRET-hunter2"
SENDER = "bot@tradebot.test"
OWNER = "owner@example.test"


@pytest.fixture
def server() -> Iterator[LocalSmtpServer]:
    with LocalSmtpServer(username=USER, password=PASSWORD) as smtp:
        yield smtp


def _channel(server: LocalSmtpServer, **overrides: Any) -> EmailChannel:
    options: dict[str, Any] = {
        "sender": SENDER,
        "recipients": [OWNER],
        "username": USER,
        "password": PASSWORD,
        "ca_file": server.ca_file,
        "timeout_s": 5.0,
        **overrides,
    }
    return EmailChannel(server.host, server.port, **options)


def _fails(channel: EmailChannel, **kwargs: Any) -> DeliveryError:
    with pytest.raises(DeliveryError) as caught:
        channel.send(notification(**kwargs))
    return caught.value


def _html(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert isinstance(part, EmailMessage)
    return str(part.get_content())


def test_a_message_arrives_through_verified_starttls_after_login(server: LocalSmtpServer) -> None:
    sent_at = datetime(2024, 5, 1, 14, 31, 5, tzinfo=UTC)
    _channel(server, now=lambda: sent_at).send(notification(correlation_id="dec-42"))

    [mail] = server.wait_for(1)
    assert mail.tls
    assert mail.authenticated_as == USER
    assert mail.mail_from == SENDER
    assert mail.rcpt_tos == (OWNER,)
    message = mail.message
    assert message["Subject"] == "[tradebot] critical Breaker tripped"
    assert message["To"] == OWNER
    assert message["X-Tradebot-Event"] == "circuit_breaker_triggered"
    assert message["X-Tradebot-Correlation-Id"] == "dec-42"
    assert message["Message-ID"].endswith("@tradebot.test>")
    assert parsedate_to_datetime(message["Date"]) == sent_at
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",))
    assert isinstance(plain, EmailMessage)
    assert plain.get_content().startswith(
        "Daily loss 3.2% > 3% limit & trading halted <until tomorrow>\n"
    )
    assert (
        "<pre>Daily loss 3.2% &gt; 3% limit &amp; trading halted &lt;until tomorrow&gt;</pre>"
        in _html(message)
    )


def test_the_image_is_inline_and_referenced_by_its_content_id(server: LocalSmtpServer) -> None:
    _channel(server).send(notification(title="Weekly digest", image=True))

    [mail] = server.wait_for(1)
    related = [p for p in mail.message.walk() if p.get_content_type() == "multipart/related"]
    assert len(related) == 1
    images = [p for p in mail.message.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1
    image = images[0]
    assert isinstance(image, EmailMessage)
    assert image.get_content() == tiny_png()
    assert image.get_filename() == "equity.png"
    content_id = str(image["Content-ID"]).strip("<>")
    assert f'src="cid:{content_id}"' in _html(mail.message)


def test_the_notifications_own_html_is_used_when_it_has_one(server: LocalSmtpServer) -> None:
    _channel(server).send(notification(html="<table><tr><td>AAPL</td></tr></table>"))

    [mail] = server.wait_for(1)
    assert "<table><tr><td>AAPL</td></tr></table>" in _html(mail.message)
    assert "<pre>" not in _html(mail.message)


def test_a_title_with_newlines_stays_one_subject_line(server: LocalSmtpServer) -> None:
    _channel(server).send(notification(title="Feed stale\nBcc: victim@example.test"))

    [mail] = server.wait_for(1)
    assert mail.message["Subject"] == "[tradebot] critical Feed stale Bcc: victim@example.test"
    assert mail.message["Bcc"] is None
    assert mail.rcpt_tos == (OWNER,)


def test_a_certificate_that_does_not_verify_is_permanent_and_nothing_is_sent(
    server: LocalSmtpServer,
) -> None:
    error = _fails(_channel(server, ca_file=None))  # the system's CAs do not know the fake's

    assert error.permanent
    assert "certificate" in error.reason
    assert "smtp_ca_file" in error.reason
    assert server.messages == []


def test_a_server_without_starttls_gets_nothing() -> None:
    with LocalSmtpServer(starttls=False) as plain_server:
        channel = _channel(plain_server, username=None, password=None)
        error = _fails(channel)

        assert error.permanent
        assert "STARTTLS" in error.reason
        assert plain_server.messages == []
        # ... unless the owner turned STARTTLS off on purpose
        _channel(plain_server, username=None, password=None, starttls=False).send(notification())
        [mail] = plain_server.wait_for(1)
        assert not mail.tls


def test_a_wrong_password_is_permanent_and_the_password_is_never_shown(
    server: LocalSmtpServer,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "pw-SECRET-wrong"
    channel = _channel(server, password=wrong)

    error = _fails(channel)

    assert error.permanent
    assert "535" in error.reason
    assert server.messages == []
    out, err = capfd.readouterr()
    for text in (
        str(error),
        repr(error),
        "".join(traceback.format_exception(error)),
        repr(channel),
        caplog.text,
        out,
        err,
    ):
        assert wrong not in text
        assert PASSWORD not in text


def test_a_refused_recipient_is_permanent(server: LocalSmtpServer) -> None:
    server.refuse_recipient(OWNER)

    error = _fails(_channel(server))

    assert error.permanent
    assert OWNER in error.reason
    assert "550" in error.reason
    assert server.messages == []


def test_one_refused_recipient_of_two_is_permanent_and_the_other_gets_it(
    server: LocalSmtpServer,
) -> None:
    other = "desk@example.test"
    server.refuse_recipient(other)

    error = _fails(_channel(server, recipients=[OWNER, other]))

    assert error.permanent
    assert other in error.reason
    [mail] = server.wait_for(1)
    assert mail.rcpt_tos == (OWNER,)


def test_down_is_transient_and_delivery_resumes_when_back(server: LocalSmtpServer) -> None:
    channel = _channel(server)
    server.go_down()

    error = _fails(channel, title="while down")

    assert not error.permanent
    assert "connection refused" in error.reason
    server.come_back()
    channel.send(notification(title="back"))
    [mail] = server.wait_for(1)
    assert mail.message["Subject"] == "[tradebot] critical back"


def test_a_server_that_never_answers_times_out_as_transient() -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never greets
        port = silent.getsockname()[1]
        channel = EmailChannel("127.0.0.1", port, sender=SENDER, recipients=[OWNER], timeout_s=0.3)

        error = _fails(channel)

    assert not error.permanent
    assert "timed out" in error.reason


@pytest.mark.parametrize(
    ("sender", "recipients"), [("not-an-address", [OWNER]), (SENDER, []), (SENDER, ["nobody"])]
)
def test_bad_addresses_are_a_config_error(sender: str, recipients: list[str]) -> None:
    with pytest.raises(ConfigError):
        EmailChannel("127.0.0.1", 25, sender=sender, recipients=recipients)


def test_an_unreadable_ca_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        EmailChannel(
            "127.0.0.1", 25, sender=SENDER, recipients=[OWNER], ca_file=str(tmp_path / "no.pem")
        )
