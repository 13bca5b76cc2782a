"""Security headers on every response, as a plain ASGI middleware.

(Starlette's ``@app.middleware("http")`` wraps each request in a task and a stream and cost
more per request than the routes' own work; this one only edits the start message.)

Behind an https public origin it adds ``Strict-Transport-Security`` too, so a browser that
has been there once never again tries the plain-http address (where a network attacker could
strip TLS and catch a sign-in). Not under an http origin: a development server on
http://localhost would pin localhost to https for a year.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["HSTS", "SECURITY_HEADERS", "SecurityHeaders"]

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; connect-src 'self' ws: wss:; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'self'"
    ),
}
DOCS_CSP = (  # Swagger UI loads its bundle from a CDN; only /docs and /redoc relax the policy
    "default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline' https:; "
    "script-src 'self' 'unsafe-inline' https:; frame-ancestors 'none'"
)
HSTS = "max-age=31536000"
_COMMON = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
_HSTS = (b"strict-transport-security", HSTS.encode())
_CSP = b"content-security-policy"


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` (those the response did not set itself), the docs'
    looser CSP on ``/docs`` and ``/redoc``, and ``Cache-Control: no-store`` under /api/;
    with ``hsts`` (an https public origin) ``Strict-Transport-Security`` on every response."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self._common = [*_COMMON, _HSTS] if hsts else _COMMON

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        docs = path in ("/docs", "/redoc")
        api = path.startswith("/api/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in self._common:
                    if name not in present:
                        headers.append(
                            (name, DOCS_CSP.encode() if docs and name == _CSP else value)
                        )
                if api and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
