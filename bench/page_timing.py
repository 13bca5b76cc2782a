"""A page's load figures from the browser's own clock: what to install before the page's
first script (:func:`probe_script`), and time to interactive and total blocking time from
what it collected (:func:`interactive`, :func:`blocking`), after Lighthouse's definitions.

Every time here is ``performance.now()`` milliseconds of the page (0 = navigation start),
so no Python clock enters a figure. The probe keeps long tasks (a ``longtask``
PerformanceObserver, buffered, installed before any page script), the largest contentful
paint, and — for each marker (a ``data-testid`` and a pattern its text must match) — when
the element with that text first appeared in the DOM and when the frame after it ran (the
figure reported as "shown": the DOM change has then been painted, or is being).

Time to interactive (Lighthouse's ``interactive`` audit, observed rather than simulated):
the first window of :data:`QUIET_MS` after first contentful paint with no long task and at
most two requests in flight; TTI is the end of the last long task before that window, or
FCP when there was none. Requests come from Resource Timing (the document, scripts, styles,
``fetch`` calls) as [startTime, responseEnd]; one still pending is not listed yet, so the
count is a lower bound while a request is open (a WebSocket is never listed: Lighthouse
ignores it too). Total blocking time: each long task's time past 50 ms between FCP and TTI
(the task clipped to that span).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "BLOCKING_MS",
    "QUIET_MS",
    "Marker",
    "Snapshot",
    "blocking",
    "interactive",
    "probe_script",
    "snapshot_script",
]

QUIET_MS = 5_000.0
"""Lighthouse's quiet window for TTI."""
BLOCKING_MS = 50.0
"""A task blocks input for what it runs past this (the long-task threshold)."""
MAX_IN_FLIGHT = 2
"""Lighthouse's network quiet: at most two requests open."""

Span = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Marker:
    """An element whose appearance with matching text is noted (``data-testid``, JS regex)."""

    testid: str
    pattern: str


def probe_script(markers: Sequence[Marker]) -> str:
    """JavaScript for ``context.add_init_script``: it runs before the page's own scripts
    and keeps what :func:`snapshot_script` reads back into ``window.__bench``."""
    wanted = json.dumps([[m.testid, m.pattern] for m in markers])
    return (
        """
(() => {
  const bench = { longTasks: [], lcp: null, inDom: {}, shown: {} };
  window.__bench = bench;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        bench.longTasks.push([e.startTime, e.startTime + e.duration]);
      }
    }).observe({ type: "longtask", buffered: true });
  } catch (e) { bench.noLongTasks = String(e); }
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) bench.lcp = e.startTime;
    }).observe({ type: "largest-contentful-paint", buffered: true });
  } catch (e) { /* not supported: lcp stays null */ }
  const wanted = """
        + wanted
        + """.map(([id, p]) => [id, new RegExp(p)]);
  const check = () => {
    for (const [id, pattern] of wanted) {
      if (id in bench.inDom) continue;
      const el = document.querySelector(`[data-testid="${id}"]`);
      if (el && pattern.test(el.textContent || "")) {
        bench.inDom[id] = performance.now();
        requestAnimationFrame(() => setTimeout(() => { bench.shown[id] = performance.now(); }, 0));
      }
    }
  };
  new MutationObserver(check).observe(
    document, { subtree: true, childList: true, characterData: true });
})();
"""
    )


