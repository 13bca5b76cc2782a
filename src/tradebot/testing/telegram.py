"""A fake Telegram Bot API on 127.0.0.1, to rehearse notifications without Telegram.

``FakeTelegramBotApi`` speaks the documented shapes of ``getMe``, ``sendMessage`` and
``sendPhoto`` (``POST /bot<token>/<method>`` with a JSON, form or multipart body; answers
``{"ok": true, "result": {...}}`` or ``{"ok": false, "error_code": ..., "description": ...}``)
and checks what Telegram checks, so a client that passes here is not fooled: the token
(otherwise 401), a known chat (when ``chats`` is given; otherwise 400 "chat not found"),
HTML that parses (400 "can't parse entities"), the 4,096 / 1,024 character limits counted
after the markup is parsed, and a PNG or JPEG photo. What arrives is kept in ``messages``.

Faults, for tests: ``fail_next`` (a 5xx), ``throttle_next`` (429 with
``parameters.retry_after``), ``stall_next`` (no answer for a while: the client's timeout),
and ``go_down`` / ``come_back``: the server stops listening and drops its open connections
(the client sees "connection refused"), then listens again on the same port.

    with FakeTelegramBotApi("123:abc", chats=["42"]) as api:
        channel = TelegramChannel("123:abc", "42", api_url=api.url)
        ...
        [message] = api.wait_for(1)
"""

from __future__ import annotations

import contextlib
import html
import json
import re
import socket
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tradebot.adapters.clock import utc_now
from tradebot.testing.service import LocalService

__all__ = ["BotApiMessage", "FakeTelegramBotApi"]

_PATH = re.compile(r"^/bot([^/]+)/([A-Za-z]+)$")
_TAG = re.compile(
    r"</?(?:b|strong|i|em|u|ins|s|strike|del|code|pre|tg-spoiler|tg-emoji|blockquote|span|a)"
    r"(?:\s[^<>]*)?>"
)
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


@dataclass(frozen=True, slots=True)
class BotApiMessage:
    """One message the fake accepted."""

    method: str
    """``sendMessage`` or ``sendPhoto``."""
    chat_id: str
    text: str
    """The text, or the photo's caption, as sent (markup included)."""
    parse_mode: str | None
    message_id: int
    photo: bytes | None = None
    photo_filename: str | None = None
    photo_content_type: str | None = None
    disable_web_page_preview: bool = False


@dataclass(frozen=True, slots=True)
class _Fault:
    status: int = 0
    retry_after: int | None = None
    stall_s: float = 0.0


class _ApiError(Exception):
    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


