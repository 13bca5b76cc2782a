"""Builds sentiment analyzers from settings: the one place that picks adapters for them.

``build_analyzer(name, settings)`` returns a ready analyzer or raises one
:class:`SentimentUnavailableError` line (extra not installed, model missing). In a tiered
chain a tier that cannot be built is logged once and stands aside as an
:class:`UnavailableAnalyzer`, so the other tiers still score; only a chain with no working
tier at all is an error.
"""

from __future__ import annotations

from tradebot.config import SentimentSettings
from tradebot.ops.logging import get_logger
from tradebot.sentiment.base import TextAnalyzer
from tradebot.sentiment.lexicon_analyzer import LexiconAnalyzer
from tradebot.sentiment.result import SentimentUnavailableError
from tradebot.sentiment.tiered import TieredAnalyzer
from tradebot.sentiment.unavailable import UnavailableAnalyzer

__all__ = ["ANALYZER_NAMES", "build_analyzer"]

ANALYZER_NAMES = ("lexicon", "embedding", "finbert", "llm", "tiered")
_log = get_logger("sentiment-analyzer")


def _single(name: str, settings: SentimentSettings) -> TextAnalyzer:
    if name == "lexicon":
        return LexiconAnalyzer()
    if name == "embedding":
        from tradebot.adapters.embedding import EmbeddingAnalyzer

        return EmbeddingAnalyzer(
            settings.embedding_head, device=settings.device, batch_size=settings.batch_size
        )
    if name == "finbert":
        from tradebot.adapters.finbert import FinBertAnalyzer

        return FinBertAnalyzer(
            settings.finbert_model,
            batch_size=settings.batch_size,
            device=settings.device,
            allow_download=settings.finbert_download,
        )
    if name == "llm":
        from tradebot.adapters.ollama import LlmAnalyzer

        return LlmAnalyzer(
            host=settings.ollama_host,
            model=settings.ollama_model,
            timeout_s=settings.ollama_timeout_s,
            retries=settings.ollama_retries,
        )
    raise SentimentUnavailableError(
        f"unknown sentiment analyzer {name!r}", f"choose one of {', '.join(ANALYZER_NAMES)}"
    )


def build_analyzer(name: str, settings: SentimentSettings) -> TextAnalyzer:
    """The analyzer called ``name`` (``tiered``: the chain ``settings.tiers``)."""
    if name != "tiered":
        return _single(name, settings)
    tiers: list[TextAnalyzer] = []
    for tier in settings.tiers:
        try:
            tiers.append(_single(tier, settings))
        except SentimentUnavailableError as exc:
            _log.warning("sentiment tier unavailable", tier=tier, reason=exc.one_line())
            tiers.append(UnavailableAnalyzer(tier, exc.one_line()))
    if all(isinstance(tier, UnavailableAnalyzer) for tier in tiers):
        raise SentimentUnavailableError(
            f"no tier of the tiered analyzer ({', '.join(settings.tiers)}) is available",
            "install an analyzer's extra or add lexicon to sentiment.tiers",
        )
    return TieredAnalyzer(tiers, threshold=settings.threshold)
