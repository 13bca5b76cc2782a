"""alpaca-py's REST clients, bounded in time and rate, and their errors as ours.

alpaca-py's ``RESTClient`` sends every request through a ``requests.Session`` with no
timeout and retries 429/504 itself (``retry_attempts`` times, ``retry_wait_seconds``
apart; ``TradingClient`` does not pass these on). So, without patching anything:

- each client is built through ``RESTClient.__init__``'s own ``retry_attempts`` /
  ``retry_wait_seconds`` (one retry, one second apart), so a submit is answered well
  within :data:`~tradebot.ports.COMMAND_TIMEOUT_S`;
- its session gets a ``requests`` transport adapter (the documented way to change how a
  session sends) that waits for the shared :class:`TokenBucket` and sets the timeout of
  each request.

A retried submit is safe because it carries the same client order id: Alpaca either
creates the order once or answers 422 "client_order_id must be unique", which the broker
resolves by looking the order up (:func:`is_duplicate_client_id`).

Errors: :func:`broker_error` turns an SDK or transport error into our taxonomy — a lost
reply (timeout, connection error, 5xx, 429) is :class:`TemporaryBrokerError`, refused keys
a :class:`BrokerError` naming the environment variables, any other 4xx an
:class:`InvalidOrderError` with Alpaca's message. Messages never include the keys.
"""

from __future__ import annotations

import json
from typing import Any

import requests
from alpaca.common.enums import BaseURL
from alpaca.common.exceptions import APIError
from alpaca.common.rest import RESTClient
from alpaca.data.historical import NewsClient, StockHistoricalDataClient
from alpaca.trading.client import TradingClient
from requests.adapters import HTTPAdapter

from tradebot.adapters.alpaca.credentials import AlpacaCredentials
from tradebot.adapters.alpaca.rate_limit import TokenBucket
from tradebot.domain.errors import BrokerError, InvalidOrderError, TemporaryBrokerError
from tradebot.ports import COMMAND_TIMEOUT_S

__all__ = [
    "DUPLICATE_CODE",
    "RestLimits",
    "broker_error",
    "data_client",
    "is_duplicate_client_id",
    "is_not_found",
    "news_client",
    "trading_client",
]

DUPLICATE_CODE = 40010001
"""Alpaca's code for an invalid request; with the message below, a duplicate client id."""


class RestLimits:
    """How long one request may take, how often a 429/504 is retried, and the bucket
    every request of the clients that share these limits waits for."""

    def __init__(
        self,
        *,
        timeout_s: float = COMMAND_TIMEOUT_S / 4,
        retries: int = 1,
        retry_wait_s: int = 1,
        bucket: TokenBucket | None = None,
    ) -> None:
        if not 0 < timeout_s * (retries + 2) + retry_wait_s * retries <= COMMAND_TIMEOUT_S:
            raise ValueError(
                "timeout_s × (retries + 2) + retry_wait_s × retries must fit in "
                f"COMMAND_TIMEOUT_S ({COMMAND_TIMEOUT_S} s): a submit, its retry and the "
                "lookup that resolves a duplicate"
            )
        self.timeout_s = timeout_s
        self.retries = retries
        self.retry_wait_s = retry_wait_s
        self.bucket = bucket or TokenBucket()


class _BoundedAdapter(HTTPAdapter):
    """Waits for the rate limiter and sets a timeout on every request the session sends."""

    def __init__(self, limits: RestLimits) -> None:
        super().__init__()
        self._limits = limits

    def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        self._limits.bucket.acquire()
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self._limits.timeout_s
        return super().send(request, *args, **kwargs)


def _bound(client: RESTClient, limits: RestLimits) -> None:
    adapter = _BoundedAdapter(limits)
    session: requests.Session = client._session
    session.mount("http://", adapter)
    session.mount("https://", adapter)