class FakeTelegramBotApi(LocalService):
    """A threaded HTTP server speaking the Bot API for one bot token (see the module)."""

    def __init__(
        self,
        token: str,
        *,
        chats: Iterable[str] | None = None,
        port: int = 0,
        username: str = "tradebot_fake_bot",
    ) -> None:
        self.token = token
        self.username = username
        self.chats = None if chats is None else {str(c) for c in chats}
        self.messages: list[BotApiMessage] = []
        self.calls: list[str] = []
        """The method of every request that reached the server, answered or not."""
        self._port = port
        self._changed = threading.Condition()
        self._faults: deque[_Fault] = deque()
        self._wake = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()

    # --- life cycle -------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The base URL to give the client as its ``api_url``."""
        return f"http://127.0.0.1:{self._port}"

    @property
    def port(self) -> int:
        return self._port

    def start(self) -> FakeTelegramBotApi:
        self._listen()
        return self

    def stop(self) -> None:
        self.go_down()

    def go_down(self) -> None:
        """Stop listening and drop open connections: clients get "connection refused"."""
        server, self._server = self._server, None
        self._wake.set()
        if server is not None:
            server.shutdown()
            server.server_close()
        with self._changed:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def come_back(self) -> None:
        """Listen again, on the same port."""
        if self._server is None:
            self._listen()

    # --- faults and waiting -----------------------------------------------------------
    def fail_next(self, n: int = 1, status: int = 502) -> None:
        """The next ``n`` requests answer ``status`` (a 5xx: an outage behind the API)."""
        self._add(n, _Fault(status=status))

    def throttle_next(self, n: int = 1, retry_after: int = 5) -> None:
        """The next ``n`` requests answer 429 with ``parameters.retry_after``."""
        self._add(n, _Fault(status=429, retry_after=retry_after))

    def stall_next(self, n: int = 1, seconds: float = 30.0) -> None:
        """The next ``n`` requests get no answer for ``seconds`` (or until ``go_down``),
        then a normal one: a client with a shorter timeout gives up first."""
        self._add(n, _Fault(stall_s=seconds))

    def wait_for(self, count: int, timeout: float = 5.0) -> list[BotApiMessage]:
        """The messages, once there are at least ``count`` (AssertionError after
        ``timeout`` seconds)."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.messages) >= count, timeout):
                raise AssertionError(
                    f"{len(self.messages)} Telegram message(s) arrived, expected {count}"
                )
            return list(self.messages)

    # --- serving ------------------------------------------------------------------------
    def _add(self, n: int, fault: _Fault) -> None:
        with self._changed:
            self._faults.extend([fault] * n)

    def _listen(self) -> None:
        self._wake.clear()
        server = _Server(("127.0.0.1", self._port), _Handler)
        server.owner = self
        self._port = int(server.server_address[1])
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-telegram",
            daemon=True,
        )
        self._thread.start()

    def _track(self, connection: socket.socket, open_: bool) -> None:
        with self._changed:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def _next_fault(self, method: str) -> _Fault | None:
        with self._changed:
            self.calls.append(method)
            self._changed.notify_all()
            return self._faults.popleft() if self._faults else None

    def answer(self, token: str, method: str, params: dict[str, Any], files: _Files) -> Any:
        """The ``result`` of one call, or raise ``_ApiError`` (called by the handler)."""
        if token != self.token:
            raise _ApiError(401, "Unauthorized")
        if method == "getMe":
            return self._bot()
        if method not in ("sendMessage", "sendPhoto"):
            raise _ApiError(404, "Not Found")
        chat_id = str(params.get("chat_id") or "").strip()
        if not chat_id:
            raise _ApiError(400, "Bad Request: chat_id is empty")
        if self.chats is not None and chat_id not in self.chats:
            raise _ApiError(400, "Bad Request: chat not found")
        parse_mode = params.get("parse_mode") or None
        if method == "sendMessage":
            text = str(params.get("text") or "")
            if not text:
                raise _ApiError(400, "Bad Request: message text is empty")
            if _length(text, parse_mode) > 4096:
                raise _ApiError(400, "Bad Request: message is too long")
            return self._record(
                method,
                chat_id,
                text,
                parse_mode,
                preview_off=_truthy(params.get("disable_web_page_preview")),
            )
        caption = str(params.get("caption") or "")
        if _length(caption, parse_mode) > 1024:
            raise _ApiError(400, "Bad Request: message caption is too long")
        if "photo" not in files:
            raise _ApiError(400, "Bad Request: there is no photo in the request")
        filename, content_type, data = files["photo"]
        if not (data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff")):
            raise _ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
        return self._record(
            method, chat_id, caption, parse_mode, photo=(filename, content_type, data)
        )

    def _bot(self) -> dict[str, Any]:
        return {
            "id": 1000001,
            "is_bot": True,
            "first_name": "tradebot",
            "username": self.username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _record(
        self,
        method: str,
        chat_id: str,
        text: str,
        parse_mode: str | None,
        *,
        preview_off: bool = False,
        photo: tuple[str | None, str | None, bytes] | None = None,
    ) -> dict[str, Any]:
        with self._changed:
            message = BotApiMessage(
                method=method,
                chat_id=chat_id,
                text=text,
                parse_mode=parse_mode,
                message_id=len(self.messages) + 1,
                photo=photo[2] if photo else None,
                photo_filename=photo[0] if photo else None,
                photo_content_type=photo[1] if photo else None,
                disable_web_page_preview=preview_off,
            )
            self.messages.append(message)
            self._changed.notify_all()
        chat: dict[str, Any] = {"id": int(chat_id) if _is_int(chat_id) else chat_id}
        chat["type"] = "private" if isinstance(chat["id"], int) else "channel"
        result: dict[str, Any] = {
            "message_id": message.message_id,
            "from": self._bot(),
            "chat": chat,
            "date": int(utc_now().timestamp()),
        }
        if photo is None:
            result["text"] = _plain_text(text, parse_mode)
        else:
            width, height = _png_size(photo[2])
            size = {"file_size": len(photo[2]), "width": width, "height": height}
            result["photo"] = [
                {"file_id": f"photo-{message.message_id}", "file_unique_id": "u1", **size}
            ]
            if text:
                result["caption"] = _plain_text(text, parse_mode)
        return result


_Files = dict[str, tuple[str | None, str | None, bytes]]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        return None  # the request line holds the token; tests stay quiet too

    def setup(self) -> None:
        super().setup()
        self.server.owner._track(self.connection, True)

    def finish(self) -> None:
        self.server.owner._track(self.connection, False)
        with contextlib.suppress(OSError):
            super().finish()

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        owner = self.server.owner
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        match = _PATH.match(parts.path)
        fault = owner._next_fault(match.group(2) if match else parts.path)
        if fault is not None and fault.stall_s:
            owner._wake.wait(fault.stall_s)
            if owner._server is None:  # went down meanwhile: drop the request
                self.close_connection = True
                return
        try:
            if fault is not None and fault.status:
                raise _ApiError(fault.status, _reason(fault.status), fault.retry_after)
            if match is None:
                raise _ApiError(404, "Not Found")
            params, files = _parse(self.headers.get("Content-Type", ""), body, parts.query)
            result = owner.answer(match.group(1), match.group(2), params, files)
            self._reply(200, {"ok": True, "result": result})
        except _ApiError as error:
            payload: dict[str, Any] = {
                "ok": False,
                "error_code": error.status,
                "description": error.description,
            }
            if error.retry_after is not None:
                payload["parameters"] = {"retry_after": error.retry_after}
            self._reply(error.status, payload)

    def _reply(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if status == 429 and "parameters" in payload:
                self.send_header("Retry-After", str(payload["parameters"]["retry_after"]))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: FakeTelegramBotApi

    def handle_error(self, request: object, client_address: object) -> None:
        return None  # a client that hung up, or go_down cutting a connection


def _parse(content_type: str, body: bytes, query: str) -> tuple[dict[str, Any], _Files]:
    params: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query).items()}
    files: _Files = {}
    kind = content_type.split(";")[0].strip().lower()
    try:
        if kind == "application/json":
            decoded = json.loads(body or b"{}")
            if not isinstance(decoded, dict):
                raise ValueError("not an object")
            params.update(decoded)
        elif kind == "application/x-www-form-urlencoded":
            params.update({k: v[-1] for k, v in parse_qs(body.decode()).items()})
        elif kind == "multipart/form-data":
            head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
            message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                data = part.get_payload(decode=True)
                if not isinstance(name, str) or not isinstance(data, bytes):
                    continue
                filename = part.get_filename()
                if filename is None:
                    params[name] = data.decode()
                else:
                    files[name] = (filename, part.get_content_type(), data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _ApiError(400, f"Bad Request: can't parse the request ({exc})") from None
    return params, files


def _length(text: str, parse_mode: str | None) -> int:
    """Characters once Telegram has parsed the markup (UTF-16 code units)."""
    plain = _plain_text(text, parse_mode)
    return len(plain.encode("utf-16-le")) // 2


def _plain_text(text: str, parse_mode: str | None) -> str:
    if (parse_mode or "").upper() != "HTML":
        return text
    stripped = _TAG.sub("", text)
    if "<" in stripped or ">" in stripped:
        raise _ApiError(400, "Bad Request: can't parse entities: unsupported tag or bare '<'")
    if "&" in _ENTITY.sub("", stripped):
        raise _ApiError(400, "Bad Request: can't parse entities: bare '&'")
    return html.unescape(stripped)


def _png_size(data: bytes) -> tuple[int, int]:
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return 0, 0


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "1")


def _is_int(text: str) -> bool:
    return text.lstrip("-").isdigit()


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
