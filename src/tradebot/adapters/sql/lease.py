"""One owner per run: the lease a store holds on the runs it drives.

Two ``tradebot paper --replay --resume RUN_ID`` of one run used to both start and drive it
at once. Now ``backtest_runs`` says who drives each run: ``owner`` is a token naming the
process (``pid@host/start/nonce``: its pid, host, start time as the kernel counts it, and a
random nonce, so two stores in one process differ) and ``heartbeat_at`` when it last
renewed its claim. Both are NULL when nobody drives the run.

* **Claiming** (``SqlStore.start_run``, which a resume also calls) is a conditional
  ``UPDATE ... WHERE owner IS NULL OR owner = me`` whose row count says who won: the
  database serialises the two updates, so of two processes exactly one wins. The loser is
  refused with one line naming the owner (pid, host, how long ago it was heard from).
* **Stale leases** are taken over, with a compare-and-swap on the exact token and
  heartbeat read. On this host the process table decides: a lease whose process is gone
  (or whose pid now belongs to a process started later) is stale at once — a resume right
  after ``kill -9`` is not refused — and one whose process still runs is never stale,
  however long it has been quiet (replaying a long past, paused, waiting for a bar). For
  an owner on another host (PostgreSQL shared between machines), or where start times
  cannot be read, a heartbeat older than the TTL makes it stale.
* **Renewing** rides on the store's own writes: a flush renews the heartbeat in its
  transaction at most every few seconds (never a write per record). A renewal that finds
  the run taken over refuses the whole flush, so a process that lost its lease (it was
  idle for longer than the TTL and another one took over) stops at its next write instead
  of writing beside the new owner.
* **Releasing**: ``finish_run`` and ``close`` clear the lease.

Time comes in, it is not read here: ``now`` stamps heartbeats and judges their age (other
processes compare it, so it is UTC wall time), ``monotonic`` paces the renewals (an interval
in this process, which a wall-clock step must not stretch). Both default to the wall clock
(:mod:`tradebot.adapters.clock`); a test passes a manual clock and moves it.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, or_, select, update

from tradebot.adapters import clock
from tradebot.adapters.sql.models import RunRow
from tradebot.domain.errors import StoreError
from tradebot.ops.logging import get_logger

__all__ = ["DEFAULT_LEASE_TTL", "RENEW_EVERY_S", "Lease", "Owner"]

DEFAULT_LEASE_TTL = timedelta(seconds=60)
"""How long a lease lasts without a heartbeat before another process may take it over."""
RENEW_EVERY_S = 5.0
"""The most often a store renews its heartbeat (a quarter of the TTL when that is less)."""

_HOST_CHARS = 200
_log = get_logger("store")


def _runs() -> Table:
    table = RunRow.__table__
    assert isinstance(table, Table)
    return table


def _this_host() -> str:
    return socket.gethostname()[:_HOST_CHARS]


def _stat(pid: int) -> list[str]:
    """The fields of ``/proc/PID/stat`` after the command name ([] where there is none):
    [0] is the state, [19] the start time in clock ticks since boot."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return []


def _start_of(pid: int) -> str:
    fields = _stat(pid)
    return fields[19] if len(fields) > 19 else ""


