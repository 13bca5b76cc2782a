"""Crash trials: ``kill -9`` a live session at random moments, restart it, reconcile, audit.

The fake Alpaca venue lives in this process, so it outlives every session process: its
book keeps working the orders a dead session left, as a real venue would. A publisher
thread streams the bundled minute bars (AAPL, MSFT) at a steady pace, moved in time so the
last one ends before now (a restart's warm-up history then holds every bar published so
far, and the session trades on from the next), so orders are placed and filled all the
time. The session is a real ``tradebot paper --broker alpaca`` process on a SQLite file;
each trial waits a random time (a seeded RNG), kills it with SIGKILL — sometimes while it
starts up or reconciles, mostly while it trades — lets the bars (and the venue's fills of
orders left working) go on for a random short time, and restarts it with ``--resume``. A
restart counts as up once it prints its start-up ``reconciliation:`` line. At the end the
publisher stops, the last session is given time to take in every fill, stops on SIGTERM,
and :func:`tests.live.crash_checks.audit` holds its store against the venue.

The same trial can switch on one of the venue's faults (``submit_504_after_accept``,
``drop_stream_mid_fill``) and wait until the venue has used it up.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any, Literal

from tests.live.crash_checks import Audit, audit
from tradebot.adapters.sql.store import SqlStore
from tradebot.data.minute_bars import sample_minute_bars
from tradebot.domain import Bar
from tradebot.domain.enums import OrderStatus
from tradebot.testing.alpaca import AlpacaVenue

__all__ = ["CrashPlan", "CrashReport", "Session", "run_trials"]

TRADEBOT = Path(sys.executable).with_name("tradebot")
SYMBOLS = ("AAPL", "MSFT")
WARMUP_TIMES = 30
"""Bar times of history before the first start (the session reads 20 bars of warm-up)."""
Fault = Literal["504", "drop"]
_SLACK = timedelta(seconds=1)
"""A start-up reconciliation's row is written just before its line is read here."""
_UNSETTLED = (OrderStatus.NEW, OrderStatus.SUBMITTED, OrderStatus.UNKNOWN)
"""An order whose submit reply was lost stays here until the venue is asked about it."""


@dataclass(frozen=True)
class CrashPlan:
    """How one run of trials goes."""

    kills: int = 3
    seed: int = 0
    bar_interval_s: float = 0.05
    """Wall time between two bar times (both symbols' bars are published together)."""
    capacity: int = 4000
    """Bar times available to stream (they end before now; 4,000 minutes < 3 days, inside
    the session's warm-up window)."""
    trade_s: tuple[float, float] = (0.2, 3.0)
    """A kill while trading comes this long after the restart reconciled."""
    startup_share: float = 0.25
    """The share of kills aimed at the start-up (restore, reconciliation, warm-up)."""
    down_s: tuple[float, float] = (0.0, 1.0)
    """Bars go on this long while no session runs."""
    fault: Fault | None = None
    fault_count: int = 0
    stormy: bool = False
    """Throughout the kills, fill every order in two parts and drop the trade_updates
    sockets before each second part (recovery by the reconnect's gap fill, a restart's
    reconciliation, or a periodic one, racing the kills)."""
    up_timeout_s: float = 90.0
    settle_timeout_s: float = 45.0
    """For the last session to hold every venue execution (covers a periodic reconcile)."""


