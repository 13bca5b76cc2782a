"""The service layer's own connection pool on the run database.

The kernel's :class:`~tradebot.adapters.sql.store.SqlStore` belongs to the kernel's thread;
the API answers from a pool of threads, so the service layer reads (and writes its own
tables: users, audit, commands) through an engine of its own on the same URL. The schema
is brought to head first, exactly as a store would.
"""

from __future__ import annotations

from sqlalchemy import Engine

from tradebot.adapters.sql.connect import open_engine
from tradebot.adapters.sql.store import SqlStore

__all__ = ["open_database"]


def open_database(url: str) -> Engine:
    """An engine on ``url`` with the schema at head (migrated when behind)."""
    SqlStore(url).close()
    return open_engine(url)