def snapshot_script() -> str:
    """JavaScript for ``page.evaluate``: the page's figures so far, as a JSON-able object."""
    return """() => {
  const nav = performance.getEntriesByType("navigation")[0] || null;
  const paint = Object.fromEntries(
    performance.getEntriesByType("paint").map((e) => [e.name, e.startTime]));
  const resources = performance.getEntriesByType("resource").map((e) => ({
    name: e.name, type: e.initiatorType, start: e.startTime, end: e.responseEnd,
    transfer: e.transferSize, encoded: e.encodedBodySize, decoded: e.decodedBodySize,
  }));
  const b = window.__bench || { longTasks: [], lcp: null, inDom: {}, shown: {} };
  return {
    now: performance.now(),
    fcp: paint["first-contentful-paint"] ?? null,
    fp: paint["first-paint"] ?? null,
    dcl: nav && nav.domContentLoadedEventEnd > 0 ? nav.domContentLoadedEventEnd : null,
    load: nav && nav.loadEventEnd > 0 ? nav.loadEventEnd : null,
    documentEnd: nav ? nav.responseEnd : null,
    resources, longTasks: b.longTasks, lcp: b.lcp, inDom: b.inDom, shown: b.shown,
    noLongTasks: b.noLongTasks ?? null,
  };
}"""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What :func:`snapshot_script` returned, typed."""

    now: float
    fcp: float | None
    dcl: float | None
    load: float | None
    requests: tuple[Span, ...]
    long_tasks: tuple[Span, ...]
    lcp: float | None
    in_dom: dict[str, float]
    shown: dict[str, float]
    resources: tuple[dict[str, object], ...]

    @classmethod
    def of(cls, raw: dict[str, object]) -> Snapshot:
        resources = tuple(r for r in _list(raw["resources"]) if isinstance(r, dict))
        requests = [(_num(r["start"]), _num(r["end"])) for r in resources]
        document_end = _opt(raw["documentEnd"])
        if document_end is not None:
            requests.append((0.0, document_end))
        return cls(
            now=float(_num(raw["now"])),
            fcp=_opt(raw["fcp"]),
            dcl=_opt(raw["dcl"]),
            load=_opt(raw["load"]),
            requests=tuple(requests),
            long_tasks=tuple(_span(t) for t in _list(raw["longTasks"])),
            lcp=_opt(raw["lcp"]),
            in_dom={str(k): _num(v) for k, v in _dict(raw["inDom"]).items()},
            shown={str(k): _num(v) for k, v in _dict(raw["shown"]).items()},
            resources=resources,
        )


def _num(value: object) -> float:
    if not isinstance(value, int | float):
        raise TypeError(f"expected a number from the page, got {value!r}")
    return float(value)


def _span(value: object) -> Span:
    begin, end = _list(value)
    return _num(begin), _num(end)


def _opt(value: object) -> float | None:
    return None if value is None else _num(value)


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list from the page, got {value!r}")
    return value


def _dict(value: object) -> dict[object, object]:
    if not isinstance(value, dict):
        raise TypeError(f"expected an object from the page, got {value!r}")
    return value


def _network_busy(requests: Sequence[Span]) -> list[Span]:
    """The spans during which more than :data:`MAX_IN_FLIGHT` requests were open."""
    edges = sorted([(s, 1) for s, _ in requests] + [(e, -1) for _, e in requests])
    busy: list[Span] = []
    open_count, since = 0, 0.0
    for at, step in edges:
        before = open_count
        open_count += step
        if before <= MAX_IN_FLIGHT < open_count:
            since = at
        elif open_count <= MAX_IN_FLIGHT < before:
            busy.append((since, at))
    return busy


def interactive(
    fcp: float,
    long_tasks: Sequence[Span],
    requests: Sequence[Span],
    now: float,
    quiet_ms: float = QUIET_MS,
) -> float | None:
    """TTI (module docstring); None while the first quiet window has not passed by ``now``."""
    busy = sorted(long_tasks) + _network_busy(requests)
    starts = sorted({fcp, *(end for _, end in busy if end > fcp)})
    for start in starts:
        if start + quiet_ms > now:
            return None  # not decided yet: what comes next may break the window
        if all(end <= start or begin >= start + quiet_ms for begin, end in busy):
            before = [end for _, end in long_tasks if end <= start]
            return max([fcp, *before])
    return None


def blocking(fcp: float, tti: float, long_tasks: Sequence[Span]) -> float:
    """Total blocking time between ``fcp`` and ``tti``: each long task's part past 50 ms."""
    total = 0.0
    for begin, end in long_tasks:
        clipped = min(end, tti) - max(begin, fcp)
        total += max(0.0, clipped - BLOCKING_MS)
    return total
