"""Historical bars as Parquet files: the backtest market feed, the CSV importer, and what a
data directory holds.

Layout: ``<data_dir>/<SYMBOL>_<timeframe>.parquet`` with a UTC ``timestamp`` (the bar's close)
and float64 ``open, high, low, close, volume``. See README.md for the invariants.
"""

from tradebot.adapters.parquet.catalog import (
    SeriesInfo,
    data_range,
    data_symbols,
    format_range,
    list_series,
)
from tradebot.adapters.parquet.feed import ParquetReplayFeed
from tradebot.adapters.parquet.importer import (
    ExistingBars,
    ImportReport,
    SymbolImport,
    import_csv,
)
from tradebot.adapters.parquet.layout import available_symbols, bar_file

__all__ = [
    "ExistingBars",
    "ImportReport",
    "ParquetReplayFeed",
    "SeriesInfo",
    "SymbolImport",
    "available_symbols",
    "bar_file",
    "data_range",
    "data_symbols",
    "format_range",
    "import_csv",
    "list_series",
]
