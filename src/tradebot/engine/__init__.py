"""The kernel and its stages. Depends on ports only, never on an adapter.

Invariants: no stage branches on the mode; a bar is acted on only after it closes and
orders decided on bar t fill no earlier than bar t+1; every order's client id derives from
its decision; money is Decimal in the ledger.

The names below are loaded when first asked for (PEP 562), so importing one light module
of the engine (``tradebot.engine.bus``, say, from the command line's error handler) does not
load the kernel and everything it needs.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tradebot.engine.bus import MemoryBus, StageError
    from tradebot.engine.clock import PacedClock, SimClock
    from tradebot.engine.decision_stage import SizingRules
    from tradebot.engine.kernel import Kernel, RunResult

__all__ = [
    "Kernel",
    "MemoryBus",
    "PacedClock",
    "RunResult",
    "SimClock",
    "SizingRules",
    "StageError",
]

_HOMES = {
    "Kernel": "tradebot.engine.kernel",
    "RunResult": "tradebot.engine.kernel",
    "MemoryBus": "tradebot.engine.bus",
    "StageError": "tradebot.engine.bus",
    "PacedClock": "tradebot.engine.clock",
    "SimClock": "tradebot.engine.clock",
    "SizingRules": "tradebot.engine.decision_stage",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'tradebot.engine' has no attribute {name!r}")
    return getattr(import_module(home), name)
