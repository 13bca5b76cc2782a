"""The command stage: applies the operator's commands, arriving on the event stream.

Subscribed on ``commands``. A command reaches the kernel like any other event — the
command poller (:mod:`tradebot.runtime.commands`) or the API queues it with
``Kernel.post(..., rank=RANK_COMMAND)`` — so it is applied on the kernel's one thread,
between two events, in the stream's order: nothing else runs while it changes the gate.

Each command is applied once (an id seen before changes nothing: redelivery), then its
outcome — applied, or refused with one line saying why — is recorded in the command log
(when the store is one: :class:`~tradebot.ports.CommandLog`) and published on
``commands.outcomes``. What each kind does:

- **pause** sets the gate's pause: no new entries; exits, stops and reviews go on.
- **resume** lifts a pause and a kill.
- **kill** halts every new order (``gate.halted``), then asks the order manager to cancel
  every open order, bracket children included (``orders.cancel_open``).
- **flatten** is a kill, then an exit for every position held: the decision stage's
  ``close_position`` for each symbol, with ``gate.closing`` set so those closes (and only
  those) pass the halt.
- **close_position SYMBOL** closes one position (refused when it is not held, or while a
  kill halts orders).
- **set_tier TIER** moves the risk engine to a named tier (refused for the reference
  decision stage, which has none).

Contract with the decision stages: ``close_position(symbol, reason, ts)`` and
``set_tier(tier, reason, ts)`` record their decision or risk event and return; they raise
:class:`~tradebot.domain.commands.CommandRefusedError` (any
:class:`~tradebot.domain.errors.TradebotError` but a store failure is taken as one) to
refuse in one line. A store that cannot write is not a refusal: it stops the run, as in
every stage.

Time: the gate's holds and the decisions a command makes are stamped with the kernel's
clock (the replay's time in a paper replay); the command log's ``decided_at`` with
``wall_clock`` (the operator's time, as the command's own ``ts`` is).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Protocol, runtime_checkable

from tradebot.domain.commands import (
    CommandKind,
    CommandOutcome,
    CommandRecord,
    CommandRefusedError,
    CommandStatus,
    OperatorCommand,
)
from tradebot.domain.errors import StoreError, TradebotError
from tradebot.domain.position import Position
from tradebot.engine.operator_gate import Hold, OperatorGate
from tradebot.engine.topics import COMMAND_OUTCOMES
from tradebot.ops.logging import get_logger
from tradebot.ports import Bus, Clock, CommandLog
from tradebot.risk.tiers import TIER_ORDER, TierName

__all__ = [
    "CancelsOpenOrders",
    "ClosesPositions",
    "CommandStage",
    "Holdings",
    "SetsTier",
    "gate_from_history",
]

_SHOWN_IDS = 5
_TIERS = ", ".join(t.value for t in TIER_ORDER)


class CancelsOpenOrders(Protocol):
    """The order manager's kill switch."""

    def cancel_open(self, reason: str, ts: datetime) -> list[str]:
        """Ask the venue to cancel every open order; the client ids asked about."""
        ...


class ClosesPositions(Protocol):
    """Both decision stages: the operator closes a position now."""

    def close_position(self, symbol: str, reason: str, ts: datetime) -> object: ...


@runtime_checkable
class SetsTier(Protocol):
    """A decision stage with risk tiers (the risk engine's)."""

    def set_tier(self, tier: TierName, reason: str, ts: datetime) -> object: ...


class Holdings(Protocol):
    """What is held, by symbol (the portfolio)."""

    @property
    def positions(self) -> Mapping[str, Position]: ...


_Effect = tuple[str, tuple[str, ...], tuple[str, ...]]
"""(what was done, client ids cancelled, symbols being closed)."""


