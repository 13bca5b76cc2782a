"""A failure as one line that is safe to show: what the CLI would print for a user's error
(through the stage that wrapped it), the type and first line for anything else, and never
a database password."""

from __future__ import annotations

from tradebot.config import mask_url
from tradebot.engine.bus import StageError, user_error

__all__ = ["one_line"]


def one_line(exc: BaseException) -> str:
    error = user_error(exc)
    if error is not None:
        return mask_url(error.one_line())
    seen: BaseException = exc
    while isinstance(seen, StageError) and seen.__cause__ is not None:
        seen = seen.__cause__
    text = str(seen).strip().splitlines()
    return mask_url(f"{type(seen).__name__}: {text[0] if text else 'no detail'}")
