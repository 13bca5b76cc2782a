"""A polling loop with backoff, shared by the CCXT report stream and bar feed.

Each round asks the venue for what is new since the last thing seen, so a round that
fails (or a pause) leaves no gap: the next good round fills it. A failure is reported
once through ``sink.feed_status(source, False, why)`` and the loop waits with exponential
backoff and jitter (up to ``max_backoff_s``); the first good round after it reports the
source connected again.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable

from tradebot.adapters.ccxt.convert import broker_error
from tradebot.ops.logging import get_logger
from tradebot.ports import EventSink

__all__ = ["poll_forever"]

_log = get_logger("ccxt-poll")
_jitter = random.Random()


async def poll_forever(
    source: str,
    sink: EventSink,
    round_: Callable[[], Awaitable[None]],
    *,
    interval_s: Callable[[], float],
    exchange_id: str,
    max_backoff_s: float = 30.0,
) -> None:
    """Run ``round_`` every ``interval_s()`` seconds until cancelled."""
    failures = 0
    sink.feed_status(source, True, "polling")
    while True:
        try:
            await round_()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            failures += 1
            why = broker_error(exc, f"{source} poll", exchange_id).one_line()
            if failures == 1:
                sink.feed_status(source, False, why)
                _log.warning("poll failed", source=source, error=why)
            delay = min(max_backoff_s, interval_s() * 2 ** min(failures, 8))
            await asyncio.sleep(delay * (0.5 + _jitter.random() / 2))
            continue
        if failures:
            failures = 0
            sink.feed_status(source, True, "recovered")
        await asyncio.sleep(interval_s())
