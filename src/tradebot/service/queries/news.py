"""Scored news: each article joined with its sentiment rows (one item per article, ticker
and model), newest published first.

News is shared by every run (the same story is scored once, whichever run saw it first),
so the list is not scoped to a run unless one is named; a named run limits it to the run's
symbols.

SQLite plans the join from the sentiment table and sorts all of it for every page unless
told otherwise (it keeps no statistics): on SQLite the join condition is written so that
only the article side can drive it, which walks ``articles`` newest first on its
``published_at`` index and looks each article's scores up by hash — a page costs what it
returns. The COUNT keeps the plain join, where driving from ``ticker`` is the right plan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, literal, select
from sqlalchemy.orm import Session

from tradebot.adapters.sql.models import ArticleRow, SentimentRow
from tradebot.adapters.sql.types import to_utc
from tradebot.service.queries.base import Paged, Reader
from tradebot.service.queries.runs import resolve_run

__all__ = ["BODY_CHARS", "NewsFilter", "NewsItem", "list_news", "news_before"]

BODY_CHARS = 2000
"""An article's body is cut to this many characters in a list (the URL has the rest)."""


@dataclass(frozen=True, slots=True)
class NewsFilter:
    ticker: str | None = None
    source: str | None = None
    min_score: float | None = None
    max_score: float | None = None
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True, slots=True)
class NewsItem:
    id: int
    """The sentiment row's id (one article scored for two tickers is two items)."""
    article_id: int
    content_hash: str
    ticker: str
    score: float
    confidence: float
    model: str
    entities: list[str]
    source: str
    url: str
    title: str
    body: str
    published_at: datetime
    symbols_hint: list[str]


def _item(score: SentimentRow, article: ArticleRow) -> NewsItem:
    return NewsItem(
        id=score.id,
        article_id=article.id,
        content_hash=article.content_hash,
        ticker=score.ticker,
        score=score.score,
        confidence=score.confidence,
        model=score.model,
        entities=[str(e) for e in score.entities],
        source=article.source,
        url=article.url,
        title=article.title,
        body=article.body[:BODY_CHARS],
        published_at=to_utc(article.published_at),
        symbols_hint=[str(s) for s in article.symbols_hint],
    )


def _on(dialect: str, *, driven_by_articles: bool) -> ColumnElement[bool]:
    if driven_by_articles and dialect == "sqlite":  # see the module docstring
        return ArticleRow.content_hash.concat(literal("")) == SentimentRow.article_hash
    return ArticleRow.content_hash == SentimentRow.article_hash


def _newest_first(where: list[Any], on: ColumnElement[bool]) -> Any:
    return (
        select(SentimentRow, ArticleRow)
        .select_from(ArticleRow)
        .join(SentimentRow, on)
        .where(*where)
        .order_by(
            ArticleRow.published_at.desc(),
            ArticleRow.id.desc(),
            SentimentRow.ticker,
            SentimentRow.model,
        )
    )


def list_news(
    reader: Reader,
    run_id: str | None,
    current: Callable[[], str | None],
    f: NewsFilter,
    limit: int,
    offset: int,
) -> Paged[NewsItem]:
    dialect = reader.db.dialect.name
    with reader.session("reading the news") as session:
        where: list[Any] = []
        if run_id is not None:
            run = resolve_run(session, run_id, current)
            where.append(SentimentRow.ticker.in_([str(s) for s in run.symbols]))
        if f.ticker is not None:
            where.append(SentimentRow.ticker == f.ticker)
        if f.source is not None:
            where.append(ArticleRow.source == f.source)
        if f.min_score is not None:
            where.append(SentimentRow.score >= f.min_score)
        if f.max_score is not None:
            where.append(SentimentRow.score <= f.max_score)
        if f.start is not None:
            where.append(ArticleRow.published_at >= f.start)
        if f.end is not None:
            where.append(ArticleRow.published_at <= f.end)
        counted = (
            select(func.count())
            .select_from(ArticleRow)
            .join(SentimentRow, _on(dialect, driven_by_articles=False))
            .where(*where)
        )
        newest = session.execute(select(func.max(SentimentRow.id), func.count())).one()
        total = reader.totals.get(
            ("news", run_id, f), tuple(newest), lambda: session.scalar(counted) or 0
        )
        page = _newest_first(where, _on(dialect, driven_by_articles=True))
        rows = [] if offset >= total else session.execute(page.limit(limit).offset(offset)).all()
    return Paged([_item(s, a) for s, a in rows], total, limit, offset)


def news_before(
    session: Session, symbol: str, until: datetime, window: timedelta, limit: int
) -> list[NewsItem]:
    """The scored news about ``symbol`` published in ``window`` before ``until``, newest
    first, at most ``limit`` items (a trade's news context)."""
    dialect = session.get_bind().dialect.name
    where = [
        SentimentRow.ticker == symbol,
        ArticleRow.published_at >= until - window,
        ArticleRow.published_at <= until,
    ]
    query = _newest_first(where, _on(dialect, driven_by_articles=True)).limit(limit)
    return [_item(s, a) for s, a in session.execute(query)]
