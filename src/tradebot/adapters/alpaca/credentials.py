"""Alpaca keys and endpoints: from the environment, never from code or logs.

Keys come from ``APCA_API_KEY_ID`` / ``APCA_API_SECRET_KEY`` (Alpaca's own names, which
its tools share), else from the settings ``broker.alpaca_api_key`` / ``alpaca_api_secret``
(``TRADEBOT_BROKER__ALPACA_API_KEY`` …). ``TRADEBOT_ALPACA_URL`` points every client at
another server — a rehearsal against :class:`tradebot.testing.alpaca.AlpacaVenue` — and
its websocket URLs follow from it unless set on their own. Paper is the default: live
trading needs ``paper=False`` said in so many words.

The keys are held in :class:`~pydantic.SecretStr`, so neither ``repr`` nor an error nor a
log line ever shows them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import SecretStr

from tradebot.config import BrokerSettings
from tradebot.domain.errors import ConfigError

__all__ = ["AlpacaCredentials", "AlpacaEndpoints", "credentials_from_env", "endpoints_from_env"]

_KEY_ENV = "APCA_API_KEY_ID"
_SECRET_ENV = "APCA_API_SECRET_KEY"
URL_ENV = "TRADEBOT_ALPACA_URL"
"""One base URL for every REST client (trading, market data, news), for rehearsal."""
_STREAM_ENVS = {
    "trading_stream_url": "TRADEBOT_ALPACA_TRADING_STREAM_URL",
    "data_stream_url": "TRADEBOT_ALPACA_DATA_STREAM_URL",
    "news_stream_url": "TRADEBOT_ALPACA_NEWS_STREAM_URL",
}


@dataclass(frozen=True, slots=True)
class AlpacaCredentials:
    """An API key pair; ``repr`` shows the key id's first characters only."""

    key_id: SecretStr
    secret_key: SecretStr
    paper: bool = True

    def __repr__(self) -> str:
        shown = self.key_id.get_secret_value()[:2]
        return f"AlpacaCredentials(key_id='{shown}…', paper={self.paper})"

    @classmethod
    def of(cls, key_id: str, secret_key: str, *, paper: bool = True) -> AlpacaCredentials:
        """From plain strings (a test, a rehearsal against the fake venue)."""
        return cls(SecretStr(key_id), SecretStr(secret_key), paper)


@dataclass(frozen=True, slots=True)
class AlpacaEndpoints:
    """Where the clients connect; ``None`` means the SDK's own (paper or live) URL."""

    base_url: str | None = None
    data_url: str | None = None
    trading_stream_url: str | None = None
    data_stream_url: str | None = None
    news_stream_url: str | None = None

    @classmethod
    def local(cls, base_url: str) -> AlpacaEndpoints:
        """Every URL derived from one ``http://host:port`` (the fake venue's layout)."""
        ws = "ws" + base_url.removeprefix("http")
        return cls(
            base_url=base_url,
            data_url=base_url,
            trading_stream_url=f"{ws}/stream",
            data_stream_url=f"{ws}/v2/iex",
            news_stream_url=f"{ws}/v1beta1/news",
        )


def credentials_from_env(
    settings: BrokerSettings | None = None,
    *,
    paper: bool = True,
    env: Mapping[str, str] | None = None,
) -> AlpacaCredentials:
    """The key pair from the environment, else from ``settings``; one line of
    :class:`ConfigError` when either half is missing."""
    environ = os.environ if env is None else env
    key = environ.get(_KEY_ENV, "")
    secret = environ.get(_SECRET_ENV, "")
    if settings is not None:
        if not key and settings.alpaca_api_key is not None:
            key = settings.alpaca_api_key.get_secret_value()
        if not secret and settings.alpaca_api_secret is not None:
            secret = settings.alpaca_api_secret.get_secret_value()
    if not key or not secret:
        raise ConfigError(
            "Alpaca API keys are not set",
            f"export {_KEY_ENV} and {_SECRET_ENV} (or TRADEBOT_BROKER__ALPACA_API_KEY and "
            "TRADEBOT_BROKER__ALPACA_API_SECRET) with your paper keys from the Alpaca dashboard",
        )
    return AlpacaCredentials(SecretStr(key.strip()), SecretStr(secret.strip()), paper)


def endpoints_from_env(env: Mapping[str, str] | None = None) -> AlpacaEndpoints:
    """The SDK's own URLs, or the rehearsal server named by ``TRADEBOT_ALPACA_URL``."""
    environ = os.environ if env is None else env
    base = environ.get(URL_ENV, "").rstrip("/")
    if base and not base.startswith(("http://", "https://")):
        raise ConfigError(f"{URL_ENV}={base!r} is not an http(s) URL", "e.g. http://127.0.0.1:8765")
    found = AlpacaEndpoints.local(base) if base else AlpacaEndpoints()
    streams = {name: environ[var] for name, var in _STREAM_ENVS.items() if environ.get(var)}
    if not streams:
        return found
    return AlpacaEndpoints(
        base_url=found.base_url,
        data_url=found.data_url,
        trading_stream_url=streams.get("trading_stream_url", found.trading_stream_url),
        data_stream_url=streams.get("data_stream_url", found.data_stream_url),
        news_stream_url=streams.get("news_stream_url", found.news_stream_url),
    )
