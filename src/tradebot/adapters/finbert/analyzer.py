"""``finbert``: transformers sequence classification (ProsusAI/finbert by default).

The model is a hub id or a local folder (``sentiment.finbert_model``). Nothing is downloaded
unless ``allow_download`` is set: a trading process should never reach for the network to
start, and without it a missing model is one :class:`SentimentUnavailableError` line saying
how to get it. Input is the text (an article's title first, then its body), truncated to
512 tokens; batches of ``batch_size``; on the GPU when ``torch.cuda`` has one, else the CPU.

Labels are read from the model's own ``id2label`` (FinBERT: positive, negative, neutral),
so a fine-tuned variant with another order works unchanged. Score = p(positive) −
p(negative); confidence = the winning class's probability; label = the argmax.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tradebot.ops.logging import get_logger
from tradebot.sentiment.base import TextAnalyzer
from tradebot.sentiment.result import (
    LABELS,
    Label,
    SentimentResult,
    SentimentUnavailableError,
    results_from_probabilities,
)

__all__ = ["DEFAULT_FINBERT_MODEL", "FinBertAnalyzer"]

DEFAULT_FINBERT_MODEL = "ProsusAI/finbert"
MAX_TOKENS = 512
_log = get_logger("sentiment-analyzer")


def _import_stack() -> tuple[Any, Any]:
    try:
        import torch
        import transformers
    except ImportError as exc:
        raise SentimentUnavailableError(
            f"the finbert analyzer needs transformers and torch ({exc.name} is not installed)",
            "pip install torch==2.13.0 'tradebot[finbert]'",
        ) from exc
    return torch, transformers


def _label_order(id2label: dict[int, str], model: str) -> list[Label]:
    order: list[Label] = []
    for index in range(len(id2label)):
        name = str(id2label.get(index, "")).strip().lower()
        if name not in {label.value for label in LABELS}:
            raise SentimentUnavailableError(
                f"model {model} has class {index} = {name!r}, not positive/negative/neutral",
                "use a three-class financial sentiment model such as ProsusAI/finbert",
            )
        order.append(Label(name))
    if sorted(order) != sorted(LABELS):
        raise SentimentUnavailableError(
            f"model {model} classes are {[label.value for label in order]}",
            "use a three-class financial sentiment model such as ProsusAI/finbert",
        )
    return order


class FinBertAnalyzer(TextAnalyzer):
    name = "finbert"

    def __init__(
        self,
        model: str | Path = DEFAULT_FINBERT_MODEL,
        *,
        batch_size: int = 16,
        device: str | None = None,
        allow_download: bool = False,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        torch, transformers = _import_stack()
        self._torch = torch
        source = str(model)
        local_only = not allow_download or os.environ.get("HF_HUB_OFFLINE") == "1"
        if Path(source).expanduser().exists():
            source = str(Path(source).expanduser())
        try:
            self._tokenizer = transformers.AutoTokenizer.from_pretrained(
                source, local_files_only=local_only
            )
            self._model = transformers.AutoModelForSequenceClassification.from_pretrained(
                source, local_files_only=local_only
            )
        except (OSError, ValueError) as exc:
            raise SentimentUnavailableError(
                f"FinBERT model {source!r} is not available locally",
                "download it once where there is internet (`hf download ProsusAI/finbert`, "
                "then run with HF_HUB_OFFLINE=1) or set sentiment.finbert_model to a folder "
                "holding config.json, the weights and the tokenizer; "
                "sentiment.finbert_download=true lets tradebot fetch it",
            ) from exc
        self._labels = _label_order(dict(self._model.config.id2label), source)
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self._model.to(self.device)
        self._model.eval()
        self.batch_size = batch_size
        self.model_source = source

    def _probabilities(self, texts: Sequence[str]) -> Any:
        encoded = self._tokenizer(
            list(texts),
            padding=True,
            truncation=True,
            max_length=MAX_TOKENS,
            return_tensors="pt",
        ).to(self.device)
        with self._torch.inference_mode():
            logits = self._model(**encoded).logits
        return self._torch.softmax(logits.float(), dim=-1).cpu().numpy()

    def score_texts(self, texts: Sequence[str]) -> list[SentimentResult | None]:
        results: list[SentimentResult | None] = []
        for start in range(0, len(texts), self.batch_size):
            batch = [text or " " for text in texts[start : start + self.batch_size]]
            try:
                probabilities = self._probabilities(batch)
            except RuntimeError as exc:  # out of memory, a broken device: no score, say why
                _log.warning("finbert batch failed: no score", error=str(exc), items=len(batch))
                results.extend([None] * len(batch))
                continue
            results.extend(results_from_probabilities(probabilities, self.name, self._labels))
        return results
