"""A change of ``risk.tier`` through the audited settings reaches the hosted run at once.

Every other setting shapes the engine when it starts (the settings are built into its
stages); the tier is the one the running risk engine can take while it runs, through the
same operator command as ``tradebot set-tier`` and ``POST /api/controls/tier``. The change
is already audited (and needed a fresh passkey assertion, as every ``risk.`` change does);
a run that refuses the tier leaves the setting for its next start and says so in the log.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from threading import Lock

from tradebot.config import Settings
from tradebot.domain.commands import CommandKind
from tradebot.domain.errors import TradebotError
from tradebot.ops.logging import get_logger
from tradebot.service.config_changes import ConfigChange
from tradebot.service.controls import Controls
from tradebot.service.engine_host import EngineHost

__all__ = ["TierFollower"]

_log = get_logger("config")
_PATH = "risk.tier"


class TierFollower:
    """Subscribed to the config service: sends the hosted run each new ``risk.tier``.

    Two updates can commit one after the other and reach their subscribers in the other
    order (each on its own request thread): the follower therefore sends the tier in
    effect *now*, one send at a time, so the run ends on the tier the settings and the
    audit say last, whichever thread gets here first."""

    def __init__(
        self, host: EngineHost, controls: Controls, effective: Callable[[], Settings]
    ) -> None:
        self._host = host
        self._controls = controls
        self._effective = effective
        self._lock = Lock()

    def __call__(self, settings: Settings, changes: Sequence[ConfigChange]) -> None:
        change = next((c for c in changes if c.path == _PATH), None)
        if change is None:
            return
        with self._lock:
            tier = self._effective().risk.tier
            run_id = self._host.current_run_id()
            if tier is None or run_id is None:
                return
            try:
                self._controls.send(
                    CommandKind.SET_TIER,
                    run_id=run_id,
                    tier=tier.value,
                    actor=change.actor,
                    source="api",
                )
            except TradebotError as exc:
                _log.warning(
                    "the running engine kept its tier", run_id=run_id, error=exc.one_line()
                )
