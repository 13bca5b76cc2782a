"""Telegram through the Bot API, with plain httpx: one notification, one attempt.

A message is HTML (``parse_mode=HTML``): the title in bold, then the body escaped, clipped to
the API's 4,096 characters with "…". A notification with an image goes out as ``sendPhoto``
whose caption is the whole text when it fits the caption's 1,024 characters; otherwise the
caption is the title and the image's alt text, followed by a ``sendMessage`` with the full
text. (If that second request fails the send fails, and a retry sends the photo again: a
duplicate picture beats a lost alert.)

The bot token is part of every URL (``/bot<token>/method``), so no URL ever leaves this
module: errors are one line built here, raised ``from None``, and a filter on httpx's
``"httpx"`` logger (which logs each request line with its URL at INFO) rewrites
``/bot<token>`` to ``/bot***``.

How the API's answers map to :class:`~tradebot.domain.notifications.DeliveryError`:

- 429 → ``retry_after`` from ``parameters.retry_after`` (or the ``Retry-After`` header);
- any other 4xx (401 bad token, 403 bot blocked, 400 chat not found) → ``permanent``;
- 5xx, a reply that is not the API's JSON, refused connections, timeouts → transient.
"""

from __future__ import annotations

import html
import logging
import re
from typing import Any

import httpx

from tradebot.domain.errors import ConfigError
from tradebot.domain.notifications import DeliveryError, Notification
from tradebot.ops.logging import get_logger

__all__ = ["CAPTION_LIMIT", "TEXT_LIMIT", "TelegramChannel", "clip", "render_text"]

TEXT_LIMIT = 4096
"""Characters of a message after entity parsing (the Bot API's limit)."""
CAPTION_LIMIT = 1024
"""Characters of a photo's caption after entity parsing."""

_TITLE_LIMIT = 256
_log = get_logger("notify.telegram")


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters as Telegram counts them (UTF-16 code units), the
    last one an ellipsis when anything was cut."""
    if _units(text) <= limit:
        return text
    kept: list[str] = []
    used = 0
    for char in text:
        width = 2 if ord(char) > 0xFFFF else 1
        if used + width > limit - 1:
            break
        kept.append(char)
        used += width
    return "".join(kept) + "…"


def render_text(title: str, body: str, limit: int) -> str:
    """The HTML of a message: bold title, blank line, escaped body, at most ``limit``
    characters once Telegram has parsed the markup (so clipping happens before escaping and
    never cuts a tag or an entity in half)."""
    title = clip(" ".join(title.split()), min(limit, _TITLE_LIMIT))
    room = limit - _units(title) - 2
    body = body.strip()
    if not body or room < 2:
        return f"<b>{_escape(title)}</b>"
    return f"<b>{_escape(title)}</b>\n\n{_escape(clip(body, room))}"


class TelegramChannel:
    """``NotificationChannel`` for one chat. Synchronous: it runs on the dispatcher's worker
    thread, every request bounded by ``timeout_s``; ``client`` lets tests or a proxy set-up
    supply their own ``httpx.Client`` (it is then not closed here)."""

    name = "telegram"

    def __init__(
        self,
        token: str,
        chat_id: str,
        *,
        api_url: str = "https://api.telegram.org",
        timeout_s: float = 10.0,
        client: httpx.Client | None = None,
    ) -> None:
        if not token or any(c.isspace() or c in "/?#" for c in token):
            raise ConfigError(
                "the Telegram bot token is empty or malformed",
                "set TRADEBOT_NOTIFICATIONS__TELEGRAM_BOT_TOKEN to the token @BotFather gave",
            )
        if not str(chat_id).strip():
            raise ConfigError("the Telegram chat id is empty", "set notifications.telegram_chat_id")
        if not api_url.startswith(("https://", "http://")):
            raise ConfigError(
                f"the Telegram API URL {api_url!r} is not an http(s) URL",
                "set notifications.telegram_api_url (default https://api.telegram.org)",
            )
        if timeout_s <= 0:
            raise ConfigError(f"timeout_s must be positive, not {timeout_s}")
        self.chat_id = str(chat_id).strip()
        self.api_url = api_url.rstrip("/")
        self._token = token
        self._timeout = httpx.Timeout(timeout_s)
        self._owns_client = client is None
        self._client = client if client is not None else httpx.Client(timeout=self._timeout)
        _hide_tokens_in_httpx_logs()

    def __repr__(self) -> str:
        return f"TelegramChannel(chat_id={self.chat_id!r}, api_url={self.api_url!r})"

    def send(self, notification: Notification) -> None:
        """Deliver ``notification`` (one attempt) or raise ``DeliveryError``."""
        image = notification.image
        if image is None:
            text = render_text(notification.title, notification.body, TEXT_LIMIT)
            self._call("sendMessage", json=self._message(text))
            return
        fits = _fits(notification.title, notification.body, CAPTION_LIMIT)
        caption = render_text(
            notification.title, notification.body if fits else image.alt, CAPTION_LIMIT
        )
        self._call(
            "sendPhoto",
            data={"chat_id": self.chat_id, "caption": caption, "parse_mode": "HTML"},
            files={"photo": (image.filename, image.png, "image/png")},
        )
        if not fits:
            text = render_text(notification.title, notification.body, TEXT_LIMIT)
            self._call("sendMessage", json=self._message(text))

    def check(self) -> str:
        """The bot's username (``getMe``): a start-up check that the token works."""
        result = self._call("getMe")
        username = result.get("username") if isinstance(result, dict) else None
        if not isinstance(username, str):
            raise DeliveryError("telegram: getMe answered without a username")
        return username

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def _message(self, text: str) -> dict[str, Any]:
        return {
            "chat_id": self.chat_id,
            "text": text,
            "parse_mode": "HTML",
            "disable_web_page_preview": True,
        }

    def _call(self, method: str, **kwargs: Any) -> Any:
        url = f"{self.api_url}/bot{self._token}/{method}"
        try:
            response = self._client.post(url, timeout=self._timeout, **kwargs)
        except httpx.TimeoutException:
            raise DeliveryError(
                f"telegram: {method} timed out after {self._timeout.read}s"
            ) from None
        except httpx.ConnectError as exc:
            raise DeliveryError(f"telegram: cannot connect to the Bot API ({_why(exc)})") from None
        except httpx.TransportError as exc:
            raise DeliveryError(f"telegram: {method} failed ({type(exc).__name__})") from None
        payload = _json(response)
        if response.status_code == 200 and payload.get("ok") is True:
            _log.debug("telegram_sent", method=method, chat_id=self.chat_id)
            return payload.get("result")
        raise _error(method, response, payload)


