"""What the owner is told, from real domain messages: one notification per notable event,
said once, nothing during a replay of the recorded past, and the weekly digest on the
week's last summary (or the next week's first when the week had no Friday)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from PIL import Image as PilImage

from tradebot.domain.commands import CommandKind, CommandOutcome, CommandStatus
from tradebot.domain.enums import Direction, OrderSide, OrderStatus
from tradebot.domain.messages import ClosedTrade, Order
from tradebot.domain.notifications import NotificationEvent, Severity
from tradebot.engine.daily_summary import DailySummary
from tradebot.engine.reconcile import Reconciliation
from tradebot.risk.breakers import BreakerKind, BreakerTrip
from tradebot.risk.events import BreakerEvent, Notice, NoticeKind
from tradebot.risk.tiers import TierChange, TierName
from tradebot.runtime.notify.watcher import NotificationWatcher
from tradebot.testing import RecordingNotifier

TS = datetime(2024, 3, 4, 15, 0, tzinfo=UTC)  # a Monday


def watcher(
    notifier: RecordingNotifier, *, active: bool = True, large: str = "1000"
) -> NotificationWatcher:
    return NotificationWatcher(
        notifier,
        run_id="r1",
        large_trade_pnl=Decimal(large),
        weekly_digest=True,
        now=lambda: TS,
        active=lambda: active,
    )


def trip(kind: BreakerKind, symbol: str | None = None) -> BreakerTrip:
    return BreakerTrip(
        kind, TS, TS + timedelta(hours=4), Decimal("0.03"), Decimal("0.041"), symbol=symbol
    )


def trade(pnl: str) -> ClosedTrade:
    return ClosedTrade(
        id="t1",
        symbol="AAPL",
        quantity=Decimal(10),
        entry_ts=TS - timedelta(days=2),
        exit_ts=TS,
        entry_price=Decimal("100"),
        exit_price=Decimal("100") + Decimal(pnl) / 10,
        pnl=Decimal(pnl),
        commission=Decimal("1"),
        return_pct=float(Decimal(pnl) / 1000),
        hold_seconds=172_800.0,
        strategies=("macd",),
        entry_decision_id="d-in",
        exit_decision_id="d-out",
        direction=Direction.LONG,
    )


def outcome(
    kind: CommandKind, status: CommandStatus, cancelled: tuple[str, ...] = ()
) -> CommandOutcome:
    return CommandOutcome(
        command_id="c1",
        kind=kind,
        run_id="r1",
        status=status,
        detail="halted by ops",
        ts=TS,
        cancelled=cancelled,
    )


def unknown(client_id: str) -> Order:
    return Order(
        client_order_id=client_id,
        decision_id="d7",
        symbol="MSFT",
        side=OrderSide.BUY,
        quantity=Decimal(3),
        status=OrderStatus.UNKNOWN,
        created_at=TS,
        reason="entry",
    )


def summary(day: date, equity: str, pnl: str | None, trades: int = 1) -> DailySummary:
    return DailySummary(
        run_id="r1",
        day=day,
        ts=datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=21),
        equity=Decimal(equity),
        cash=Decimal("5000"),
        day_pnl=None if pnl is None else Decimal(pnl),
        positions=("AAPL",),
        trades_closed=trades,
        realized_pnl=Decimal("12.5"),
        tier="moderate",
        reserve=Decimal("250"),
        breakers=(),
    )


def test_breaker_trip_and_resume_are_told_with_their_numbers() -> None:
    notifier = RecordingNotifier()
    w = watcher(notifier)
    w.on_risk_events((BreakerEvent(trip(BreakerKind.DAILY_LOSS), False, TS),))
    w.on_risk_events((BreakerEvent(trip(BreakerKind.SINGLE_POSITION, "AAPL"), True, TS),))
    tripped, resumed = notifier.sent
    assert tripped.event is NotificationEvent.BREAKER_TRIGGERED
    assert tripped.severity is Severity.CRITICAL
    assert "daily loss" in tripped.title and "0.041" in tripped.body and "0.03" in tripped.body
    assert resumed.event is NotificationEvent.BREAKER_RESUMED
    assert resumed.title == "Circuit breaker resumed: single position on AAPL"
    assert tripped.run_id == "r1"


def test_tier_changes_and_emergency_liquidation_are_told_routine_notices_are_not() -> None:
    notifier = RecordingNotifier()
    w = watcher(notifier)
    down = TierChange(TS, TierName.MODERATE, TierName.CONSERVATIVE, "drawdown", {"dd": 0.12})
    w.on_risk_events(
        (
            down,
            Notice(NoticeKind.REBALANCE, TS, "weekly"),
            Notice(NoticeKind.EMERGENCY_LIQUIDATION, TS, "drawdown 25% past the limit"),
        )
    )
    tier, liquidation = notifier.sent
    assert tier.event is NotificationEvent.TIER_CHANGED and tier.severity is Severity.WARNING
    assert "moderate → conservative" in tier.body and "dd 0.12" in tier.body
    assert liquidation.event is NotificationEvent.EMERGENCY_LIQUIDATION
    assert liquidation.severity is Severity.CRITICAL
    assert liquidation.body == "drawdown 25% past the limit"


@pytest.mark.parametrize(("pnl", "told"), [("999.99", False), ("1000", True), ("-1500", True)])
def test_a_trade_is_told_when_its_pnl_reaches_the_threshold_either_way(
    pnl: str, told: bool
) -> None:
    notifier = RecordingNotifier()
    watcher(notifier).on_trade(trade(pnl))
    assert bool(notifier.sent) is told
    if told:
        (sent,) = notifier.sent
        assert sent.correlation_id == "d-out"
        assert sent.severity is (Severity.INFO if Decimal(pnl) > 0 else Severity.WARNING)
        assert ("+1,000.00" if Decimal(pnl) > 0 else "−1,500.00") in sent.title


def test_a_zero_threshold_turns_large_trade_notifications_off() -> None:
    notifier = RecordingNotifier()
    watcher(notifier, large="0").on_trade(trade("50000"))
    assert notifier.sent == []


def test_the_kill_switch_is_told_once_applied_not_when_refused() -> None:
    notifier = RecordingNotifier()
    w = watcher(notifier)
    for status in (CommandStatus.REFUSED, CommandStatus.APPLIED):
        w.on_outcome(outcome(CommandKind.KILL, status, cancelled=("o1",)))
    w.on_outcome(outcome(CommandKind.PAUSE, CommandStatus.APPLIED))
    (kill,) = notifier.sent
    assert kill.event is NotificationEvent.KILL_SWITCH and "Cancelled orders: 1" in kill.body


def test_an_unknown_order_is_told_once_with_its_decision_as_correlation_id() -> None:
    notifier = RecordingNotifier()
    w = watcher(notifier)
    w.on_order(unknown("c-1"))
    w.on_order(unknown("c-1"))  # published again: still unknown
    w.on_order(unknown("c-2"))
    assert [n.event for n in notifier.sent] == [NotificationEvent.ORDER_UNKNOWN] * 2
    assert notifier.sent[0].correlation_id == "d7"
    assert "never sent again blindly" in notifier.sent[0].body


def test_a_reconciliation_mismatch_is_told_a_clean_one_is_not() -> None:
    notifier = RecordingNotifier()
    w = watcher(notifier)
    w.on_reconciliation(Reconciliation(TS, "halt"))  # type: ignore[arg-type]
    w.on_reconciliation(
        Reconciliation(TS, "halt", unexplained=("AAPL: venue 10, book 0",))  # type: ignore[arg-type]
    )
    (sent,) = notifier.sent
    assert sent.event is NotificationEvent.RECONCILIATION_MISMATCH
    assert "AAPL: venue 10, book 0" in sent.body and "tradebot reconcile r1" in sent.body


def test_a_feed_going_down_and_coming_back() -> None:
    notifier = RecordingNotifier()
    w = watcher(notifier)
    w.on_feed("alpaca-bars", False, "connection reset")
    w.on_feed("alpaca-bars", True, "")
    down, back = notifier.sent
    assert (down.event, back.event) == (
        NotificationEvent.FEED_STALE,
        NotificationEvent.FEED_RESTORED,
    )
    assert "connection reset" in down.body


def test_nothing_is_told_while_a_resumed_run_replays_its_past() -> None:
    notifier = RecordingNotifier()
    w = watcher(notifier, active=False)
    w.on_risk_events((BreakerEvent(trip(BreakerKind.DAILY_LOSS), False, TS),))
    w.on_order(unknown("c-1"))
    w.on_trade(trade("5000"))
    assert notifier.sent == []


def test_a_failing_message_never_reaches_the_bus() -> None:
    notifier = RecordingNotifier()
    w = watcher(notifier)
    w.on_risk_events(None)  # type: ignore[arg-type]  # not iterable: logged, not raised
    w.on_trade(trade("5000"))
    assert len(notifier.sent) == 1


def test_daily_summaries_carry_a_sparkline_and_friday_brings_the_weekly_digest() -> None:
    notifier = RecordingNotifier()
    w = watcher(notifier)
    monday = date(2024, 3, 4)
    equities = ["10000", "10100", "10050", "10200", "10300"]
    pnls = [None, "100", "-50", "150", "100"]
    for i, (equity, pnl) in enumerate(zip(equities, pnls, strict=True)):
        w.on_summary(summary(monday + timedelta(days=i), equity, pnl))
    events = [n.event for n in notifier.sent]
    assert events == [NotificationEvent.DAILY_SUMMARY] * 5 + [NotificationEvent.WEEKLY_DIGEST]
    first, friday = notifier.sent[0], notifier.sent[4]
    assert first.image is None  # one point is no line
    assert "Day P&L: n/a" in first.body
    assert friday.image is not None
    picture = PilImage.open(io.BytesIO(friday.image.png))
    assert picture.format == "PNG"
    assert "Equity: 10,300.00" in friday.body and "Day P&L: +100.00" in friday.body
    digest = notifier.sent[5]
    assert "Equity: 10,000.00 → 10,300.00" in digest.body
    assert "Change: +300.00 (+3.00%)" in digest.body
    assert "Best day: Thu 07 +150.00" in digest.body and "Worst day: Wed 06 −50.00" in digest.body
    assert "Trades closed: 5" in digest.body
    assert digest.html is not None and "<table>" in digest.html
    assert digest.image is not None


def test_a_week_without_a_friday_summary_gets_its_digest_with_the_next_weeks_first() -> None:
    notifier = RecordingNotifier()
    w = watcher(notifier)
    w.on_summary(summary(date(2024, 3, 27), "10000", "0"))  # Wed
    w.on_summary(summary(date(2024, 3, 28), "10100", "100"))  # Thu; Good Friday closed
    w.on_summary(summary(date(2024, 4, 1), "10200", "100"))  # Mon
    events = [n.event for n in notifier.sent]
    assert events == [
        NotificationEvent.DAILY_SUMMARY,
        NotificationEvent.DAILY_SUMMARY,
        NotificationEvent.WEEKLY_DIGEST,
        NotificationEvent.DAILY_SUMMARY,
    ]
    assert "2024-03-27 – 2024-03-28" in notifier.sent[2].body
    # the new week starts from last week's close
    w.on_summary(summary(date(2024, 4, 5), "10400", "200"))  # Fri
    digest = notifier.sent[-1]
    assert digest.event is NotificationEvent.WEEKLY_DIGEST
    assert "Equity: 10,100.00 → 10,400.00" in digest.body
