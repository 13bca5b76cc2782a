"""From what the engine did to what its owner reads: one function per event, each a
:class:`~tradebot.domain.notifications.Notification` with a one-line title, a plain body
and, for the summaries, HTML and an equity sparkline.

Pure: they read the message they are given and nothing else (the watcher keeps what spans
several messages, such as the week's summaries). Texts name numbers the way the dashboard
does (money with two decimals and thousands separators, signed P&L).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from tradebot.domain.commands import CommandOutcome
from tradebot.domain.messages import ClosedTrade, Order
from tradebot.domain.notifications import Image, Notification, NotificationEvent, Severity
from tradebot.engine.daily_summary import DailySummary
from tradebot.engine.reconcile import Reconciliation
from tradebot.ops.notify.sparkline import sparkline_png
from tradebot.risk.breakers import BreakerKind
from tradebot.risk.events import BreakerEvent, Notice, NoticeKind
from tradebot.risk.tiers import TIER_ORDER, TierChange

__all__ = [
    "breaker",
    "daily_summary",
    "error_burst",
    "feed_changed",
    "kill_switch",
    "large_trade",
    "notice",
    "order_unknown",
    "reconciliation_mismatch",
    "tier_changed",
    "weekly_digest",
]

_CENT = Decimal("0.01")
_GLOBAL_BREAKERS = frozenset({BreakerKind.DAILY_LOSS, BreakerKind.VOLATILITY, BreakerKind.MANUAL})


def money(value: Decimal) -> str:
    return f"{value.quantize(_CENT):,}"


def signed(value: Decimal) -> str:
    text = money(abs(value))
    return f"+{text}" if value >= 0 else f"−{text}"


def breaker(event: BreakerEvent, run_id: str | None) -> Notification:
    trip = event.trip
    what = trip.kind.value.replace("_", " ")
    on = f" on {trip.symbol}" if trip.symbol else ""
    if event.resolved:
        return Notification(
            NotificationEvent.BREAKER_RESUMED,
            Severity.INFO,
            f"Circuit breaker resumed: {what}{on}",
            f"The {what} breaker{on} is no longer active; trading resumes.",
            event.ts,
            run_id,
        )
    until = f"until {trip.expires_at:%Y-%m-%d %H:%M} UTC" if trip.expires_at else "until reset"
    body = f"The {what} breaker{on} tripped: {trip.actual} against a limit of {trip.threshold}"
    body += f"; new entries stop {until}."
    if trip.note:
        body += f"\n{trip.note}"
    severity = Severity.CRITICAL if trip.kind in _GLOBAL_BREAKERS else Severity.WARNING
    return Notification(
        NotificationEvent.BREAKER_TRIGGERED,
        severity,
        f"Circuit breaker tripped: {what}{on}",
        body,
        event.ts,
        run_id,
    )


def tier_changed(change: TierChange, run_id: str | None) -> Notification:
    down = TIER_ORDER.index(change.new) < TIER_ORDER.index(change.previous)
    numbers = ", ".join(
        f"{name} {value:.4g}" for name, value in change.metrics.items() if value is not None
    )
    body = f"Risk tier {change.previous.value} → {change.new.value}: {change.trigger}."
    if numbers:
        body += f"\n{numbers}"
    return Notification(
        NotificationEvent.TIER_CHANGED,
        Severity.WARNING if down else Severity.INFO,
        f"Risk tier changed to {change.new.value}",
        body,
        change.ts,
        run_id,
    )


def notice(item: Notice, run_id: str | None) -> Notification | None:
    """An emergency liquidation; the other notices are routine (in the risk log only)."""
    if item.kind is not NoticeKind.EMERGENCY_LIQUIDATION:
        return None
    return Notification(
        NotificationEvent.EMERGENCY_LIQUIDATION,
        Severity.CRITICAL,
        "Emergency liquidation",
        item.detail or "The risk engine is closing every position.",
        item.ts,
        run_id,
    )


def large_trade(trade: ClosedTrade, threshold: Decimal, run_id: str | None) -> Notification | None:
    """A round trip whose P&L is at least ``threshold`` either way (0: off)."""
    if threshold <= 0 or abs(trade.pnl) < threshold:
        return None
    won = trade.pnl >= 0
    return Notification(
        NotificationEvent.LARGE_TRADE_PNL,
        Severity.INFO if won else Severity.WARNING,
        f"{'Large gain' if won else 'Large loss'} on {trade.symbol}: {signed(trade.pnl)}",
        f"{trade.direction.value} {trade.quantity} {trade.symbol}: {money(trade.entry_price)} → "
        f"{money(trade.exit_price)} ({trade.return_pct:+.2%}), P&L {signed(trade.pnl)}"
        f" after {money(trade.commission)} fees; strategies "
        f"{', '.join(trade.strategies) or 'none'}.",
        trade.exit_ts,
        run_id,
        correlation_id=trade.exit_decision_id,
    )


def kill_switch(outcome: CommandOutcome) -> Notification:
    return Notification(
        NotificationEvent.KILL_SWITCH,
        Severity.CRITICAL,
        "Kill switch: trading halted",
        f"{outcome.detail}\nCancelled orders: {len(outcome.cancelled)}; "
        f"closing: {', '.join(outcome.closing) or 'nothing'}.",
        outcome.ts,
        outcome.run_id,
    )


def order_unknown(order: Order, run_id: str | None, ts: datetime) -> Notification:
    return Notification(
        NotificationEvent.ORDER_UNKNOWN,
        Severity.CRITICAL,
        f"Order outcome unknown: {order.side.value} {order.symbol}",
        f"The venue did not answer order {order.client_order_id} ({order.reason or 'no reason'});"
        " it is being looked up, never sent again blindly. Until then its symbol takes no new "
        "order.",
        ts,
        run_id,
        correlation_id=order.decision_id,
    )


def reconciliation_mismatch(outcome: Reconciliation, run_id: str | None) -> Notification:
    lines = "\n".join(f"- {line}" for line in outcome.unexplained[:10])
    more = len(outcome.unexplained) - 10
    return Notification(
        NotificationEvent.RECONCILIATION_MISMATCH,
        Severity.CRITICAL,
        "The book does not reconcile with the venue: trading halted",
        f"{len(outcome.unexplained)} unexplained difference(s):\n{lines}"
        + (f"\n… and {more} more" if more > 0 else "")
        + f"\n`tradebot reconcile {run_id}` shows them." * (run_id is not None),
        outcome.ts,
        run_id,
    )


def feed_changed(
    source: str, connected: bool, detail: str, ts: datetime, run_id: str | None
) -> Notification:
    if connected:
        return Notification(
            NotificationEvent.FEED_RESTORED,
            Severity.INFO,
            f"Feed restored: {source}",
            f"{source} is connected again{': ' + detail if detail else ''}.",
            ts,
            run_id,
        )
    return Notification(
        NotificationEvent.FEED_STALE,
        Severity.WARNING,
        f"Feed down: {source}",
        f"{source} stopped{': ' + detail if detail else ''}. Positions on its symbols are "
        "not re-priced until it is back.",
        ts,
        run_id,
    )


def error_burst(count: int, window_s: float, sample: str, ts: datetime) -> Notification:
    return Notification(
        NotificationEvent.ERROR_BURST,
        Severity.WARNING,
        f"{count} errors in {window_s:g} s",
        f"The bot logged {count} errors within {window_s:g} seconds. The latest: {sample}",
        ts,
    )


def daily_summary(summary: DailySummary, equities: Sequence[Decimal]) -> Notification:
    """The day in one message; ``equities``: the recent daily equities, oldest first, this
    day's last (the sparkline, when there are two or more)."""
    pnl = "n/a" if summary.day_pnl is None else signed(summary.day_pnl)
    rows = [
        ("Equity", money(summary.equity)),
        ("Day P&L", pnl),
        ("Cash", money(summary.cash)),
        ("Reserve", money(summary.reserve)),
        ("Trades closed", str(summary.trades_closed)),
        ("Realised P&L", signed(summary.realized_pnl)),
        ("Positions", ", ".join(summary.positions) or "none"),
        ("Risk tier", summary.tier),
        ("Breakers", ", ".join(summary.breakers) or "none"),
    ]
    title = f"Daily summary {summary.day:%Y-%m-%d}: {money(summary.equity)} ({pnl})"
    return Notification(
        NotificationEvent.DAILY_SUMMARY,
        Severity.INFO,
        title,
        "\n".join(f"{name}: {value}" for name, value in rows),
        summary.ts,
        summary.run_id,
        html=_html_table(title, rows),
        image=_sparkline(equities, f"equity over the last {len(equities)} days"),
    )