def _error(method: str, response: httpx.Response, payload: dict[str, Any]) -> DeliveryError:
    status = response.status_code
    code = payload.get("error_code", status)
    description = _one_line(str(payload.get("description") or response.reason_phrase))
    reason = f"telegram: {method} answered {code} {description}"
    if status == 429 or code == 429:
        return DeliveryError(reason, retry_after=_retry_after(response, payload))
    if 400 <= status < 500:
        return DeliveryError(reason, permanent=True)
    return DeliveryError(reason)


def _retry_after(response: httpx.Response, payload: dict[str, Any]) -> float | None:
    parameters = payload.get("parameters")
    candidates = [
        parameters.get("retry_after") if isinstance(parameters, dict) else None,
        response.headers.get("retry-after"),
    ]
    for value in candidates:
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            continue
        if seconds >= 0:
            return seconds
    return None


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _why(exc: httpx.ConnectError) -> str:
    """'connection refused' and the like, without the URL (which holds the token)."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, OSError) and cause.strerror:
            return str(cause.strerror).lower()
        cause = cause.__cause__ or cause.__context__
    text = str(exc).lower()
    return "connection refused" if "refused" in text else "connection failed"


def _one_line(text: str) -> str:
    return " ".join(text.split())[:300]


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _fits(title: str, body: str, limit: int) -> bool:
    """Whether :func:`render_text` keeps all of ``title`` and ``body`` within ``limit``."""
    title = " ".join(title.split())
    body = body.strip()
    length = _units(title) + (_units(body) + 2 if body else 0)
    return _units(title) <= _TITLE_LIMIT and length <= limit


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


_BOT_PATH = re.compile(r"/bot[^/\s\"']+")


class _RedactBotToken(logging.Filter):
    """Rewrites ``/bot<token>`` in records of the ``httpx`` logger to ``/bot***``."""

    tradebot_redacts_bot_token = True

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _BOT_PATH.sub("/bot***", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def _hide_tokens_in_httpx_logs() -> None:
    logger = logging.getLogger("httpx")
    if not any(getattr(f, "tradebot_redacts_bot_token", False) for f in logger.filters):
        logger.addFilter(_RedactBotToken())
