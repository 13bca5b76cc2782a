"""quick_init builds the same objects as the dataclass's own __init__, and keeps them frozen."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from tradebot.domain import Bar, DecisionCheck, Timeframe
from tradebot.domain.fast_init import quick_init
from tradebot.strategies.base import Opinion


@quick_init
@dataclass(frozen=True, slots=True)
class Sample:
    a: int
    b: str = "x"
    c: list[int] = field(default_factory=list)
    d: int = field(default=7, kw_only=True)

    def __post_init__(self) -> None:
        if self.a < 0:
            raise ValueError("a must be >= 0")


def test_defaults_factories_keywords_and_post_init() -> None:
    assert dataclasses.astuple(Sample(1)) == (1, "x", [], 7)
    assert dataclasses.astuple(Sample(1, "y", [2], d=3)) == (1, "y", [2], 3)
    assert Sample(1).c is not Sample(1).c  # a fresh list each time
    with pytest.raises(ValueError, match="a must be"):
        Sample(-1)
    with pytest.raises(TypeError):
        Sample(1, "y", [2], 3)  # type: ignore[misc]  # d is keyword-only


def test_the_hot_types_stay_frozen_and_equal_by_value() -> None:
    bar = Bar("AAA", Timeframe.D1, datetime(2024, 1, 2, tzinfo=UTC), 1, 2, 0.5, 1.5, 9)
    assert bar == Bar("AAA", Timeframe.D1, bar.ts, 1, 2, 0.5, 1.5, 9)
    for value in (bar, Opinion("long", 0.5, 0.6), DecisionCheck("c", True, "d")):  # type: ignore[arg-type]
        with pytest.raises(dataclasses.FrozenInstanceError):
            value.__setattr__(dataclasses.fields(value)[0].name, None)
    assert DecisionCheck("c", True, "d").inputs == {}
