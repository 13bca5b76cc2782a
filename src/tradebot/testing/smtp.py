"""A real SMTP server on 127.0.0.1 (aiosmtpd), to rehearse e-mail without a mail provider.

``LocalSmtpServer`` requires STARTTLS before anything but EHLO/NOOP/QUIT, with a
certificate for ``localhost`` and ``127.0.0.1`` signed by a throw-away CA made here with
``cryptography``: give the client ``ca_file`` and it verifies the server for real (without
it, verification fails, as it should). With ``username``/``password`` it offers AUTH
(PLAIN, LOGIN) only after STARTTLS and refuses mail from a client that did not log in.
Every message accepted is parsed into an :class:`email.message.EmailMessage` and kept, with
its envelope, in ``messages``.

Faults: ``refuse_recipient(addr)`` (550 at RCPT), ``go_down`` / ``come_back`` (stops
listening, then listens again on the same port: "connection refused" in between).

Needs ``aiosmtpd`` and ``cryptography`` (the ``testing`` or ``dev`` extra); importing
``tradebot.testing`` does not import this module.

    with LocalSmtpServer(username="bot", password="pw") as server:
        channel = EmailChannel(server.host, server.port, ..., ca_file=server.ca_file)
        ...
        [mail] = server.wait_for(1)
"""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import logging
import shutil
import ssl
import tempfile
import threading
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tradebot.adapters.clock import utc_now
from tradebot.testing.service import LocalService

__all__ = ["LocalSmtpServer", "ReceivedMail"]


@dataclass(frozen=True, slots=True)
class ReceivedMail:
    """One message the server accepted."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    tls: bool
    """Whether the session had gone through STARTTLS."""
    authenticated_as: str | None


class LocalSmtpServer(LocalService):
    """An SMTP server with STARTTLS (and optional AUTH) on 127.0.0.1 (see the module)."""

    host = "127.0.0.1"

    def __init__(
        self,
        *,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = True,
        port: int = 0,
    ) -> None:
        if (username is None) != (password is None):
            raise ValueError("give both username and password, or neither")
        self.messages: list[ReceivedMail] = []
        self._username = username
        self._password = password
        self._port = port
        self._refused: set[str] = set()
        self._changed = threading.Condition()
        self._dir = Path(tempfile.mkdtemp(prefix="tradebot-smtp-"))
        self.ca_file = str(self._dir / "ca.pem")
        """The CA that signed the server's certificate: the client's ``ca_file``."""
        cert_file, key_file = _write_certificates(self._dir)
        self._tls: ssl.SSLContext | None = None
        if starttls:
            self._tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self._tls.load_cert_chain(cert_file, key_file)
        self._controller: _Controller | None = None

    @property
    def port(self) -> int:
        return self._port

    # --- life cycle -------------------------------------------------------------------
    def start(self) -> LocalSmtpServer:
        self._listen()
        return self

    def stop(self) -> None:
        self.go_down()
        shutil.rmtree(self._dir, ignore_errors=True)

    def go_down(self) -> None:
        """Stop listening: clients get "connection refused" until :meth:`come_back`."""
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    def come_back(self) -> None:
        """Listen again, on the same port."""
        if self._controller is None:
            self._listen()

    # --- faults and waiting -----------------------------------------------------------
    def refuse_recipient(self, address: str) -> None:
        """Answer 550 when ``address`` is given at RCPT TO."""
        with self._changed:
            self._refused.add(address.lower())

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedMail]:
        """The messages, once there are at least ``count`` (AssertionError after
        ``timeout`` seconds)."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.messages) >= count, timeout):
                raise AssertionError(f"{len(self.messages)} mail(s) arrived, expected {count}")
            return list(self.messages)

    # --- serving ------------------------------------------------------------------------
    def _listen(self) -> None:
        kwargs: dict[str, Any] = {
            "hostname": self.host,
            "port": self._port,
            "server_hostname": "localhost",
            "ready_timeout": 10.0,
        }
        if self._tls is not None:
            kwargs.update(tls_context=self._tls, require_starttls=True)
        if self._username is not None:
            kwargs.update(
                authenticator=self._authenticate, auth_required=True, auth_require_tls=True
            )
        _quiet_aiosmtpd()
        controller = _Controller(_Handler(self), **kwargs)
        controller.start()
        self._port = controller.port
        self._controller = controller

    def _refuses(self, address: str) -> bool:
        with self._changed:
            return address.lower() in self._refused

    def _record(self, mail: ReceivedMail) -> None:
        with self._changed:
            self.messages.append(mail)
            self._changed.notify_all()

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        assert self._username is not None
        assert self._password is not None
        ok = (
            isinstance(data, LoginPassword)
            and hmac.compare_digest(data.login, self._username.encode())
            and hmac.compare_digest(data.password, self._password.encode())
        )
        return AuthResult(success=ok, handled=False, auth_data=data if ok else None)


class _QuietDeprecation(logging.Filter):
    """aiosmtpd warns "Session.login_data is deprecated" on every successful AUTH, from its
    own code: noise in a rehearsal's log, so it is dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "login_data is deprecated" not in record.getMessage()


def _quiet_aiosmtpd() -> None:
    logger = logging.getLogger("mail.log")
    if not any(isinstance(f, _QuietDeprecation) for f in logger.filters):
        logger.addFilter(_QuietDeprecation())


class _Controller(Controller):
    """aiosmtpd's controller, able to listen on port 0: it learns the port the system gave
    before its start-up probe connects."""

    def _trigger_server(self) -> None:
        sockets = getattr(self.server, "sockets", None)
        if self.port == 0 and sockets:
            self.port = int(sockets[0].getsockname()[1])
        super()._trigger_server()  # type: ignore[no-untyped-call]


class _Handler:
    def __init__(self, owner: LocalSmtpServer) -> None:
        self._owner = owner

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook names)
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if self._owner._refuses(address):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        # as received on the wire, with line ends as Python writes them (\n), for tests
        content = (envelope.original_content or b"").replace(b"\r\n", b"\n")
        message = BytesParser(policy=policy.default).parsebytes(content)
        assert isinstance(message, EmailMessage)
        login = session.auth_data.login if isinstance(session.auth_data, LoginPassword) else None
        self._owner._record(
            ReceivedMail(
                mail_from=envelope.mail_from or "",
                rcpt_tos=tuple(envelope.rcpt_tos),
                message=message,
                tls=session.ssl is not None,
                authenticated_as=login.decode() if login is not None else None,
            )
        )
        return "250 2.0.0 OK: queued"


def _write_certificates(folder: Path) -> tuple[str, str]:
    """A CA (written to ``ca.pem``) and a server certificate for localhost and 127.0.0.1
    signed by it; the server's certificate and key file names."""
    now = utc_now()
    validity = (now - dt.timedelta(days=1), now + dt.timedelta(days=30))
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tradebot test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(validity[0])
        .not_valid_after(validity[1])
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(validity[0])
        .not_valid_after(validity[1])
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    (folder / "ca.pem").write_bytes(ca_cert.public_bytes(pem))
    (folder / "server.pem").write_bytes(cert.public_bytes(pem))
    (folder / "server.key").write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(folder / "server.pem"), str(folder / "server.key")


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )
