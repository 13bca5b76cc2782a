"""Rich tables of decisions: what was decided and why (the trace), and the skip reasons.

Texts go in as plain text, never as rich markup: a reason may hold ``[brackets]``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from rich.table import Table
from rich.text import Text

from tradebot.domain.enums import DecisionAction
from tradebot.domain.messages import TradingDecision

__all__ = ["decisions_table", "first_failed_check", "skip_reasons_table", "trace_table"]


def first_failed_check(decision: TradingDecision) -> str:
    """The check that decided a skip (empty for a decision that acted)."""
    return next((c.check for c in decision.trace if not c.passed), "")


def decisions_table(decisions: Sequence[TradingDecision], title: str) -> Table:
    """One row per decision: time, action, side, quantity, price, reason, first failed check."""
    table = Table(title=title, header_style="bold")
    table.add_column("time (UTC)", no_wrap=True)
    table.add_column("symbol", no_wrap=True)
    table.add_column("action", no_wrap=True)
    table.add_column("side", no_wrap=True)
    table.add_column("qty", justify="right", no_wrap=True)
    table.add_column("price", justify="right", no_wrap=True)
    table.add_column("reason", min_width=16, max_width=60, overflow="fold")
    table.add_column("first failed check", max_width=22, overflow="ellipsis", no_wrap=True)
    for d in decisions:
        acted = d.action is DecisionAction.ACT
        table.add_row(
            f"{d.ts:%Y-%m-%d %H:%M}",
            d.symbol,
            Text(d.action.value, style="green" if acted else "yellow"),
            d.side.value if d.side else "",
            f"{d.quantity.normalize():f}" if acted else "",
            f"{d.reference_price:,.2f}",
            Text(d.reason),
            Text(first_failed_check(d), style="red"),
        )
    return table


def _inputs(inputs: Mapping[str, Any]) -> str:
    shown = {k: v for k, v in inputs.items() if k != "size_effect"}
    return json.dumps(shown, default=str, separators=(", ", ": "))


def _effect(inputs: Mapping[str, Any]) -> str:
    effect = inputs.get("size_effect")
    if not isinstance(effect, Mapping) or effect.get("effect") in (None, "none"):
        return ""
    parts = [str(effect["effect"])]
    if "before" in effect:
        parts.append(_money(effect["before"]))
    if "after" in effect:
        parts.append(f"→ {_money(effect['after'])}")
    return " ".join(parts)


def _money(text: object) -> str:
    try:
        return f"{float(str(text)):,.2f}"
    except ValueError:
        return str(text)


def trace_table(decision: TradingDecision) -> Table:
    """Each check of one decision, in order, with its inputs and its effect on size."""
    title = (
        f"{decision.ts:%Y-%m-%d %H:%M} {decision.symbol} {decision.action.value}"
        f" — {decision.reason}"
    )
    table = Table(title=Text(title), header_style="bold", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("check", no_wrap=True)
    table.add_column("ok", no_wrap=True)
    table.add_column("detail", max_width=50, overflow="fold")
    table.add_column("inputs", max_width=70, overflow="fold")
    table.add_column("size effect", no_wrap=True)
    for i, check in enumerate(decision.trace, start=1):
        table.add_row(
            str(i),
            check.check,
            Text("yes" if check.passed else "NO", style="green" if check.passed else "red"),
            Text(check.detail),
            Text(_inputs(check.inputs)),
            _effect(check.inputs),
        )
    return table


def skip_reasons_table(reasons: Mapping[str, int], title: str = "Skipped decisions") -> Table:
    """How many skipped decisions each check stopped, most first."""
    table = Table(title=title, header_style="bold")
    table.add_column("first failed check")
    table.add_column("decisions", justify="right")
    total = sum(reasons.values())
    for name, count in sorted(reasons.items(), key=lambda item: (-item[1], item[0])):
        table.add_row(Text(name), f"{count:,}")
    table.add_row(Text("total", style="bold"), f"{total:,}")
    return table
