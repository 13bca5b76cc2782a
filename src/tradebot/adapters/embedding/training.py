"""``tradebot sentiment train``: fit the embedding analyzer's head on a labelled split.

Deterministic for a given seed, data and machine: full-batch training, seeded
initialisation. The report it returns (and stores in the head file) says what was trained
on what, with which settings, and how it scored on the validation rows.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tradebot.adapters.embedding.analyzer import features_of
from tradebot.adapters.embedding.encoder import EMBEDDING_MODEL, SentenceEncoder
from tradebot.adapters.embedding.head_file import as_stored, lexicon_fingerprint, save_head
from tradebot.sentiment.dataset import LabelledText
from tradebot.sentiment.evaluation import evaluate
from tradebot.sentiment.lexicon import Lexicon
from tradebot.sentiment.result import LABELS, results_from_probabilities
from tradebot.sentiment.softmax_head import fit_softmax_head

__all__ = ["TrainingReport", "train_head"]


@dataclass(frozen=True, slots=True)
class TrainingReport:
    out: str
    train_items: int
    valid_items: int
    seed: int
    hidden: int
    l2: float
    steps: int
    accuracy: float
    macro_f1: float
    confusion: list[list[int]]
    seconds: float
    extra: dict[str, Any] = field(default_factory=dict)


def train_head(
    train: list[LabelledText],
    valid: list[LabelledText],
    out: Path,
    *,
    lexicon: Lexicon,
    encoder: SentenceEncoder | None = None,
    seed: int = 0,
    hidden: int = 128,
    l2: float = 1e-3,
    steps: int = 600,
    note: dict[str, Any] | None = None,
) -> TrainingReport:
    """Embed ``train``, fit the head, score ``valid``, write the head to ``out``."""
    started = time.perf_counter()
    encoder = encoder or SentenceEncoder()
    x = features_of(encoder, [row.text for row in train], lexicon)
    y = np.array([LABELS.index(row.label) for row in train], dtype=np.int64)
    head = as_stored(fit_softmax_head(x, y, hidden=hidden, l2=l2, steps=steps, seed=seed))
    valid_x = features_of(encoder, [row.text for row in valid], lexicon)
    predicted = results_from_probabilities(head.probabilities(valid_x), "embedding")
    figures = evaluate([row.label for row in valid], [r.label for r in predicted])
    report = TrainingReport(
        out=str(out),
        train_items=len(train),
        valid_items=len(valid),
        seed=seed,
        hidden=hidden,
        l2=l2,
        steps=steps,
        accuracy=figures.accuracy,
        macro_f1=figures.macro_f1,
        confusion=figures.confusion,
        seconds=time.perf_counter() - started,
        extra=dict(note or {}),
    )
    meta = {
        "embedding_model": EMBEDDING_MODEL,
        "lexicon": lexicon_fingerprint(lexicon),
        "report": asdict(report),
    }
    save_head(out, head, meta)
    return report
