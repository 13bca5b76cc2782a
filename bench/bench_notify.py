"""Notifications never slow trading: bar → order latency with Telegram and SMTP up, down
(connection refused) and hanging (they accept the connection and never answer), against
notifications off, in one run; then how long the failed ones take to be delivered once the
services are back.

The session is ``bench/bench_live.py``'s simulated one (a real ``paper --broker sim``
session: durable SQLite, the reference decision stage, ``sma_cross`` fast 1 / slow 2 on
AAPL minute bars closing alternately at 100 and 101, so every bar sends an order and every
other bar closes a round trip). ``notifications.large_trade_pnl`` is 0.01, so every round
trip is a notification to both channels — one per two bars, far more than a real bot
sends, and ``*_per_hour`` is 1,000 so they are sent rather than rate-limited. The channels
are the real ones (httpx to the local Bot API fake, smtplib with STARTTLS to a local
aiosmtpd server, both in this process); the delivery log is the same SQLite file the
session writes. Per bar, ``perf_counter_ns`` from the bar handed to the kernel's sink to
the order published ACCEPTED.

    .venv/bin/python bench/bench_notify.py --bars 2000 --json notify.json
"""

from __future__ import annotations

import argparse
import json
import os
import socket
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

from sqlalchemy import create_engine, func, select  # noqa: E402

from bench.bench_live import (  # noqa: E402
    SYMBOL,
    WARM_BARS,
    PacedFeed,
    Probe,
    Running,
    _bars,
    _measure,
    _poll,
    _request,
    _settings,
    _summary,
)
from tradebot.adapters.sql.api_models import NotificationRow  # noqa: E402
from tradebot.config import NotificationSettings, Settings  # noqa: E402
from tradebot.domain import Bar  # noqa: E402
from tradebot.runtime.notify.process import notifying  # noqa: E402
from tradebot.runtime.session import open_session  # noqa: E402
from tradebot.runtime.venues import Venue, paper_venue  # noqa: E402
from tradebot.runtime.wiring import run_instruments  # noqa: E402
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


@contextmanager
def _services(case: str) -> Iterator[tuple[FakeTelegramBotApi, LocalSmtpServer, Blackhole]]:
    with FakeTelegramBotApi(TOKEN, chats=[CHAT]) as telegram, LocalSmtpServer() as smtp:
        hole = Blackhole()
        try:
            if case == "refused":
                telegram.go_down()
                smtp.go_down()
            yield telegram, smtp, hole
        finally:
            hole.close()


def _notifications(
    case: str, telegram: FakeTelegramBotApi, smtp: LocalSmtpServer, hole: Blackhole
) -> NotificationSettings:
    if case == "off":
        return NotificationSettings(enabled=False)
    hanging = case == "hanging"
    return NotificationSettings(
        channels=("telegram", "email"),
        telegram_bot_token=TOKEN,  # type: ignore[arg-type]
        telegram_chat_id=CHAT,
        telegram_api_url=f"http://127.0.0.1:{hole.port}" if hanging else telegram.url,
        smtp_host="127.0.0.1",
        smtp_port=hole.port if hanging else smtp.port,
        smtp_ca_file=smtp.ca_file,
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


def run_case(case: str, n: int, warm: int, tmp: Path, progress: Progress) -> dict[str, Any]:
    total = WARM_BARS + warm + n + 50
    bars = _bars(total)
    with _services(case) as (telegram, smtp, hole):
        base = _settings(tmp / f"{case}.db", total, None)
        settings = base.model_copy(
            update={"notifications": _notifications(case, telegram, smtp, hole)}
        )
        feed = PacedFeed(bars[:WARM_BARS])
        venue = Venue(
            "simulated venue (paper broker)",
            paper_venue(settings),
            feed,
            run_instruments(settings, (SYMBOL,)),
            Decimal(100_000),
        )
        out: dict[str, Any] = {}
        with notifying(settings) as notifier:
            session = open_session(settings, _request("sim"), venue=venue)
            try:
                probe = Probe()
                probe.attach(session.kernel)
                running = Running(session.kernel)
                _poll(lambda: feed.sink is not None, "the simulated feed to start")
                stream = iter(bars[WARM_BARS:])

                def step() -> tuple[Bar, str | None]:
                    bar = next(stream)
                    before = len(probe.accepted_order)
                    feed.push(bar)
                    probe.wait(lambda: bar.ts in probe.acted, f"the session to act on {bar.ts}")
                    made = probe.accepted_order[before:]
                    return bar, made[-1] if made else None

                samples, _ = _measure(step, probe, warm, n, progress, f"bar → order ({case})")
                result = running.stop()
            finally:
                session.close()
            out["orders"] = len(probe.accepted_order)
            out["trades"] = len(result.trades)
            out["latency"] = _summary(samples)["total"]
            if notifier is not None and notifier.dispatcher is not None:
                dispatcher = notifier.dispatcher
                dispatcher.wait_idle(600.0)
                out["statuses_at_end"] = _statuses(settings)
                out["dispatcher"] = dispatcher.stats()
                if case == "refused":
                    out["recovery_s"] = _recover(settings, telegram, smtp)
    return out


def _recover(settings: Settings, telegram: FakeTelegramBotApi, smtp: LocalSmtpServer) -> float:
    """The services come back: seconds until every failed notification is ``sent``."""
    started = time.perf_counter()
    telegram.come_back()
    smtp.come_back()
    while time.perf_counter() < started + 600:
        if set(_statuses(settings)) <= {"sent", "rate_limited"}:
            return time.perf_counter() - started
        threading.Event().wait(0.1)
    raise SystemExit("bench_notify: the failed notifications were not delivered in 600 s")


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
        console.print(
            "refused: every failed notification delivered "
            f"{result['refused']['recovery_s']:.2f} s after the services came back"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=2_000, help="bars measured per case")
    parser.add_argument("--warm", type=int, default=50, help="unmeasured bars first")
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    if not set(cases) <= set(CASES) or args.bars < 1 or args.warm < 0:
        parser.error(f"--cases takes {', '.join(CASES)}; --bars ≥ 1, --warm ≥ 0")
    warnings.filterwarnings("ignore", "overflow", RuntimeWarning, "tradebot.backtest.metrics")
    console = Console()
    if not console.is_terminal:
        console.width = 120
    result: dict[str, Any] = {
        "bars": args.bars,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "load_avg": os.getloadavg(),
    }
    with tempfile.TemporaryDirectory() as tmp, Progress(console=console) as progress:
        for case in cases:
            result[case] = run_case(case, args.bars, args.warm, Path(tmp), progress)
    result["load_avg_after"] = os.getloadavg()
    _table(result, console)
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
