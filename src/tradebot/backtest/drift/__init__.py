"""Drift: a paper or live run's real fills beside the fills the simulated venue (the paper
broker, reused) gives the same orders on the same bars — the error a backtest's venue model
hides. See :mod:`.compare` for how each order is simulated and its fills paired."""

from tradebot.backtest.drift.compare import (
    VenueFactory,
    compare_run,
    pair_fills,
    simulate_order,
    venue_from,
)
from tradebot.backtest.drift.files import drift_payload, write_csv
from tradebot.backtest.drift.model import (
    DriftReport,
    FillDrift,
    SymbolDrift,
    Unmatched,
    drift_bps,
    summarise,
)
from tradebot.backtest.drift.page import render_html, write_html

__all__ = [
    "DriftReport",
    "FillDrift",
    "SymbolDrift",
    "Unmatched",
    "VenueFactory",
    "compare_run",
    "drift_bps",
    "drift_payload",
    "pair_fills",
    "render_html",
    "simulate_order",
    "summarise",
    "venue_from",
    "write_csv",
    "write_html",
]
