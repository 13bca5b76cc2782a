"""The server takes in configuration changes made beside it (``tradebot config set``):
:class:`ConfigRefresher` calls :meth:`ConfigService.refresh` every few seconds on a daemon
thread, so the engine host, the tier follower and the notifier hear of them as they hear of
the API's own changes. A store that fails is logged once per outage and tried again.
"""

from __future__ import annotations

import threading
from typing import Final

from tradebot.domain.errors import StoreError
from tradebot.ops.logging import get_logger
from tradebot.service.config_changes import ConfigService

__all__ = ["CONFIG_REFRESH_S", "ConfigRefresher"]

CONFIG_REFRESH_S: Final = 2.0
"""How often a server looks for changes another process recorded."""

_log = get_logger("config")


class ConfigRefresher:
    def __init__(self, config: ConfigService, every_s: float) -> None:
        self._config = config
        self._every_s = every_s
        self._stop = threading.Event()
        self._failing = False
        self._thread = threading.Thread(target=self._run, name="config-refresh", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._every_s):
            try:
                taken = self._config.refresh()
            except StoreError as exc:
                if not self._failing:
                    _log.warning("configuration changes not read", error=str(exc))
                self._failing = True
                continue
            self._failing = False
            for change in taken:
                _log.info(
                    "configuration changed elsewhere",
                    path=change.path,
                    source=change.source,
                    actor=change.actor,
                )

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5.0)
