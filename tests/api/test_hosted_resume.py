"""A restarted server continues the hosted run the previous one left (a cold start and a
restart are one path), unless ``api.resume`` is off; the continued run is the same run,
taking up where the store says it stopped. A replay that saved no state, or a run another
live process holds, is not picked; a run that cannot be continued gives way to a new one."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from tests.api.engine_setup import engine_settings, hosted_app, until
from tradebot.adapters.sql.connect import open_engine
from tradebot.adapters.sql.lease import Owner
from tradebot.config import Settings
from tradebot.service import Services
from tradebot.service.engine_runs import open_replay
from tradebot.service.hosted_resume import continuing, unfinished_hosted_run


def _decisions(url: str, run_id: str, services_db: object) -> int:
    with services_db.connect() as connection:  # type: ignore[attr-defined]
        found = connection.execute(
            text("select count(*) from trading_decisions where run_id = :run"), {"run": run_id}
        ).scalar_one()
    return int(found)


def _first_session(db_path: Path) -> tuple[str, int]:
    """Host the replay until it has decided something, then stop the server."""
    settings = engine_settings(db_path)
    with hosted_app(settings, start=True) as hosted:
        run_id = until(lambda: hosted.services.host.status().run_id, "the replay to start")
        until(
            lambda: _decisions(settings.store.url, run_id, hosted.services.db) > 0,
            "a first decision",
        )
    with hosted_app(settings) as idle:
        decided = _decisions(settings.store.url, run_id, idle.services.db)
    return run_id, decided


def test_a_restarted_server_continues_its_hosted_replay(db_path: Path) -> None:
    run_id, decided = _first_session(db_path)
    settings = engine_settings(db_path)
    assert unfinished_hosted_run(settings.store.url, None, ["AAPL"]) == run_id
    with hosted_app(settings, start=True) as again:
        status = until(
            lambda: (s := again.services.host.status()).state == "running" and s,
            "the replay to run again",
        )
        assert status.run_id == run_id
        until(
            lambda: _decisions(settings.store.url, run_id, again.services.db) > decided,
            "the continued run to decide more",
        )


def test_with_resume_off_a_new_run_starts(db_path: Path) -> None:
    run_id, _ = _first_session(db_path)
    settings = engine_settings(db_path, resume=False)
    with hosted_app(settings, start=True) as again:
        new = until(lambda: again.services.host.status().run_id, "a new replay to start")
        assert new != run_id


def test_a_session_on_another_broker_or_symbols_is_not_continued(db_path: Path) -> None:
    run_id, _ = _first_session(db_path)
    url = engine_settings(db_path).store.url
    assert unfinished_hosted_run(url, "alpaca", ["AAPL"]) is None
    assert unfinished_hosted_run(url, None, ["MSFT"]) is None
    assert unfinished_hosted_run(url, None, []) == run_id


def _stopped_before_its_first_bar_time(settings: Settings) -> str:
    """A replay the host stopped between opening its kernel and running it (the stop that
    races a start): recorded ``stopped`` with no risk state saved."""
    hosted = open_replay(settings)
    try:
        hosted.kernel.stop()
        assert hosted.kernel.run().status == "stopped"
        return hosted.kernel.run_info.id
    finally:
        hosted.close()


def test_a_replay_stopped_before_it_saved_any_state_is_not_continued(db_path: Path) -> None:
    settings = engine_settings(db_path)
    Services.open(settings).close()  # the schema at head
    empty = _stopped_before_its_first_bar_time(settings)
    assert unfinished_hosted_run(settings.store.url, None, ["AAPL"]) is None
    with hosted_app(settings, start=True) as again:
        status = until(
            lambda: (s := again.services.host.status()).state in ("running", "failed") and s,
            "the host to start",
        )
        assert status.state == "running", status.reason
        assert status.run_id != empty


def test_continuing_a_run_that_cannot_be_continued_starts_a_new_one(db_path: Path) -> None:
    settings = engine_settings(db_path)
    Services.open(settings).close()
    empty = _stopped_before_its_first_bar_time(settings)
    for cannot in (empty, "paper-no-such-run"):  # no state to resume from; no run at all
        hosted = continuing(lambda run: open_replay(settings, resume=run), cannot)
        try:
            assert hosted.kernel.run_info.id not in (empty, cannot)
        finally:
            hosted.close()


def test_a_stopped_run_another_live_process_holds_is_not_continued(db_path: Path) -> None:
    """``tradebot paper --replay --resume R`` claims R while R is still marked stopped."""
    run_id, _ = _first_session(db_path)
    url = engine_settings(db_path).store.url
    assert unfinished_hosted_run(url, None, ["AAPL"]) == run_id
    engine = open_engine(url)
    try:
        with engine.begin() as connection:
            status = connection.execute(
                text("select status from backtest_runs where id = :run"), {"run": run_id}
            ).scalar_one()
            assert status == "stopped"
            connection.execute(
                text("update backtest_runs set owner = :owner where id = :run"),
                {"owner": Owner.of_this_process().token, "run": run_id},
            )
    finally:
        engine.dispose()
    assert unfinished_hosted_run(url, None, ["AAPL"]) is None
