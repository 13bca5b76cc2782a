"""Notifications never slow trading: bar → order latency with Telegram and SMTP up, down
(connection refused) and hanging (they accept the connection and never answer), against
notifications off, in one run; then how long the failed ones take to be delivered once the
services are back.

The session is ``bench/bench_live.py``'s simulated one (a real ``paper --broker sim``
session: durable SQLite, the reference decision stage, ``sma_cross`` fast 1 / slow 2 on
AAPL minute bars closing alternately at 100 and 101, so every bar sends an order and every
other bar closes a round trip). ``notifications.large_trade_pnl`` is 0.01, so every round
trip is a notification to both channels — one per two bars, far more than a real bot
sends (``--every N`` passes on one in N), and ``*_per_hour`` is 1,000 so they are sent
rather than rate-limited. The channels are the real ones (httpx to the local Bot API fake,
smtplib with STARTTLS to a local aiosmtpd server; both servers in a child process, as an
outside service would be); the delivery log is the same SQLite file the session writes.
Per bar, ``perf_counter_ns`` from the bar handed to the kernel's sink to the order
published ACCEPTED.

    .venv/bin/python bench/bench_notify.py --bars 2000 --json notify.json
    .venv/bin/python bench/bench_notify.py --bars 2000 --every 50
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import socket
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from tradebot.ops.logging import configure_logging

configure_logging("CRITICAL", json_output=False)  # before tradebot binds its loggers
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench_live, beside this file

from bench_live import (  # noqa: E402
    WARM_BARS,
    PacedFeed,
    _bars,
    _request,
    _settings,
    _summary,
    measure_simulated,
    simulated_venue,
)
from sqlalchemy import create_engine, func, select  # noqa: E402

from tradebot.adapters.sql.api_models import NotificationRow  # noqa: E402
from tradebot.config import NotificationSettings, Settings  # noqa: E402
from tradebot.domain.notifications import Notification  # noqa: E402
from tradebot.ports import Notifier  # noqa: E402
from tradebot.runtime.notify.attach import install, uninstall  # noqa: E402
from tradebot.runtime.notify.process import notifying  # noqa: E402
from tradebot.runtime.session import open_session  # noqa: E402
from tradebot.testing.smtp import LocalSmtpServer  # noqa: E402
from tradebot.testing.telegram import FakeTelegramBotApi  # noqa: E402

TOKEN = "424242:bench-token-for-the-local-fake-only"
CHAT = "1"
CASES = ("off", "up", "refused", "hanging")
TIMEOUT_S = 2.0


class Blackhole:
    """Accepts TCP connections on 127.0.0.1 and never says a word (a hung service)."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._server.getsockname()[1]
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        self._server.settimeout(0.2)
        while not self._stop.is_set():
            try:
                connection, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._held.append(connection)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        for connection in self._held:
            connection.close()
        self._server.close()


class Services:
    """The Bot API fake and the SMTP server in a child process (they are outside services:
    their CPU must not be this process's), driven over a pipe."""

    def __init__(self) -> None:
        parent, child = multiprocessing.Pipe()
        self._pipe = parent
        self._process = multiprocessing.Process(target=_serve, args=(child,), daemon=True)
        self._process.start()
        self.telegram_url, self.smtp_port, self.ca_file = parent.recv()

    def _say(self, command: str) -> Any:
        self._pipe.send(command)
        return self._pipe.recv()

    def go_down(self) -> None:
        self._say("down")

    def come_back(self) -> None:
        self._say("back")

    def received(self) -> tuple[int, int]:
        """Messages the Bot API fake and the SMTP server accepted."""
        counts: tuple[int, int] = self._say("count")
        return counts

    def close(self) -> None:
        self._say("stop")
        self._process.join(10)


def _serve(pipe: Any) -> None:
    """The child: both servers until told to stop."""
    with FakeTelegramBotApi(TOKEN, chats=[CHAT]) as telegram, LocalSmtpServer() as smtp:
        pipe.send((telegram.url, smtp.port, smtp.ca_file))
        while True:
            command = pipe.recv()
            if command == "down":
                telegram.go_down()
                smtp.go_down()
            elif command == "back":
                telegram.come_back()
                smtp.come_back()
            elif command == "count":
                pipe.send((len(telegram.messages), len(smtp.messages)))
                continue
            pipe.send(None)
            if command == "stop":
                return


@contextmanager
def _services(case: str) -> Iterator[tuple[Services, Blackhole]]:
    services = Services()
    hole = Blackhole()
    try:
        if case == "refused":
            services.go_down()
        yield services, hole
    finally:
        hole.close()
        services.close()


class Thinned:
    """Passes on one notification in ``every`` (the bench's rate knob; the product's
    notifier behind it is untouched)."""

    def __init__(self, inner: Notifier, every: int) -> None:
        self._inner = inner
        self._every = every
        self._seen = 0

    def notify(self, notification: Notification) -> None:
        self._seen += 1
        if self._seen % self._every == 0:
            self._inner.notify(notification)


