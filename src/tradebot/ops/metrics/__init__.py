"""Prometheus metrics: definitions on a registry of their own, the bus observer that keeps
them, the sentiment timer, and the exposition (see README.md for the invariants)."""

from tradebot.ops.metrics.definitions import BREAKERS, OUTSIDE_SERVICES, TIERS, EngineMetrics
from tradebot.ops.metrics.exposition import (
    CONTENT_TYPE,
    MetricsServer,
    authorised,
    render,
    serve,
)
from tradebot.ops.metrics.labels import DECISION_CHECKS, NONE, OTHER, Capped, Known, label_text
from tradebot.ops.metrics.observer import MetricsObserver
from tradebot.ops.metrics.sentiment import UNSCORED, TimedSentiment
from tradebot.ops.metrics.state import StateSample, record_reconciliation, record_state

__all__ = [
    "BREAKERS",
    "CONTENT_TYPE",
    "DECISION_CHECKS",
    "NONE",
    "OTHER",
    "OUTSIDE_SERVICES",
    "TIERS",
    "UNSCORED",
    "Capped",
    "EngineMetrics",
    "Known",
    "MetricsObserver",
    "MetricsServer",
    "StateSample",
    "TimedSentiment",
    "authorised",
    "label_text",
    "record_reconciliation",
    "record_state",
    "render",
    "serve",
]
