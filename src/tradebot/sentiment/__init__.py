"""Sentiment analyzers (pure scoring; model loading lives in adapters)."""

from tradebot.sentiment.placeholder import PlaceholderSentiment

__all__ = ["PlaceholderSentiment"]