def _notifications(case: str, services: Services, hole: Blackhole) -> NotificationSettings:
    if case == "off":
        return NotificationSettings(enabled=False)
    hanging = case == "hanging"
    return NotificationSettings(
        channels=("telegram", "email"),
        telegram_bot_token=TOKEN,  # type: ignore[arg-type]
        telegram_chat_id=CHAT,
        telegram_api_url=f"http://127.0.0.1:{hole.port}" if hanging else services.telegram_url,
        smtp_host="127.0.0.1",
        smtp_port=hole.port if hanging else services.smtp_port,
        smtp_ca_file=services.ca_file,
        email_from="bot@example.test",
        email_to=("owner@example.test",),
        telegram_per_hour=1000,
        email_per_hour=1000,
        large_trade_pnl=Decimal("0.01"),
        timeout_s=TIMEOUT_S,
        retries=2,
        redeliver_every_s=1.0,
        daily_summary_at=None,
    )


def _statuses(settings: Settings) -> dict[str, int]:
    db = create_engine(settings.store.url)
    try:
        with db.connect() as connection:
            rows = connection.execute(
                select(NotificationRow.status, func.count()).group_by(NotificationRow.status)
            ).all()
    finally:
        db.dispose()
    return {status: count for status, count in rows}


def run_case(
    case: str, n: int, warm: int, every: int, tmp: Path, progress: Progress
) -> dict[str, Any]:
    total = WARM_BARS + warm + n + 50
    bars = _bars(total)
    with _services(case) as (services, hole):
        base = _settings(tmp / f"{case}.db", total, None)
        settings = base.model_copy(update={"notifications": _notifications(case, services, hole)})
        feed = PacedFeed(bars[:WARM_BARS])
        venue = simulated_venue(settings, feed)
        out: dict[str, Any] = {}
        with notifying(settings) as notifier:
            thinned = Thinned(notifier, every) if notifier is not None and every > 1 else None
            if thinned is not None:
                install(thinned)
            session = open_session(settings, _request("sim"), venue=venue)
            try:
                samples, probe, result, _ = measure_simulated(
                    session.kernel,
                    feed,
                    bars[WARM_BARS:],
                    warm,
                    n,
                    progress,
                    f"bar → order ({case})",
                )
            finally:
                session.close()
                if thinned is not None:
                    uninstall(thinned)
            out["orders"] = len(probe.accepted_order)
            out["trades"] = len(result.trades)
            out["latency"] = _summary(samples)["total"]
            if notifier is not None and notifier.dispatcher is not None:
                dispatcher = notifier.dispatcher
                dispatcher.wait_idle(600.0)
                out["statuses_at_end"] = _statuses(settings)
                out["dispatcher"] = dispatcher.stats()
                if case == "refused":
                    out["recovery_s"] = _recover(dispatcher, services)
                    dispatcher.wait_idle(60.0)  # and the records written
                    out["statuses_after_recovery"] = _statuses(settings)
                out["received"] = services.received()
    return out


def _recover(dispatcher: Any, services: Services) -> float:
    """The services come back: seconds until both channels' backlogs are delivered (what
    overflowed a backlog stays ``failed``: ``backlog_dropped``)."""
    started = time.perf_counter()
    services.come_back()
    while time.perf_counter() < started + 600:
        if dispatcher.backlog("telegram") == dispatcher.backlog("email") == 0:
            return time.perf_counter() - started
        threading.Event().wait(0.05)
    raise SystemExit("bench_notify: the backlogs were not delivered in 600 s")


def _table(result: dict[str, Any], console: Console) -> None:
    table = Table(title="bar received → order accepted, notifications on both channels")
    for column in ("notifications", "orders", "p50 ms", "p90 ms", "p99 ms", "max ms", "records"):
        table.add_column(column, justify="left" if column == "notifications" else "right")
    for case in CASES:
        if case not in result:
            continue
        row = result[case]
        lat = row["latency"]
        records = ", ".join(f"{k} {v}" for k, v in sorted(row.get("statuses_at_end", {}).items()))
        table.add_row(
            case,
            str(row["orders"]),
            *(f"{lat[k]:.3f}" for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms")),
            records or "—",
        )
    console.print(table)
    if "refused" in result:
        refused = result["refused"]
        after = ", ".join(f"{k} {v}" for k, v in sorted(refused["statuses_after_recovery"].items()))
        console.print(
            f"refused: both backlogs delivered {refused['recovery_s']:.2f} s after the services "
            f"came back ({after}; {refused['dispatcher']['backlog_dropped']} overflowed the "
            "backlogs and stay failed)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=2_000, help="bars measured per case")
    parser.add_argument("--warm", type=int, default=50, help="unmeasured bars first")
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument(
        "--every", type=int, default=1, help="notify one round trip in N (1: every one)"
    )
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    if not set(cases) <= set(CASES) or args.bars < 1 or args.warm < 0 or args.every < 1:
        parser.error(f"--cases takes {', '.join(CASES)}; --bars and --every ≥ 1, --warm ≥ 0")
    warnings.filterwarnings("ignore", "overflow", RuntimeWarning, "tradebot.backtest.metrics")
    console = Console()
    if not console.is_terminal:
        console.width = 120
    result: dict[str, Any] = {
        "bars": args.bars,
        "every": args.every,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "load_avg": os.getloadavg(),
    }
    with tempfile.TemporaryDirectory() as tmp, Progress(console=console) as progress:
        for case in cases:
            result[case] = run_case(case, args.bars, args.warm, args.every, Path(tmp), progress)
    result["load_avg_after"] = os.getloadavg()
    _table(result, console)
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
