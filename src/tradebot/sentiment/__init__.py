"""Sentiment analysis (pure scoring; model loading lives in adapters).

Analyzers share :class:`TextAnalyzer` (batch ``score_texts`` plus the engine's
``SentimentModel`` port). ``lexicon`` (:class:`LexiconAnalyzer`) is the default and needs
nothing heavy; ``embedding``, ``finbert`` and ``llm`` are adapters behind extras;
:class:`TieredAnalyzer` chains them. *No score* is ``None`` in a batch and
:class:`SentimentUnavailableError` through the port. :class:`SentimentContext` and
:class:`SentimentBook` hold per-ticker decayed sentiment for strategies.
"""

from tradebot.sentiment.base import TextAnalyzer, article_text
from tradebot.sentiment.book import SentimentBook
from tradebot.sentiment.context import ScoredItem, SentimentContext, SentimentSnapshot
from tradebot.sentiment.evaluation import Evaluation, accuracy, confusion_matrix, evaluate, macro_f1
from tradebot.sentiment.lexicon_analyzer import LexiconAnalyzer
from tradebot.sentiment.result import (
    LABELS,
    Label,
    SentimentResult,
    SentimentUnavailableError,
)
from tradebot.sentiment.tiered import TieredAnalyzer

__all__ = [
    "LABELS",
    "Evaluation",
    "Label",
    "LexiconAnalyzer",
    "ScoredItem",
    "SentimentBook",
    "SentimentContext",
    "SentimentResult",
    "SentimentSnapshot",
    "SentimentUnavailableError",
    "TextAnalyzer",
    "TieredAnalyzer",
    "accuracy",
    "article_text",
    "confusion_matrix",
    "evaluate",
    "macro_f1",
]
