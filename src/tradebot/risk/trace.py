"""One step of a decision's reasoning: the check, its verdict, its inputs, its effect on size.

:class:`RiskCheck` is a light slotted record (decisions are hot); it becomes the domain's
:class:`~tradebot.domain.messages.DecisionCheck` only when the decision is published. The
effect on size has no field of its own in ``DecisionCheck``, so it travels in
``inputs["size_effect"]`` as ``{"effect": ..., "before": ..., "after": ...}`` (dollar
amounts as strings), which answers "how did this rule change the order?" from the record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum, StrEnum

from tradebot.domain.messages import DecisionCheck

__all__ = ["RiskCheck", "SizeEffect", "jsonable"]


class SizeEffect(StrEnum):
    NONE = "none"
    SET = "set"
    SCALE = "scale"
    CAP = "cap"
    REJECT = "reject"


def jsonable(value: object) -> object:
    """Plain JSON types: Decimal and dates as strings, enums as values, tuples as lists."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [jsonable(v) for v in items]
    return str(value)


@dataclass(frozen=True, slots=True)
class RiskCheck:
    name: str
    passed: bool
    detail: str
    inputs: Mapping[str, object] = field(default_factory=dict)
    effect: SizeEffect = SizeEffect.NONE
    size_before: Decimal | None = None
    size_after: Decimal | None = None

    def size_effect(self) -> dict[str, object]:
        out: dict[str, object] = {"effect": self.effect.value}
        if self.size_before is not None:
            out["before"] = str(self.size_before)
        if self.size_after is not None:
            out["after"] = str(self.size_after)
        return out

    def to_decision_check(self) -> DecisionCheck:
        inputs = {str(k): jsonable(v) for k, v in self.inputs.items()}
        inputs["size_effect"] = self.size_effect()
        return DecisionCheck(check=self.name, passed=self.passed, detail=self.detail, inputs=inputs)
