"""One evaluation: a full kernel backtest of one parameter set over one window.

:func:`evaluate` is a top-level function taking and returning plain data (dicts, strings,
numbers), so the same function runs in-process, in a ``ProcessPoolExecutor`` worker or on a
Dask worker on another machine: nothing but the task dict crosses the wire. The backtester is
the kernel itself (``build_kernel`` + an in-memory store), never a second loop, so an
optimised parameter set behaves in ``tradebot backtest`` exactly as it scored here.

The settings travel as their JSON dump (secrets left out, the run needs none), so a remote
worker uses the caller's configuration rather than whatever its own environment holds.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any

from tradebot.config import Settings
from tradebot.domain.errors import TradebotError

__all__ = ["METRIC_KEYS", "evaluate", "make_task", "settings_payload"]

METRIC_KEYS = (
    "sharpe",
    "sortino",
    "calmar",
    "total_return",
    "annual_return",
    "max_drawdown",
    "trades",
    "win_rate",
    "final_equity",
    "periods_per_year",
)

_SECRETS = {"broker": {"alpaca_api_key", "alpaca_api_secret"}}


def settings_payload(settings: Settings) -> dict[str, Any]:
    """The settings as plain JSON data, without secrets."""
    return settings.model_dump(mode="json", exclude=_SECRETS)


def make_task(
    *,
    settings: dict[str, Any],
    strategy: str,
    params: dict[str, Any],
    symbols: tuple[str, ...],
    window: dict[str, str],
    data_dir: Path,
    timeframe: str,
    returns: bool = False,
) -> dict[str, Any]:
    """The plain-data task :func:`evaluate` runs; ``returns`` asks for the daily returns."""
    return {
        "settings": settings,
        "strategy": strategy,
        "params": dict(params),
        "symbols": list(symbols),
        "start": window["start"],
        "end": window["end"],
        "data_dir": str(data_dir),
        "timeframe": timeframe,
        "returns": returns,
    }


@lru_cache(maxsize=8)
def _settings(payload: str) -> Settings:
    from tradebot.config import load_settings

    return load_settings(**json.loads(payload))


@lru_cache(maxsize=1)
def _quiet_logs() -> None:
    """Keep each kernel's per-run log lines out of the progress bar (warnings still show)."""
    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


def _day(text: str, *, end: bool = False) -> datetime:
    return datetime.combine(date.fromisoformat(text), time.max if end else time.min, tzinfo=UTC)


def evaluate(task: dict[str, Any]) -> dict[str, Any]:
    """Backtest ``task["params"]`` over ``task["start"]..task["end"]``; plain-data result.

    A user-fixable problem (bad data, invalid parameters) comes back as ``error`` rather than
    an exception, so one bad point cannot sink a sweep of thousands.
    """
    from tradebot.backtest.metrics import daily_returns
    from tradebot.domain.enums import Timeframe
    from tradebot.runtime.wiring import RunRequest, build_kernel
    from tradebot.testing import MemoryStore

    _quiet_logs()
    out: dict[str, Any] = {
        "params": dict(task["params"]),
        "start": task["start"],
        "end": task["end"],
        "error": None,
        "metrics": {},
    }
    strategy = task["strategy"]
    request = RunRequest(
        symbols=tuple(task["symbols"]),
        start=_day(task["start"]),
        end=_day(task["end"], end=True),
        strategies=(strategy,),
        params={strategy: dict(task["params"])},
        data_dir=Path(task["data_dir"]),
        timeframe=Timeframe(task["timeframe"]),
    )
    settings = _settings(json.dumps(task["settings"], sort_keys=True))
    try:
        result = build_kernel(settings, request, MemoryStore()).run()
    except TradebotError as exc:
        out["error"] = exc.one_line()
        return out
    out["metrics"] = {k: result.metrics.get(k) for k in METRIC_KEYS}
    if task.get("returns"):
        out["daily_returns"] = [float(r) for r in daily_returns(result.equity_ts, result.equity)]
    return out
