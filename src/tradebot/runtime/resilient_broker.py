"""A live venue's broker behind its service's circuit breaker, its reads retried.

:class:`ResilientBroker` wraps the broker of a live venue (Alpaca, a CCXT exchange; never
the paper broker, whose backtests and paper runs stay exactly as they are):

- **reads** — ``lookup``, ``open_orders``, ``positions``, ``account``, ``fills_since``,
  ``instruments``, ``average_prices``, those the inner broker has — go through the
  service's breaker and are retried with backoff and jitter on a temporary error
  (:func:`tradebot.ops.resilience.guarded_read`); while the breaker is open they are
  refused at once with :class:`~tradebot.domain.errors.TemporaryBrokerError`, which every
  caller already reads as "the venue did not answer" (the order manager's lookups count a
  try and ask again on their own schedule, the reconciler halts). A read stops retrying
  after ``budget_s`` (one command timeout): a venue that timed out once is not waited on
  three times.
- **commands** — ``submit``, ``cancel``, ``replace``, ``submit_bracket`` — go straight to
  the inner broker, once: **never retried** (a lost submit reply is the order manager's
  "outcome unknown", resolved by lookup, never by sending again) and **never refused** by
  an open breaker (a cancel or a protective exit must reach the venue whenever it can).
  Their outcome still feeds the breaker: a temporary error counts as a failure, an answer
  (an acceptance or a refusal) as a success.
- **everything else** (``immediate``, ``close``, an adapter's own helpers) is the inner
  broker's own attribute.

The wrapper has exactly the inner broker's capabilities: the engine asks
``isinstance(broker, BracketVenue)``, ``ReconcilingBroker``, ``Replaceable``,
``PositionPrices`` (runtime-checkable protocols, which look the methods up on the class),
so each wrapped type gets a class of its own that defines the inner's methods and no
other (made once per set of names and cached).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, ClassVar, cast

from tradebot.domain.errors import TemporaryBrokerError
from tradebot.domain.messages import Order
from tradebot.ops.resilience import ServiceBoard, ServiceHook, guarded_read, report
from tradebot.ports import COMMAND_TIMEOUT_S, Broker

__all__ = ["COMMANDS", "READS", "ResilientBroker"]

READS = (
    "lookup",
    "open_orders",
    "positions",
    "account",
    "fills_since",
    "instruments",
    "average_prices",
)
"""Idempotent queries: retried, and refused while the breaker is open."""
COMMANDS = ("submit", "cancel", "replace", "submit_bracket")
"""What changes the book at the venue: made once, never refused; their outcome is counted."""

_OWN = frozenset({"inner"})
_WRAPPED = frozenset(READS) | frozenset(COMMANDS)
_Shape = tuple[frozenset[str], frozenset[str]]


class ResilientBroker:
    """See the module docstring. ``ResilientBroker(inner, ...)`` returns an instance of a
    subclass made for ``inner``'s set of methods and attributes."""

    _classes: ClassVar[dict[_Shape, type[ResilientBroker]]] = {}
    _classes_lock: ClassVar[threading.Lock] = threading.Lock()

    def __new__(cls, inner: Broker, **_: Any) -> ResilientBroker:
        made = _class_for(_shape(inner))
        return super().__new__(made)

    def __init__(
        self,
        inner: Broker,
        *,
        service: str,
        board: ServiceBoard,
        retry_on: tuple[type[BaseException], ...] = (TemporaryBrokerError,),
        attempts: int = 3,
        base_s: float = 0.5,
        cap_s: float = 5.0,
        budget_s: float | None = COMMAND_TIMEOUT_S,
        sleep: Callable[[float], None] = time.sleep,
        on_retry: ServiceHook | None = None,
        on_error: ServiceHook | None = None,
    ) -> None:
        """``retry_on``: the errors that mean "no answer" (retried on reads, counted as
        failures everywhere). ``on_retry`` / ``on_error``: told the service's name on each
        retry / each failed call (the metrics' counters)."""
        self._inner = inner
        self._service = service
        self._board = board
        self._retry_on = retry_on
        self._read_options: dict[str, Any] = {
            "attempts": attempts,
            "base_s": base_s,
            "cap_s": cap_s,
            "budget_s": budget_s,
            "sleep": sleep,
            "on_retry": on_retry,
        }
        self._on_error = on_error

    @property
    def inner(self) -> Broker:
        """The broker wrapped."""
        return self._inner

    def __repr__(self) -> str:
        return f"ResilientBroker({self._inner!r}, service={self._service!r})"

    def __getattr__(self, name: str) -> Any:
        """An attribute the inner broker gained after it was wrapped (the class exposes
        those it had then)."""
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._inner, name)

    # --- the Broker port, always there ------------------------------------------------
    def submit(self, order: Order) -> Order:
        return cast(Order, self._command("submit", order))

    def cancel(self, client_order_id: str) -> Order | None:
        return cast(Order | None, self._command("cancel", client_order_id))

    def lookup(self, client_order_id: str) -> Order | None:
        return cast(Order | None, self._read("lookup", client_order_id))

    # --- how calls go out -------------------------------------------------------------
    def _read(self, name: str, *args: Any, **kwargs: Any) -> Any:
        method = getattr(self._inner, name)
        return guarded_read(
            self._board,
            self._service,
            lambda: method(*args, **kwargs),
            retry_on=self._retry_on,
            refuse=TemporaryBrokerError,
            on_error=self._on_error,
            **self._read_options,
        )

    def _command(self, name: str, *args: Any, **kwargs: Any) -> Any:
        method = getattr(self._inner, name)
        return report(
            self._board.breaker(self._service),
            lambda: method(*args, **kwargs),
            failure_on=self._retry_on,
            on_error=self._on_error,
        )


