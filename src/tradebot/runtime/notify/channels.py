"""The dispatcher a process notifies through, built from ``notifications`` settings.

Every channel listed must be usable before the run starts: a listed Telegram without its
token or chat, an e-mail without its server, sender or recipients, is one line naming the
setting (and the environment variable for a secret), never a run that silently tells
nobody. Limits per hour come from the settings (Telegram 10, e-mail 20 by default; the log
is not limited). Deliveries are recorded in the ``notifications`` table of ``db``.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine

from tradebot.adapters.clock import monotonic, utc_now
from tradebot.adapters.sql.delivery_log import SqlDeliveryLog
from tradebot.config import NotificationSettings
from tradebot.domain.errors import ConfigError
from tradebot.domain.notifications import DeliveryStatus, Severity
from tradebot.ops.circuit import CircuitState
from tradebot.ops.notify.dispatcher import Dispatcher
from tradebot.ops.notify.limits import HourlyLimiter
from tradebot.ops.notify.log_channel import LogChannel
from tradebot.ports import NotificationChannel

__all__ = ["channels_of", "open_dispatcher"]

_ENV = "TRADEBOT_NOTIFICATIONS__"


def channels_of(settings: NotificationSettings) -> list[NotificationChannel]:
    """The channels ``settings`` lists, each checked for what it needs."""
    built: list[NotificationChannel] = []
    for name in dict.fromkeys(settings.channels):
        if name == "log":
            built.append(LogChannel())
        elif name == "telegram":
            built.append(_telegram(settings))
        else:
            built.append(_email(settings))
    return built


def open_dispatcher(
    settings: NotificationSettings,
    db: Engine,
    *,
    on_state: Callable[[str, CircuitState], None] | None = None,
    on_error: Callable[[str], None] | None = None,
    on_retry: Callable[[str], None] | None = None,
    on_outcome: Callable[[str, DeliveryStatus], None] | None = None,
) -> Dispatcher | None:
    """A started dispatcher for ``settings`` (None when notifications are off or no channel
    is listed). The caller closes it."""
    if not settings.enabled or not settings.channels:
        return None
    dispatcher = Dispatcher(
        channels=channels_of(settings),
        log=SqlDeliveryLog(db),
        limits=HourlyLimiter(
            {"telegram": settings.telegram_per_hour, "email": settings.email_per_hour}
        ),
        min_severity=Severity(settings.min_severity),
        now=utc_now,
        monotonic=monotonic,
        retries=settings.retries,
        redeliver_every_s=settings.redeliver_every_s,
        on_state=on_state,
        on_error=on_error,
        on_retry=on_retry,
        on_outcome=on_outcome,
    )
    dispatcher.start()
    return dispatcher


def _telegram(settings: NotificationSettings) -> NotificationChannel:
    token = settings.telegram_bot_token
    if token is None or not token.get_secret_value():
        raise ConfigError(
            "notifications.channels lists telegram but no bot token is set",
            f"export {_ENV}TELEGRAM_BOT_TOKEN=<token from @BotFather>, or drop telegram",
        )
    if not settings.telegram_chat_id:
        raise ConfigError(
            "notifications.channels lists telegram but notifications.telegram_chat_id is unset",
            "set notifications.telegram_chat_id to the chat the bot writes to",
        )
    from tradebot.adapters.telegram.channel import TelegramChannel

    return TelegramChannel(
        token.get_secret_value(),
        settings.telegram_chat_id,
        api_url=settings.telegram_api_url,
        timeout_s=settings.timeout_s,
    )


def _email(settings: NotificationSettings) -> NotificationChannel:
    missing = [
        name
        for name, value in (
            ("smtp_host", settings.smtp_host),
            ("email_from", settings.email_from),
            ("email_to", settings.email_to),
        )
        if not value
    ]
    if missing:
        raise ConfigError(
            f"notifications.channels lists email but notifications.{missing[0]} is unset",
            "set " + ", ".join(f"notifications.{name}" for name in missing) + ", or drop email",
        )
    if settings.smtp_username and settings.smtp_password is None:
        raise ConfigError(
            "notifications.smtp_username is set but no SMTP password is",
            f"export {_ENV}SMTP_PASSWORD=<password>",
        )
    from tradebot.adapters.email.channel import EmailChannel

    password = settings.smtp_password
    return EmailChannel(
        settings.smtp_host or "",
        settings.smtp_port,
        sender=settings.email_from or "",
        recipients=list(settings.email_to),
        username=settings.smtp_username,
        password=None if password is None else password.get_secret_value(),
        starttls=settings.smtp_starttls,
        ca_file=settings.smtp_ca_file,
        timeout_s=settings.timeout_s,
    )
