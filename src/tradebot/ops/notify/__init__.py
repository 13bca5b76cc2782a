"""Notifications: the dispatcher behind the :class:`~tradebot.ports.Notifier` port, its
hourly rate limits, the log channel and the equity sparkline (see ``README.md``).

The Telegram and e-mail channels live in ``tradebot.adapters``; turning engine events into
:class:`~tradebot.domain.notifications.Notification` values, and the wiring, live above.
"""

from tradebot.ops.notify.dispatcher import Dispatcher
from tradebot.ops.notify.limits import HourlyLimiter
from tradebot.ops.notify.log_channel import LogChannel
from tradebot.ops.notify.sparkline import sparkline_png

__all__ = ["Dispatcher", "HourlyLimiter", "LogChannel", "sparkline_png"]
