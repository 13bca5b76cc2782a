"""A bounded, conditional HTTP GET for feeds.

feedparser can fetch by itself, but without a size bound or a total time bound, so a feed
that streams forever, or very slowly, would hang or exhaust the poller. Here a fetch:

- sends ``If-None-Match``/``If-Modified-Since`` from the last answer (a 304 costs no body);
- stops at ``max_bytes`` (refused at once when ``Content-Length`` says more), after
  decompression too, so a gzip bomb is as bounded as a plain body;
- stops at ``timeout_s`` in total, not per read, so a server trickling a byte a second
  cannot hold it;
- follows redirects to http(s) only (never ``file:`` or ``ftp:``).

Every failure is a :class:`FetchError` with one line saying what happened.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from typing import IO, Any

__all__ = ["DEFAULT_USER_AGENT", "FetchError", "FetchResult", "fetch"]

DEFAULT_USER_AGENT = "tradebot/0.1 news-fetcher"
_CHUNK = 64 * 1024


class FetchError(Exception):
    """A feed could not be fetched. ``retry_after`` (seconds) when the server asked for it."""

    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class FetchResult:
    """``status`` 200 with ``body``, or 304 (not modified) with an empty body."""

    status: int
    body: bytes
    etag: str | None
    last_modified: str | None
    content_type: str | None
    url: str


class _SafeRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        if not newurl.lower().startswith(("http://", "https://")):
            raise FetchError(f"redirect to a non-http URL {newurl[:100]!r} refused")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_SafeRedirects())


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout_s: float = 10.0,
    max_bytes: int = 5_000_000,
    user_agent: str = DEFAULT_USER_AGENT,
    monotonic: Callable[[], float] = time.monotonic,
) -> FetchResult:
    """GET ``url`` within ``timeout_s`` and ``max_bytes`` (see the module docstring)."""
    headers = {
        "User-Agent": user_agent,
        "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5",
        "Accept-Encoding": "gzip, deflate",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    request = urllib.request.Request(url, headers=headers)
    deadline = monotonic() + timeout_s
    try:
        with _OPENER.open(request, timeout=timeout_s) as response:
            raw = _read_bounded(response, max_bytes, deadline, monotonic, timeout_s)
            info = response.headers
            final_url = response.geturl()
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return FetchResult(304, b"", etag, last_modified, None, url)
        raise FetchError(
            f"HTTP {exc.code} {exc.reason}", retry_after=_retry_after(exc.headers)
        ) from None
    except FetchError:
        raise
    except (TimeoutError, urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise FetchError(f"{type(exc).__name__}: {reason}") from None
    body = _decode_content(raw, info.get("Content-Encoding", ""), max_bytes)
    return FetchResult(
        200,
        body,
        info.get("ETag") or None,
        info.get("Last-Modified") or None,
        info.get("Content-Type") or None,
        final_url,
    )


def _read_bounded(
    response: Any, max_bytes: int, deadline: float, monotonic: Callable[[], float], timeout: float
) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"body of {int(declared):,} bytes is over the {max_bytes:,} byte limit")
    chunks: list[bytes] = []
    size = 0
    while True:
        if monotonic() > deadline:
            raise FetchError(f"no complete answer within {timeout:g}s ({size:,} bytes read)")
        chunk = response.read1(_CHUNK)  # returns after one receive: the deadline is checked
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"body is over the {max_bytes:,} byte limit")
        chunks.append(chunk)


def _decode_content(raw: bytes, encoding: str, max_bytes: int) -> bytes:
    """Undo gzip/deflate transfer compression without letting it grow past ``max_bytes``."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return raw
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise FetchError(f"unsupported Content-Encoding {encoding!r}")
    wbits = 16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS
    try:
        inflater = zlib.decompressobj(wbits)
        body = inflater.decompress(raw, max_bytes + 1)
    except zlib.error as exc:
        raise FetchError(f"corrupt {encoding} body: {exc}") from None
    if len(body) > max_bytes or inflater.unconsumed_tail:
        raise FetchError(f"decompressed body is over the {max_bytes:,} byte limit")
    return body


def _retry_after(headers: Message | None) -> float | None:
    value = headers.get("Retry-After") if headers is not None else None
    if value is None or not value.strip().isdigit():
        return None
    return float(value.strip())
