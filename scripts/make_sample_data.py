"""Rebuild the sample data bundled in ``src/tradebot/data`` from the shared offline data set.

    python scripts/make_sample_data.py [SOURCE_DIR] [--out src/tradebot/data]

SOURCE_DIR defaults to /work/shared/data (see its PROVENANCE.md). The output is deterministic:
running the script twice gives byte-identical files (zstd Parquet, gzip with mtime 0), so a
diff in git means the inputs or the rules changed. The rules are documented in
``src/tradebot/data/PROVENANCE.md``; keep the two in step.
"""

from __future__ import annotations

import argparse
import gzip
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from tradebot.adapters.parquet.layout import OhlcvArrays, bar_file, write_ohlcv_files
from tradebot.adapters.parquet.sessions import label_dates
from tradebot.adapters.parquet.validation import check_bars
from tradebot.domain.enums import Timeframe

EQUITIES = ("AAPL", "MSFT", "AMZN", "GOOGL", "JPM", "XOM", "JNJ", "NVDA", "TSLA", "KO", "SPY")
EQUITIES_RANGE = ("2015-01-01", "2021-12-31")
# The ten StockNet symbols with the most tweets, leaving out one-letter tickers (T, D, C):
# their cashtags collide with ordinary text ("LO$T", "U$D"), so their tweets are mostly noise.
STOCKNET = ("AAPL", "FB", "GOOG", "AMZN", "MSFT", "BABA", "PCLN", "BAC", "JPM", "INTC")
STOCKNET_BARS = ("2013-03-01", "2015-12-31")  # 2013 months: warm-up for 200-session indicators
TWEETS_RANGE = ("2014-01-01", "2015-12-31")
TWEETS_PER_SYMBOL_DAY = 10
TWEET_URL = "https://twitter.com/i/web/status/"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=Path("/work/shared/data"))
    default_out = Path(__file__).resolve().parents[1] / "src" / "tradebot" / "data"
    parser.add_argument("--out", type=Path, default=default_out)
    args = parser.parse_args(argv)
    src, out = args.source, args.out
    equities = pd.read_csv(src / "daily_ohlcv_us_equities.csv.gz")
    write_daily(equities, EQUITIES, EQUITIES_RANGE, out / "equities_daily", derive_adj=False)
    stocknet = pd.read_csv(src / "daily_ohlcv_stocknet_2012-2017.csv.gz")
    write_daily(stocknet, STOCKNET, STOCKNET_BARS, out / "stocknet", derive_adj=True)
    tweets = pd.read_csv(src / "tweets_stocknet_2014-2015.csv.gz", dtype={"tweet_id": str})
    write_tweets(tweets, out / "stocknet" / "tweets.csv.gz")
    total = sum(p.stat().st_size for p in out.rglob("*") if p.suffix in {".parquet", ".gz"})
    print(f"total bundled data: {total / 1e6:.2f} MB")
    return 0


def write_daily(
    frame: pd.DataFrame,
    symbols: tuple[str, ...],
    window: tuple[str, str],
    out: Path,
    *,
    derive_adj: bool,
) -> None:
    """One ``<SYMBOL>_1d.parquet`` per symbol from split- and dividend-adjusted prices,
    labelled with the XNYS session close (early closes included)."""
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*_1d.parquet"):
        stale.unlink()
    files: dict[Path, OhlcvArrays] = {}
    for symbol in symbols:
        rows = frame[(frame.symbol == symbol) & frame.date.between(*window)].copy()
        if derive_adj:  # the file has adj_close only: scale raw o/h/l by the same factor
            ratio = rows.adj_close / rows.close
            for col in ("open", "high", "low"):
                rows[f"adj_{col}"] = rows[col] * ratio
        missing = rows.adj_close.isna()
        if missing.any():  # SPY 2015-2016: the source feed had no adjusted close
            print(
                f"{symbol}: dropped {int(missing.sum())} rows without adj_close "
                f"({rows.date[missing].min()}..{rows.date[missing].max()})"
            )
            rows = rows[~missing]
        days = rows.date.to_numpy().astype("datetime64[D]")
        ts = label_dates(days, "XNYS")
        not_session = ts % (86_400 * 10**9) == 0
        if not_session.any():
            raise SystemExit(f"{symbol}: {int(not_session.sum())} dates are not XNYS sessions")

        prices = [rows[f"adj_{c}"].to_numpy(np.float64) for c in ("open", "high", "low", "close")]
        open_, high, low, close = prices
        arrays = OhlcvArrays(ts, open_, high, low, close, rows.volume.to_numpy(np.float64))
        problem = check_bars(
            arrays.ts, arrays.open, arrays.high, arrays.low, arrays.close, arrays.volume
        )
        if problem is not None:
            raise SystemExit(f"{symbol}: row {problem.row + 1}: {problem.problem}")
        files[bar_file(out, symbol, Timeframe.D1)] = arrays
        print(f"{out.name}/{symbol}: {len(arrays)} bars {rows.date.iloc[0]}..{rows.date.iloc[-1]}")
    write_ohlcv_files(files)


def write_tweets(tweets: pd.DataFrame, path: Path) -> None:
    """Tweets of the StockNet symbols in the bar window, capped per symbol and UTC day.

    Exact repeats (same symbol and text, mostly retweets) are dropped keeping the earliest;
    then at most TWEETS_PER_SYMBOL_DAY per symbol and day are kept, preferring authors with
    more followers, then more retweets, then the lower tweet id: a deterministic sample that
    keeps every day covered while fitting the package size budget.
    """
    t = tweets[tweets.symbol.isin(STOCKNET)].copy()
    t = t[t.timestamp.str[:10].between(*TWEETS_RANGE)]
    t = t.sort_values(["timestamp", "tweet_id"], kind="stable")
    t = t.drop_duplicates(["symbol", "text"], keep="first")
    t["day"] = t.timestamp.str[:10]
    t = t.sort_values(
        ["symbol", "day", "user_followers", "retweet_count", "tweet_id"],
        ascending=[True, True, False, False, True],
        kind="stable",
    )
    t = t.groupby(["symbol", "day"], sort=False).head(TWEETS_PER_SYMBOL_DAY)
    t = t.sort_values(["timestamp", "symbol", "tweet_id"], kind="stable")
    out = pd.DataFrame(
        {
            "timestamp": t.timestamp.to_numpy(),
            "symbol": t.symbol.to_numpy(),
            "source": "twitter",
            "url": (TWEET_URL + t.tweet_id).to_numpy(),
            "title": t.text.to_numpy(),
        }
    )
    data = out.to_csv(index=False, lineterminator="\n").encode("utf-8")
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz,
    ):
        gz.write(data)
    counts = ", ".join(f"{s} {n}" for s, n in out.symbol.value_counts().items())
    print(f"tweets: {len(out)} rows {out.timestamp.min()}..{out.timestamp.max()} ({counts})")


if __name__ == "__main__":
    sys.exit(main())
