"""The lexicon analyzer on real headlines: direction, negation, degree, idioms, bounds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradebot.domain import Article
from tradebot.domain.errors import DataError
from tradebot.sentiment import Label, LexiconAnalyzer
from tradebot.sentiment.lexicon import default_lexicon, parse_lexicon
from tradebot.sentiment.lexicon_analyzer import collect_evidence
from tradebot.sentiment.result import label_for
from tradebot.sentiment.tokens import NUMBER, PCT_DOWN, PCT_UP, tokenize


@pytest.fixture(scope="module")
def lexicon() -> LexiconAnalyzer:
    return LexiconAnalyzer()


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Elastic upgraded to buy from hold at Canaccord Genuity", Label.POSITIVE),
        ("RingCentral (RNG) Q4 Earnings and Revenues Beat Estimates", Label.POSITIVE),
        ("Uber's stock surges 7.9% premarket toward 6-mo. high after Q4 results", Label.POSITIVE),
        ("Funko downgraded to hold from buy at Stifel Nicolaus", Label.NEGATIVE),
        ("Tyson stock slips after sales miss", Label.NEGATIVE),
        ("InVivo launches equity offering; shares down 17%", Label.NEGATIVE),
        ("Kohl's stock price target cut to $48 from $52 at Deutsche Bank", Label.NEGATIVE),
        ("$GATX - GATX to sell American Steamship Company business segment", Label.NEUTRAL),
        ("XPO Logistics Appoints David Wyshner as Chief Financial Officer", Label.NEUTRAL),
        ("J.B. Hunt CFO steps down", Label.NEUTRAL),
    ],
)
def test_headlines_get_their_direction(lexicon: LexiconAnalyzer, text: str, label: Label) -> None:
    assert lexicon.analyze(text).label is label


def test_negation_flips_and_damps(lexicon: LexiconAnalyzer) -> None:
    plain = lexicon.analyze("Results beat estimates").score
    negated = lexicon.analyze("Results did not beat estimates").score
    assert plain > 0 > negated
    assert abs(negated) < abs(plain)


def test_degree_words_push_away_from_zero(lexicon: LexiconAnalyzer) -> None:
    plain = lexicon.analyze("Shares fell").score
    assert lexicon.analyze("Shares fell sharply").score < plain < 0
    assert plain < lexicon.analyze("Shares fell slightly").score < 0


def test_a_question_is_less_assertive(lexicon: LexiconAnalyzer) -> None:
    statement = lexicon.analyze("Shares surge on strong demand").score
    question = lexicon.analyze("Shares surge on strong demand?").score
    assert 0 < question < statement


def test_a_concession_counts_less_than_the_main_clause(lexicon: LexiconAnalyzer) -> None:
    result = lexicon.analyze("Simply Good Foods trades lower despite strong Q2 upside")
    assert result.score < 0


def test_the_old_rating_after_from_is_ignored() -> None:
    evidence = collect_evidence(
        "Rio Tinto downgraded to neutral from overweight", default_lexicon()
    )
    assert evidence.terms == ("downgraded",)


def test_no_sentiment_words_is_neutral_with_the_no_evidence_confidence() -> None:
    analyzer = LexiconAnalyzer(no_evidence_confidence=0.77)
    result = analyzer.analyze("HEICO Q4 2019 Earnings Preview")
    assert (result.score, result.confidence, result.label) == (0.0, 0.77, Label.NEUTRAL)


def test_strong_evidence_is_more_confident_than_weak(lexicon: LexiconAnalyzer) -> None:
    weak = lexicon.analyze("Oil futures rise")
    strong = lexicon.analyze("Stock soars to record high after earnings beat, upgraded")
    assert weak.confidence < 0.6 <= strong.confidence
    assert strong.score > weak.score > 0


def test_tokens_drop_links_and_cashtags_and_mark_signed_moves() -> None:
    tokens = tokenize("$AAPL (+7.7% pre) up 5 https://t.co/x - it's a sell-off, -3% on $16")
    assert tokens == [
        PCT_UP,
        "pre",
        "up",
        NUMBER,
        "its",
        "a",
        "sell",
        "off",
        PCT_DOWN,
        "on",
        NUMBER,
    ]


def test_port_and_batch_agree(lexicon: LexiconAnalyzer) -> None:
    article = Article(
        source="test",
        url="https://example.com/1",
        title="Tesla shares plunge after deliveries miss",
        published_at=datetime(2020, 1, 2, tzinfo=UTC),
        content_hash="h1",
    )
    score, confidence = lexicon.score(article, "TSLA")
    batch = lexicon.score_texts([article.title])[0]
    assert batch is not None
    assert (score, confidence) == (batch.score, batch.confidence)
    assert score < -0.5 and batch.model == "lexicon"


@given(st.text(max_size=300))
def test_any_text_scores_within_bounds(text: str) -> None:
    result = LexiconAnalyzer().analyze(text)
    assert -1.0 <= result.score <= 1.0
    assert 0.0 <= result.confidence <= 1.0
    assert (result.label is Label.POSITIVE) == (result.score >= 0.3)
    assert (result.label is Label.NEGATIVE) == (result.score <= -0.3)


def test_a_bad_lexicon_line_is_one_clear_error() -> None:
    with pytest.raises(DataError, match="line 2: expected 'term<TAB>number'"):
        parse_lexicon("# comment\nsoar 3\n", "", "")
    with pytest.raises(DataError, match=r"outside -4\.0\.\.4\.0"):
        parse_lexicon("soar\t9\n", "", "")


def test_inflections_and_hyphens_share_a_valence() -> None:
    lexicon = parse_lexicon("sell-off|selloff\t-2\n", "not\n", "very\t0.3\n")
    assert lexicon.terms[("sell", "off")] == lexicon.terms[("selloff",)] == -2.0
    assert lexicon.negators == frozenset({"not"}) and lexicon.modifiers == {"very": 0.3}


@pytest.mark.parametrize(
    ("score", "label"),
    [(0.3, Label.POSITIVE), (0.29, Label.NEUTRAL), (-0.29, Label.NEUTRAL), (-0.3, Label.NEGATIVE)],
)
def test_the_band_edges_belong_to_the_polar_labels(score: float, label: Label) -> None:
    assert label_for(score, 0.3) is label
