"""``tradebot drift RUN_ID`` on a real paper replay in a fresh SQLite file.

The paper venue compared with itself drifts by nothing; a fill price altered in the database
shows up as that fill's drift, signed as a cost; one-sided orders, a backtest, a run without
fills and a data folder without the run's bars end in one line. The HTML page is parsed and,
where Chromium is installed (always under ``CI=true``), opened in it with no network.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.cli import run_tradebot
from tests.e2e.test_report_browser import _browse
from tradebot.data import sample_data_dir


@dataclass(frozen=True)
class PaperRun:
    db: Path
    run_id: str
    fills: int


@pytest.fixture(scope="module")
def paper_run(tmp_path_factory: pytest.TempPathFactory) -> PaperRun:
    """A paper replay of AAPL and MSFT over the bundled 2013–2015 bars, at full speed."""
    where = tmp_path_factory.mktemp("paper")
    db = where / "paper.db"
    done = run_tradebot(
        "paper",
        "--replay",
        "--speed",
        "1e12",
        "--symbols",
        "AAPL,MSFT",
        "--data",
        str(sample_data_dir("stocknet")),
        db=db,
        cwd=where,
    )
    assert done.returncode == 0, done.stderr
    with create_engine(f"sqlite:///{db}").connect() as conn:
        run_id = conn.execute(
            text("select id from backtest_runs where mode = 'paper'")
        ).scalar_one()
        fills = conn.execute(text("select count(*) from fills")).scalar_one()
    assert fills > 20
    return PaperRun(db, run_id, fills)


def _copy(run: PaperRun, tmp: Path) -> Path:
    db = tmp / "copy.db"
    shutil.copyfile(run.db, db)
    return db


def _drift(*args: str, db: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_tradebot("drift", *args, db=db, cwd=cwd, timeout=120)


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


class _Page(HTMLParser):
    def __init__(self, text_: str) -> None:
        super().__init__()
        self.ids: dict[str, str] = {}
        self.symbols: list[str] = []
        self.feed(text_)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if "id" in values:
            self.ids[values["id"]] = tag
        if tag == "tr" and "data-symbol" in values:
            self.symbols.append(values["data-symbol"])


def test_the_paper_venue_compared_with_itself_has_no_drift(
    paper_run: PaperRun, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    done = _drift(
        paper_run.run_id,
        "--csv",
        str(out / "drift.csv"),
        "--json",
        str(out / "drift.json"),
        "--html",
        str(out / "drift.html"),
        db=paper_run.db,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    cells = [[c.strip() for c in line.split("│")[1:-1]] for line in done.stdout.splitlines()]
    table = {row[0]: row for row in cells if row}
    assert {"AAPL", "MSFT", "overall"} <= set(table)
    assert table["overall"][1:5] == [str(paper_run.fills), "0.00", "0.00", "0.00"]
    payload = json.loads((out / "drift.json").read_text())
    overall = payload["overall"]
    assert overall["fills"] == paper_run.fills
    assert (overall["mean_bps"], overall["p95_bps"], Decimal(overall["cost"])) == (
        0.0,
        0.0,
        Decimal(0),
    )
    assert overall["mean_latency_s"] == overall["mean_sim_latency_s"] > 0
    assert payload["unmatched"] == [] and payload["mode"] == "paper"
    rows = _csv_rows(out / "drift.csv")
    assert len(rows) == paper_run.fills
    assert all(r["price"] == r["sim_price"] and Decimal(r["bps"]) == 0 for r in rows)
    assert {r["type"] for r in rows} >= {"market", "limit"}  # bracket targets compared too
    page = _Page((out / "drift.html").read_text(encoding="utf-8"))
    assert page.ids["chart-bps-box"] == "svg" and page.ids["chart-bps-histogram"] == "svg"
    assert page.symbols == ["AAPL", "MSFT", "overall"]


def test_an_altered_fill_price_is_reported_as_drift(paper_run: PaperRun, tmp_path: Path) -> None:
    db = _copy(paper_run, tmp_path)
    with create_engine(f"sqlite:///{db}").begin() as conn:
        fill_id, price, quantity = conn.execute(
            text(
                "select fill_id, price, quantity from fills where symbol = 'MSFT' "
                "and side = 'buy' order by ts limit 1"
            )
        ).one()
        worse = Decimal(str(price)) * Decimal("1.01")  # paid 1 % more: 100 bps worse
        conn.execute(
            text("update fills set price = :p where fill_id = :f"), {"p": str(worse), "f": fill_id}
        )
    done = _drift(paper_run.run_id, "--json", str(tmp_path / "d.json"), db=db, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    payload = json.loads((tmp_path / "d.json").read_text())
    drifted = [f for f in payload["fills"] if Decimal(f["bps"]) != 0]
    assert [f["fill_id"] for f in drifted] == [fill_id]
    assert Decimal(drifted[0]["bps"]).quantize(Decimal("0.0001")) == 100
    assert Decimal(drifted[0]["cost"]) > 0
    msft, aapl = payload["symbols"]["MSFT"], payload["symbols"]["AAPL"]
    assert msft["mean_bps"] == pytest.approx(100 / msft["fills"])
    assert msft["p95_bps"] == 0.0 and aapl["mean_bps"] == 0.0
    assert Decimal(msft["cost"]) == (worse - Decimal(str(price))) * Decimal(str(quantity))
    msft_line = next(line for line in done.stdout.splitlines() if "│ MSFT" in line)
    assert f"{100 / msft['fills']:,.2f}" in msft_line


def test_a_fill_the_database_lost_leaves_its_order_filled_by_the_simulation_only(
    paper_run: PaperRun, tmp_path: Path
) -> None:
    db = _copy(paper_run, tmp_path)
    with create_engine(f"sqlite:///{db}").begin() as conn:
        coid = conn.execute(
            text("select client_order_id from fills where symbol = 'AAPL' order by ts limit 1")
        ).scalar_one()
        conn.execute(text("delete from fills where client_order_id = :c"), {"c": coid})
    done = _drift(paper_run.run_id, "--csv", str(tmp_path / "d.csv"), db=db, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "1 orders filled on one side only" in done.stdout
    assert coid in done.stdout and "the venue did not fill it" in done.stdout
    assert len(_csv_rows(tmp_path / "d.csv")) == paper_run.fills - 1


def test_what_drift_cannot_compare_ends_in_one_line(paper_run: PaperRun, tmp_path: Path) -> None:
    db = _copy(paper_run, tmp_path)
    unknown = _drift("nope", db=db, cwd=tmp_path)
    assert unknown.returncode == 2 and "no run 'nope'" in unknown.stderr
    no_bars = _drift(paper_run.run_id, "--data", str(tmp_path / "empty"), db=db, cwd=tmp_path)
    assert no_bars.returncode == 2
    assert f"no bars for {paper_run.run_id}" in no_bars.stderr and "--data DIR" in no_bars.stderr
    elsewhere = _drift(
        paper_run.run_id, "--data", str(sample_data_dir("equities_daily")), db=db, cwd=tmp_path
    )
    assert elsewhere.returncode == 2 and "do not cover the run" in elsewhere.stderr
    backtest = run_tradebot(
        "backtest", "--symbols", "AAPL", "--start", "2019-01-01", "--end", "2019-03-31",
        db=db, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert backtest.returncode == 0, backtest.stderr
    with create_engine(f"sqlite:///{db}").begin() as conn:
        backtest_id = conn.execute(
            text("select id from backtest_runs where mode = 'backtest'")
        ).scalar_one()
        conn.execute(text("delete from fills where run_id = :r"), {"r": paper_run.run_id})
    refused = _drift(backtest_id, db=db, cwd=tmp_path)
    assert refused.returncode == 2
    assert f"drift compares paper or live fills; {backtest_id} is a backtest" in refused.stderr
    empty = _drift(paper_run.run_id, db=db, cwd=tmp_path)
    assert empty.returncode == 2 and "has no fills" in empty.stderr
    for failed in (unknown, no_bars, elsewhere, refused, empty):
        assert len(failed.stderr.strip().splitlines()) == 1 and "Traceback" not in failed.stderr


def test_the_html_page_renders_in_chromium_without_network(
    paper_run: PaperRun, tmp_path: Path
) -> None:
    page = tmp_path / "drift.html"
    done = _drift(paper_run.run_id, "--html", str(page), db=paper_run.db, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    dom = _Page(_browse(page, tmp_path, "--dump-dom").stdout.decode())
    assert dom.ids["chart-bps-box"] == "svg" and dom.ids["drift-summary"] == "table"
    assert dom.symbols == ["AAPL", "MSFT", "overall"]
