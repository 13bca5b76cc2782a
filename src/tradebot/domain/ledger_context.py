"""The one Decimal context every run computes in.

Python's Decimal arithmetic follows the current thread's context, which any library can
change for the whole thread: ccxt's ``decimal_to_precision`` sets ROUND_HALF_UP and traps
Underflow on it, permanently. A run that inherited such a context would size, fill and book
with other roundings than the run before it in the same process (a server running two
backtests, a session after a CCXT call), so :meth:`Kernel.run` computes inside a fresh copy
of this context, whatever the thread holds.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)

__all__ = ["in_ledger_context", "ledger_context"]


def ledger_context() -> Context:
    """Python's default context, spelled out: 28 digits, banker's rounding, and the traps
    that turn invalid results into errors rather than NaN or infinity."""
    return Context(
        prec=28,
        rounding=ROUND_HALF_EVEN,
        Emin=-999_999,
        Emax=999_999,
        capitals=1,
        clamp=0,
        flags=[],
        traps=[InvalidOperation, DivisionByZero, Overflow],
    )


def in_ledger_context() -> AbstractContextManager[Context]:
    """``with in_ledger_context():`` — the block computes in a fresh ledger context."""
    return localcontext(ledger_context())
