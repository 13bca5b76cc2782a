"""Fakes for the small ports: bus fault injection, sentiment, notifier, clock."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from tradebot.domain.messages import Article
from tradebot.domain.notifications import Notification
from tradebot.engine.bus import MemoryBus
from tradebot.engine.clock import SimClock
from tradebot.ports import Handler
from tradebot.sentiment.result import SentimentResult, label_for

__all__ = ["DuplicatingBus", "FixedSentiment", "ManualClock", "RecordingBus", "RecordingNotifier"]

ManualClock = SimClock
"""A clock the test moves by hand (``advance_to``); the simulated clock is exactly that."""


class RecordingBus(MemoryBus):
    """A memory bus that also keeps every message published, by topic."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: dict[str, list[Any]] = defaultdict(list)

    def publish(self, topic: str, message: Any) -> None:
        self.messages[topic].append(message)
        super().publish(topic, message)


class DuplicatingBus(MemoryBus):
    """Delivers every message twice, as a redelivering stream bus may: handlers must be
    idempotent for a run on this bus to equal a run on a plain one."""

    def subscribe(self, topic: str, handler: Handler, *, stage: str) -> None:
        def twice(message: Any) -> None:
            handler(message)
            handler(message)

        super().subscribe(topic, twice, stage=stage)


class FixedSentiment:
    """Scores every article the same; for tests of the news path. The label follows the
    sign of ``score`` (neutral within ``band``); ``calls`` lists each (content hash, ticker)
    asked for, through either method."""

    def __init__(
        self, score: float = 0.5, confidence: float = 0.9, name: str = "fixed", band: float = 0.3
    ) -> None:
        self.name = name
        self._result = SentimentResult(score, confidence, label_for(score, band), name)
        self.calls: list[tuple[str, str]] = []

    def score(self, article: Article, ticker: str) -> tuple[float, float]:
        result = self.score_article(article, ticker)
        return result.score, result.confidence

    def score_article(self, article: Article, ticker: str) -> SentimentResult:
        self.calls.append((article.content_hash, ticker))
        return self._result


class RecordingNotifier:
    """A :class:`~tradebot.ports.Notifier` that keeps what it is handed, in order."""

    def __init__(self) -> None:
        self.sent: list[Notification] = []

    def notify(self, notification: Notification) -> None:
        self.sent.append(notification)
