"""Stopping the hosted engine: a stop that lands while the engine thread is still opening
its run is not lost (the run ends "stopped before it started" as soon as the thread gets
there); go-live refuses in one line when the running engine does not stop in time (instead
of answering with the old run's status); and closing the services stops the engine even
when closing the backtests fails."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.api.engine_setup import engine_settings, until
from tradebot.config import Settings
from tradebot.domain.commands import CommandRefusedError
from tradebot.service import Services
from tradebot.service.engine_host import EngineHost
from tradebot.service.events import EventHub


class _HeldSettings:
    """The host's settings: the engine thread's read of them (in ``_run``, after its run
    is opened and before its kernel is published to ``stop``) waits for the test."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.reached = threading.Event()
        self.go = threading.Event()

    def __call__(self) -> Settings:
        if threading.current_thread().name.startswith("engine-"):
            self.reached.set()
            assert self.go.wait(120), "the test never let the engine thread go on"
        return self.settings


def test_a_stop_before_the_kernel_is_published_is_not_lost_and_go_live_refuses(
    tmp_path: Path,
) -> None:
    replay = engine_settings(tmp_path / "t.db")
    Services.open(replay).close()  # the schema at head
    held = _HeldSettings(replay)
    host = EngineHost(held, EventHub(1000), stop_timeout_s=0.2)
    try:
        host.start()
        assert held.reached.wait(120)  # the run is opened; its kernel not yet published
        held.settings = engine_settings(tmp_path / "t.db", engine="live")
        with pytest.raises(CommandRefusedError, match=r"did not stop within 0\.2 s"):
            host.go_live("alpaca")
        held.go.set()
        status = until(lambda: (s := host.status()).state != "starting" and s, "the thread")
        assert status.state == "stopped", status.reason
        assert status.reason == "stopped before it started"
        assert host.stop()
    finally:
        held.go.set()
        host.stop(timeout_s=60)


class _FailingClose:
    def close(self) -> None:
        raise RuntimeError("closing the backtests failed")


def test_closing_the_services_stops_the_engine_when_the_backtests_fail_to_close(
    tmp_path: Path,
) -> None:
    services = Services.open(engine_settings(tmp_path / "t.db"))
    services.host.start()
    until(lambda: services.host.status().state == "running", "the replay to run")
    services.backtests.close()
    services.backtests = _FailingClose()  # type: ignore[assignment]
    with pytest.raises(RuntimeError, match="closing the backtests failed"):
        services.close()
    assert services.host.current_run_id() is None  # its thread ended
    assert services.host.status().state == "stopped"
