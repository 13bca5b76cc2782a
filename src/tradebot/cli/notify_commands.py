"""``tradebot notify``: rehearse the owner's channels and read what was sent.

``test`` sends one notification through every channel the settings list (Telegram, e-mail,
the log) and waits for each to answer, printing what became of it — the way to check a bot
token, a chat id or an SMTP login before a session depends on them. ``history`` lists the
notifications recorded (newest first) with their delivery status.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from tradebot.cli.app import app, settings_of
from tradebot.cli.render import console
from tradebot.domain.errors import ConfigError

if TYPE_CHECKING:
    from tradebot.config import Settings
    from tradebot.service.notifications import NotificationFilter, NotificationRecord

__all__ = ["notify_app"]

notify_app = typer.Typer(help="Notifications to the owner.", no_args_is_help=True)
app.add_typer(notify_app, name="notify")

_WAIT_S = 60.0


@notify_app.command("test")
def notify_test(
    message: Annotated[
        str, typer.Option("--message", help="The text to send.")
    ] = "If you read this, tradebot can reach you here.",
) -> None:
    """Send one test notification through every configured channel; exit 1 if one failed."""
    from tradebot.adapters.clock import utc_now
    from tradebot.domain.notifications import Notification, NotificationEvent, Severity
    from tradebot.runtime.notify.process import notifying
    from tradebot.service.database import open_database
    from tradebot.service.notifications import NotificationFilter

    settings = settings_of()
    config = settings.notifications
    if not config.enabled or not config.channels:
        raise ConfigError(
            "notifications are off",
            "set notifications.enabled: true and list notifications.channels",
        )
    started = utc_now()
    note = Notification(
        NotificationEvent.TEST, Severity.CRITICAL, "tradebot test notification", message, started
    )
    open_database(settings.store.url).dispose()  # the notifications table exists
    with notifying(settings) as notifier:
        dispatcher = None if notifier is None else notifier.dispatcher
        if notifier is None or dispatcher is None:
            raise ConfigError("notifications are off", "list notifications.channels")
        notifier.notify(note)
        if not dispatcher.wait_idle(_WAIT_S):
            raise ConfigError(
                f"a channel did not answer within {_WAIT_S:g} s",
                "check notifications.timeout_s and the channel's address",
            )
    rows = _history(settings, NotificationFilter(event="test", start=started), 20)
    table = Table(title="Test notification")
    for column in ("channel", "status", "attempts", "error"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row.channel, row.status, str(row.attempts), escape(row.error or ""))
    console.print(table)
    if any(row.status != "sent" for row in rows):
        raise typer.Exit(1)


@notify_app.command("history")
def notify_history(
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="How many.")] = 20,
    status: Annotated[
        str | None, typer.Option("--status", help="sent, failed, rate_limited or pending.")
    ] = None,
) -> None:
    """The notifications recorded, newest first, with what became of each."""
    from tradebot.service.notifications import NotificationFilter

    rows = _history(settings_of(), NotificationFilter(status=status), limit)
    if not rows:
        console.print("no notifications recorded", highlight=False)
        return
    table = Table(title="Notifications")
    for column in ("time (UTC)", "channel", "event", "title", "status", "attempts", "error"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            f"{row.ts:%Y-%m-%d %H:%M:%S}",
            row.channel,
            row.event,
            escape(row.title),
            row.status,
            str(row.attempts),
            escape(row.error or ""),
        )
    console.print(table)


def _history(settings: Settings, where: NotificationFilter, limit: int) -> list[NotificationRecord]:
    from tradebot.service.config_changes import ConfigService
    from tradebot.service.database import open_database
    from tradebot.service.notifications import NotificationService

    db = open_database(settings.store.url)
    try:
        service = NotificationService(db, ConfigService(db, settings))
        return list(service.history(where, limit, 0).items)
    finally:
        db.dispose()
