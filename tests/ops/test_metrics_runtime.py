"""The composition root observes paper runs only: a real paper replay fills the metrics,
a backtest built while metrics are served gets no observer and no timers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tradebot.config import Settings, load_settings
from tradebot.data import sample_data_dir, sample_news_file
from tradebot.domain.enums import Mode
from tradebot.engine import topics
from tradebot.engine.bus import MemoryBus
from tradebot.engine.kernel import Kernel
from tradebot.ops.metrics import EngineMetrics, TimedSentiment
from tradebot.runtime.metrics import STAGE, installed, reporting_to
from tradebot.runtime.wiring import RunRequest, build_kernel, open_store


def _settings(tmp_path: Path) -> Settings:
    return load_settings(store={"url": f"sqlite:///{tmp_path / 'run.db'}"})


def _request(mode: Mode) -> RunRequest:
    return RunRequest(
        symbols=("AAPL", "MSFT"),
        start=datetime(2015, 8, 1, tzinfo=UTC),
        end=datetime(2015, 12, 31, tzinfo=UTC),
        data_dir=sample_data_dir("stocknet"),
        news_file=sample_news_file(),
        mode=mode,
        speed=1e9,
    )


def _stages(kernel: Kernel, topic: str) -> list[str]:
    bus = kernel.spec.bus
    assert isinstance(bus, MemoryBus)
    return bus.stages(topic)


def _value(metrics: EngineMetrics, name: str, **labels: str) -> float:
    found = metrics.registry.get_sample_value(name, labels)
    return 0.0 if found is None else found


def test_a_paper_replay_reports_every_stage(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    metrics = EngineMetrics()
    store = open_store(settings, Mode.PAPER)
    try:
        with reporting_to(metrics):
            kernel = build_kernel(settings, _request(Mode.PAPER), store)
            result = kernel.run()
    finally:
        store.close()
    assert installed() is None  # the scope ended
    assert STAGE in _stages(kernel, topics.DECISIONS)
    counts = result.counts
    acted = _value(metrics, "tradebot_decisions_total", outcome="act", first_failed="none")
    skipped = sum(
        sample.value
        for family in metrics.registry.collect()
        if family.name == "tradebot_decisions"
        for sample in family.samples
        if sample.name.endswith("_total") and sample.labels["outcome"] == "skip"
    )
    assert (acted, skipped) == (counts["acted"], counts["skipped"])
    assert acted > 0
    assert _value(metrics, "tradebot_bars_total", source="replay", timeframe="1d") == counts["bars"]
    assert (
        _value(metrics, "tradebot_news_scored_total", tier="lexicon") == counts["scored_articles"]
    )
    assert _value(metrics, "tradebot_equity") > 0
    assert _value(metrics, "tradebot_risk_tier", tier="moderate") == 1
    assert _value(metrics, "tradebot_store_write_seconds_count") > 0
    assert _value(metrics, "tradebot_sentiment_seconds_count", tier="lexicon") > 0
    assert _value(metrics, "tradebot_orders_total", status="filled") > 0
    assert _value(metrics, "tradebot_fill_slippage_bps_count") > 0
    assert _value(metrics, "tradebot_metrics_observer_errors_total") == 0


def test_a_backtest_is_never_observed(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    metrics = EngineMetrics()
    store = open_store(settings, Mode.BACKTEST)
    try:
        with reporting_to(metrics):
            kernel = build_kernel(settings, _request(Mode.BACKTEST), store)
            flush_timed = getattr(store.flush, "_timed", False)
            kernel.run()
    finally:
        store.close()
    for topic in (topics.MARKET_BARS, topics.DECISIONS, topics.ORDERS, topics.FILLS):
        assert STAGE not in _stages(kernel, topic)
    assert not isinstance(kernel.spec.sentiment, TimedSentiment)
    assert not flush_timed
    assert _value(metrics, "tradebot_bars_total", source="replay", timeframe="1d") == 0


def test_a_paper_run_without_served_metrics_is_not_observed(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    store = open_store(settings, Mode.PAPER)
    try:
        kernel = build_kernel(settings, _request(Mode.PAPER), store)
    finally:
        store.close()
    assert STAGE not in _stages(kernel, topics.DECISIONS)
    assert not isinstance(kernel.spec.sentiment, TimedSentiment)
