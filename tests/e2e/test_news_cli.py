"""News end to end as a user runs it: a backtest over the bundled StockNet bars and tweets
with news on and off, then ``tradebot news`` over what it recorded."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.cli import run_tradebot
from tradebot.data import sample_data_dir, sample_news_file

PERIOD = ["--symbols", "AAPL,FB,GOOG", "--start", "2014-04-01", "--end", "2014-06-30"]


def _backtest(tmp: Path, db: Path, name: str, *extra: str) -> tuple[dict[str, Any], str]:
    out = tmp / f"{name}.json"
    done = run_tradebot(
        "backtest",
        *PERIOD,
        "--data",
        str(sample_data_dir("stocknet")),
        *extra,
        "--json",
        str(out),
        db=db,
        cwd=tmp,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text()), done.stdout


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("news")
    db = tmp / "news.db"
    on, on_out = _backtest(tmp, db, "on", "--news", str(sample_news_file()))
    off, off_out = _backtest(tmp, db, "off")
    return {"tmp": tmp, "db": db, "on": on, "off": off, "on_out": on_out, "off_out": off_out}


def _rows(db: Path, sql: str, **params: object) -> list[tuple[Any, ...]]:
    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]
    finally:
        engine.dispose()


def _news(runs: dict[str, Any], *args: str) -> subprocess.CompletedProcess[str]:
    return run_tradebot("news", *args, db=runs["db"], cwd=runs["tmp"])


def test_news_on_shows_what_the_news_strategy_contributed_and_off_shows_zero(
    runs: dict[str, Any],
) -> None:
    on, off = runs["on"]["metrics"], runs["off"]["metrics"]
    assert on["news_signals"] > 0
    assert 0 < on["news_decisions_acted"] <= on["news_signals"]
    assert off["news_signals"] == off["news_decisions_acted"] == 0
    assert runs["on"]["counts"]["scored_articles"] > 1000
    assert runs["off"]["counts"]["articles"] == 0
    row = f"news strategy: signals / acted │ {on['news_signals']} / {on['news_decisions_acted']} │"
    assert row in " ".join(runs["on_out"].split()), "the summary table shows the counts"
    assert "news strategy: signals / acted │ 0 / 0 │" in " ".join(runs["off_out"].split())


def test_the_news_counts_agree_with_the_recorded_signals_and_decisions(
    runs: dict[str, Any],
) -> None:
    """Recount from the database: signals whose stored contributions give ``news`` a
    share, and the acted decisions on those signals."""
    run_id = runs["on"]["run_id"]
    signals = _rows(runs["db"], "select id, contributions from signals where run_id = :r", r=run_id)
    with_news = {sid for sid, shares in signals if json.loads(shares).get("news", 0.0) != 0.0}
    acted = _rows(
        runs["db"],
        "select signal_id from trading_decisions where run_id = :r and action = 'act'",
        r=run_id,
    )
    metrics = runs["on"]["metrics"]
    assert len(with_news) == metrics["news_signals"]
    assert sum(sid in with_news for (sid,) in acted) == metrics["news_decisions_acted"]


def test_news_lists_the_scored_items_of_a_symbol_newest_first(runs: dict[str, Any]) -> None:
    done = _news(runs, "--symbol", "fb", "--since", "2014-06-01", "--limit", "5")
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if "│ FB " in line]
    assert len(lines) == 5
    times = [line.split("│")[1].strip() for line in lines]
    assert times == sorted(times, reverse=True)
    assert all("2014-06-01" <= t <= "2014-06-30 23:59" for t in times)
    assert all("│ lexicon " in line for line in lines)
    for header in ("time (UTC)", "ticker", "score", "confidence", "model", "title", "source"):
        assert header in done.stdout


def test_news_of_one_run_matches_the_database(runs: dict[str, Any]) -> None:
    run_id = runs["on"]["run_id"]
    done = _news(runs, "--symbol", "GOOG", "--run", run_id, "--limit", "100000")
    assert done.returncode == 0, done.stderr
    shown = sum("│ GOOG " in line for line in done.stdout.splitlines())
    (stored,) = _rows(
        runs["db"],
        "select count(*) from article_sentiments where ticker = 'GOOG' and run_id = :r",
        r=run_id,
    )[0]
    assert shown == stored > 100


def test_news_without_items_says_so_in_one_line(runs: dict[str, Any]) -> None:
    for args in (["--symbol", "XOM"], ["--symbol", "AAPL", "--since", "2016-01-01"]):
        done = _news(runs, *args)
        assert done.returncode == 0, done.stderr
        lines = [line for line in done.stdout.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("no scored news for"), done.stdout


def test_news_user_errors_are_one_line(runs: dict[str, Any]) -> None:
    cases = [
        (["--run", "bt-nope"], "no run 'bt-nope'"),
        (["--since", "2014-13-01"], "bad date"),
    ]
    for args, expected in cases:
        done = _news(runs, *args)
        assert done.returncode == 2, (args, done.stderr)
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and expected in lines[0], (args, done.stderr)
