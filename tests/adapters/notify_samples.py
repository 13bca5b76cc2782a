"""Notifications and a PNG for the channels' tests (Telegram and e-mail)."""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, datetime
from typing import Any

from tradebot.domain.notifications import Image, Notification, NotificationEvent, Severity

__all__ = ["notification", "tiny_png"]


def tiny_png(width: int = 3, height: int = 2) -> bytes:
    """A valid RGB PNG made with the stdlib (no Pillow needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + bytes([200, 30, 30] * width) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def notification(
    title: str = "Breaker tripped",
    body: str = "Daily loss 3.2% > 3% limit & trading halted <until tomorrow>",
    *,
    image: bool = False,
    **fields: Any,
) -> Notification:
    return Notification(
        event=fields.pop("event", NotificationEvent.BREAKER_TRIGGERED),
        severity=fields.pop("severity", Severity.CRITICAL),
        title=title,
        body=body,
        ts=datetime(2024, 5, 1, 14, 30, tzinfo=UTC),
        image=Image(png=tiny_png(), alt="equity, last 30 days", filename="equity.png")
        if image
        else None,
        **fields,
    )
