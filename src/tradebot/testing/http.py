"""A scripted HTTP server on 127.0.0.1 for network adapters' tests (no test leaves the host).

Routes map a path to a :class:`Reply` or to a function of the :class:`RecordedRequest`, so a
test can speak a real protocol (ETag/304, an OAuth token endpoint, a JSON listing) and
misbehave on purpose: slow (``chunk_delay_s``), endless or huge (``stream_bytes`` without a
length), any status. Every request is recorded for the test to inspect.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tradebot.testing.service import LocalService

__all__ = ["LocalHttpServer", "RecordedRequest", "Reply", "Responder", "conditional"]


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # names lower-cased
    body: bytes


@dataclass(slots=True)
class Reply:
    """What the server answers. With ``stream_bytes`` the body is followed by that many
    filler bytes, generated as sent, and no ``Content-Length`` (the body ends at close)."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    chunk_size: int = 64 * 1024
    chunk_delay_s: float = 0.0
    stream_bytes: int = 0


Responder = Callable[[RecordedRequest], Reply]


def conditional(reply: Reply, etag: str, last_modified: str | None = None) -> Responder:
    """``reply`` with validators; a request that presents them gets 304 Not Modified."""
    reply.headers = {**reply.headers, "ETag": etag}
    if last_modified:
        reply.headers["Last-Modified"] = last_modified

    def respond(request: RecordedRequest) -> Reply:
        if request.headers.get("if-none-match") == etag or (
            last_modified and request.headers.get("if-modified-since") == last_modified
        ):
            return Reply(status=304, headers={"ETag": etag})
        return reply

    return respond


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # quiet tests
        return None

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def _answer(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        request = RecordedRequest(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        self.server.owner.requests.append(request)
        route = self.server.owner.routes.get(parts.path)
        if route is None:
            reply = Reply(status=404, body=b"not found")
        else:
            reply = route(request) if callable(route) else route
        try:
            self._send(reply)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True  # the client gave up: that is what the test wanted

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.stream_bytes:
            self.send_header("Connection", "close")
            self.close_connection = True
        elif reply.status != 304:
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if reply.status == 304 or self.command == "HEAD":
            return
        step = max(reply.chunk_size, 1)
        for start in range(0, len(reply.body), step):
            self._pace(reply)
            self.wfile.write(reply.body[start : start + step])
        filler = b" " * step
        sent = 0
        while sent < reply.stream_bytes:
            self._pace(reply)
            piece = filler[: reply.stream_bytes - sent]
            self.wfile.write(piece)
            sent += len(piece)

    def _pace(self, reply: Reply) -> None:
        if reply.chunk_delay_s:
            self.wfile.flush()
            self.server.owner.stopping.wait(reply.chunk_delay_s)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: LocalHttpServer

    def handle_error(self, request: object, client_address: object) -> None:
        return None  # a client that hung up mid-request is what hostile-server tests do


class LocalHttpServer(LocalService):
    """``with LocalHttpServer() as server: server.routes["/feed"] = Reply(...)``."""

    def __init__(self) -> None:
        self.routes: dict[str, Reply | Responder] = {}
        self.requests: list[RecordedRequest] = []
        self.stopping = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path]

    def start(self) -> LocalHttpServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()  # wakes slow replies so their threads end
        self._server.shutdown()
        self._server.server_close()
