"""A failure as one line that is safe to show: what the CLI would print for a user's error
(through the stage that wrapped it), the type and first line for anything else, and never
a database password."""

from __future__ import annotations

from tradebot.config import mask_url
from tradebot.domain.errors import TradebotError
from tradebot.engine.bus import StageError

__all__ = ["one_line"]


def one_line(exc: BaseException) -> str:
    seen: BaseException | None = exc
    while isinstance(seen, StageError) and seen.__cause__ is not None:
        seen = seen.__cause__
    if isinstance(seen, TradebotError):
        return mask_url(seen.one_line())
    text = str(seen).strip().splitlines()
    return mask_url(f"{type(seen).__name__}: {text[0] if text else 'no detail'}")
