"""The built React dashboard (``dashboard/dist``), served by ``tradebot serve`` beside the API.

One route, added after every API router and matching only what they leave: GET and HEAD
outside the API's own prefixes (:data:`RESERVED`). Those prefixes never reach it, so an
unknown ``/api/...`` path stays the API's JSON 404 and a wrong method on an API path its
405, exactly as without a dashboard.

- ``/assets/*`` are Vite's content-hashed files: ``Cache-Control: public, max-age=31536000,
  immutable`` (a new build has new names). A missing asset is a 404, never ``index.html``:
  HTML where a script was asked for fails in the browser with a misleading error.
- A file of the build's root (``favicon.svg``, ``robots.txt``) is served as itself,
  ``no-cache`` (its name does not change with its content).
- Any other path is a route of the single-page app (``/portfolio``, ``/trades/...``,
  ``/login``): ``index.html`` with ``no-cache``, so a new build is picked up at the next
  load (the ETag makes that check a 304).

No path escapes the folder: the request path is split into names, a ``..``, ``.`` or hidden
name (``.env``) is never a file, and the resolved path must still lie inside the folder
(a symbolic link pointing out of it is refused too). Files are read from disk per request
(a rebuild while the server runs is served at once); what was read is kept, keyed by the
file's size and modification time, with its gzip form for text files — compressed once,
not per request, and only here: API responses are never compressed (a compressed JSON
reply next to a secret-bearing one is the BREACH setting).

Without a build (no folder or no ``index.html``) every app path answers 503 with a short
page saying how to build it, and the server logs one warning at start.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import threading
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, HTTPException
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Match, Route
from starlette.types import Scope

import tradebot
from tradebot.config import ApiSettings

__all__ = [
    "ASSET_CACHE",
    "PAGE_CACHE",
    "RESERVED",
    "Dashboard",
    "dashboard_folder",
    "mount_dashboard",
]

RESERVED = ("/api", "/ws", "/health", "/ready", "/docs", "/redoc", "/openapi.json")
"""Path prefixes that belong to the API (each itself and everything under it)."""
ASSET_CACHE = "public, max-age=31536000, immutable"
PAGE_CACHE = "no-cache"
NOT_BUILT = (
    "The dashboard is not built: run `make dashboard` "
    "(or `cd dashboard && npm ci && npm run build`)"
)
_NOT_BUILT_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    "<title>tradebot: the dashboard is not built</title></head><body>"
    "<p>The dashboard is not built: run <code>make dashboard</code> (or "
    "<code>cd dashboard &amp;&amp; npm ci &amp;&amp; npm run build</code>).</p>"
    '<p>The API runs: see <a href="/docs">/docs</a>.</p></body></html>'
)
_COMPRESSIBLE = frozenset(
    {".html", ".js", ".mjs", ".css", ".svg", ".json", ".map", ".txt", ".xml", ".webmanifest"}
)
_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ico": "image/x-icon",
    ".png": "image/png",
    ".txt": "text/plain",
}
"""Fixed here rather than from the host's ``/etc/mime.types`` (some map ``.js`` to
``application/x-javascript``, which a strict browser refuses for a module script)."""
_MIN_GZIP_BYTES = 256
_CACHE_LIMIT_BYTES = 64 << 20
"""What the kept files may take together (a Vite build is a few MiB); past it a file is
served from disk each time."""


def dashboard_folder(api: ApiSettings) -> Path:
    """``api.dashboard_dir``, else the source tree's ``dashboard/dist`` (where ``make
    dashboard`` builds it; the path holds for the editable install)."""
    if api.dashboard_dir is not None:
        return api.dashboard_dir
    return Path(tradebot.__file__).resolve().parents[2] / "dashboard" / "dist"


@dataclass(frozen=True, slots=True)
class _File:
    stamp: tuple[int, int]
    """(size, modification time in ns) of the file read."""
    body: bytes
    gzipped: bytes | None
    media_type: str
    etag: str


class Dashboard:
    """The files of one build folder, read on demand (module docstring)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._root = folder.resolve()
        self._lock = threading.Lock()
        self._kept: dict[str, _File] = {}
        self._kept_bytes = 0

    def problem(self) -> str | None:
        """Why the dashboard cannot be served now (None when it can)."""
        if not (self._root / "index.html").is_file():
            return f"{NOT_BUILT} (looked in {self.folder})"
        return None

    async def respond(self, request: Request) -> Response:
        """The answer to a GET or HEAD of a path the API does not own."""
        path: str = request.path_params.get("path", "")  # decoded, the leading / gone
        names = path.strip("/").split("/") if path.strip("/") else []
        asset = bool(names) and names[0] == "assets"
        found = await run_in_threadpool(self._read, names) if names else None
        if found is not None:
            return _respond(request, found, ASSET_CACHE if asset else PAGE_CACHE)
        if asset:
            raise HTTPException(status_code=404)
        page = await run_in_threadpool(self._read, ["index.html"])
        if page is None:
            return HTMLResponse(
                _NOT_BUILT_PAGE, status_code=503, headers={"Cache-Control": "no-store"}
            )
        return _respond(request, page, PAGE_CACHE)

    def _locate(self, names: list[str]) -> Path | None:
        """The file ``names`` denote inside the folder; None for anything else."""
        if any(not n or n.startswith(".") or "\\" in n or "\x00" in n for n in names):
            return None
        try:
            candidate = self._root.joinpath(*names).resolve()
        except (OSError, RuntimeError, ValueError):  # a loop of links, a name too long
            return None
        if not candidate.is_relative_to(self._root) or not candidate.is_file():
            return None
        return candidate

    def _read(self, names: list[str]) -> _File | None:
        path = self._locate(names)
        if path is None:
            return None
        key = "/".join(names)
        try:
            info = path.stat()
            stamp = (info.st_size, info.st_mtime_ns)
            with self._lock:
                kept = self._kept.get(key)
            if kept is not None and kept.stamp == stamp:
                return kept
            body = path.read_bytes()
        except OSError:  # removed by a rebuild between the look and the read
            return None
        found = _file_of(path.suffix.lower(), body, stamp)
        with self._lock:
            previous = self._kept.pop(key, None)
            self._kept_bytes -= _size(previous)
            if self._kept_bytes + _size(found) <= _CACHE_LIMIT_BYTES:
                self._kept[key] = found
                self._kept_bytes += _size(found)
        return found