@dataclass
class CrashReport:
    """What one run of trials did, and its audit."""

    plan: CrashPlan
    run_id: str = ""
    kills: int = 0
    kills_starting: int = 0
    """Kills that came before the restart had reconciled."""
    restarts: int = 0
    restart_s: list[float] = field(default_factory=list)
    """Each restart's time from spawn to its reconciliation line."""
    start_lines: list[str] = field(default_factory=list)
    """Each start's ``reconciliation:`` line."""
    bars_published: int = 0
    settled: bool = False
    stopped_cleanly: bool = False
    applied_at_start: int = 0
    """Reports (missed fills, final statuses) that start-up reconciliations applied."""
    applied_later: int = 0
    """Reports that periodic reconciliations applied: what the streams missed while the
    session ran (a fill there was late in the ledger, by up to the reconcile interval)."""
    fault_used: int = 0
    fault_hits: list[str] = field(default_factory=list)
    """The client ids answered 504, or the execution ids whose fill event was dropped."""
    fault_recovered: bool = False
    """Every hit order (504) or fill (drop) reached the store while that session ran."""
    fault_recovery_s: float = 0.0
    """From the last fault used to every hit recovered in the store."""
    wall_s: float = 0.0
    audit: Audit = field(default_factory=Audit)
    logs: Path | None = None

    @property
    def halted_starts(self) -> list[str]:
        return [line for line in self.start_lines if "book reconciled" not in line]

    def as_dict(self) -> dict[str, Any]:
        return {
            "seed": self.plan.seed,
            "fault": self.plan.fault,
            "stormy": self.plan.stormy,
            "run_id": self.run_id,
            "kills": self.kills,
            "kills_starting": self.kills_starting,
            "restarts": self.restarts,
            "restart_s": [round(s, 3) for s in self.restart_s],
            "halted_starts": self.halted_starts,
            "bars_published": self.bars_published,
            "settled": self.settled,
            "stopped_cleanly": self.stopped_cleanly,
            "applied_at_start": self.applied_at_start,
            "applied_later": self.applied_later,
            "fault_used": self.fault_used,
            "fault_hits": self.fault_hits,
            "fault_recovered": self.fault_recovered,
            "fault_recovery_s": round(self.fault_recovery_s, 3),
            "wall_s": round(self.wall_s, 1),
            **self.audit.as_dict(),
        }


