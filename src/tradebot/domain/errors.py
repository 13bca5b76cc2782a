"""The error taxonomy.

Every error a user can cause derives from :class:`TradebotError`; the CLI turns it into one
line (``what is wrong — how to fix it``) without a traceback. Expected trading outcomes
(a rejected order, a skipped signal) are values, not exceptions.

::

    TradebotError
    ├── ConfigError          bad configuration value or file
    ├── DataError            malformed input data (file, row and problem named)
    │   └── UnknownSymbolError
    ├── StoreError           the database cannot be reached or migrated
    └── BrokerError          the venue answered with an error
        ├── TemporaryBrokerError   retry reads with backoff; outcome of a submit is unknown
        └── InvalidOrderError      the venue refused the order as such
"""

from __future__ import annotations

__all__ = [
    "BrokerError",
    "ConfigError",
    "DataError",
    "InvalidOrderError",
    "StoreError",
    "TemporaryBrokerError",
    "TradebotError",
    "UnknownSymbolError",
]


class TradebotError(Exception):
    """An error the user can fix. ``hint`` says how."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


class ConfigError(TradebotError):
    pass


class DataError(TradebotError):
    pass


class UnknownSymbolError(DataError):
    pass


class StoreError(TradebotError):
    pass


class BrokerError(TradebotError):
    pass


class TemporaryBrokerError(BrokerError):
    pass


class InvalidOrderError(BrokerError):
    pass
