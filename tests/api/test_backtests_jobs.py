"""Backtests over the API: checked before they are queued (a bad symbol or range is one 400
line), run in worker processes in the background with progress, at most
``api.backtest_workers`` at once, cancellable — and a job gives exactly what ``tradebot
backtest`` gives with the same choices (same metrics, same trades)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import date, datetime
from decimal import Decimal
from multiprocessing.context import SpawnContext, SpawnProcess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import api_settings
from tests.api.engine_setup import Hosted, hosted_app, until
from tradebot.data import sample_data_dir, sample_news_file
from tradebot.service.backtest_spec import BacktestSpec
from tradebot.service.backtests import BacktestJobs, BacktestView
from tradebot.service.database import open_database
from tradebot.service.events import EventHub, HubMessage

SHORT = {"symbols": ["AAPL"], "start": "2016-01-01", "end": "2016-06-30"}
ALL_DAILY = ["AAPL", "AMZN", "GOOGL", "JNJ", "JPM", "KO", "MSFT", "NVDA", "TSLA", "XOM"]


def _finished(client: TestClient, headers: dict[str, str], job_id: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        shown: dict[str, Any] = client.get(f"/api/backtests/{job_id}", headers=headers).json()
        return shown if shown["status"] not in ("queued", "running") else None

    return until(done, f"backtest {job_id} to end", timeout_s=180)


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ({**SHORT, "symbols": ["ZZZZ"]}, "no 1d data for ZZZZ"),
        ({**SHORT, "start": "2016-06-30", "end": "2016-01-01"}, "start 2016-06-30 is after end"),
        ({**SHORT, "start": "1990-01-01", "end": "1990-12-31"}, "no AAPL bars between"),
        ({**SHORT, "strategies": ["nope"]}, "unknown strategy 'nope'"),
        ({**SHORT, "strategies": ["macd"], "weights": {"momentum": 1}}, "no starting weight"),
        ({**SHORT, "strategies": ["macd"], "params": {"macd": {"fast": "x"}}}, "macd"),
    ],
)
def test_a_bad_backtest_is_one_400_line_and_nothing_is_queued(
    client: TestClient, headers: dict[str, str], body: dict[str, Any], line: str
) -> None:
    response = client.post("/api/backtests", json=body, headers=headers)
    assert response.status_code == 400, response.text
    detail = response.json()["detail"]
    assert line in detail and "\n" not in detail
    listed = client.get("/api/backtests", headers=headers).json()
    assert all(item["id"].startswith("bt-") for item in listed["items"])  # runs only


def test_shape_errors_are_422_and_a_token_is_needed(
    client: TestClient, headers: dict[str, str]
) -> None:
    assert client.post("/api/backtests", json=SHORT).status_code == 401
    for bad in ({**SHORT, "symbols": []}, {**SHORT, "commission_rate": "0.5"}, {**SHORT, "x": 1}):
        assert client.post("/api/backtests", json=bad, headers=headers).status_code == 422
    assert client.get("/api/backtests/nope", headers=headers).status_code == 404


def test_a_job_runs_in_the_background_with_progress_and_its_result(
    client: TestClient, headers: dict[str, str]
) -> None:
    accepted = client.post("/api/backtests", json=SHORT, headers=headers)
    assert accepted.status_code == 202, accepted.text
    job = accepted.json()
    assert job["id"].startswith("bt-") and job["status"] in ("queued", "running")
    shown = _finished(client, headers, job["id"])
    assert shown["status"] == "completed", shown
    assert shown["run_id"] == job["id"] and shown["error"] is None  # the id given is the run's
    progress = shown["progress"]
    assert progress["total"] and progress["done"] == progress["total"]
    assert progress["percent"] == 100.0
    assert shown["metrics"]["trades"] == shown["trade_count"] > 0
    assert len(shown["equity"]) > 100 and isinstance(shown["equity"][0]["equity"], str)
    first = shown["trades"][0]
    assert first["symbol"] == "AAPL" and Decimal(first["quantity"]) > 0
    by_run = client.get(f"/api/backtests/{shown['run_id']}", headers=headers).json()
    assert by_run["id"] == job["id"] and by_run["metrics"] == shown["metrics"]
    listed = client.get("/api/backtests?limit=5", headers=headers).json()
    assert listed["items"][0]["id"] == job["id"] and listed["total"] >= 2  # and the seed's


def test_trades_come_in_pages_with_a_link_to_the_next(
    client: TestClient, headers: dict[str, str], seeded_run: str
) -> None:
    first = client.get(f"/api/backtests/{seeded_run}?trades_limit=50", headers=headers).json()
    assert first["status"] == "completed" and first["trade_count"] == 71
    assert len(first["trades"]) == 50
    assert first["next_trades"] == f"/api/backtests/{seeded_run}?trades_limit=50&trades_offset=50"
    second = client.get(first["next_trades"], headers=headers).json()
    assert len(second["trades"]) == 21 and second["next_trades"] is None
    trades = first["trades"] + second["trades"]
    assert len({t["id"] for t in trades}) == 71
    exits = [datetime.fromisoformat(t["exit_ts"]) for t in trades]
    assert exits == sorted(exits)  # in the order they closed
    listed = client.get(f"/api/trades?run_id={seeded_run}&limit=100", headers=headers).json()
    assert sorted(trades, key=lambda t: t["id"]) == sorted(listed["items"], key=lambda t: t["id"])


def test_at_most_the_configured_workers_run_and_a_queued_job_can_be_cancelled(
    db_path: Path,
) -> None:
    settings = api_settings(f"sqlite:///{db_path}", backtest_workers=1)
    with hosted_app(settings) as hosted:
        started = [_start(hosted, SHORT) for _ in range(3)]
        assert [s["status"] for s in started] == ["running", "queued", "queued"]
        headers = hosted.headers()
        cancelled = hosted.client.post(f"/api/backtests/{started[2]['id']}/cancel", headers=headers)
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        ends = [_finished(hosted.client, headers, s["id"]) for s in started]
        events = [m for m in hosted.services.events.recent().messages if m.kind == "backtest"]
    assert [e["status"] for e in ends] == ["completed", "completed", "cancelled"]
    assert ends[2]["run_id"] is None
    second = [m.data for m in events if m.data["id"] == started[1]["id"]]
    first_done = _seq(events, started[0]["id"], "completed")
    assert _seq(events, started[1]["id"], "running") > first_done  # one worker at a time
    assert any(d["percent"] and 0 < d["percent"] < 100 for d in second)  # progress on /ws
    assert not [
        m for m in events if m.data["id"] == started[2]["id"] and m.data["status"] == "running"
    ]


def _seq(events: list[HubMessage], job_id: str, status: str) -> int:
    return next(m.seq for m in events if m.data["id"] == job_id and m.data["status"] == status)


def test_a_running_job_can_be_cancelled_before_and_during_its_run(db_path: Path) -> None:
    settings = api_settings(f"sqlite:///{db_path}")
    every = {"symbols": ALL_DAILY, "start": "2015-06-01", "end": "2021-04-01"}
    with hosted_app(settings) as hosted:
        headers = hosted.headers()
        starting = _start(hosted, every)  # its process is starting: SIGTERM ends it
        assert starting["status"] == "running"
        hosted.client.post(f"/api/backtests/{starting['id']}/cancel", headers=headers)
        running = _start(hosted, every)

        def its_run() -> Any:
            shown = hosted.client.get(f"/api/backtests/{running['id']}", headers=headers)
            return shown.json()["run_id"]

        run_id = until(its_run, "the worker to start the run")
        hosted.client.post(f"/api/backtests/{running['id']}/cancel", headers=headers)
        before = _finished(hosted.client, headers, starting["id"])
        during = _finished(hosted.client, headers, running["id"])
    assert before["status"] == "cancelled" and before["run_id"] is None
    assert during["status"] == "cancelled" and during["run_id"] == run_id
    assert during["progress"]["done"] < during["progress"]["total"]
    assert during["finished_at"] is not None  # the kernel stopped cleanly: the run is closed


def test_a_job_gives_what_the_cli_gives(
    client: TestClient, headers: dict[str, str], db_path: Path, tmp_path: Path
) -> None:
    body = {
        "symbols": ["AAPL", "MSFT"],
        "start": "2014-03-01",
        "end": "2015-06-30",
        "strategies": ["momentum", "macd", "news"],
        "params": {"macd": {"fast": 10}},
        "initial_capital": "50000",
        "commission_rate": "0.001",
        "slippage_bps": "2",
        "news": True,
        "learning": True,
        "dataset": "stocknet",
    }
    accepted = client.post("/api/backtests", json=body, headers=headers)
    assert accepted.status_code == 202, accepted.text
    out = tmp_path / "cli.json"
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "tradebot",
            "backtest",
            "--symbols",
            "AAPL,MSFT",
            "--start",
            "2014-03-01",
            "--end",
            "2015-06-30",
            "--strategies",
            "momentum,macd,news",
            "--param",
            "macd.fast=10",
            "--data",
            str(sample_data_dir("stocknet")),
            "--news",
            str(sample_news_file()),
            "--learning",
            "on",
            "--json",
            str(out),
        ],
        env={
            **os.environ,
            "TRADEBOT_STORE__URL": f"sqlite:///{db_path}",
            "TRADEBOT_BROKER__INITIAL_CASH": "50000",
            "TRADEBOT_BROKER__COMMISSION_RATE": "0.001",
            "TRADEBOT_BROKER__SLIPPAGE_BPS": "2",
        },
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert cli.returncode == 0, cli.stderr
    expected = json.loads(out.read_text())
    shown = _finished(client, headers, accepted.json()["id"])
    assert shown["status"] == "completed", shown
    assert shown["run_id"] != expected["run_id"]
    assert shown["metrics"] == expected["metrics"]
    assert shown["metrics"]["trades"] > 5 and shown["metrics"]["initial_equity"] == 50000
    page = client.get(f"/api/backtests/{shown['id']}?trades_limit=1000", headers=headers).json()[
        "trades"
    ]
    assert _trades(page, "entry_ts", "exit_ts") == _trades(
        expected["trades"], "entry_time", "exit_time"
    )


def _start(hosted: Hosted, body: dict[str, Any]) -> dict[str, Any]:
    response = hosted.client.post("/api/backtests", json=body, headers=hosted.headers())
    assert response.status_code == 202, response.text
    started: dict[str, Any] = response.json()
    return started


def _trades(trades: list[dict[str, Any]], entry: str, exit_: str) -> list[tuple[Any, ...]]:
    """Each trade's values, exactly (money as Decimal), in closing order; ``entry`` and
    ``exit_`` name its times (the API's trade schema and the CLI's JSON differ there)."""
    rows = [
        (
            datetime.fromisoformat(t[exit_]),
            t["symbol"],
            datetime.fromisoformat(t[entry]),
            Decimal(t["entry_price"]),
            Decimal(t["exit_price"]),
            Decimal(t["quantity"]),
            Decimal(t["pnl"]),
            Decimal(t["commission"]),
            t["return_pct"],
            tuple(t["strategies"]),
        )
        for t in trades
    ]
    return sorted(rows)


# --- races between a job's start and a cancel or a close ---------------------------------
class _Gate:
    """Holds a worker's ``start()`` until the test lets it go (a real spawned process then
    starts, or ``fail`` is raised as a start that cannot make one would)."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.reached = threading.Event()
        self.go = threading.Event()
        self.fail = fail

    def context(self) -> SpawnContext:
        gate = self

        class HeldProcess(SpawnProcess):
            def start(self) -> None:
                gate.reached.set()
                assert gate.go.wait(60), "the test never let the worker start"
                if gate.fail is not None:
                    raise gate.fail
                self.__class__ = SpawnProcess  # the child unpickles a plain spawn process
                SpawnProcess.start(self)

        class HeldContext(SpawnContext):
            Process = HeldProcess

        return HeldContext()


