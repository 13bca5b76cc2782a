"""The kernel's sentiment stage: tickers from hints and text, restricted to the run's
symbols, scored by real analyzers, each (story, ticker) once, no score skipped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tradebot.adapters.news.dedup import dedup_keys
from tradebot.adapters.news.file_replay import content_hash
from tradebot.domain import Article, ScoredArticle
from tradebot.engine.news_stage import NewsStage, pair_key
from tradebot.engine.signal_stage import SignalStage
from tradebot.engine.topics import NEWS_SCORED
from tradebot.ports import SentimentModel
from tradebot.sentiment import LexiconAnalyzer, TieredAnalyzer
from tradebot.sentiment.unavailable import UnavailableAnalyzer
from tradebot.strategies import MomentumFactory, MomentumParams
from tradebot.testing import (
    FailingSeenItems,
    FixedSentiment,
    MemorySeenItems,
    MemoryStore,
    RecordingBus,
)

WHEN = datetime(2015, 3, 2, 14, 30, tzinfo=UTC)


def _article(title: str, *hints: str, body: str = "", minutes: int = 0) -> Article:
    return Article(
        source="twitter",
        url=f"https://twitter.com/i/web/status/{abs(hash(title)) % 10**12}",
        title=title,
        body=body,
        published_at=WHEN + timedelta(minutes=minutes),
        content_hash=content_hash(title, body),
        symbols_hint=hints,
    )


def _stage(
    model: SentimentModel | None = None,
    universe: tuple[str, ...] | None = ("AAPL", "MSFT", "FB", "PCLN", "GOOG"),
    **kwargs: object,
) -> tuple[NewsStage, MemoryStore, RecordingBus]:
    store, bus = MemoryStore(), RecordingBus()
    stage = NewsStage(
        run_id="r",
        model=model or LexiconAnalyzer(),
        store=store,
        bus=bus,
        universe=universe,
        **kwargs,  # type: ignore[arg-type]
    )
    return stage, store, bus


def _published(bus: RecordingBus) -> list[ScoredArticle]:
    return list(bus.messages[NEWS_SCORED])


def test_tickers_come_from_the_text_as_well_as_the_hint() -> None:
    stage, store, bus = _stage()
    stage.on_article(_article("Apple beats estimates while $MSFT slips", "AAPL"))
    scored = _published(bus)
    assert [s.ticker for s in scored] == ["AAPL", "MSFT"]
    assert {key[1] for key in store.sentiments} == {"AAPL", "MSFT"}
    assert len(store.articles) == 1


def test_an_untagged_item_is_scored_for_the_tickers_its_text_names() -> None:
    stage, _, bus = _stage()
    stage.on_article(_article("Microsoft shares surge after strong earnings"))
    assert [s.ticker for s in _published(bus)] == ["MSFT"]


def test_only_the_runs_symbols_are_scored_but_all_are_entities() -> None:
    stage, store, bus = _stage(universe=("AAPL",))
    stage.on_article(_article("$AAPL $TSLA $NFLX all up today", "AAPL", "XOM"))
    (scored,) = _published(bus)
    assert scored.ticker == "AAPL"
    assert scored.entities == ("AAPL", "XOM", "TSLA", "NFLX")
    stage.on_article(_article("Tesla and Netflix rally", "TSLA"))
    assert len(_published(bus)) == 1, "nothing in the universe: nothing scored or recorded"
    assert len(store.articles) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Facebook shares jump after earnings", ["FB"]),
        ("$FB and $PCLN beat estimates", ["FB", "PCLN"]),
        ("Priceline stock falls on weak guidance", ["PCLN"]),
        ("Google and Apple lead the Nasdaq higher", ["GOOG", "AAPL"]),
    ],
)
def test_stocknet_names_come_out_as_the_runs_symbols(text: str, expected: list[str]) -> None:
    stage, _, bus = _stage()
    stage.on_article(_article(text))
    assert [s.ticker for s in _published(bus)] == expected


def test_each_score_records_the_model_that_answered() -> None:
    missing = UnavailableAnalyzer("finbert", "the finbert extra is not installed")
    stage, store, bus = _stage(TieredAnalyzer([missing, LexiconAnalyzer()]))
    stage.on_article(_article("Apple shares soar to a record high", "AAPL"))
    (scored,) = _published(bus)
    assert scored.model == "lexicon"
    assert scored.score > 0.3
    assert list(store.sentiments) == [(scored.article.content_hash, "AAPL", "lexicon")]
    fixed, _, fixed_bus = _stage(FixedSentiment(0.2, 0.7, name="fixed-model"))
    fixed.on_article(_article("Apple event today", "AAPL"))
    assert [s.model for s in _published(fixed_bus)] == ["fixed-model"]


def test_no_score_is_skipped_never_invented() -> None:
    down = UnavailableAnalyzer("llm", "Ollama is not running at 127.0.0.1:11434")
    stage, store, bus = _stage(TieredAnalyzer([down]))
    stage.on_article(_article("Apple shares soar", "AAPL"))
    assert _published(bus) == []
    assert store.sentiments == {}
    assert stage.unscored == 1
    assert stage.scored == 0


class _Raising:
    """A port-only model that reports no score the old way, by raising."""

    name = "raising"

    def score_article(self, article: Article, ticker: str) -> None:
        from tradebot.sentiment import SentimentUnavailableError

        raise SentimentUnavailableError("model down", "start it")


def test_an_unavailable_error_is_no_score_too() -> None:
    stage, _, bus = _stage(_Raising())
    stage.on_article(_article("Apple shares soar", "AAPL"))
    assert _published(bus) == []
    assert stage.unscored == 1


def test_a_story_seen_twice_scores_once() -> None:
    model = FixedSentiment()
    stage, store, bus = _stage(model)
    article = _article("Apple and Microsoft rally", "AAPL")
    stage.on_article(article)
    stage.on_article(article)  # redelivered
    stage.on_article(_article("Apple and  Microsoft   rally", "MSFT", minutes=5))  # re-posted
    assert sorted(model.calls) == sorted(
        [(article.content_hash, "AAPL"), (article.content_hash, "MSFT")]
    )
    assert len(_published(bus)) == 2
    assert stage.repeats == 4
    assert len(store.articles) == 1


def test_the_same_story_filed_under_a_new_ticker_scores_for_that_ticker_only() -> None:
    model = FixedSentiment()
    stage, _, bus = _stage(model)
    stage.on_article(_article("Big day for tech", "AAPL"))
    stage.on_article(_article("Big day for tech", "MSFT"))
    assert [s.ticker for s in _published(bus)] == ["AAPL", "MSFT"]


def test_a_persisted_memory_survives_a_restart_and_a_fresh_one_scores_again() -> None:
    article = _article("Apple shares soar", "AAPL")
    memory = MemorySeenItems()
    first, _, _ = _stage(seen=memory)
    first.on_article(article)
    assert pair_key(article.content_hash, "AAPL") in memory.first_seen
    restarted, _, bus = _stage(seen=memory)
    restarted.on_article(article)
    assert _published(bus) == []
    replay, _, replay_bus = _stage(seen=MemorySeenItems())
    replay.on_article(article)
    assert len(_published(replay_bus)) == 1


def test_the_fetchers_dedup_keys_do_not_hide_a_fresh_story() -> None:
    """The live source remembers ``u:/h:/t:`` keys in the same table before the stage sees
    the item; the stage's own ``s:`` keys must not collide with them."""
    article = _article("Apple shares soar after record iPhone sales in China", "AAPL")
    memory = MemorySeenItems()
    memory.remember(dedup_keys(article), WHEN)
    stage, _, bus = _stage(seen=memory)
    stage.on_article(article)
    assert len(_published(bus)) == 1


