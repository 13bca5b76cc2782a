"""E-mail through SMTP (stdlib ``smtplib``) with STARTTLS: one notification, one attempt.

Each send opens a connection (notifications are rare; a kept-open session would only
time out between them): EHLO, STARTTLS verified against the system's CAs or ``ca_file``,
EHLO again, AUTH when a username is set, the message, QUIT. With ``starttls`` (the default)
a server that does not offer STARTTLS gets nothing — not even the password.

The message is ``multipart/alternative``: the plain body, and HTML (``n.html``, else the body
escaped in ``<pre>``); with an image the HTML part becomes ``multipart/related`` holding the
PNG inline, referenced as ``<img src="cid:...">``. Headers: ``Subject: [tradebot] <severity>
<title>``, ``Date``, ``Message-ID``, ``X-Tradebot-Event`` and, when set,
``X-Tradebot-Correlation-Id``.

How failures map to :class:`~tradebot.domain.notifications.DeliveryError`:

- refused recipients, 5xx answers (authentication failed, sender refused, message refused),
  no STARTTLS offered, a certificate that fails verification, no AUTH offered → ``permanent``;
- refused connections, timeouts, dropped connections, 4xx answers → transient.
"""

from __future__ import annotations

import html
import smtplib
import ssl
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from tradebot.adapters.clock import utc_now
from tradebot.domain.errors import ConfigError
from tradebot.domain.notifications import DeliveryError, Notification
from tradebot.ops.logging import get_logger

__all__ = ["EmailChannel", "build_message"]

_log = get_logger("notify.email")


def build_message(
    notification: Notification, *, sender: str, recipients: Sequence[str], now: datetime
) -> EmailMessage:
    """The e-mail for ``notification`` (see the module for its shape)."""
    n = notification
    domain = sender.rpartition("@")[2] or "tradebot.local"
    message = EmailMessage()
    message["Subject"] = _header(f"[tradebot] {n.severity.value} {n.title}")
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime(now.astimezone(UTC))
    message["Message-ID"] = make_msgid(domain=domain)
    message["X-Tradebot-Event"] = n.event.value
    if n.correlation_id:
        message["X-Tradebot-Correlation-Id"] = _header(n.correlation_id)
    message.set_content(_plain(n))
    body = n.html if n.html is not None else f"<pre>{html.escape(n.body)}</pre>"
    image_html = ""
    cid = ""
    if n.image is not None:
        cid = make_msgid(domain=domain)
        image_html = f'<p><img src="cid:{cid[1:-1]}" alt="{html.escape(n.image.alt)}"></p>'
    message.add_alternative(
        "<!DOCTYPE html><html><body>"
        f"<h3>{html.escape(n.title)}</h3>{body}{image_html}"
        f'<p style="color:#888">{html.escape(_footer(n))}</p>'
        "</body></html>",
        subtype="html",
    )
    if n.image is not None:
        for part in message.iter_parts():
            if part.get_content_type() == "text/html":
                part.add_related(
                    n.image.png, maintype="image", subtype="png", cid=cid, filename=n.image.filename
                )
    return message