def wait_until(predicate: Callable[[], bool], timeout: float, pause: float = 0.02) -> bool:
    """Poll ``predicate`` until it holds (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    ticker = threading.Event()
    while not predicate():
        if time.monotonic() > deadline:
            return False
        ticker.wait(pause)
    return True


# -- bars ------------------------------------------------------------------------------------


def bar_times(count: int, symbols: Sequence[str] = SYMBOLS) -> list[list[Bar]]:
    """``count`` bar times of the bundled minute bars of ``symbols``, one minute apart and
    ending two minutes before now (the sample repeats, each pass later, when it runs out)."""
    by_ts: dict[datetime, list[Bar]] = {}
    for bar in sample_minute_bars("equities"):  # type: ignore[arg-type]
        if bar.symbol in symbols:
            by_ts.setdefault(bar.ts, []).append(bar)
    sample = [by_ts[ts] for ts in sorted(by_ts)]
    end = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=2)
    start = end - timedelta(minutes=count - 1)
    return [
        [replace(bar, ts=start + timedelta(minutes=i)) for bar in sample[i % len(sample)]]
        for i in range(count)
    ]


class Publisher:
    """Streams bar times to the venue at a steady pace on its own thread: each bar goes to
    the subscribers, into history, and the venue works its open orders on it."""

    def __init__(self, venue: AlpacaVenue, times: Sequence[list[Bar]], interval_s: float):
        self.venue = venue
        self.times = times
        self.interval_s = interval_s
        self.published = 0
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bar-publisher", daemon=True)

    def start(self) -> Publisher:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            for group in self.times:
                if self._stop.is_set():
                    return
                for bar in group:
                    self.venue.publish_bar(bar)
                self.published += 1
                self._stop.wait(self.interval_s)
        except BaseException as exc:  # handed to the harness
            self.error = exc

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=15)


# -- one session process ---------------------------------------------------------------------


class Session:
    """One ``tradebot paper --broker alpaca`` process; its stdout read on a thread (the
    start-up lines), its log to a file."""

    def __init__(self, config: Path, env: dict[str, str], log: Path, resume: str | None):
        args = [str(TRADEBOT), "--config", str(config), "paper", "--broker", "alpaca"]
        args += ["--resume", resume] if resume else ["--symbols", ",".join(SYMBOLS)]
        self.log = log
        self._log_file = log.open("w")
        self.spawned = time.monotonic()
        self.spawned_at = datetime.now(UTC)
        self.process = subprocess.Popen(
            args,
            env=env,
            cwd=config.parent,
            stdout=subprocess.PIPE,
            stderr=self._log_file,
            text=True,
        )
        self.run_id = ""
        self.reconciled_at: float | None = None
        self.reconciled_wall: datetime | None = None
        self.ended_at: datetime | None = None
        self.reconciliation = ""
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, name="session-stdout", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        stream: IO[str] | None = self.process.stdout
        assert stream is not None
        for line in stream:
            line = line.rstrip()
            self.lines.append(line)
            if " session " in line and line.startswith("paper session ") and not self.run_id:
                self.run_id = line.split()[2]
            if line.startswith("reconciliation:") and self.reconciled_at is None:
                self.reconciliation = line
                self.reconciled_at = time.monotonic()
                self.reconciled_wall = datetime.now(UTC)

    @property
    def up(self) -> bool:
        return self.reconciled_at is not None

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_up(self, timeout: float) -> bool:
        return wait_until(lambda: self.up or not self.alive(), timeout) and self.up

    def kill(self) -> None:
        """SIGKILL, and reap it (its lease is then free at once)."""
        if self.alive():
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self.ended_at = datetime.now(UTC)
        self._close()

    def terminate(self, timeout: float) -> bool:
        """SIGTERM: the session stops between bar times and saves; False if it had to be
        killed (or ended with an error)."""
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return False
        self._reader.join(timeout=5)
        self._close()
        return code == 0

    def _close(self) -> None:
        self._log_file.close()
        if self.process.stdout is not None:
            self.process.stdout.close()

    def tail(self, lines: int = 15) -> str:
        """The end of its log and output, for a failure message."""
        text = self.log.read_text(errors="replace").splitlines()[-lines:]
        return "\n".join([*self.lines[-5:], *text])


def write_config(folder: Path, venue: AlpacaVenue) -> Path:
    """The session's settings: SQLite in ``folder``, the reference risk stage, a fast
    ``sma_cross``, the fake venue's URL, no fees, no news (nothing leaves 127.0.0.1)."""
    config = folder / "tradebot.yaml"
    config.write_text(
        "\n".join(
            [
                f"store: {{url: 'sqlite:///{folder / 'crash.db'}'}}",
                "broker: {commission_rate: 0, slippage_bps: 0}",
                "risk: {engine: reference, position_fraction: '0.2'}",
                "strategy: {names: [sma_cross], params: {sma_cross: {fast: 3, slow: 8}}}",
                f"live: {{alpaca_url: '{venue.base_url}', timeframe: 1m, warmup_bars: 20,"
                " reconcile_interval_s: 10}",
                "news: {enabled: false}",
                "log: {level: INFO, json_output: true}",
                "",
            ]
        )
    )
    return config


