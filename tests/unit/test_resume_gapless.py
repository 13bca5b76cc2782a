"""Resuming where bars follow each other without a gap (hourly bars around the clock): the
open of the bar after the resume point *is* the resume point, so the fills recorded there
belong to the part after it. They must come back, the same, as that bar trades — and a
resumed run's figures are the whole run's."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta

import pytest

from tests.kernel_builder import START, make_kernel, wave
from tradebot.domain import Bar, Timeframe
from tradebot.domain.errors import DataError
from tradebot.engine.bus import StageError
from tradebot.engine.kernel import RunResult
from tradebot.engine.resume import resume_point
from tradebot.ports import RiskCheckpoint
from tradebot.testing import MemoryStore, bars_from_closes

HOUR = timedelta(hours=1)


def _bars() -> list[Bar]:
    first = bars_from_closes("AAA", wave(160), START, HOUR, timeframe=Timeframe.H1, gap=0.37)
    second = wave(160, phase=2.0, base=50)
    return first + bars_from_closes("BBB", second, START, HOUR, timeframe=Timeframe.H1, gap=-0.21)


def _resume(store: MemoryStore, as_of: datetime) -> RunResult:
    """The reference stage keeps no state, so any bar time is a resume point; the store
    still holds what the run recorded after it (as after a crash)."""
    point = resume_point(
        RiskCheckpoint(as_of, {}),
        store.decisions.values(),
        store.orders.values(),
        store.fills.values(),
        store.signals.values(),
    )
    return make_kernel(_bars(), store=store, resume=point, timeframe=Timeframe.H1).run()


def _figures(result: RunResult) -> tuple[object, ...]:
    return (
        result.metrics,
        result.counts,
        result.skip_reasons,
        result.trades,
        result.equity.tolist(),
    )


@pytest.fixture(scope="module")
def straight() -> tuple[RunResult, MemoryStore]:
    store = MemoryStore()
    result = make_kernel(_bars(), store=store, timeframe=Timeframe.H1).run()
    return result, store


def test_fills_at_the_open_right_after_the_resume_point_come_back(
    straight: tuple[RunResult, MemoryStore],
) -> None:
    result, recorded = straight
    bar_times = {b.ts for b in _bars()}
    at_a_close = sorted({f.ts for f in recorded.fills.values() if f.ts in bar_times})
    assert len(at_a_close) >= 3, "fills at an open that is the previous bar's close"
    for as_of in at_a_close[:3]:
        store = copy.deepcopy(recorded)
        resumed = _resume(store, as_of)
        assert _figures(resumed) == _figures(result)
        assert store.fills == recorded.fills and store.orders == recorded.orders


def test_a_fill_owed_after_the_resume_point_that_comes_back_different_stops_it(
    straight: tuple[RunResult, MemoryStore],
) -> None:
    _, recorded = straight
    bar_times = {b.ts for b in _bars()}
    owed = min((f for f in recorded.fills.values() if f.ts in bar_times), key=lambda f: f.ts)
    store = copy.deepcopy(recorded)
    store.fills[owed.fill_id] = owed.evolve(price=owed.price + 1)
    with pytest.raises(StageError) as info:
        _resume(store, owed.ts)
    cause = info.value.__cause__
    assert isinstance(cause, DataError) and "the run recorded a different fill" in str(cause)


def test_a_fill_owed_after_the_resume_point_that_never_comes_back_stops_it(
    straight: tuple[RunResult, MemoryStore],
) -> None:
    _, recorded = straight
    bar_times = {b.ts for b in _bars()}
    owed = min((f for f in recorded.fills.values() if f.ts in bar_times), key=lambda f: f.ts)
    store = copy.deepcopy(recorded)
    store.fills["tb-never-1"] = owed.evolve(fill_id="tb-never-1")  # recorded, never made
    with pytest.raises(DataError, match=r"1 recorded fill\(s\) did not replay, first tb-never-1"):
        _resume(store, owed.ts)
