"""The demo and the backtest command, run as a user runs them, checked in the database."""

from __future__ import annotations

import hashlib
import json
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from scripts import readme_figures
from tests.e2e.cli import run_tradebot
from tradebot.data import sample_data_dir, sample_news_file


def _tradebot(*args: str, db: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_tradebot(*args, db=db, cwd=cwd)


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The demo as ``make demo`` runs it, drawn at the README's width: (database, stdout)."""
    work = tmp_path_factory.mktemp("demo")
    db = work / "demo.db"
    done = run_tradebot(
        "demo", "--out", str(work / "out"), db=db, cwd=work, columns=readme_figures.WIDTH
    )
    assert done.returncode == 0, done.stderr
    assert "results.json" in done.stdout
    assert "trades.csv" in done.stdout
    return db, done.stdout


@pytest.fixture(scope="module")
def demo_db(demo_run: tuple[Path, str]) -> Path:
    return demo_run[0]


def test_the_readme_shows_what_the_demo_prints(demo_run: tuple[Path, str]) -> None:
    """README's demo summary is the table the demo prints (regenerate it with
    ``scripts/readme_figures.py``), and its news-table row is the demo's too."""
    readme = readme_figures.README.read_text(encoding="utf-8")
    printed = readme_figures.table_rows(readme_figures.summary_table(demo_run[1]))
    quoted = readme_figures.table_rows(readme_figures.block(readme, "demo-summary").splitlines())
    assert printed, demo_run[1]
    assert quoted == printed, "README.md is stale: run .venv/bin/python scripts/readme_figures.py"
    results = json.loads((demo_run[0].parent / "out" / "results.json").read_text())
    row = " | ".join(readme_figures.news_figures(results))
    assert f"| demo (10 stocks, 2014-2015), news on | {row} |" in readme


def _rows(db: Path, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def test_the_demo_records_news_and_sentiment(demo_db: Path) -> None:
    (articles,) = _rows(demo_db, "select count(*) from articles")[0]
    (scored,) = _rows(demo_db, "select count(*) from article_sentiments")[0]
    assert articles > 10_000
    assert scored >= articles


def test_decisions_have_reasons_and_traces_and_orders_have_decisions(demo_db: Path) -> None:
    decisions = _rows(demo_db, "select action, reason, trace from trading_decisions")
    assert len(decisions) > 50
    assert {a for a, _, _ in decisions} == {"act", "skip"}
    for _, reason, trace in decisions:
        assert reason
        assert json.loads(trace)
    orphans = _rows(
        demo_db,
        """select count(*) from orders o left join trading_decisions d
                                on d.id = o.decision_id where d.id is null or d.action != 'act'""",
    )
    assert orphans == [(0,)]
    orphans = _rows(
        demo_db,
        """select count(*) from fills f left join orders o
                                on o.client_order_id = f.client_order_id
                                where o.client_order_id is null""",
    )
    assert orphans == [(0,)]
    (signals, decided) = _rows(
        demo_db,
        """select (select count(*) from signals),
                                           (select count(*) from trading_decisions)""",
    )[0]
    assert signals == decided


def test_snapshots_fills_positions_and_trades_agree(demo_db: Path) -> None:
    snaps = _rows(
        demo_db,
        """select cash, positions_value, equity, open_positions, realised_pnl
                              from portfolio_snapshots order by ts""",
    )
    assert len(snaps) > 400
    for cash, value, equity, _, _ in snaps:
        assert Decimal(str(cash)) + Decimal(str(value)) == Decimal(str(equity))
    fills = _rows(demo_db, "select symbol, side, quantity, price, commission from fills")
    cash = Decimal(100_000)
    held: dict[str, Decimal] = {}
    for symbol, side, qty, price, fee in fills:
        sign = 1 if side == "buy" else -1
        q, p, f = Decimal(str(qty)), Decimal(str(price)), Decimal(str(fee))
        cash -= sign * q * p + f
        held[symbol] = held.get(symbol, Decimal(0)) + sign * q
    final_cash, _, _, open_positions, realised = snaps[-1]
    assert Decimal(str(final_cash)) == cash
    positions = {
        s: Decimal(str(q)) for s, q in _rows(demo_db, "select symbol, quantity from positions")
    }
    assert positions == {s: q for s, q in held.items() if q}
    assert open_positions == len(positions)
    pnl = sum(
        (Decimal(str(p)) for (p,) in _rows(demo_db, "select pnl from closed_trades")), Decimal(0)
    )
    assert pnl == Decimal(str(realised))
    assert _rows(demo_db, "select status from backtest_runs") == [("completed",)]


def _trade_hash(payload: dict) -> str:  # type: ignore[type-arg]
    return hashlib.sha256(json.dumps(payload["trades"], sort_keys=True).encode()).hexdigest()


def test_backtest_json_matches_the_database_and_repeats_exactly(tmp_path: Path) -> None:
    args = [
        "backtest",
        "--symbols",
        "AAPL,MSFT,GOOG",
        "--start",
        "2014-01-01",
        "--end",
        "2015-06-30",
        "--data",
        str(sample_data_dir("stocknet")),
        "--news",
        str(sample_news_file()),
    ]
    hashes = []
    for i in range(2):
        out = tmp_path / f"run{i}.json"
        done = _tradebot(*args, "--json", str(out), db=tmp_path / "bt.db", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        payload = json.loads(out.read_text())
        assert payload["trades"], "the slice must trade"
        assert set(payload["trades"][0]) >= {
            "symbol",
            "entry_time",
            "exit_time",
            "entry_price",
            "exit_price",
            "quantity",
            "pnl",
        }
        (count,) = _rows(
            tmp_path / "bt.db",
            f"select count(*) from closed_trades where run_id = '{payload['run_id']}'",
        )[0]
        assert count == len(payload["trades"]) == payload["metrics"]["trades"]
        hashes.append(_trade_hash(payload))
    assert hashes[0] == hashes[1]


def test_user_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    cases = [
        (["backtest", "--symbols", "NOPE"], "unknown symbol 'NOPE'"),
        (["backtest", "--start", "2020-31-01"], "bad date"),
        (["backtest", "--strategy", "sma_cross", "--param", "fast=0"], "strategy 'sma_cross'"),
        (["backtest", "--param", "fast=3"], "does not say which strategy"),
        (["backtest", "--strategies", "momentum,nope"], "unknown strategy 'nope'"),
        (["--config", str(tmp_path / "missing.yaml"), "config", "show"], "not found"),
        (["paper"], "--replay"),
    ]
    for args, expected in cases:
        done = _tradebot(*args, db=tmp_path / "x.db", cwd=tmp_path)
        assert done.returncode == 2, (args, done.stderr)
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and expected in lines[0], (args, done.stderr)
        assert "Traceback" not in done.stderr
