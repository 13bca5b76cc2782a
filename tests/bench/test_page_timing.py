"""Time to interactive and total blocking time (``bench/page_timing.py``): the dashboard
benchmark reports these two figures, so a slip in either function would misreport every
page. Known small cases pin Lighthouse's definitions; properties hold them on any trace.

Times are whole milliseconds (as floats) so the arithmetic is exact and a failure shows a
readable example.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from page_timing import BLOCKING_MS, QUIET_MS, Snapshot, blocking, interactive

Span = tuple[float, float]

# Other suites share this machine: slow generation under load is not a failure.
LOADED = [HealthCheck.too_slow]

FCP = 500.0
LATER = 60_000.0
"""A `now` long after every trace here: the quiet window has passed, TTI is decided."""


def three_open(begin: float, end: float) -> list[Span]:
    """Three requests open together: one over Lighthouse's two-in-flight network quiet."""
    return [(begin, end)] * 3


# Known small cases: interactive()


def test_no_long_tasks_is_interactive_at_first_contentful_paint() -> None:
    assert interactive(FCP, [], [], now=LATER) == FCP


def test_undecided_until_the_quiet_window_has_passed() -> None:
    assert interactive(FCP, [], [], now=FCP + QUIET_MS - 1) is None
    assert interactive(FCP, [], [], now=FCP + QUIET_MS) == FCP


def test_a_long_task_then_five_quiet_seconds_ends_at_the_task() -> None:
    assert interactive(FCP, [(1_000.0, 1_200.0)], [], now=LATER) == 1_200.0


def test_the_last_long_task_before_the_quiet_window_counts() -> None:
    tasks = [(1_000.0, 1_200.0), (4_000.0, 4_300.0), (8_000.0, 8_100.0)]
    assert interactive(FCP, tasks, [], now=LATER) == 8_100.0


def test_a_long_task_five_seconds_later_is_after_the_window() -> None:
    # [1200, 6200) is quiet: the task at 6200 starts as the window closes.
    tasks = [(1_000.0, 1_200.0), (6_200.0, 6_400.0)]
    assert interactive(FCP, tasks, [], now=LATER) == 1_200.0


def test_long_tasks_before_first_contentful_paint_do_not_count() -> None:
    assert interactive(FCP, [(100.0, 400.0)], [], now=LATER) == FCP


def test_a_busy_network_holds_the_quiet_window_back() -> None:
    tasks = [(600.0, 700.0), (6_000.0, 6_100.0)]
    # With the network quiet, [700, 5700) is the window and the later task is past it.
    assert interactive(FCP, tasks, [], now=LATER) == 700.0
    # Three requests open until 3000: the window starts there, and the task at 6000 falls in it.
    assert interactive(FCP, tasks, three_open(0.0, 3_000.0), now=LATER) == 6_100.0


def test_a_network_busy_only_after_the_window_does_not_hold_it() -> None:
    tasks = [(600.0, 700.0), (9_000.0, 9_100.0)]
    # [700, 5700) is quiet: requests from 7000 on come after it.
    assert interactive(FCP, tasks, three_open(7_000.0, 8_000.0), now=LATER) == 700.0


def test_a_busy_network_alone_delays_the_decision_not_the_figure() -> None:
    requests = three_open(0.0, 3_000.0)
    assert interactive(FCP, [], requests, now=3_000.0 + QUIET_MS - 1) is None
    assert interactive(FCP, [], requests, now=3_000.0 + QUIET_MS) == FCP


def test_two_requests_in_flight_are_network_quiet() -> None:
    requests = [(0.0, 3_000.0), (0.0, 3_000.0)]
    assert interactive(FCP, [], requests, now=FCP + QUIET_MS) == FCP


# Known small cases: blocking()


def test_blocking_counts_only_the_part_over_fifty_milliseconds() -> None:
    assert blocking(FCP, 5_000.0, [(1_000.0, 1_200.0), (2_000.0, 2_050.0)]) == 150.0


def test_blocking_clips_tasks_to_first_paint_and_interactive() -> None:
    tasks = [
        (100.0, 400.0),  # before FCP: nothing
        (400.0, 600.0),  # 100 ms after FCP: 50 over
        (900.0, 1_100.0),  # 100 ms before TTI: 50 over
        (1_200.0, 2_000.0),  # after TTI: nothing
    ]
    assert blocking(FCP, 1_000.0, tasks) == 100.0


def test_no_long_tasks_no_blocking() -> None:
    assert blocking(FCP, FCP, []) == 0.0


# Properties


@st.composite
def long_tasks(draw: st.DrawFn) -> list[Span]:
    """A main thread's long tasks: one after another, each over the 50 ms threshold."""
    tasks: list[Span] = []
    at = float(draw(st.integers(0, 2_000)))
    for _ in range(draw(st.integers(0, 8))):
        begin = at + draw(st.integers(0, 7_000))
        end = begin + draw(st.integers(int(BLOCKING_MS) + 1, 1_500))
        tasks.append((float(begin), float(end)))
        at = end
    return tasks