def test_a_failing_memory_loses_no_news_and_catches_repeats_until_it_recovers() -> None:
    memory = FailingSeenItems(failing=True)
    stage, _, bus = _stage(seen=memory)
    article = _article("Apple shares soar", "AAPL")
    stage.on_article(article)
    stage.on_article(article)
    assert len(_published(bus)) == 1
    memory.failing = False
    stage.on_article(_article("Microsoft shares slip", "MSFT"))
    assert pair_key(article.content_hash, "AAPL") in memory.first_seen, "retried"
    assert len(_published(bus)) == 2


def test_pair_keys_fit_the_seen_items_table() -> None:
    key = pair_key("f" * 64, "BRK.B")
    assert key.startswith("s:")
    assert len(key) == 66
    assert key != pair_key("f" * 64, "BRK.A")


def test_the_signal_stage_decays_sentiment_with_the_configured_half_life() -> None:
    factories = [MomentumFactory(MomentumParams(fast=3, slow=8))]
    stage = SignalStage(
        run_id="r",
        factories=factories,
        store=MemoryStore(),
        bus=RecordingBus(),
        sentiment_half_life=timedelta(hours=1),
    )
    article = _article("Apple shares soar", "AAPL")
    stage.on_scored(
        ScoredArticle(article=article, ticker="AAPL", score=0.8, confidence=0.9, model="m")
    )
    stage.on_scored(
        ScoredArticle(
            article=_article("Apple shares fall", "AAPL", minutes=60),
            ticker="AAPL",
            score=-0.4,
            confidence=0.9,
            model="m",
        )
    )
    context = stage.context("AAPL").sentiment
    assert context.half_life == timedelta(hours=1)
    now = WHEN + timedelta(hours=1)
    # weights 0.5 (one half-life old) and 1 (fresh): (0.5·0.8 − 0.4) / 1.5 = 0
    assert context.score(now) == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError, match="half_life"):
        SignalStage(
            run_id="r",
            factories=factories,
            store=MemoryStore(),
            bus=RecordingBus(),
            sentiment_half_life=timedelta(0),
        )
