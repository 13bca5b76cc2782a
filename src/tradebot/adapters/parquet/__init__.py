"""Historical bars as Parquet files: the backtest market feed and the CSV importer.

Layout: ``<data_dir>/<SYMBOL>_<timeframe>.parquet`` with a UTC ``timestamp`` (the bar's close)
and float64 ``open, high, low, close, volume``. See README.md for the invariants.
"""

from tradebot.adapters.parquet.feed import ParquetReplayFeed
from tradebot.adapters.parquet.importer import ImportReport, SymbolImport, import_csv
from tradebot.adapters.parquet.layout import available_symbols, bar_file

__all__ = [
    "ImportReport",
    "ParquetReplayFeed",
    "SymbolImport",
    "available_symbols",
    "bar_file",
    "import_csv",
]
