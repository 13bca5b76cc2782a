"""The paper venue's words: its fills and its own status changes as execution reports.

A live venue reports what happened to an order on its own stream; the paper venue says the
same things the same way, so the engine applies both through one order state machine. A
fill report carries the simulated fill (its id is the venue's trade id, ``<coid>-<n>``); a
status report carries a status change the venue made on its own (a rejection at fill time,
an OCO sibling or a held child cancelled).
"""

from __future__ import annotations

from tradebot.domain.enums import OrderStatus
from tradebot.domain.execution import ExecutionReport, status_report
from tradebot.domain.messages import Fill, Order

__all__ = ["fill_report", "status_report"]


def fill_report(fill: Fill, order: Order) -> ExecutionReport:
    """The report of ``fill``; ``order`` is the venue's order after it (its status says
    whether the fill completed it)."""
    return ExecutionReport.of_fill(
        fill, done=order.status is OrderStatus.FILLED, broker_order_id=order.broker_order_id
    )
