"""Sentiment cost: per-item latency of the default (lexicon) analyzer, and news-in →
scored-out latency through the kernel's news stage, both without I/O.

Latency: every text of the bundled validation split (2,388 finance tweets) is scored one at a
time through the port the news stage calls (``score_article(article, ticker)``),
``--repeats`` times; p50/p99/max are over all those calls, in wall time and in CPU time of
the thread (on a shared 2-core machine the wall-time tail is mostly the scheduler). News
path: the first ``--news`` bundled StockNet tweets, each timed through
``NewsStage.on_article`` (de-duplication, scoring every tagged ticker, building the
``ScoredArticle``, recording it in the in-memory store and publishing it on the memory bus).
Throughput: whole-split batches through ``score_texts`` per analyzer named with
``--analyzers`` (``tradebot sentiment eval`` reports the same figure with accuracy).

    .venv/bin/python bench/bench_sentiment.py --repeats 5 --news 5000
    .venv/bin/python bench/bench_sentiment.py --analyzers lexicon,embedding,tiered
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import numpy as np

from tradebot.adapters.news import FileReplaySource
from tradebot.config import SentimentSettings
from tradebot.data import sample_news_file
from tradebot.domain import Article
from tradebot.engine.bus import MemoryBus
from tradebot.engine.news_stage import NewsStage
from tradebot.runtime.analyzers import build_analyzer
from tradebot.sentiment import LexiconAnalyzer
from tradebot.sentiment.dataset import bundled_dataset_path, read_labelled_csv
from tradebot.testing import MemoryStore


def _percentiles(wall_s: list[float], cpu_s: list[float]) -> dict[str, float]:
    wall = np.array(wall_s) * 1e6
    cpu = np.array(cpu_s) * 1e6
    return {
        "calls": len(wall_s),
        "p50_us": float(np.percentile(wall, 50)),
        "p99_us": float(np.percentile(wall, 99)),
        "max_us": float(wall.max()),
        "cpu_p50_us": float(np.percentile(cpu, 50)),
        "cpu_p99_us": float(np.percentile(cpu, 99)),
    }


def _timed(call: Callable[[], object], wall: list[float], cpu: list[float]) -> None:
    """Wall time, and this thread's CPU time (which a busy shared machine does not inflate
    by descheduling us)."""
    w0, c0 = time.perf_counter(), time.thread_time()
    call()
    cpu.append(time.thread_time() - c0)
    wall.append(time.perf_counter() - w0)


def lexicon_latency(texts: list[str], repeats: int) -> dict[str, float]:
    analyzer = LexiconAnalyzer()
    when = datetime(2020, 1, 1, tzinfo=UTC)
    articles = [
        Article(source="bench", url=f"u{i}", title=t, published_at=when, content_hash=f"h{i}")
        for i, t in enumerate(texts)
    ]
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(repeats):
        for article in articles:
            _timed(partial(analyzer.score_article, article, "X"), wall, cpu)
    return _percentiles(wall, cpu)


def news_path_latency(limit: int) -> dict[str, float]:
    source = FileReplaySource(sample_news_file())
    articles = [a for _, a in zip(range(limit), source.articles(), strict=False)]
    stage = NewsStage(run_id="bench", model=LexiconAnalyzer(), store=MemoryStore(), bus=MemoryBus())
    wall: list[float] = []
    cpu: list[float] = []
    for article in articles:
        _timed(partial(stage.on_article, article), wall, cpu)
    return {**_percentiles(wall, cpu), "scored": stage.scored}


def throughput(names: list[str], texts: list[str]) -> dict[str, float | str]:
    settings = SentimentSettings()
    out: dict[str, float | str] = {}
    for name in names:
        try:
            analyzer = build_analyzer(name, settings)
        except Exception as exc:  # report and go on: the bench covers what runs here
            out[name] = f"unavailable: {exc}"
            continue
        analyzer.score_texts(texts[:64])  # warm-up (model load, first-call caches)
        started = time.perf_counter()
        analyzer.score_texts(texts)
        out[name] = len(texts) / (time.perf_counter() - started)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--news", type=int, default=5000)
    parser.add_argument("--analyzers", default="lexicon")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    texts = [row.text for row in read_labelled_csv(bundled_dataset_path(), split="valid")]
    result = {
        "lexicon_latency": lexicon_latency(texts, args.repeats),
        "news_path_latency": news_path_latency(args.news),
        "items_per_s": throughput(args.analyzers.split(","), texts),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