class CommandStage:
    stage = "commands"

    def __init__(
        self,
        *,
        run_id: str,
        gate: OperatorGate,
        orders: CancelsOpenOrders,
        decisions: ClosesPositions,
        portfolio: Holdings,
        store: CommandLog | None,
        bus: Bus,
        clock: Clock,
        wall_clock: Clock | None = None,
    ) -> None:
        """``store``: the command log outcomes go to (None: a store that keeps no
        commands). ``clock``: the kernel's; ``wall_clock``: where ``decided_at`` is read
        (without one, the kernel's clock)."""
        self._run_id = run_id
        self.gate = gate
        self._orders = orders
        self._decisions = decisions
        self._portfolio = portfolio
        self._store = store
        self._bus = bus
        self._clock = clock
        self._wall = wall_clock or clock
        self._seen: set[str] = set()
        self._log = get_logger(self.stage)

    def on_command(self, command: OperatorCommand) -> None:
        if command.id in self._seen:
            return  # redelivered: applied (or refused) once already
        self._seen.add(command.id)
        now = self._clock.now()
        cancelled: tuple[str, ...] = ()
        closing: tuple[str, ...] = ()
        try:
            detail, cancelled, closing = self._apply(command, now)
            status = CommandStatus.APPLIED
        except CommandRefusedError as refusal:
            detail, status = refusal.one_line(), CommandStatus.REFUSED
        outcome = CommandOutcome(
            command_id=command.id,
            kind=command.kind,
            run_id=self._run_id,
            status=status,
            detail=detail,
            ts=now,
            cancelled=cancelled,
            closing=closing,
        )
        if self._store is not None:
            self._store.post_command(command)  # a command that never had a row gets one
            self._store.command_outcome(command.id, status, detail, self._wall.now())
        self._log.info(
            "operator command",
            command_id=command.id,
            command=command.describe(),
            source=command.source,
            status=str(status),
            detail=detail,
        )
        self._bus.publish(COMMAND_OUTCOMES, outcome)

    def restore(self, history: Sequence[CommandRecord]) -> None:
        """A resumed run: the gate as the run's applied commands left it, and every
        recorded command known (none is applied twice)."""
        restored = gate_from_history(history)
        self.gate.paused, self.gate.halted = restored.paused, restored.halted
        self._seen.update(record.command.id for record in history)

    # --- the kinds ------------------------------------------------------------------------
    def _apply(self, command: OperatorCommand, now: datetime) -> _Effect:
        if command.run_id != self._run_id:
            raise CommandRefusedError(
                f"command {command.id} is for run {command.run_id}, not {self._run_id}"
            )
        kind = command.kind
        if kind is CommandKind.PAUSE:
            return self._pause(command, now), (), ()
        if kind is CommandKind.RESUME:
            return self._resume(), (), ()
        if kind is CommandKind.KILL:
            detail, cancelled = self._kill(command, now)
            return detail, cancelled, ()
        if kind is CommandKind.FLATTEN:
            return self._flatten(command, now)
        if kind is CommandKind.CLOSE_POSITION:
            assert command.symbol is not None
            return self._close_one(command, command.symbol, now), (), (command.symbol,)
        assert command.tier is not None
        return self._set_tier(command, command.tier, now), (), ()

    def _pause(self, command: OperatorCommand, now: datetime) -> str:
        gate = self.gate
        if gate.paused is not None:
            return f"already paused ({gate.paused.describe()})"
        gate.paused = _hold(command, now)
        halted = "" if gate.halted is None else f"; orders stay halted ({gate.halted.describe()})"
        return f"paused: no new entries; exits and stops go on{halted}"

    def _resume(self) -> str:
        gate = self.gate
        lifted = [hold.describe() for hold in (gate.halted, gate.paused) if hold is not None]
        if not lifted:
            return "nothing to resume: trading was neither paused nor halted"
        gate.resume()
        return "resumed: lifted " + "; ".join(lifted)

    def _kill(self, command: OperatorCommand, now: datetime) -> tuple[str, tuple[str, ...]]:
        gate = self.gate
        earlier = gate.halted
        if earlier is None:
            gate.halted = _hold(command, now)
        reason = f"cancelled: {_by(command)}"
        cancelled = tuple(self._orders.cancel_open(reason, now))
        halted = (
            "halted: no new orders" if earlier is None else f"already halted ({earlier.describe()})"
        )
        return f"{halted}; {_orders(cancelled)}", cancelled

    def _flatten(self, command: OperatorCommand, now: datetime) -> _Effect:
        killed, cancelled = self._kill(command, now)
        closing: list[str] = []
        refused: list[str] = []
        gate = self.gate
        for symbol in sorted(self._portfolio.positions):
            gate.closing = True
            try:
                with _as_refusal():
                    self._decisions.close_position(symbol, _by(command), now)
            except CommandRefusedError as refusal:
                refused.append(f"{symbol} ({refusal.one_line()})")
            else:
                closing.append(symbol)
            finally:
                gate.closing = False
        parts = [killed, f"closing {', '.join(closing)}" if closing else "no position to close"]
        if refused:
            parts.append("not closed: " + "; ".join(refused))
        return "; ".join(parts), cancelled, tuple(closing)

    def _close_one(self, command: OperatorCommand, symbol: str, now: datetime) -> str:
        if symbol not in self._portfolio.positions:
            raise CommandRefusedError(f"no {symbol} position to close", "nothing is held in it")
        halted = self.gate.halted
        if halted is not None:
            raise CommandRefusedError(
                f"cannot close {symbol}: orders are halted ({halted.describe()})",
                "resume first, or flatten to close everything",
            )
        with _as_refusal():
            self._decisions.close_position(symbol, _by(command), now)
        return f"closing {symbol}: exit order decided"

    def _set_tier(self, command: OperatorCommand, tier: str, now: datetime) -> str:
        try:
            name = TierName(tier)
        except ValueError:
            raise CommandRefusedError(
                f"unknown risk tier {tier!r}", f"use one of {_TIERS}"
            ) from None
        decisions = self._decisions
        if not isinstance(decisions, SetsTier):
            raise CommandRefusedError(
                "this run's decision stage has no risk tiers (the reference stage)",
                "run with risk.engine: autonomous to use tiers",
            )
        with _as_refusal():
            decisions.set_tier(name, _by(command), now)
        return f"risk tier set to {name.value}"


