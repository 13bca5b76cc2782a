"""Telegram notifications through the Bot API (plain httpx, no SDK): one chat, HTML
messages, an optional photo; the token never leaves the request URL."""

from tradebot.adapters.telegram.channel import (
    CAPTION_LIMIT,
    TEXT_LIMIT,
    TelegramChannel,
    clip,
    render_text,
)

__all__ = ["CAPTION_LIMIT", "TEXT_LIMIT", "TelegramChannel", "clip", "render_text"]
