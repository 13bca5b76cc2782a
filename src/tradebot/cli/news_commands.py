"""``tradebot news``: the scored news items in the database, newest first.

Every run with news (``tradebot demo``, ``tradebot backtest --news FILE``, paper and live
sessions) records each story and its score per ticker; this lists them with the model that
scored each one. A story is stored once, under the run that scored it first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from tradebot.cli.app import app, settings_of
from tradebot.cli.render import console
from tradebot.cli.run_commands import _day
from tradebot.domain.errors import ConfigError

if TYPE_CHECKING:
    from tradebot.adapters.sql.store import SqlStore
    from tradebot.domain.messages import ScoredArticle

__all__ = ["list_news", "news_table"]

_TITLE_WIDTH = 70


def _open_store() -> SqlStore:
    from tradebot.adapters.sql.store import SqlStore
    from tradebot.runtime.discarding_store import NO_STORE

    url = settings_of().store.url
    if url == NO_STORE:
        raise ConfigError(
            "store.url is 'none': no news is kept",
            "point store.url at a database (the default SQLite file, or PostgreSQL)",
        )
    return SqlStore(url)


def _score(value: float) -> Text:
    style = "green" if value >= 0.3 else "red" if value <= -0.3 else ""
    return Text(f"{value:+.2f}", style=style)


def news_table(items: list[ScoredArticle], title: str) -> Table:
    """One row per scored item: time (UTC), ticker, score, confidence, model, title, source.
    Texts go in as plain text, never as rich markup (a tweet may hold ``[brackets]``)."""
    table = Table(title=title, header_style="bold")
    table.add_column("time (UTC)", no_wrap=True)
    table.add_column("ticker", no_wrap=True)
    table.add_column("score", justify="right")
    table.add_column("confidence", justify="right")
    table.add_column("model", no_wrap=True)
    table.add_column("title", max_width=_TITLE_WIDTH, no_wrap=True, overflow="ellipsis")
    table.add_column("source", no_wrap=True, overflow="ellipsis", max_width=24)
    for item in items:
        article = item.article
        table.add_row(
            f"{article.published_at:%Y-%m-%d %H:%M}",
            item.ticker,
            _score(item.score),
            f"{item.confidence:.2f}",
            Text(item.model),
            Text(" ".join(article.title.split())),
            Text(article.source),
        )
    return table


@app.command("news")
def list_news(
    symbol: Annotated[
        str | None, typer.Option(help="Ticker, e.g. AAPL (default: every ticker).")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Items published on or after this day, YYYY-MM-DD.")
    ] = None,
    run: Annotated[str | None, typer.Option("--run", help="Only items scored by this run.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 50,
) -> None:
    """Scored news items from the database: time, ticker, score, confidence, model, title."""
    ticker = symbol.strip().upper() if symbol and symbol.strip() else None
    start = _day(since)
    store = _open_store()
    try:
        if run is not None and store.run(run) is None:
            raise ConfigError(
                f"no run {run!r} in the database", "list the runs with `tradebot backtest list`"
            )
        items = store.scored_news(ticker=ticker, since=start, run_id=run, limit=limit)
    finally:
        store.close()
    what = " ".join(
        part
        for part in (
            ticker or "any ticker",
            f"since {since}" if since else "",
            f"in run {run}" if run else "",
        )
        if part
    )
    if not items:
        console.print(
            f"no scored news for {what} in the database; `tradebot demo` or "
            "`tradebot backtest --news FILE` scores and records some",
            highlight=False,
            soft_wrap=True,
        )
        return
    console.print(news_table(items, f"Scored news — {what} (newest first, {len(items)} shown)"))
