"""Fakes for every port and fault injection, shipped in the package for every adapter's tests.

| port | fake |
|---|---|
| Clock | ``ManualClock`` |
| MarketFeed | ``ListFeed``, ``BlockListFeed`` (also in blocks), ``bars_from_closes`` |
| NewsSource | ``ListNewsSource`` |
| SentimentModel | ``FixedSentiment`` |
| Broker | ``RecordingBroker``, ``TimeoutBroker``, ``LaggingBroker``, ``RejectingBroker`` |
| Bus | ``RecordingBus``, ``DuplicatingBus`` |
| Store | ``MemoryStore``, ``FailingStore`` |
| Notifier | ``RecordingNotifier`` |
| SeenItems | ``MemorySeenItems``, ``FailingSeenItems`` |
| an HTTP service | ``LocalHttpServer`` (scripted replies on 127.0.0.1: slow, huge, any status) |
| NotificationChannel (Telegram) | ``testing.telegram.FakeTelegramBotApi`` (Bot API on 127.0.0.1) |
| NotificationChannel (e-mail) | ``testing.smtp.LocalSmtpServer`` (aiosmtpd, STARTTLS, AUTH) |

The last two are imported from their modules, not from here: ``tradebot.testing.smtp`` needs
``aiosmtpd`` (the ``testing`` extra), which importing this package must not require.
"""

from tradebot.testing.brokers import (
    LaggingBroker,
    RecordingBroker,
    RejectingBroker,
    TimeoutBroker,
)
from tradebot.testing.feeds import BlockListFeed, ListFeed, ListNewsSource, bars_from_closes
from tradebot.testing.http import LocalHttpServer, Reply
from tradebot.testing.misc import (
    DuplicatingBus,
    FixedSentiment,
    ManualClock,
    RecordingBus,
    RecordingNotifier,
)
from tradebot.testing.news import FailingSeenItems, MemorySeenItems
from tradebot.testing.reconciling import ReconcilingPaperBroker
from tradebot.testing.store import FailingStore, MemoryStore

__all__ = [
    "BlockListFeed",
    "DuplicatingBus",
    "FailingSeenItems",
    "FailingStore",
    "FixedSentiment",
    "LaggingBroker",
    "ListFeed",
    "ListNewsSource",
    "LocalHttpServer",
    "ManualClock",
    "MemorySeenItems",
    "MemoryStore",
    "ReconcilingPaperBroker",
    "RecordingBroker",
    "RecordingBus",
    "RecordingNotifier",
    "RejectingBroker",
    "Reply",
    "TimeoutBroker",
    "bars_from_closes",
]
