"""Continuing a stopped or crashed run (``tradebot paper --replay --resume RUN_ID``).

The run is rebuilt as it was started: its id, symbols, period, timeframe, strategies and
their parameters and weights, data folder and news file come from its record, and so do
the settings that shape decisions (``broker``, ``risk``, ``strategy``, ``sentiment`` and
the snapshot interval; secrets stay the current ones). The kernel then replays the
recorded past and continues after the run's saved state (:mod:`tradebot.engine.resume`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tradebot.adapters.sql.store import SqlStore
from tradebot.config import (
    BrokerSettings,
    RiskSettings,
    SentimentSettings,
    Settings,
    StrategySettings,
)
from tradebot.domain.errors import ConfigError
from tradebot.engine.kernel import Kernel
from tradebot.engine.resume import resume_point
from tradebot.runtime.wiring import RunRequest, build_kernel

__all__ = ["resume_kernel", "resumed_settings"]

_SECRETS = ("alpaca_api_key", "alpaca_api_secret")


def resume_kernel(
    settings: Settings, store: SqlStore, run_id: str, *, speed: float | None = None
) -> Kernel:
    """The kernel that continues run ``run_id`` from what ``store`` recorded of it. The run
    is claimed first, so what is read of it cannot change under the resume (another
    driver finishing it, say); a run another process drives is refused in one line."""
    record = store.run(run_id) if store.claim_run(run_id) else None
    if record is None:
        raise ConfigError(
            f"no run {run_id!r} in the database",
            "list the runs with `tradebot backtest list --mode paper`",
        )
    if record.status == "completed":
        raise ConfigError(f"run {run_id} completed: nothing to resume", "start a new run")
    checkpoint = store.load_risk_state(run_id)
    if checkpoint is None:
        raise ConfigError(
            f"run {run_id} saved no state to resume from (it stopped before its first "
            "bar time was done)",
            "start a new run",
        )
    info = record.info
    config = info.config
    request = RunRequest(
        symbols=info.symbols,
        start=info.data_start,
        end=info.data_end,
        strategies=tuple(info.strategy.split(",")),
        params=dict(config.get("params", {})),
        data_dir=Path(config["data_dir"]) if config.get("data_dir") else None,
        timeframe=info.timeframe,
        news_file=Path(config["news_file"]) if config.get("news_file") else None,
        mode=info.mode,
        speed=speed if speed is not None else 600.0,
    )
    point = resume_point(
        checkpoint,
        store.decisions(run_id),
        store.orders(run_id),
        store.fills(run_id),
        store.signals(run_id),
    )
    chosen = resumed_settings(settings, config.get("settings", {}))
    return build_kernel(chosen, request, store, run=info, resume=point)


def resumed_settings(current: Settings, stored: dict[str, Any]) -> Settings:
    """``current`` with the decision-shaping sections the run was started with."""
    update: dict[str, Any] = {}
    if "broker" in stored:
        secrets = {name: getattr(current.broker, name) for name in _SECRETS}
        update["broker"] = BrokerSettings.model_validate({**stored["broker"], **secrets})
    sections: dict[str, Any] = {
        "risk": RiskSettings,
        "strategy": StrategySettings,
        "sentiment": SentimentSettings,
    }
    for name, section in sections.items():
        if name in stored:
            update[name] = section.model_validate(stored[name])
    if "snapshot_interval_s" in stored:
        update["snapshot_interval_s"] = int(stored["snapshot_interval_s"])
    return current.model_copy(update=update)