def weekly_digest(week: Sequence[DailySummary], start_equity: Decimal | None) -> Notification:
    """The week from its summaries (oldest first, at least one)."""
    first, last = week[0], week[-1]
    opened = start_equity if start_equity is not None else first.equity
    change = last.equity - opened
    pct = f" ({change / opened:+.2%})" if opened else ""
    days = [s for s in week if s.day_pnl is not None]
    best = max(days, key=lambda s: s.day_pnl or 0, default=None)
    worst = min(days, key=lambda s: s.day_pnl or 0, default=None)
    rows = [
        ("Week", f"{first.day:%Y-%m-%d} – {last.day:%Y-%m-%d}"),
        ("Equity", f"{money(opened)} → {money(last.equity)}"),
        ("Change", f"{signed(change)}{pct}"),
        ("Trades closed", str(sum(s.trades_closed for s in week))),
        ("Realised P&L", signed(sum((s.realized_pnl for s in week), Decimal(0)))),
        ("Best day", _day(best)),
        ("Worst day", _day(worst)),
        ("Risk tier", last.tier),
        ("Reserve", money(last.reserve)),
    ]
    equities = [opened, *(s.equity for s in week)]
    title = f"Weekly digest to {last.day:%Y-%m-%d}: {signed(change)}{pct}"
    return Notification(
        NotificationEvent.WEEKLY_DIGEST,
        Severity.INFO,
        title,
        "\n".join(f"{name}: {value}" for name, value in rows),
        last.ts,
        last.run_id,
        html=_html_table(title, rows),
        image=_sparkline(equities, "equity over the week"),
    )


def _day(summary: DailySummary | None) -> str:
    if summary is None or summary.day_pnl is None:
        return "n/a"
    return f"{summary.day:%a %d} {signed(summary.day_pnl)}"


def _sparkline(equities: Sequence[Decimal], alt: str) -> Image | None:
    if len(equities) < 2:
        return None
    return Image(sparkline_png([float(e) for e in equities]), alt)


def _html_table(title: str, rows: Sequence[tuple[str, str]]) -> str:
    """The rows as a table (the e-mail channel adds the image inline)."""
    cells = "".join(
        f'<tr><th align="left">{html.escape(name)}</th><td>{html.escape(value)}</td></tr>'
        for name, value in rows
    )
    return f"<h2>{html.escape(title)}</h2><table>{cells}</table>"
