"""Building a ccxt async exchange client the way every CCXT adapter needs it.

Credentials come from the environment only: ``TRADEBOT_CCXT_API_KEY`` and
``TRADEBOT_CCXT_SECRET`` (one exchange per process; the same names whatever the exchange,
so a config never holds a key). Missing ones are a one-line :class:`ConfigError`; a key is
never logged, shown in a repr or put in an error.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import ccxt.async_support as ccxt

from tradebot.domain.errors import ConfigError
from tradebot.ports import COMMAND_TIMEOUT_S

__all__ = ["API_KEY_ENV", "SECRET_ENV", "credentials_from_env", "make_exchange", "point"]

API_KEY_ENV = "TRADEBOT_CCXT_API_KEY"
SECRET_ENV = "TRADEBOT_CCXT_SECRET"


def api_urls(exchange_id: str, base: str) -> dict[str, str]:
    """The ``urls['api']`` entries that point ``exchange_id`` at ``base`` (a rehearsal
    against :class:`tradebot.testing.binance.BinanceVenue`, a proxy): Binance spot's layout."""
    if exchange_id != "binance":
        raise ConfigError(
            f"live.ccxt_url points binance's API elsewhere, not {exchange_id}'s",
            "leave live.ccxt_url unset for other exchanges",
        )
    root = base.rstrip("/")
    return {
        "public": f"{root}/api/v3",
        "private": f"{root}/api/v3",
        "v1": f"{root}/api/v1",
        "sapi": f"{root}/sapi/v1",
    }


def credentials_from_env(environ: Mapping[str, str] | None = None) -> tuple[str, str]:
    """The API key and secret from the environment, or one line saying which is missing."""
    env = os.environ if environ is None else environ
    key, secret = env.get(API_KEY_ENV, "").strip(), env.get(SECRET_ENV, "").strip()
    missing = [name for name, value in ((API_KEY_ENV, key), (SECRET_ENV, secret)) if not value]
    if missing:
        raise ConfigError(
            f"no exchange credentials: {' and '.join(missing)} not set",
            "export the exchange API key and secret in these variables (never in a config file)",
        )
    return key, secret


def client_config(timeout_s: float, options: Mapping[str, Any] | None) -> dict[str, Any]:
    """What every client of ours is built with (REST and websocket alike): the rate limiter
    on, a timeout no longer than a broker command may wait, spot markets only, Binance's
    private currency and margin calls off."""
    return {
        "enableRateLimit": True,
        "timeout": int(min(timeout_s, COMMAND_TIMEOUT_S) * 1000),
        "options": {
            "fetchCurrencies": False,
            "fetchMargins": False,
            "fetchMarkets": {"types": ["spot"]},
            "defaultType": "spot",
            "fetchOpenOrders": {"warnWithoutSymbol": False},
            **(options or {}),
        },
    }


def make_exchange(
    exchange_id: str,
    *,
    api_key: str = "",
    secret: str = "",
    urls_override: Mapping[str, str] | None = None,
    timeout_s: float = COMMAND_TIMEOUT_S,
    options: Mapping[str, Any] | None = None,
    sandbox: bool = False,
) -> Any:
    """A ccxt async client with the rate limiter on, a timeout no longer than a broker
    command may wait, Binance's private currency/margin calls off (spot only), and
    ``urls_override`` merged into ``urls['api']`` (a local fake, a testnet)."""
    factory = getattr(ccxt, exchange_id, None)
    if factory is None or exchange_id not in ccxt.exchanges:
        raise ConfigError(
            f"unknown exchange {exchange_id!r}", "name a ccxt exchange id such as 'binance'"
        )
    config = client_config(timeout_s, options)
    if api_key:
        config["apiKey"] = api_key
    if secret:
        config["secret"] = secret
    exchange = factory(config)
    point(exchange, exchange_id, urls_override, sandbox=sandbox and not urls_override)
    return exchange


def point(
    exchange: Any, exchange_id: str, urls_override: Mapping[str, str] | None, *, sandbox: bool
) -> dict[str, Any]:
    """Aim a ccxt client (REST or pro): at the exchange's test network with ``sandbox``
    (paper trading; one line when it has none), with ``urls_override`` merged into
    ``urls['api']`` (a local fake, a testnet). A copy of the resulting ``urls['api']``."""
    if sandbox:
        try:
            exchange.set_sandbox_mode(True)
        except ccxt.NotSupported as exc:
            raise ConfigError(
                f"{exchange_id} has no test network for paper trading",
                "use `tradebot paper --broker sim` on its live bars, or another exchange",
            ) from exc
    found = exchange.urls.get("api")
    api = dict(found) if isinstance(found, dict) else {}
    if urls_override:
        api.update(urls_override)
        exchange.urls["api"] = api
    return api