def _runs_here(pid: int) -> bool:
    """Whether process ``pid`` runs on this host (an exited, unreaped child does not: it
    will never write again)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists, under another user
        return True
    return _stat(pid)[:1] != ["Z"]


@dataclass(frozen=True)
class Owner:
    """The process that holds a lease, as written into ``backtest_runs.owner``."""

    pid: int
    host: str
    started: str  # the process's start time in clock ticks since boot; "" if unknown
    nonce: str

    @classmethod
    def of_this_process(cls) -> Owner:
        pid = os.getpid()
        return cls(pid, _this_host(), _start_of(pid), secrets.token_hex(6))

    @property
    def token(self) -> str:
        return f"{self.pid}@{self.host}/{self.started}/{self.nonce}"

    @classmethod
    def parse(cls, token: str) -> Owner | None:
        pid, _, rest = token.partition("@")
        rest, _, nonce = rest.rpartition("/")
        host, _, started = rest.rpartition("/")
        if not pid.isdigit() or not host:
            return None
        return cls(int(pid), host, started, nonce)

    def runs(self) -> bool | None:
        """Whether this owner's process still runs: known only on this host (``None``
        elsewhere, or where start times cannot be read and the pid is alive)."""
        if self.host != _this_host():
            return None
        if not _runs_here(self.pid):
            return False
        if not self.started:
            return None
        now = _start_of(self.pid)
        return None if not now else now == self.started  # another start: pid reused


def _ago(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


class Lease:
    """The runs one store drives, and the statements that claim, renew and release them.

    Every method works inside the caller's transaction; :attr:`held` is updated by the
    caller once that transaction has committed.
    """

    def __init__(
        self,
        ttl: timedelta = DEFAULT_LEASE_TTL,
        owner: Owner | None = None,
        *,
        now: Callable[[], datetime] = clock.utc_now,
        monotonic: Callable[[], float] = clock.monotonic,
    ) -> None:
        """``now``: UTC wall time for heartbeats; ``monotonic``: seconds for the renewal
        pace (see the module docstring)."""
        if ttl < timedelta(0):
            raise ValueError(f"lease ttl must be >= 0, got {ttl}")
        self.owner = owner or Owner.of_this_process()
        self.ttl = ttl
        self.held: set[str] = set()
        self._now = now
        self._monotonic = monotonic
        self._renew_every = min(ttl.total_seconds() / 4, RENEW_EVERY_S)
        self._renewed = monotonic()

    @property
    def token(self) -> str:
        return self.owner.token

    def stamp(self) -> dict[str, Any]:
        """The columns that say "this store drives the run, as of now"."""
        return {"owner": self.token, "heartbeat_at": self._now()}

    def claim(self, connection: Connection, run_id: str, values: dict[str, Any]) -> bool:
        """Take ``run_id`` if nobody holds it, this store does, or its holder is stale, and
        set ``values`` with it. False when there is no such run; :class:`StoreError` when
        another process holds it."""
        runs = _runs()
        now = self._now()
        mine = {"owner": self.token, "heartbeat_at": now} | values
        free = or_(runs.c.owner.is_(None), runs.c.owner == self.token)
        taken = update(runs).where(runs.c.id == run_id, free).values(mine)
        if connection.execute(taken).rowcount == 1:
            return True
        row = connection.execute(
            select(runs.c.owner, runs.c.heartbeat_at).where(runs.c.id == run_id)
        ).first()
        if row is None:
            return False
        if self._stale(row.owner, row.heartbeat_at, now):
            heard = (
                runs.c.heartbeat_at.is_(None)
                if row.heartbeat_at is None
                else runs.c.heartbeat_at == row.heartbeat_at
            )
            swap = update(runs).where(runs.c.id == run_id, runs.c.owner == row.owner, heard)
            if connection.execute(swap.values(mine)).rowcount == 1:
                _log.warning("taking over a run whose driver is gone", run_id=run_id)
                return True
        raise self.refusal(run_id, row.owner, row.heartbeat_at)

    def _stale(self, token: str, heartbeat: datetime | None, now: datetime) -> bool:
        holder = Owner.parse(token)
        running = None if holder is None else holder.runs()
        if running is not None:  # on this host the process table knows
            return not running
        return heartbeat is None or heartbeat < now - self.ttl

    def _driven_by(self, run_id: str, token: str, heartbeat: datetime | None) -> str:
        holder = Owner.parse(token)
        who = f"pid {holder.pid} on {holder.host}" if holder else f"owner {token!r}"
        heard = "never" if heartbeat is None else f"{_ago(self._now() - heartbeat)} ago"
        return f"run {run_id} is being driven by another process ({who}, heard from {heard})"

    def refusal(self, run_id: str, token: str, heartbeat: datetime | None) -> StoreError:
        """The one line that tells a second driver of ``run_id`` who drives it."""
        return StoreError(
            self._driven_by(run_id, token, heartbeat),
            "stop that process or wait for it to finish (a driver on another host that stops "
            f"renewing its claim loses the run {self._ttl_s} s after its last heartbeat)",
        )

    @property
    def _ttl_s(self) -> int:
        return int(self.ttl.total_seconds())

    def due(self) -> bool:
        """Whether the next write should renew the heartbeat."""
        return bool(self.held) and self._monotonic() - self._renewed >= self._renew_every

    def renew(self, connection: Connection) -> None:
        """Renew the heartbeat of every held run; refuse (the caller's whole transaction)
        when another process took one over."""
        runs = _runs()
        held = sorted(self.held)
        mine = or_(runs.c.owner == self.token, runs.c.owner.is_(None))
        renewed = update(runs).where(runs.c.id.in_(held), mine).values(self.stamp())
        if connection.execute(renewed).rowcount == len(held):
            return
        rows = connection.execute(
            select(runs.c.id, runs.c.owner, runs.c.heartbeat_at).where(runs.c.id.in_(held))
        ).all()
        for row in rows:
            if row.owner is not None and row.owner != self.token:
                raise StoreError(
                    "this process lost its claim: "
                    + self._driven_by(row.id, row.owner, row.heartbeat_at),
                    f"it wrote nothing for more than {self._ttl_s} s and another process "
                    "took the run over; let that one drive it",
                )
        self.held.intersection_update(row.id for row in rows)  # deleted runs are let go

    def renewed(self) -> None:
        """The renewal committed."""
        self._renewed = self._monotonic()

    def release(self, connection: Connection, run_ids: Collection[str]) -> None:
        """Clear this store's lease on ``run_ids`` (a lease another process took stays)."""
        if not run_ids:
            return
        runs = _runs()
        connection.execute(
            update(runs)
            .where(runs.c.id.in_(sorted(run_ids)), runs.c.owner == self.token)
            .values(owner=None, heartbeat_at=None)
        )
