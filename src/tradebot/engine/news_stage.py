"""The sentiment analyzer stage: ``news.raw`` in, one ``ScoredArticle`` per (story, ticker) out.

For each article:

1. **Tickers**: the source's symbol hints, then the tickers named in the title and body
   (:class:`~tradebot.sentiment.tickers.TickerExtractor` built with the run's symbols as its
   universe, so "Facebook" and ``$FB`` come out as the run's ``FB``, "Priceline" as
   ``PCLN``). Only tickers in the universe are scored: a run scores what it trades. Every
   ticker found, in the universe or not, is kept as the score's ``entities``.
2. **De-duplication**: each (story, ticker) pair is scored once. The pair's key
   (``s:`` + sha256 of content hash and ticker) goes to the :class:`~tradebot.ports.SeenItems`
   port: a fresh memory per backtest (a second replay of the same file scores its news
   again), the store in a session on live sources (a restart scores nothing twice). The
   ``s:`` keys are a namespace of their own, so the fetcher's de-duplication keys in the same
   table (``u:``/``h:``/``t:``) never hide a fresh story from scoring. The same story filed
   under a second ticker scores for that ticker only; a redelivered article scores nothing.
   A failing port costs the memory across restarts, never the news: the stage scores on,
   keeping the unsaved keys in process and retrying them with the next article (one log
   line each time; the policy is :class:`~tradebot.ops.seen_memory.SeenMemory`, shared
   with the fetcher's de-duplication).
3. **Scoring**: ``model.score_article`` per pair. ``None`` is *no score* (a tier down, a model
   missing): counted in ``unscored`` and skipped, never replaced by a default. The score
   records the model that produced it (for a tiered analyzer, the tier that answered).
4. **Effects**: the article is recorded once, each score is recorded and published on
   ``news.scored`` (neutral verdicts too: they are what the news was).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Sequence

from tradebot.domain.messages import Article, ScoredArticle
from tradebot.engine.topics import NEWS_SCORED
from tradebot.ops.logging import get_logger
from tradebot.ops.seen_memory import MemorySeenItems, SeenMemory
from tradebot.ports import Bus, SeenItems, SentimentModel, Store
from tradebot.sentiment.base import article_text
from tradebot.sentiment.result import SentimentUnavailableError

__all__ = ["NewsStage", "TickerFinder", "pair_key"]

_MAX_UNSAVED = 100_000
"""Keys kept in process while the memory port cannot be written (a store down for long)."""

TickerFinder = Callable[[str], Sequence[str]]
"""Text → the tickers it names, in order of first mention."""


def pair_key(content_hash: str, ticker: str) -> str:
    """The de-duplication key of one (story, ticker) score: fixed width, 66 characters."""
    digest = hashlib.sha256(f"{content_hash}\n{ticker}".encode()).hexdigest()
    return f"s:{digest}"


class NewsStage:
    stage = "sentiment-analyzer"

    def __init__(
        self,
        *,
        run_id: str,
        model: SentimentModel,
        store: Store,
        bus: Bus,
        universe: Collection[str] | None = None,
        seen: SeenItems | None = None,
        tickers: TickerFinder | None = None,
    ) -> None:
        """``universe``: the only tickers scored (``None``: every ticker found).
        ``seen``: the memory of pairs scored (``None``: this stage's own, in process).
        ``tickers``: the extractor (``None``: the bundled symbol table's, built on the
        first article, so a run without news never loads it)."""
        self._run_id = run_id
        self._model = model
        self._store = store
        self._bus = bus
        self._universe = frozenset(s.upper() for s in universe) if universe else None
        self._find = tickers
        self._log = get_logger(self.stage)
        self._seen = SeenMemory(
            seen if seen is not None else MemorySeenItems(),
            max_unsaved=_MAX_UNSAVED,
            what="news memory",
            log=self._log,
        )
        self.scored = 0
        """Scores published (one per fresh story and ticker with an answer)."""
        self.unscored = 0
        """Fresh (story, ticker) pairs the model had no score for."""
        self.repeats = 0
        """Pairs skipped because they were scored before (redelivery, a second copy)."""

    def on_article(self, article: Article) -> None:
        found = self._tickers(article)
        wanted = [t for t in found if self._universe is None or t in self._universe]
        if not wanted:
            return
        keys = {ticker: pair_key(article.content_hash, ticker) for ticker in wanted}
        known = self._seen.seen(set(keys.values()))
        fresh = [ticker for ticker in wanted if keys[ticker] not in known]
        self.repeats += len(wanted) - len(fresh)
        if not fresh:
            return
        self._store.record_article(self._run_id, article)
        entities = tuple(found)
        for ticker in fresh:
            self._score(article, ticker, entities)
        self._seen.remember(dict.fromkeys((keys[t] for t in fresh), article.published_at))

    def _tickers(self, article: Article) -> list[str]:
        """Hints first, then the tickers named in the text, each once."""
        if self._find is None:
            from tradebot.sentiment.tickers import TickerExtractor

            self._find = TickerExtractor(universe=self._universe).extract
        named = self._find(article_text(article))
        return list(dict.fromkeys([*(s.upper() for s in article.symbols_hint), *named]))

    def _score(self, article: Article, ticker: str, entities: tuple[str, ...]) -> None:
        try:
            result = self._model.score_article(article, ticker)
        except SentimentUnavailableError:
            result = None
        if result is None:
            self.unscored += 1
            return
        scored = ScoredArticle(
            article=article,
            ticker=ticker,
            score=result.score,
            confidence=result.confidence,
            model=result.model,
            entities=entities,
        )
        self.scored += 1
        self._store.record_sentiment(self._run_id, scored)
        self._bus.publish(NEWS_SCORED, scored)
