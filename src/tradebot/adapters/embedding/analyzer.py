"""``embedding``: MiniLM sentence embeddings + lexicon features → a small trained head.

The head (see :mod:`tradebot.sentiment.softmax_head`) is trained by
``tradebot sentiment train`` on the bundled train split; the one shipped in the package was
made that way (``tradebot/data/sentiment/EMBEDDING_HEAD.md``). Score = p(positive) −
p(negative); confidence = the winning class's probability; label = the argmax.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tradebot.adapters.embedding.encoder import SentenceEncoder
from tradebot.adapters.embedding.head_file import bundled_head_path, load_head
from tradebot.ops.logging import get_logger
from tradebot.sentiment.base import TextAnalyzer
from tradebot.sentiment.features import lexicon_features
from tradebot.sentiment.lexicon import Lexicon, default_lexicon
from tradebot.sentiment.result import SentimentResult, results_from_probabilities
from tradebot.sentiment.softmax_head import FloatArray, SoftmaxHead

__all__ = ["EmbeddingAnalyzer", "features_of"]

_log = get_logger("sentiment-analyzer")


def features_of(encoder: SentenceEncoder, texts: Sequence[str], lexicon: Lexicon) -> FloatArray:
    """What the head sees: the embedding and the lexicon features, side by side."""
    return np.hstack([encoder.encode(texts), lexicon_features(texts, lexicon)])


class EmbeddingAnalyzer(TextAnalyzer):
    name = "embedding"

    def __init__(
        self,
        head: Path | None = None,
        *,
        device: str | None = None,
        batch_size: int = 16,
        encoder: SentenceEncoder | None = None,
        lexicon: Lexicon | None = None,
    ) -> None:
        self.lexicon = lexicon if lexicon is not None else default_lexicon()
        self.head_path = head if head is not None else bundled_head_path()
        self.head: SoftmaxHead
        self.meta: dict[str, Any]
        self.head, self.meta = load_head(self.head_path, self.lexicon)
        self.encoder = encoder or SentenceEncoder(device=device, batch_size=batch_size)

    def score_texts(self, texts: Sequence[str]) -> list[SentimentResult | None]:
        if not texts:
            return []
        try:
            features = features_of(self.encoder, texts, self.lexicon)
        except RuntimeError as exc:  # out of memory, a broken device: no score, say why
            _log.warning("embedding batch failed: no score", error=str(exc), items=len(texts))
            return [None] * len(texts)
        return list(results_from_probabilities(self.head.probabilities(features), self.name))
