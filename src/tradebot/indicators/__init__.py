"""Indicators: vectorised batch functions and O(1) streaming twins (checked against TA-Lib)."""

from tradebot.indicators.stream import StreamingSMA

__all__ = ["StreamingSMA"]
