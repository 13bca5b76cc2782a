"""The shape every analyzer shares: batch scoring of texts, and the engine's port on top.

Subclasses implement only :meth:`TextAnalyzer.score_texts`. The single-article methods are
derived from it, so an analyzer cannot score an article differently from the same text in
a batch. The ``ticker`` is ignored by whole-text analyzers; one that can focus on a ticker
(the LLM) overrides :meth:`TextAnalyzer.score_article`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from tradebot.domain.messages import Article
from tradebot.sentiment.result import SentimentResult, SentimentUnavailableError

__all__ = ["TextAnalyzer", "article_text"]


def article_text(article: Article) -> str:
    """The text scored for an article: its title, then its body (a tweet has only a title).
    Models that truncate (FinBERT: 512 tokens) therefore always keep the title."""
    body = article.body.strip()
    title = article.title.strip()
    if not body or body == title:
        return title
    return f"{title}. {body}" if title else body


class TextAnalyzer(ABC):
    """Base of the analyzers; implements the :class:`~tradebot.ports.SentimentModel` port."""

    name: str

    @abstractmethod
    def score_texts(self, texts: Sequence[str]) -> list[SentimentResult | None]:
        """One entry per text, in order; ``None`` means no score for that text."""

    def score_article(self, article: Article, ticker: str) -> SentimentResult | None:
        """The result for ``article`` about ``ticker``, or ``None`` (no score)."""
        return self.score_texts([article_text(article)])[0]

    def score(self, article: Article, ticker: str) -> tuple[float, float]:
        """``(score, confidence)`` for callers that want two numbers (tests, notebooks; the
        engine calls :meth:`score_article`); no score raises
        :class:`~tradebot.sentiment.result.SentimentUnavailableError`."""
        result = self.score_article(article, ticker)
        if result is None:
            raise SentimentUnavailableError(
                f"sentiment analyzer {self.name!r} has no score for {article.url or ticker}",
                "skip the item; check the analyzer's log line for why it is unavailable",
            )
        return result.score, result.confidence
