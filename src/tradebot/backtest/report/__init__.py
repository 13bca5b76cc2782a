"""Reports of a backtest: one self-contained HTML page and CSV exports.

Build a :class:`ReportData` from a finished run with :func:`report_data` (adding the closes
of the traded symbols and, optionally, a benchmark such as :func:`buy_and_hold`), then
:func:`write_html` and/or :func:`write_csv`. The HTML page fetches nothing (inline SVG and
CSS, no script) and is byte-for-byte the same for the same input.
"""

from tradebot.backtest.report.csv_export import CSV_FILES, write_csv
from tradebot.backtest.report.data import ReportData, Series, buy_and_hold, report_data
from tradebot.backtest.report.downsample import MAX_POINTS, downsample, downsample_indices
from tradebot.backtest.report.page import MAX_PRICE_CHARTS, render_html, write_html

__all__ = [
    "CSV_FILES",
    "MAX_POINTS",
    "MAX_PRICE_CHARTS",
    "ReportData",
    "Series",
    "buy_and_hold",
    "downsample",
    "downsample_indices",
    "render_html",
    "report_data",
    "write_csv",
    "write_html",
]
