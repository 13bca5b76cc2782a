"""The cyclic garbage collector's settings for a run (the kernel's two paths).

A replay allocates millions of short-lived objects while the run's records (orders, trades,
the equity curve) keep growing; reference counting frees almost everything, and the cyclic
collector's rescans of the growing records are mostly cost.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused", "relaxed_collector"]


@contextmanager
def relaxed_collector() -> Iterator[None]:
    """Run with the cyclic garbage collector's thresholds raised.

    A replay allocates millions of short-lived objects while the run's records (orders,
    trades, the equity curve) keep growing; at the default thresholds the collector keeps
    rescanning those, which cost a third of a backtest's time. Reference counting still
    frees everything at once; cycles are still collected, just less often."""
    before = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run a batch replay with the cyclic garbage collector off (reference counting still
    frees every object the moment it is no longer used).

    A backtest's objects form no reference cycles — a 1M-bar run leaves about ten for the
    collector afterwards — so scanning the growing records for cycles is pure cost (~4 % of
    the run). Before it is switched back on, the run's surviving objects are moved out of
    its reach (``gc.freeze``): otherwise its first pass would scan them all at once, for
    nothing. They are still freed as usual when no longer referenced. Paper and live
    sessions, which run for days, keep the collector on (relaxed)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()
