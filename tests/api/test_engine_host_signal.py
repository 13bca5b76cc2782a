"""``SIGUSR1`` (what ``tradebot kill`` in another shell sends a run's process) never ends
the server: the host takes it in ``start()`` whatever ``api.engine`` says — with ``live``
no engine runs until a request thread, which may not set a handler, starts one — and gives
the previous handler back when it stops. A wake with no hosted run does nothing.

The signal is really sent to this process: were it left to its default action, the test
run would end here."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest

from tests.api.engine_setup import engine_settings
from tradebot.runtime.commands import WAKE_SIGNAL
from tradebot.service import Services


@pytest.fixture
def restored() -> Iterator[None]:
    """Whatever this test does to the signal's handler is undone after it."""
    original = signal.getsignal(WAKE_SIGNAL)
    try:
        yield
    finally:
        signal.signal(WAKE_SIGNAL, original)


@pytest.mark.usefixtures("restored")
@pytest.mark.parametrize("engine", ["live", "none"])
def test_a_wake_with_no_hosted_run_is_taken_and_the_old_handler_comes_back(
    tmp_path: Path, engine: str
) -> None:
    received: list[int] = []

    def previous(signum: int, frame: FrameType | None) -> None:
        received.append(signum)

    signal.signal(WAKE_SIGNAL, previous)
    services = Services.open(engine_settings(tmp_path / "t.db", engine=engine))
    try:
        services.host.start()  # on the main thread, as in the app's lifespan
        assert signal.getsignal(WAKE_SIGNAL) is not previous
        os.kill(os.getpid(), WAKE_SIGNAL)  # handled before os.kill returns
        assert received == []  # the host's handler took it
        assert services.host.status().state == "idle"
    finally:
        services.close()
    assert signal.getsignal(WAKE_SIGNAL) is previous
    os.kill(os.getpid(), WAKE_SIGNAL)
    assert received == [WAKE_SIGNAL]  # delivered at once: the check above was no accident


@pytest.mark.usefixtures("restored")
def test_with_api_engine_live_the_signal_never_ends_the_server(tmp_path: Path) -> None:
    signal.signal(WAKE_SIGNAL, signal.SIG_DFL)  # the default action: end the process
    services = Services.open(engine_settings(tmp_path / "t.db", engine="live"))
    try:
        services.host.start()
        os.kill(os.getpid(), WAKE_SIGNAL)  # `tradebot kill` from a shell, mid session
        assert services.host.status().state == "idle"  # still here
    finally:
        services.close()
    assert signal.getsignal(WAKE_SIGNAL) == signal.SIG_IGN  # a late one is ignored
    os.kill(os.getpid(), WAKE_SIGNAL)