def _held_jobs(tmp_path: Path, gate: _Gate) -> tuple[BacktestJobs, EventHub]:
    settings = api_settings(f"sqlite:///{tmp_path / 'jobs.db'}")
    open_database(settings.store.url).dispose()  # the schema at head
    hub = EventHub(1000)
    return BacktestJobs(lambda: settings, hub, context=gate.context()), hub


def _submit_in_background(jobs: BacktestJobs, hub: EventHub) -> tuple[threading.Thread, str]:
    """Submit SHORT from another thread (its start is held); the job's id."""
    spec = BacktestSpec(symbols=("AAPL",), start=date(2016, 1, 1), end=date(2016, 6, 30))
    submitter = threading.Thread(target=jobs.submit, args=(spec,))
    submitter.start()
    first = until(lambda: hub.recent().messages, "the job to be queued")
    return submitter, str(first[0].data["id"])


def _ended(jobs: BacktestJobs, job_id: str) -> BacktestView:
    def ended() -> BacktestView | None:
        view = jobs.get(job_id)
        return view if view is not None and view.status not in ("queued", "running") else None

    return until(ended, f"job {job_id} to end", timeout_s=180)


def test_a_cancel_before_the_worker_started_still_stops_it(tmp_path: Path) -> None:
    gate = _Gate()
    jobs, hub = _held_jobs(tmp_path, gate)
    try:
        submitter, job_id = _submit_in_background(jobs, hub)
        assert gate.reached.wait(60)  # its process is made, not started
        cancelled = jobs.cancel(job_id)
        assert cancelled is not None and cancelled.status == "running"
        gate.go.set()
        submitter.join(60)
        assert _ended(jobs, job_id).status == "cancelled"  # not run to the end: completed
    finally:
        gate.go.set()
        jobs.close()


def test_a_close_before_the_worker_started_still_stops_it(tmp_path: Path) -> None:
    gate = _Gate()
    jobs, hub = _held_jobs(tmp_path, gate)
    try:
        submitter, job_id = _submit_in_background(jobs, hub)
        assert gate.reached.wait(60)
        jobs.close()  # the server shuts down while the worker is being started
        gate.go.set()
        submitter.join(60)
        assert _ended(jobs, job_id).status != "completed"
    finally:
        gate.go.set()
        jobs.close()


def test_a_worker_that_cannot_start_fails_its_job_and_close_still_works(tmp_path: Path) -> None:
    gate = _Gate(fail=RuntimeError("cannot pickle the request\nsecond line"))
    gate.go.set()
    jobs, hub = _held_jobs(tmp_path, gate)
    try:
        spec = BacktestSpec(symbols=("AAPL",), start=date(2016, 1, 1), end=date(2016, 6, 30))
        failed = jobs.submit(spec)
        assert failed.status == "failed"
        assert failed.error == "cannot start a worker: RuntimeError: cannot pickle the request"
        assert hub.recent().messages[-1].data["status"] == "failed"
    finally:
        jobs.close()  # no monitor was started for it: nothing to join, nothing raised