@st.composite
def request_spans(draw: st.DrawFn) -> list[Span]:
    spans: list[Span] = []
    for _ in range(draw(st.integers(0, 10))):
        begin = draw(st.integers(0, 15_000))
        spans.append((float(begin), float(begin + draw(st.integers(0, 6_000)))))
    return spans


fcps = st.integers(100, 3_000).map(float)


def settled(fcp: float, tasks: list[Span], requests: list[Span]) -> float:
    """A `now` by which every trace has gone quiet for the whole window."""
    return max([fcp, *(end for _, end in tasks), *(end for _, end in requests)]) + QUIET_MS


def decided(fcp: float, tasks: list[Span], requests: list[Span]) -> float:
    """TTI once everything has gone quiet: by then it must be decided."""
    tti = interactive(fcp, tasks, requests, now=settled(fcp, tasks, requests))
    assert tti is not None
    return tti


@settings(suppress_health_check=LOADED)
@given(fcp=fcps, tasks=long_tasks(), requests=request_spans())
def test_interactive_is_never_before_first_paint_and_is_decided_once_quiet(
    fcp: float, tasks: list[Span], requests: list[Span]
) -> None:
    tti = decided(fcp, tasks, requests)
    assert tti >= fcp
    # TTI is first paint or the end of a long task.
    assert tti == fcp or tti in {end for _, end in tasks}


@settings(suppress_health_check=LOADED)
@given(fcp=fcps, tasks=long_tasks(), requests=request_spans(), early=st.integers(0, 4_999))
def test_nothing_is_decided_before_the_first_window_can_close(
    fcp: float, tasks: list[Span], requests: list[Span], early: int
) -> None:
    assert interactive(fcp, tasks, requests, now=fcp + early) is None


@settings(suppress_health_check=LOADED)
@given(fcp=fcps, tasks=long_tasks(), requests=request_spans())
def test_blocking_is_never_negative_nor_more_than_the_tasks_ran_over(
    fcp: float, tasks: list[Span], requests: list[Span]
) -> None:
    tbt = blocking(fcp, decided(fcp, tasks, requests), tasks)
    assert 0.0 <= tbt <= sum(max(0.0, end - begin - BLOCKING_MS) for begin, end in tasks)


@settings(suppress_health_check=LOADED)
@given(
    fcp=fcps,
    tasks=long_tasks(),
    gap=st.integers(0, 20_000),
    length=st.integers(int(BLOCKING_MS) + 1, 2_000),
)
def test_a_long_task_after_the_quiet_window_does_not_move_interactive(
    fcp: float, tasks: list[Span], gap: int, length: int
) -> None:
    # Long tasks only: the quiet window then starts at TTI itself (with a busy network it
    # may start later: see test_a_busy_network_holds_the_quiet_window_back).
    tti = decided(fcp, tasks, [])
    late = (tti + QUIET_MS + gap, tti + QUIET_MS + gap + length)
    assert decided(fcp, [*tasks, late], []) == tti


@settings(suppress_health_check=LOADED)
@given(fcp=fcps, tasks=long_tasks(), requests=request_spans(), gap=st.integers(0, 20_000))
def test_a_long_task_after_everything_went_quiet_does_not_move_interactive(
    fcp: float, tasks: list[Span], requests: list[Span], gap: int
) -> None:
    quiet = settled(fcp, tasks, requests)
    late = (quiet + gap, quiet + gap + 200.0)
    assert decided(fcp, [*tasks, late], requests) == decided(fcp, tasks, requests)


# The page's snapshot


def test_snapshot_counts_the_document_as_a_request() -> None:
    raw: dict[str, object] = {
        "now": 9_000,
        "fcp": 450.5,
        "dcl": None,
        "load": 800,
        "documentEnd": 120.0,
        "resources": [{"start": 130.0, "end": 400.0, "name": "app.js"}],
        "longTasks": [[600, 700]],
        "lcp": None,
        "inDom": {"equity": 900},
        "shown": {},
    }
    snap = Snapshot.of(raw)
    assert snap.requests == ((130.0, 400.0), (0.0, 120.0))
    assert snap.long_tasks == ((600.0, 700.0),)
    assert (snap.fcp, snap.dcl, snap.load, snap.in_dom) == (450.5, None, 800.0, {"equity": 900.0})


def test_snapshot_refuses_what_is_not_a_number() -> None:
    raw: dict[str, object] = {"now": "soon", "resources": [], "documentEnd": None}
    with pytest.raises(TypeError, match="expected a number"):
        Snapshot.of(raw)