def _init(
    client: RESTClient,
    creds: AlpacaCredentials,
    base_url: str,
    limits: RestLimits,
    api_version: str = "v2",
) -> None:
    RESTClient.__init__(
        client,
        base_url=base_url,
        api_key=creds.key_id.get_secret_value(),
        secret_key=creds.secret_key.get_secret_value(),
        api_version=api_version,
        sandbox=creds.paper,
        retry_attempts=limits.retries,
        retry_wait_seconds=limits.retry_wait_s,
    )
    _bound(client, limits)


class _Trading(TradingClient):
    def __init__(self, creds: AlpacaCredentials, base_url: str | None, limits: RestLimits):
        default = BaseURL.TRADING_PAPER if creds.paper else BaseURL.TRADING_LIVE
        _init(self, creds, base_url or default.value, limits)


class _Data(StockHistoricalDataClient):
    def __init__(self, creds: AlpacaCredentials, base_url: str | None, limits: RestLimits):
        _init(self, creds, base_url or BaseURL.DATA.value, limits)


class _News(NewsClient):
    def __init__(self, creds: AlpacaCredentials, base_url: str | None, limits: RestLimits):
        _init(self, creds, base_url or BaseURL.DATA.value, limits, api_version="v1beta1")


def trading_client(
    creds: AlpacaCredentials, base_url: str | None = None, limits: RestLimits | None = None
) -> TradingClient:
    """A ``TradingClient`` (paper or live by the credentials, or ``base_url``)."""
    return _Trading(creds, base_url, limits or RestLimits())


def data_client(
    creds: AlpacaCredentials, base_url: str | None = None, limits: RestLimits | None = None
) -> StockHistoricalDataClient:
    """A ``StockHistoricalDataClient`` for bars."""
    return _Data(creds, base_url, limits or RestLimits())


def news_client(
    creds: AlpacaCredentials, base_url: str | None = None, limits: RestLimits | None = None
) -> NewsClient:
    """A ``NewsClient`` for the news a stream missed."""
    return _News(creds, base_url, limits or RestLimits())


def _body(error: APIError) -> tuple[int | None, str]:
    """Alpaca's error code and message (its JSON body), or the raw text."""
    text = str(error)
    try:
        body = json.loads(text)
    except ValueError:
        return None, text.strip()[:200]
    if not isinstance(body, dict):
        return None, text.strip()[:200]
    code = body.get("code")
    return (code if isinstance(code, int) else None), str(body.get("message", text))[:200]


def is_duplicate_client_id(error: BaseException) -> bool:
    """Whether Alpaca refused a submit because an order with its client id exists."""
    if not isinstance(error, APIError) or error.status_code != 422:
        return False
    code, message = _body(error)
    return code == DUPLICATE_CODE and "client_order_id" in message and "unique" in message


def is_not_found(error: BaseException) -> bool:
    return isinstance(error, APIError) and error.status_code == 404


def broker_error(error: BaseException, what: str) -> BrokerError:
    """Our error for a failed call; ``what`` names the call (``submit tb-…``)."""
    if isinstance(error, requests.RequestException):
        return TemporaryBrokerError(
            f"Alpaca did not answer {what}: {type(error).__name__}",
            "outcome unknown: the order is looked up by its client id, never resent",
        )
    if not isinstance(error, APIError):
        return TemporaryBrokerError(f"Alpaca call {what} failed: {type(error).__name__}")
    status = error.status_code
    _, message = _body(error)
    if status is None or status == 429 or status >= 500:
        return TemporaryBrokerError(
            f"Alpaca answered {what} with HTTP {status}: {message}",
            "outcome unknown: the order is looked up by its client id, never resent",
        )
    if status == 401 or (status == 403 and message.lower().startswith(("forbidden", "unauth"))):
        return BrokerError(
            f"Alpaca refused the API keys (HTTP {status}) on {what}",
            "check APCA_API_KEY_ID and APCA_API_SECRET_KEY (paper keys for the paper account)",
        )
    return InvalidOrderError(f"Alpaca refused {what}: {message} (HTTP {status})")
