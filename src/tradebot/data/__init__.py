"""Real market data and tweets shipped with the package, so that ``make demo`` and the tests
run offline. What each file is, where it came from, how it was cleaned and under which
licence: ``PROVENANCE.md`` beside this module (rebuilt by ``scripts/make_sample_data.py``).

- ``equities_daily``: 10 US stocks and SPY, daily, adjusted, 2015-01-02..2021-04-21
  (SPY 2017-01-03..2021-06-04);
- ``stocknet``: 10 stocks, daily, adjusted, 2013-03-01..2015-12-31 (BABA from its 2014-09-19
  IPO), and ``tweets.csv.gz`` about them, 2014-2015.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from tradebot.domain.errors import DataError

__all__ = ["SAMPLE_SETS", "sample_data_dir", "sample_news_file"]

SAMPLE_SETS = ("equities_daily", "stocknet")


def _package_path(*parts: str) -> Path:
    """A path inside this package on disk (the package is installed unzipped)."""
    resource = files(__name__).joinpath(*parts)
    path = Path(str(resource))
    if not path.exists():
        raise DataError(
            f"bundled sample data {'/'.join(parts)} is missing from the installed package",
            "reinstall tradebot, or rebuild it with `python scripts/make_sample_data.py`",
        )
    return path


def sample_data_dir(name: str) -> Path:
    """The folder of ``<SYMBOL>_1d.parquet`` files of one sample set, for ParquetReplayFeed."""
    if name not in SAMPLE_SETS:
        raise DataError(
            f"unknown sample data set {name!r}", f"choose one of {', '.join(SAMPLE_SETS)}"
        )
    return _package_path(name)


def sample_news_file() -> Path:
    """The bundled StockNet tweets (CSV, gzip) for FileReplaySource."""
    return _package_path("stocknet", "tweets.csv.gz")
