"""Operator commands: what a person (or the API, or a signal) tells a running bot to do.

A command is a value with an identity. Whoever issues it names it (``cmd-<random hex>``), so
a command delivered twice — a poller that reads its row again, a bus that redelivers — is
recognised and applied once. It is persisted with where it came from and when, then taken
by the run it is for, then applied or refused (one line saying why), which is its
:class:`CommandStatus` and :class:`CommandRecord`. Inside the kernel it travels on the same
ordered event stream as bars and execution reports (:mod:`tradebot.engine.event_loop`).

What each kind does is the command stage's (:mod:`tradebot.engine.command_stage`): pause
blocks entries; resume lifts a pause or a kill; kill halts every new order and cancels the
open ones; flatten is a kill that also closes every position; close-position closes one;
set-tier moves the risk engine to a named tier.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tradebot.domain.errors import TradebotError

__all__ = [
    "CommandKind",
    "CommandOutcome",
    "CommandRecord",
    "CommandRefused",
    "CommandRefusedError",
    "CommandStatus",
    "OperatorCommand",
]

_MAX_ID = 64
_MAX_SOURCE = 32
_MAX_SYMBOL = 32
_MAX_TIER = 32


class CommandKind(StrEnum):
    PAUSE = "pause"
    RESUME = "resume"
    CLOSE_POSITION = "close_position"
    KILL = "kill"
    FLATTEN = "flatten"
    SET_TIER = "set_tier"


class CommandStatus(StrEnum):
    """A command's life: issued (``pending``), read by its run (``taken``), then
    ``applied`` or ``refused`` — final either way."""

    PENDING = "pending"
    TAKEN = "taken"
    APPLIED = "applied"
    REFUSED = "refused"

    @property
    def final(self) -> bool:
        return self in (CommandStatus.APPLIED, CommandStatus.REFUSED)


class CommandRefusedError(TradebotError):
    """A command that cannot be carried out as asked (no such position, halted, a stage
    without tiers): one line saying why. Stages raise it; the command stage records the
    command as refused with that line and goes on."""


CommandRefused = CommandRefusedError
"""The name the risk stage first imported; the taxonomy's spelling is ``...Error``."""


def _aware(moment: datetime, what: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware (UTC)")


@dataclass(frozen=True, slots=True, kw_only=True)
class OperatorCommand:
    """One command for one run. ``symbol`` belongs to ``close_position`` only, ``tier`` to
    ``set_tier`` only (a tier name such as ``conservative``; the risk engine checks it)."""

    id: str
    kind: CommandKind
    ts: datetime
    """When it was issued (UTC, the issuer's wall clock)."""
    source: str
    """Who issued it: ``cli``, ``api``, ``signal``, ``test``..."""
    run_id: str
    symbol: str | None = None
    tier: str | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if not self.id or len(self.id) > _MAX_ID:
            raise ValueError(f"a command id has 1 to {_MAX_ID} characters, not {self.id!r}")
        if not isinstance(self.kind, CommandKind):
            raise ValueError(f"unknown command kind {self.kind!r}")
        _aware(self.ts, "a command's ts")
        if not self.source or len(self.source) > _MAX_SOURCE:
            raise ValueError(f"a command's source has 1 to {_MAX_SOURCE} characters")
        if not self.run_id:
            raise ValueError("a command names the run it is for")
        closes = self.kind is CommandKind.CLOSE_POSITION
        if closes != bool(self.symbol):
            raise ValueError(
                "close_position needs a symbol"
                if closes
                else f"{self.kind} takes no symbol (got {self.symbol!r})"
            )
        if self.symbol is not None and (
            len(self.symbol) > _MAX_SYMBOL or self.symbol != self.symbol.strip().upper()
        ):
            raise ValueError(f"symbol {self.symbol!r} is not an upper-case ticker")
        tiered = self.kind is CommandKind.SET_TIER
        if tiered != bool(self.tier):
            raise ValueError(
                "set_tier needs a tier" if tiered else f"{self.kind} takes no tier ({self.tier!r})"
            )
        if self.tier is not None and len(self.tier) > _MAX_TIER:
            raise ValueError(f"tier name {self.tier[:20]!r}... is too long")

    def describe(self) -> str:
        """``kill``, ``close_position AAPL``, ``set_tier conservative``."""
        arg = self.symbol or self.tier
        return f"{self.kind} {arg}" if arg else str(self.kind)


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandOutcome:
    """What became of a command in the run (published for the API and notifications)."""

    command_id: str
    kind: CommandKind
    run_id: str
    status: CommandStatus
    detail: str
    """One line: what was done, or why not."""
    ts: datetime
    """When it was decided, in the run's time."""
    cancelled: tuple[str, ...] = ()
    """Client ids of the orders a kill or flatten cancelled."""
    closing: tuple[str, ...] = ()
    """Symbols a flatten or close-position sent a closing order for."""

    def __post_init__(self) -> None:
        _aware(self.ts, "an outcome's ts")
        if not self.status.final:
            raise ValueError(f"an outcome is applied or refused, not {self.status}")


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandRecord:
    """A command as the command log holds it: the command, and how far it got."""

    command: OperatorCommand
    status: CommandStatus
    taken_at: datetime | None = None
    decided_at: datetime | None = None
    outcome: str = ""
