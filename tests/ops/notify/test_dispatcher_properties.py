"""Whatever the channels do, every notification ends up recorded exactly once per channel it
is eligible for, with a final status, and the rate-limited ones are exactly those the
hourly limit refuses (property 30, end to end)."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.ops.notify.fakes import FakeClock, MemoryLog, note
from tradebot.domain.notifications import DeliveryError, DeliveryStatus, Notification, Severity
from tradebot.ops.notify import Dispatcher, HourlyLimiter

FINAL = {DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.RATE_LIMITED}
OUTCOMES = ("ok", "fail", "permanent", "odd", "retry_after")


class Scripted:
    """A channel whose attempts follow ``script`` (then succeed)."""

    def __init__(self, name: str, script: list[str]) -> None:
        self.name = name
        self.script = list(script)
        self.sent: list[Notification] = []

    def send(self, notification: Notification) -> None:
        outcome = self.script.pop(0) if self.script else "ok"
        if outcome == "fail":
            raise DeliveryError("down")
        if outcome == "permanent":
            raise DeliveryError("refused", permanent=True)
        if outcome == "retry_after":
            raise DeliveryError("429", retry_after=3.0)
        if outcome == "odd":
            raise KeyError("surprise")
        self.sent.append(notification)

    def close(self) -> None:
        pass


channel_specs = st.lists(
    st.tuples(
        st.lists(st.sampled_from(OUTCOMES), max_size=12),
        st.none() | st.integers(min_value=0, max_value=4),
    ),
    min_size=1,
    max_size=3,
)
"""Per channel: its attempts' outcomes, and its hourly limit (None: unlimited)."""


@settings(max_examples=40, deadline=None)
@given(
    severities=st.lists(st.sampled_from(list(Severity)), max_size=12),
    specs=channel_specs,
    min_severity=st.sampled_from(list(Severity)),
    retries=st.integers(min_value=0, max_value=2),
    threshold=st.integers(min_value=1, max_value=3),
)
def test_every_notification_is_recorded_once_per_eligible_channel(
    severities: list[Severity],
    specs: list[tuple[list[str], int | None]],
    min_severity: Severity,
    retries: int,
    threshold: int,
) -> None:
    channels = [Scripted(f"c{i}", script) for i, (script, _) in enumerate(specs)]
    limits = {f"c{i}": limit for i, (_, limit) in enumerate(specs) if limit is not None}
    log, clock = MemoryLog(), FakeClock()
    dispatcher = Dispatcher(
        channels=channels,
        log=log,
        limits=HourlyLimiter(limits),
        min_severity=min_severity,
        now=clock.now,
        monotonic=clock.monotonic,
        retries=retries,
        breaker_threshold=threshold,
        sleep=lambda _: None,
    )
    notes = [note(i, severity) for i, severity in enumerate(severities)]
    try:
        for n in notes:
            dispatcher.notify(n)
        assert dispatcher.wait_idle(10)
        stats = dispatcher.stats()
    finally:
        dispatcher.close()

    eligible = [n for n in notes if n.severity.rank >= min_severity.rank]
    recorded = Counter((row.notification.title, row.channel) for row in log.rows)
    assert recorded == Counter((n.title, c.name) for n in eligible for c in channels)
    assert {row.status for row in log.rows} <= FINAL
    for channel in channels:
        rows = log.of(channel.name)
        limit = limits.get(channel.name)
        refused = [row for row in rows if row.status is DeliveryStatus.RATE_LIMITED]
        admitted = len(rows) if limit is None else min(limit, len(rows))
        assert refused == rows[admitted:]  # the limit refuses exactly the excess, in order
        sent = [row.notification.title for row in rows if row.status is DeliveryStatus.SENT]
        assert sorted(sent) == sorted(n.title for n in channel.sent)  # each sent once
    by_status = Counter(row.status for row in log.rows)
    assert stats["sent"] == by_status[DeliveryStatus.SENT]
    assert stats["failed"] == by_status[DeliveryStatus.FAILED]
    assert stats["rate_limited"] == by_status[DeliveryStatus.RATE_LIMITED]
    assert (stats["queued"], stats["dropped"]) == (0, 0)
