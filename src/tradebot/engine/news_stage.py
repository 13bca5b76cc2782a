"""The sentiment analyzer stage: records each new article once and scores it per ticker.

An article already seen (same content hash) is dropped here, so a story delivered twice is
scored once. Tickers come from the source's symbol hint for now; ticker extraction arrives
with the sentiment issue.
"""

from __future__ import annotations

from tradebot.domain.messages import Article, ScoredArticle
from tradebot.engine.topics import NEWS_SCORED
from tradebot.ports import Bus, SentimentModel, Store

__all__ = ["NewsStage"]


class NewsStage:
    stage = "sentiment-analyzer"

    def __init__(self, *, run_id: str, model: SentimentModel, store: Store, bus: Bus) -> None:
        self._run_id = run_id
        self._model = model
        self._store = store
        self._bus = bus
        self._seen: set[str] = set()
        self.scored = 0

    def on_article(self, article: Article) -> None:
        if article.content_hash in self._seen:
            return
        self._seen.add(article.content_hash)
        self._store.record_article(self._run_id, article)
        for ticker in article.symbols_hint:
            score, confidence = self._model.score(article, ticker)
            scored = ScoredArticle(
                article=article,
                ticker=ticker,
                score=score,
                confidence=confidence,
                model=self._model.name,
            )
            self.scored += 1
            self._store.record_sentiment(self._run_id, scored)
            self._bus.publish(NEWS_SCORED, scored)
