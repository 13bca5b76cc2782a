"""Simulated execution shared by backtests and paper trading."""

from tradebot.adapters.paper.broker import PaperBroker

__all__ = ["PaperBroker"]