def session_env(venue: AlpacaVenue) -> dict[str, str]:
    """This environment with the venue's keys, and unbuffered output (the start-up line
    is read as it is printed)."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith("TRADEBOT_")}
    return keep | {
        "APCA_API_KEY_ID": venue.key_id,
        "APCA_API_SECRET_KEY": "test-secret",
        "PYTHONUNBUFFERED": "1",
        "COLUMNS": "200",
    }


# -- the trials ------------------------------------------------------------------------------


class _Trials:
    def __init__(self, plan: CrashPlan, folder: Path, on_kill: Callable[[int], None]):
        self.plan = plan
        self.folder = folder
        self.url = f"sqlite:///{folder / 'crash.db'}"
        self.on_kill = on_kill
        self.rng = random.Random(plan.seed)
        self.report = CrashReport(plan, logs=folder)
        self.sessions: list[Session] = []

    def spawn(self, config: Path, env: dict[str, str]) -> Session:
        log = self.folder / f"session-{len(self.sessions) + 1:03d}.log"
        session = Session(config, env, log, self.report.run_id or None)
        self.sessions.append(session)
        return session

    def up(self, session: Session) -> Session:
        """Wait for ``session`` to reconcile; fail with its log if it cannot."""
        if not session.wait_up(self.plan.up_timeout_s):
            session.kill()
            number = self.sessions.index(session) + 1
            raise AssertionError(f"session {number} did not start:\n{session.tail()}")
        return session

    def typical_start_s(self) -> float:
        took = sorted(s.reconciled_at - s.spawned for s in self.sessions if s.reconciled_at)
        return took[len(took) // 2] if took else 2.0

    def kill_at_random(self, session: Session) -> None:
        """Kill ``session`` at a random moment: during its start-up (the plan's share of
        kills) or a while after it reconciled; then let the venue go on a while."""
        plan, rng, report = self.plan, self.rng, self.report
        ticker = threading.Event()
        if not session.up and rng.random() < plan.startup_share:
            moment = session.spawned + rng.uniform(0.05, 1.1) * self.typical_start_s()
            ticker.wait(max(0.0, moment - time.monotonic()))
        else:
            self.up(session)
            ticker.wait(rng.uniform(*plan.trade_s))
        if not session.up:
            report.kills_starting += 1
        session.kill()
        report.kills += 1
        self.on_kill(report.kills)
        ticker.wait(rng.uniform(*plan.down_s))

    def run(self) -> CrashReport:
        plan, report = self.plan, self.report
        began = time.monotonic()
        times = bar_times(WARMUP_TIMES + plan.capacity)
        with AlpacaVenue() as venue:
            venue.add_history(bar for group in times[:WARMUP_TIMES] for bar in group)
            if plan.stormy:
                venue.call(lambda: _storm(venue, 1_000_000))
            config, env = write_config(self.folder, venue), session_env(venue)
            publisher = Publisher(venue, times[WARMUP_TIMES:], plan.bar_interval_s).start()
            try:
                session = self.up(self.spawn(config, env))
                report.run_id = session.run_id
                assert report.run_id, f"no run id in the output: {session.lines}"
                if plan.fault is not None:
                    self.fault(venue, session)
                for _ in range(plan.kills):
                    self.kill_at_random(session)
                    session = self.spawn(config, env)
                self.up(session)
            finally:
                publisher.stop()
                venue.call(lambda: _storm(venue, 0))
                report.bars_published = publisher.published
            if publisher.error is not None:
                raise publisher.error
            report.settled = self.settle(venue)
            report.stopped_cleanly = session.terminate(timeout=60)
            store = SqlStore(self.url)
            try:
                report.audit = audit(store, report.run_id, venue)
            finally:
                store.close()
            self.summarise()
        report.wall_s = time.monotonic() - began
        return report

    def summarise(self) -> None:
        """Each start's reconciliation line, and each restart's time to it."""
        report = self.report
        report.restarts = len(self.sessions) - 1
        for number, session in enumerate(self.sessions):
            if session.reconciled_at is None:
                continue
            report.start_lines.append(session.reconciliation)
            if number > 0:
                report.restart_s.append(session.reconciled_at - session.spawned)
        windows = [
            (s.spawned_at, s.reconciled_wall or s.ended_at or s.spawned_at) for s in self.sessions
        ]
        for ts, _, applied in report.audit.checks:
            if any(start <= ts <= end + _SLACK for start, end in windows):
                report.applied_at_start += applied
            else:
                report.applied_later += applied

    def fault(self, venue: AlpacaVenue, session: Session) -> None:
        """Switch the plan's fault on, wait (while the session trades) until the venue has
        used every one, and find what it hit: the orders answered 504, or the fills whose
        event the dropped socket never sent — which must reach the store, once, while this
        session runs (before any kill)."""
        plan, book, faults, report = self.plan, venue.book, venue.faults, self.report
        name = "submit_504_after_accept" if plan.fault == "504" else "drop_stream_mid_fill"

        def switch_on() -> tuple[int, int]:
            faults.partial_fills = plan.fault == "drop"  # the drop falls inside a fill
            setattr(faults, name, plan.fault_count)
            return len(book.orders), len(book.executions)

        orders_before, executions_before = venue.call(switch_on)
        used = wait_until(lambda: venue.call(lambda: getattr(faults, name)) == 0, 120)
        report.fault_used = plan.fault_count - venue.call(lambda: getattr(faults, name))
        venue.call(lambda: (setattr(faults, name, 0), setattr(faults, "partial_fills", False)))
        assert used, f"the venue used {report.fault_used} of {plan.fault_count} faults"
        if plan.fault == "504":
            hit = venue.orders()[orders_before : orders_before + plan.fault_count]
            report.fault_hits = [str(o["client_order_id"]) for o in hit]
        else:
            executions = venue.call(lambda: list(book.executions)[executions_before:])
            completed: list[str] = []
            for execution in executions:
                if execution.order_status == "filled" and len(completed) < plan.fault_count:
                    completed.append(execution.id)
            report.fault_hits = completed
        store = SqlStore(self.url)
        began = time.monotonic()
        try:

            def recovered() -> bool:
                if plan.fault == "504":  # each order's fate learnt: the venue's order id
                    venue_ids = {str(o["client_order_id"]): o["id"] for o in venue.orders()}
                    known = {
                        o.client_order_id
                        for o in store.orders(report.run_id)
                        if o.broker_order_id == venue_ids.get(o.client_order_id)
                        and o.status not in _UNSETTLED
                    }
                else:
                    known = {f.fill_id for f in store.fills(report.run_id)}
                return set(report.fault_hits) <= known

            report.fault_recovered = wait_until(recovered, 60, pause=0.05)
            report.fault_recovery_s = time.monotonic() - began
        finally:
            store.close()
        assert session.alive(), f"the session ended:\n{session.tail()}"

    def settle(self, venue: AlpacaVenue) -> bool:
        """Wait until the store holds every fill the venue made (the stream's, or a
        periodic reconciliation's)."""
        store = SqlStore(self.url)
        run_id = self.report.run_id
        try:

            def taken() -> bool:
                made = venue.call(lambda: {e.id for e in venue.book.executions})
                return made <= {f.fill_id for f in store.fills(run_id)}

            return wait_until(taken, self.plan.settle_timeout_s, pause=0.2)
        finally:
            store.close()


def _storm(venue: AlpacaVenue, drops: int) -> None:
    venue.faults.partial_fills = drops > 0
    venue.faults.drop_stream_mid_fill = drops


def run_trials(
    plan: CrashPlan, folder: Path, on_kill: Callable[[int], None] | None = None
) -> CrashReport:
    """Run ``plan`` in ``folder`` (its store, config and one log per session process)."""
    folder.mkdir(parents=True, exist_ok=True)
    return _Trials(plan, folder, on_kill or (lambda _: None)).run()


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0–1) of ``values``, nearest rank (0.0 for none)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def plans(trials: int, per_run: int, seed: int, *, stormy: bool = False) -> Iterator[CrashPlan]:
    """``trials`` kills split over runs of at most ``per_run`` kills (each a fresh venue,
    store and bar window), seeded from ``seed``."""
    left, index = trials, 0
    while left > 0:
        kills = min(per_run, left)
        yield CrashPlan(kills=kills, seed=seed * 1000 + index, stormy=stormy)
        left -= kills
        index += 1
