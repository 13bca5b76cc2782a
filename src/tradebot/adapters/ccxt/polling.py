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

__all__ = ["backoff_s", "poll_forever"]

_log = get_logger("ccxt-poll")
_jitter = random.Random()


def backoff_s(failures: int, base_s: float, cap_s: float) -> float:
    """How long to wait after ``failures`` failures in a row: ``base_s`` doubled each time
    (up to 2⁸×), capped at ``cap_s``, with half of it random (streams that fail together
    do not come back together)."""
    delay: float = min(cap_s, base_s * 2.0 ** min(failures, 8))
    return delay * (0.5 + _jitter.random() / 2)


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
            await asyncio.sleep(backoff_s(failures, interval_s(), max_backoff_s))
            continue
        if failures:
            failures = 0
            sink.feed_status(source, True, "recovered")
        await asyncio.sleep(interval_s())