def _shape(inner: object) -> _Shape:
    """``inner``'s public names, and those of them that are its reads and commands (a
    method: the paper broker's ``account`` is its cash book, an attribute)."""
    names = frozenset(n for n in dir(inner) if not n.startswith("_") and n not in _OWN)
    calls = frozenset(n for n in names & _WRAPPED if callable(getattr(type(inner), n, None)))
    return names, calls


def _class_for(shape: _Shape) -> type[ResilientBroker]:
    """The wrapper class for an inner broker of this shape (cached)."""
    with ResilientBroker._classes_lock:
        found = ResilientBroker._classes.get(shape)
        if found is None:
            found = ResilientBroker._classes[shape] = _make_class(*shape)
        return found


def _make_class(names: frozenset[str], calls: frozenset[str]) -> type[ResilientBroker]:
    namespace: dict[str, Any] = {}
    for name in sorted(names):
        if name in ("submit", "cancel", "lookup"):
            continue  # defined on the base: every broker has them
        if name in calls and name in READS:
            namespace[name] = _method(name, ResilientBroker._read)
        elif name in calls:
            namespace[name] = _method(name, ResilientBroker._command)
        else:
            namespace[name] = _passed_through(name)
    shown = "+".join(sorted(calls)) or "plain"
    made = type(f"ResilientBroker[{shown}]", (ResilientBroker,), namespace)
    made.__module__ = __name__
    return made


def _method(name: str, how: Callable[..., Any]) -> Callable[..., Any]:
    def method(self: ResilientBroker, *args: Any, **kwargs: Any) -> Any:
        return how(self, name, *args, **kwargs)

    method.__name__ = method.__qualname__ = name  # the reconciler names its threads by it
    method.__doc__ = f"The inner broker's ``{name}`` (see the module docstring)."
    return method


def _passed_through(name: str) -> property:
    def get(self: ResilientBroker) -> Any:
        return getattr(self._inner, name)

    def put(self: ResilientBroker, value: Any) -> None:
        setattr(self._inner, name, value)

    return property(get, put, doc=f"The inner broker's ``{name}``.")
