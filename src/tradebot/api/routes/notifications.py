"""``/api/trading/notifications`` (seed 02): the notification settings (read, and changed
through the same audited configuration service) and the history of notifications."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from tradebot.api.deps import CurrentUser, FreshUser, ServicesDep
from tradebot.api.routes._reads import NOT_SIGNED_IN, filter_of
from tradebot.api.schemas.common import Page, Problem
from tradebot.api.schemas.notifications import (
    NotificationOut,
    NotificationSettingsIn,
    NotificationSettingsOut,
    NotificationSettingsUpdateOut,
    NotificationsQuery,
)
from tradebot.service.notifications import NotificationFilter

__all__ = ["router"]

router = APIRouter(
    prefix="/api/trading/notifications", tags=["notifications"], responses=NOT_SIGNED_IN
)
_BAD_VALUE: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "A bad value, or nothing to change."},
    403: {"model": Problem, "description": "A fresh passkey assertion is needed."},
}


@router.get("/config", response_model=NotificationSettingsOut)
def get_settings(services: ServicesDep, _: CurrentUser) -> NotificationSettingsOut:
    """Who is told what: channels, severity, rate limits, summaries."""
    return NotificationSettingsOut.model_validate(services.notifications.settings())


@router.put("/config", response_model=NotificationSettingsUpdateOut, responses=_BAD_VALUE)
def put_settings(
    services: ServicesDep, user: FreshUser, body: NotificationSettingsIn
) -> NotificationSettingsUpdateOut:
    """Change the settings given (the others stay), audited like every config change."""
    given = body.model_dump(include=body.model_fields_set - {"reason"})
    made = services.notifications.update(given, user.name, "api", body.reason)
    return NotificationSettingsUpdateOut.model_validate(
        {"settings": services.notifications.settings(), "changes": made}
    )


@router.get("/history", response_model=Page[NotificationOut])
def get_history(
    services: ServicesDep, _: CurrentUser, q: Annotated[NotificationsQuery, Query()]
) -> Page[NotificationOut]:
    """Notifications as sent (or not), newest first."""
    found = services.notifications.history(filter_of(NotificationFilter, q), q.limit, q.offset)
    return Page[NotificationOut].model_validate(found, from_attributes=True)