def _size(file: _File | None) -> int:
    if file is None:
        return 0
    return len(file.body) + len(file.gzipped or b"")


def _file_of(suffix: str, body: bytes, stamp: tuple[int, int]) -> _File:
    media_type = _TYPES.get(suffix) or mimetypes.guess_type(f"x{suffix}")[0]
    media_type = media_type or "application/octet-stream"
    if media_type.startswith("text/") or media_type in ("application/json", "image/svg+xml"):
        media_type += "; charset=utf-8"
    gzipped = None
    if suffix in _COMPRESSIBLE and len(body) >= _MIN_GZIP_BYTES:
        packed = gzip.compress(body, compresslevel=9, mtime=0)
        gzipped = packed if len(packed) < len(body) else None
    etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    return _File(stamp, body, gzipped, media_type, etag)


def _accepts_gzip(header: str) -> bool:
    """Whether an ``Accept-Encoding`` value admits gzip: named (or ``*``) and not at q=0."""
    weights: dict[str, float] = {}
    for part in header.lower().split(","):
        name, _, params = part.partition(";")
        quality = params.strip()
        try:
            weights[name.strip()] = float(quality[2:]) if quality.startswith("q=") else 1.0
        except ValueError:
            weights[name.strip()] = 0.0
    return weights.get("gzip", weights.get("*", 0.0)) > 0


def _respond(request: Request, file: _File, cache: str) -> Response:
    headers = {"Cache-Control": cache, "ETag": file.etag}
    if file.gzipped is not None:
        headers["Vary"] = "Accept-Encoding"
    if file.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    body = file.body
    if file.gzipped is not None and _accepts_gzip(request.headers.get("accept-encoding", "")):
        body = file.gzipped
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type=file.media_type, headers=headers)


class _DashboardRoute(Route):
    """A catch-all GET/HEAD route that never matches the API's prefixes nor another method,
    so those keep the answers the API's own routes and defaults give (404 JSON, 405)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return Match.NONE, {}
        path: str = scope["path"]
        if any(path == p or path.startswith(p + "/") for p in RESERVED):
            return Match.NONE, {}
        return super().matches(scope)


def mount_dashboard(app: FastAPI, folder: Path) -> Dashboard:
    """Serve the build in ``folder`` on ``app`` after every route it has (call it last)."""
    dashboard = Dashboard(folder)
    app.router.routes.append(
        _DashboardRoute(
            "/{path:path}",
            dashboard.respond,
            methods=["GET", "HEAD"],
            name="dashboard",
            include_in_schema=False,
        )
    )
    return dashboard
