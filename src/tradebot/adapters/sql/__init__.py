"""The SQL store: what the bot did, in SQLite (embedded default) or PostgreSQL.

``SqlStore`` implements :class:`tradebot.ports.Store`; :mod:`.migrate` brings a database
to the current schema (``tradebot db upgrade``). Invariants are listed in ``README.md``.
"""

from tradebot.adapters.sql.connect import DEFAULT_URL, mask_url
from tradebot.adapters.sql.mapping import RunRecord
from tradebot.adapters.sql.migrate import current, downgrade, head, upgrade
from tradebot.adapters.sql.store import SqlStore

__all__ = [
    "DEFAULT_URL",
    "RunRecord",
    "SqlStore",
    "current",
    "downgrade",
    "head",
    "mask_url",
    "upgrade",
]