class EmailChannel:
    """``NotificationChannel`` to a fixed list of recipients. Synchronous (the dispatcher's
    worker thread); every socket operation bounded by ``timeout_s``."""

    name = "email"

    def __init__(
        self,
        host: str,
        port: int,
        *,
        sender: str,
        recipients: Sequence[str],
        username: str | None = None,
        password: str | None = None,
        starttls: bool = True,
        ca_file: str | None = None,
        timeout_s: float = 10.0,
        local_hostname: str | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        if not host:
            raise ConfigError("no SMTP host is set", "set notifications.smtp_host")
        if "@" not in sender:
            raise ConfigError(
                f"the e-mail sender {sender!r} is not an address", "set notifications.email_from"
            )
        if not recipients or any("@" not in r for r in recipients):
            raise ConfigError(
                "the e-mail recipients are missing or not addresses",
                "set notifications.email_to",
            )
        if username is not None and not password:
            raise ConfigError(
                f"an SMTP username ({username!r}) is set but no password",
                "set TRADEBOT_NOTIFICATIONS__SMTP_PASSWORD",
            )
        if timeout_s <= 0:
            raise ConfigError(f"timeout_s must be positive, not {timeout_s}")
        try:
            self._tls = ssl.create_default_context(cafile=ca_file)
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"cannot read the SMTP CA file {ca_file!r} ({_first_line(exc)})",
                "set notifications.smtp_ca_file to a PEM file of CA certificates",
            ) from None
        self.host = host
        self.port = port
        self.sender = sender
        self.recipients = tuple(recipients)
        self.username = username
        self._password = password
        self.starttls = starttls
        self.ca_file = ca_file
        self.timeout_s = timeout_s
        self._local_hostname = local_hostname
        self._now = now or utc_now

    def __repr__(self) -> str:
        return (
            f"EmailChannel(host={self.host!r}, port={self.port}, sender={self.sender!r}, "
            f"recipients={self.recipients!r}, username={self.username!r})"
        )

    def send(self, notification: Notification) -> None:
        """Deliver ``notification`` (one attempt) or raise ``DeliveryError``."""
        message = build_message(
            notification, sender=self.sender, recipients=self.recipients, now=self._now()
        )
        try:
            refused = self._deliver(message)
        except DeliveryError:
            raise
        except (smtplib.SMTPException, OSError) as exc:  # ssl errors are OSErrors too
            raise self._failure(exc) from None
        if refused:
            raise DeliveryError(
                f"email: recipient(s) refused ({_refusals(refused)}); "
                f"delivered to the {len(self.recipients) - len(refused)} other(s)",
                permanent=True,
            )
        _log.debug("email_sent", host=self.host, recipients=len(self.recipients))

    def close(self) -> None:
        """Nothing is held between sends."""

    @property
    def _where(self) -> str:
        return f"the SMTP server {self.host}:{self.port}"

    def _deliver(self, message: EmailMessage) -> dict[str, tuple[int, bytes]]:
        # Connecting in the constructor is what makes smtplib remember the host name that
        # STARTTLS then verifies the certificate against.
        smtp = smtplib.SMTP(
            self.host, self.port, timeout=self.timeout_s, local_hostname=self._local_hostname
        )
        try:
            smtp.ehlo()
            if self.starttls:
                if not smtp.has_extn("starttls"):
                    raise DeliveryError(
                        f"email: {self._where} does not offer STARTTLS; refusing to send in "
                        "clear (set notifications.smtp_starttls to false to allow it)",
                        permanent=True,
                    )
                smtp.starttls(context=self._tls)
                smtp.ehlo()
            if self.username is not None:
                smtp.login(self.username, self._password or "")
            refused: dict[str, tuple[int, bytes]] = smtp.send_message(
                message, from_addr=self.sender, to_addrs=list(self.recipients)
            )
        except (DeliveryError, smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
            _quit(smtp)  # the server answered: the session is sound, say goodbye
            raise
        except BaseException:
            smtp.close()  # timed out, dropped, TLS broken: QUIT would only wait again
            raise
        _quit(smtp)
        return refused

    def _failure(self, exc: smtplib.SMTPException | OSError) -> DeliveryError:
        """One line for what went wrong, and whether trying again can help."""
        where = self._where
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            refusals = _refusals(exc.recipients)
            return DeliveryError(f"email: every recipient was refused ({refusals})", permanent=True)
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            return DeliveryError(
                f"email: login as {self.username!r} refused ({self._answer(exc)})",
                permanent=exc.smtp_code >= 500,
            )
        if isinstance(exc, smtplib.SMTPNotSupportedError):
            return DeliveryError(f"email: {where} offers no AUTH; cannot log in", permanent=True)
        if isinstance(exc, smtplib.SMTPResponseException):
            return DeliveryError(
                f"email: {where} answered {self._answer(exc)}", permanent=exc.smtp_code >= 500
            )
        if isinstance(exc, ssl.SSLCertVerificationError):
            return DeliveryError(
                f"email: the TLS certificate of {where} failed verification "
                f"({exc.verify_message}); set notifications.smtp_ca_file to its CA",
                permanent=True,
            )
        if isinstance(exc, ConnectionRefusedError):
            return DeliveryError(f"email: connection refused by {where}")
        timed_out = isinstance(exc, TimeoutError) or (
            # smtplib's way to say "timed out" while reading an answer
            isinstance(exc, smtplib.SMTPServerDisconnected)
            and isinstance(exc.__context__, TimeoutError)
        )
        if timed_out:
            return DeliveryError(f"email: {where} timed out after {self.timeout_s}s")
        if isinstance(exc, smtplib.SMTPServerDisconnected):
            return DeliveryError(f"email: {where} closed the connection")
        detail = self._scrub(_first_line(exc))
        if isinstance(exc, smtplib.SMTPException):  # e.g. no AUTH method in common
            return DeliveryError(f"email: {where}: {detail}", permanent=True)
        return DeliveryError(f"email: {where}: {detail}")

    def _answer(self, exc: smtplib.SMTPResponseException) -> str:
        raw = exc.smtp_error
        text = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
        return self._scrub(f"{exc.smtp_code} {' '.join(text.split())}".strip()[:300])

    def _scrub(self, text: str) -> str:
        """``text`` with the password blanked, should a server or library echo it."""
        return text.replace(self._password, "***") if self._password else text


def _quit(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _plain(n: Notification) -> str:
    return f"{n.body.rstrip()}\n\n-- \n{_footer(n)}\n"


def _footer(n: Notification) -> str:
    parts = [f"tradebot · {n.event.value}", n.ts.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")]
    if n.correlation_id:
        parts.append(f"decision {n.correlation_id}")
    return " · ".join(parts)


def _header(text: str) -> str:
    """One line: a title with a newline must not become a second header."""
    return " ".join(text.split())


def _refusals(refused: dict[str, tuple[int, bytes]]) -> str:
    return ", ".join(
        f"{address}: {code} {' '.join(answer.decode(errors='replace').split())[:120]}"
        for address, (code, answer) in refused.items()
    )


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
