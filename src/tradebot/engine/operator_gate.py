"""What the operator has said about trading: paused, or halted by the kill switch.

One :class:`OperatorGate` per kernel, shared by the stages that send orders. The command
stage changes it (pause, resume, kill, flatten); the decision stages read it before an
entry and write what blocked the entry into the decision's trace; the order manager reads
it before it sends anything.

- **Paused**: no new entries; exits, stops, take-profits and the risk engine's reviews go
  on (a paused bot still protects what it holds).
- **Halted** (kill): no new order of any kind; every open order was cancelled when the kill
  arrived. Only a flatten's own closing orders pass (``closing`` is set while they go out).
  A halt is lifted only by ``resume``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["Hold", "OperatorGate"]


@dataclass(frozen=True, slots=True)
class Hold:
    """Who stopped trading, when and how (for the decision trace and the status)."""

    command_id: str
    kind: str
    """"pause" or "kill"."""
    source: str
    """Where the command came from (cli, api, signal, ...)."""
    ts: datetime

    def describe(self) -> str:
        return f"{self.kind} by {self.source} at {self.ts.isoformat()} ({self.command_id})"


@dataclass(slots=True)
class OperatorGate:
    paused: Hold | None = None
    halted: Hold | None = None
    closing: bool = False
    """True while a flatten sends its closing orders through a halt."""
    unknown: dict[str, str] = field(default_factory=dict)
    """Symbol → the client id of an order of it whose outcome the venue never told (every
    lookup failed): no new entry in that symbol until a report or a reconciliation
    settles it, as a second order could double the position."""

    def entry_block(self) -> Hold | None:
        """The hold that forbids a new entry now, if any (a halt before a pause)."""
        return self.halted or self.paused

    def order_block(self, *, closes: bool) -> Hold | None:
        """The hold that forbids sending an order now: any order under a halt (but a
        flatten's closing ones); an entry (``closes`` False) under a pause."""
        if self.halted is not None and not (closes and self.closing):
            return self.halted
        if not closes:
            return self.paused
        return None

    def resume(self) -> None:
        self.paused = self.halted = None
        self.closing = False