def gate_from_history(history: Sequence[CommandRecord]) -> OperatorGate:
    """The gate that the applied pause, resume, kill and flatten commands of ``history``
    leave behind, taken in the order they were applied (``decided_at``; the log lists
    them as they were issued)."""
    gate = OperatorGate()
    applied = [r for r in history if r.status is CommandStatus.APPLIED]
    for record in sorted(applied, key=lambda r: r.decided_at or r.command.ts):
        command = record.command
        when = record.decided_at or command.ts
        if command.kind is CommandKind.PAUSE and gate.paused is None:
            gate.paused = _hold(command, when)
        elif command.kind in (CommandKind.KILL, CommandKind.FLATTEN) and gate.halted is None:
            gate.halted = _hold(command, when)
        elif command.kind is CommandKind.RESUME:
            gate.resume()
    return gate


def _hold(command: OperatorCommand, ts: datetime) -> Hold:
    return Hold(command_id=command.id, kind=command.kind.value, source=command.source, ts=ts)


def _by(command: OperatorCommand) -> str:
    """``flatten by cli (cmd-...)``: what the orders and decisions it causes say."""
    return f"{command.kind.value} by {command.source} ({command.id})"


def _orders(cancelled: Sequence[str]) -> str:
    if not cancelled:
        return "no open order to cancel"
    shown = ", ".join(cancelled[:_SHOWN_IDS])
    more = f" and {len(cancelled) - _SHOWN_IDS} more" if len(cancelled) > _SHOWN_IDS else ""
    return f"{len(cancelled)} open order(s) cancelled ({shown}{more})"


@contextmanager
def _as_refusal() -> Iterator[None]:
    """Around a decision stage's call: any user-level error but a store failure is a
    refusal (one line)."""
    try:
        yield
    except (CommandRefusedError, StoreError):
        raise
    except TradebotError as exc:
        raise CommandRefusedError(exc.message, exc.hint) from exc
