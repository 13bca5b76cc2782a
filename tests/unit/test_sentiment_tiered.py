"""The tiered analyzer: routing by confidence, provenance of each score, failing tiers, and
the tiers that took no part."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from tradebot.domain import Article
from tradebot.sentiment import (
    Label,
    LexiconAnalyzer,
    SentimentResult,
    SentimentUnavailableError,
    TextAnalyzer,
    TieredAnalyzer,
)
from tradebot.sentiment.tiered import MissingTier
from tradebot.sentiment.unavailable import UnavailableAnalyzer


class Scripted(TextAnalyzer):
    """A tier with fixed answers per text, recording what it was asked (a test double for a
    slow model; the routing logic under test is the real one)."""

    def __init__(self, name: str, answers: dict[str, tuple[float, float] | None]) -> None:
        self.name = name
        self.answers = answers
        self.batches: list[list[str]] = []

    def score_texts(self, texts: Sequence[str]) -> list[SentimentResult | None]:
        self.batches.append(list(texts))
        out: list[SentimentResult | None] = []
        for text in texts:
            answer = self.answers.get(text)
            if answer is None:
                out.append(None)
                continue
            score, confidence = answer
            label = Label.POSITIVE if score > 0 else Label.NEGATIVE if score < 0 else Label.NEUTRAL
            out.append(SentimentResult(score, confidence, label, self.name))
        return out


def test_only_unsure_items_reach_the_fallback_in_one_batch() -> None:
    primary = Scripted("fast", {"a": (0.9, 0.95), "b": (0.2, 0.3), "c": (-0.5, 0.59)})
    fallback = Scripted("slow", {"b": (0.7, 0.8), "c": (-0.9, 0.9)})
    results = TieredAnalyzer([primary, fallback]).score_texts(["a", "b", "c"])
    assert fallback.batches == [["b", "c"]]
    assert [(r.score, r.model) for r in results if r] == [
        (0.9, "fast"),
        (0.7, "slow"),
        (-0.9, "slow"),
    ]


def test_a_failing_fallback_keeps_the_primarys_own_low_confidence_answer() -> None:
    primary = Scripted("fast", {"a": (0.2, 0.3)})
    fallback = Scripted("slow", {})
    (result,) = TieredAnalyzer([primary, fallback]).score_texts(["a"])
    assert result == SentimentResult(0.2, 0.3, Label.POSITIVE, "fast")


def test_a_failing_primary_hands_over_and_no_tier_means_no_score() -> None:
    primary = Scripted("fast", {})
    fallback = Scripted("slow", {"a": (-0.4, 0.5)})
    results = TieredAnalyzer([primary, fallback]).score_texts(["a", "b"])
    assert results[0] == SentimentResult(-0.4, 0.5, Label.NEGATIVE, "slow")
    assert results[1] is None


def test_threshold_decides_who_answers() -> None:
    texts = ["Shares rise"]
    lexicon = LexiconAnalyzer()
    fallback = Scripted("slow", {"Shares rise": (0.8, 0.9)})
    (own,) = lexicon.score_texts(texts)
    assert own is not None
    low = TieredAnalyzer([lexicon, fallback], threshold=own.confidence).score_texts(texts)[0]
    high = TieredAnalyzer([lexicon, fallback], threshold=own.confidence + 0.01).score_texts(texts)
    assert low is not None and low.model == "lexicon"
    assert high[0] is not None and high[0].model == "slow"


def test_the_port_raises_no_score_and_single_articles_follow_the_same_rule() -> None:
    article = Article(
        source="t",
        url="https://example.com/x",
        title="b",
        published_at=datetime(2020, 1, 1, tzinfo=UTC),
        content_hash="x",
    )
    tiered = TieredAnalyzer(
        [Scripted("fast", {"b": (0.2, 0.3)}), Scripted("slow", {"b": (0.6, 0.7)})]
    )
    assert tiered.score(article, "X") == (0.6, 0.7)
    nothing = TieredAnalyzer([Scripted("fast", {}), Scripted("slow", {})])
    assert nothing.score_article(article, "X") is None
    with pytest.raises(SentimentUnavailableError, match="no score"):
        nothing.score(article, "X")


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one tier"):
        TieredAnalyzer([])
    with pytest.raises(ValueError, match="threshold"):
        TieredAnalyzer([LexiconAnalyzer()], threshold=1.5)


def test_a_tier_that_could_not_be_built_or_never_answers_is_named_as_missing() -> None:
    down = UnavailableAnalyzer("embedding", "embedding head /x.npz not found")
    silent = Scripted("llm", {})
    tiered = TieredAnalyzer([LexiconAnalyzer(), down, silent], threshold=1.0)
    assert tiered.missing_tiers() == [MissingTier("embedding", "embedding head /x.npz not found")]
    results = tiered.score_texts(["Shares rise", "Profit falls"])
    assert all(r is not None and r.model == "lexicon" for r in results)
    assert tiered.missing_tiers() == [
        MissingTier("embedding", "embedding head /x.npz not found"),
        MissingTier("llm", "it scored none of the 2 texts it was asked"),
    ]


def test_a_tier_never_asked_is_not_missing() -> None:
    fallback = Scripted("slow", {})
    tiered = TieredAnalyzer([Scripted("fast", {"a": (0.9, 0.95)}), fallback])
    tiered.score_texts(["a"])
    assert fallback.batches == [] and tiered.missing_tiers() == []
