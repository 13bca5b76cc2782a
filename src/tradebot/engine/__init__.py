"""The kernel and its stages. Depends on ports only, never on an adapter.

Invariants: no stage branches on the mode; a bar is acted on only after it closes and
orders decided on bar t fill no earlier than bar t+1; every order's client id derives from
its decision; money is Decimal in the ledger.
"""

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
