"""The composition root puts the configured analyzer, half-life and news memory into the
kernel; runs on the bundled StockNet bars and tweets (two months, two symbols)."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tradebot.adapters.news.dedup import MemorySeenItems
from tradebot.adapters.sql.store import SqlStore
from tradebot.config import SentimentSettings, load_settings
from tradebot.data import sample_data_dir, sample_news_file
from tradebot.engine.kernel import Kernel, RunResult
from tradebot.runtime.wiring import RunRequest, build_kernel, news_memory
from tradebot.testing import MemoryStore

START, END = datetime(2015, 1, 1, tzinfo=UTC), datetime(2015, 2, 28, 23, 59, tzinfo=UTC)


def _run(store: MemoryStore, *, news: bool = True, **sentiment: Any) -> tuple[RunResult, Kernel]:
    settings = load_settings(sentiment=SentimentSettings(**sentiment))
    request = RunRequest(
        symbols=("AAPL", "FB"),
        start=START,
        end=END,
        data_dir=sample_data_dir("stocknet"),
        news_file=sample_news_file() if news else None,
    )
    kernel = build_kernel(settings, request, store)
    return kernel.run(), kernel


def _closed_port() -> int:
    """A loopback port nothing listens on: Ollama "not running"."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_default_lexicon_scores_the_runs_tickers_and_names_itself() -> None:
    store = MemoryStore()
    result, _ = _run(store)
    assert result.counts["scored_articles"] == len(store.sentiments) > 500
    assert {scored.model for scored in store.sentiments.values()} == {"lexicon"}
    assert {scored.ticker for scored in store.sentiments.values()} == {"AAPL", "FB"}
    assert all(scored.ticker in scored.entities for scored in store.sentiments.values())
    named_in_text = [s for s in store.sentiments.values() if s.ticker not in s.article.symbols_hint]
    assert named_in_text, "tweets filed under one symbol that name the other are scored for both"


def test_a_tier_that_is_down_leaves_the_scoring_to_the_others() -> None:
    store = MemoryStore()
    host = f"http://127.0.0.1:{_closed_port()}"
    result, _ = _run(
        store,
        analyzer="tiered",
        tiers=("lexicon", "llm"),
        ollama_host=host,
        ollama_retries=0,
        ollama_timeout_s=1.0,
    )
    assert result.status == "completed"
    assert result.counts["unscored_articles"] == 0
    assert {scored.model for scored in store.sentiments.values()} == {"lexicon"}


def test_with_no_tier_up_nothing_is_scored_and_nothing_invented() -> None:
    store = MemoryStore()
    host = f"http://127.0.0.1:{_closed_port()}"
    result, _ = _run(store, analyzer="tiered", tiers=("llm",), ollama_host=host, ollama_retries=0)
    assert result.status == "completed"
    assert result.counts["scored_articles"] == 0
    assert result.counts["unscored_articles"] > 500
    assert store.sentiments == {}
    assert result.metrics["news_signals"] == 0
    assert len(store.articles) > 500, "the articles are still recorded"


def test_the_configured_half_life_reaches_every_tickers_context() -> None:
    _, kernel = _run(MemoryStore(), half_life_hours=2.5)
    for symbol in ("AAPL", "FB"):
        assert kernel.signals.context(symbol).sentiment.half_life == timedelta(hours=2.5)


def test_a_second_backtest_of_the_same_news_scores_it_again() -> None:
    store = MemoryStore()
    first, _ = _run(store)
    second, _ = _run(store)
    assert second.counts["scored_articles"] == first.counts["scored_articles"] > 0
    assert second.metrics["news_signals"] == first.metrics["news_signals"]


def test_replays_get_a_fresh_memory_and_live_sessions_the_stores(tmp_path: Path) -> None:
    sql = SqlStore(f"sqlite:///{tmp_path / 'm.db'}")
    try:
        first, second = news_memory(sql, replay=True), news_memory(sql, replay=True)
        assert isinstance(first, MemorySeenItems) and first is not second
        assert news_memory(sql, replay=False) is sql
        assert isinstance(news_memory(MemoryStore(), replay=False), MemorySeenItems)
    finally:
        sql.close()


def test_a_run_without_news_counts_no_news() -> None:
    result, _ = _run(MemoryStore(), news=False)
    assert result.counts["articles"] == result.counts["scored_articles"] == 0
    assert result.metrics["news_signals"] == result.metrics["news_decisions_acted"] == 0


def test_a_run_without_news_loads_no_model() -> None:
    """The embedding analyzer would import sentence-transformers and torch (seconds,
    hundreds of MB); a fresh process shows whether building the kernel did."""
    code = (
        "import sys\n"
        "from tradebot.config import SentimentSettings, load_settings\n"
        "from tradebot.data import sample_data_dir\n"
        "from tradebot.runtime.wiring import RunRequest, build_kernel\n"
        "from tradebot.testing import MemoryStore\n"
        "settings = load_settings(sentiment=SentimentSettings(analyzer='embedding'))\n"
        "request = RunRequest(symbols=('AAPL',), data_dir=sample_data_dir('stocknet'))\n"
        "build_kernel(settings, request, MemoryStore())\n"
        "print(sorted({'torch', 'sentence_transformers'} & set(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
