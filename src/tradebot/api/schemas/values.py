"""Value types the read routes share: money as an exact decimal string, times in UTC, and
the bounded, validated query parameters (a symbol, a name, a run id, a time).

Every query parameter is bounded (length, pattern or range), so no input reaches the
database as anything but a plain value, and a malformed one is a 422 naming it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
)

__all__ = [
    "Code",
    "Money",
    "Name",
    "Out",
    "RunId",
    "RunPaging",
    "Symbol",
    "Text",
    "UtcTime",
]


def _plain(value: Decimal) -> str:
    return format(value, "f")


Money = Annotated[
    Decimal,
    PlainSerializer(_plain, return_type=str, when_used="json"),
    Field(description='An exact decimal amount, as a string (e.g. "1234.5600").'),
]
"""Money and quantities: ``Decimal`` in Python, a plain decimal string in JSON (never a
float, never an exponent)."""


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("the time is out of range in UTC") from None


UtcTime = Annotated[
    datetime,
    AfterValidator(_utc),
    Field(description="ISO 8601; without an offset it is read as UTC."),
]
Symbol = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9.\-/:_]{1,32}$", to_upper=True),
    Field(description="A symbol (AAPL, BTC/USDT); case does not matter."),
]
Name = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.\-]{1,100}$")]
"""A strategy's name."""
RunId = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_.:\-]{1,64}$"),
    Field(description="A run id; the default is the run the engine drives, else the newest."),
]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:\-]{1,64}$")]
"""A short identifier: a channel, an event, a status, a mode."""
Text = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f]+$")]
"""A short free text without control characters (a news source)."""


class Out(BaseModel):
    """A response model read from the service layer's dataclasses (attribute for
    attribute)."""

    model_config = ConfigDict(from_attributes=True, frozen=True)


class RunPaging(BaseModel):
    """The query of a paged list of one run: which run, and which page."""

    run_id: RunId | None = None
    limit: int = Field(default=50, ge=1, le=500, description="Items per page.")
    offset: int = Field(default=0, ge=0, le=10_000_000, description="Items to skip.")
