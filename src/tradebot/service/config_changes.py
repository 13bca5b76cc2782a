"""Audited configuration changes: the settings in effect are the process's own settings
(defaults, YAML file, environment) with every change made since through the API applied
in order, each change one row of ``config_changes`` (the value before, the value after,
who made it, from where, and why).

Invariants (``tests/api/test_config_*`` holds them):

- Replaying the audit trail over the base settings gives :meth:`ConfigService.effective`;
  each row's ``previous`` is the value in effect just before it.
- An update is validated as a whole (every change applied, then the complete
  :class:`~tradebot.config.Settings` built, its validators run) and written in one
  transaction: all of it takes effect or none does. A change to the value in effect is no
  change and is not recorded.
- Paths are dotted (``risk.max_open_positions``); one that names no setting is refused
  with one line naming it, and so is one that only the operator's own file may set: a
  secret (``SecretStr``, or a section holding one — secrets never reach the table), the
  database, the server and its log (``store``, ``api``, ``log``), a file or folder (a
  ``Path``: the strategy plugins' folder is code the server would run) and an address the
  server would call with its keys or fetch from (``*_url``, ``*_host``, the news feeds, the
  FinBERT model). A stolen session can then change how the bot trades — after a fresh
  passkey assertion, which every change over the API needs — but never make the server
  run code, send its keys elsewhere or fetch from an address of the caller's choosing.
- Subscribers (the engine host) hear of each update after it is committed.
- Changes another process wrote (``tradebot config set`` beside a running server) are
  taken in by :meth:`ConfigService.refresh` — before every update, so a ``previous`` is
  never stale, and on the server's timer — and their subscribers hear of them too.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from threading import Lock
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, SecretStr, ValidationError
from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from tradebot.adapters.clock import utc_now
from tradebot.adapters.sql.api_models import ConfigChangeRow
from tradebot.adapters.sql.connect import store_error
from tradebot.adapters.sql.types import to_utc
from tradebot.config import Settings
from tradebot.domain.errors import ConfigError
from tradebot.ops.logging import get_logger
from tradebot.service.queries.base import Paged, Reader

__all__ = ["ConfigChange", "ConfigService"]

_FIXED_SECTIONS = ("store", "api", "log")
"""Chosen at start by the operator: the database, the server itself, its log."""
_FIXED_PATHS = ("news.feeds", "sentiment.finbert_model")
"""Addresses the server would fetch from (feeds; a hub id or a local folder of weights)."""
_ADDRESS_SUFFIXES = ("_url", "_host")
_log = get_logger("config")

Subscriber = Callable[[Settings, Sequence["ConfigChange"]], None]


@dataclass(frozen=True, slots=True)
class ConfigChange:
    """One audited change: ``previous`` and ``new`` are JSON values (what
    ``Settings.model_dump(mode="json")`` holds at ``path``)."""

    id: int
    ts: datetime
    path: str
    previous: Any
    new: Any
    actor: str
    source: str
    reason: str | None


def _unwrap(annotation: Any) -> list[Any]:
    """The types an annotation allows, ``None`` left out (``X | None`` → ``[X]``)."""
    if get_origin(annotation) in (Union, types.UnionType):
        return [a for a in get_args(annotation) if a is not type(None)]
    return [annotation]


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _holds_secret(annotation: Any, seen: set[Any] | None = None) -> bool:
    seen = set() if seen is None else seen
    for kind in _unwrap(annotation):
        if kind is SecretStr:
            return True
        if _is_model(kind):
            if kind in seen:
                continue
            seen.add(kind)
            if any(_holds_secret(f.annotation, seen) for f in kind.model_fields.values()):
                return True
        elif any(_holds_secret(arg, seen) for arg in get_args(kind)):
            return True
    return False


def _names_a_path(annotation: Any) -> bool:
    return any(
        (isinstance(kind, type) and issubclass(kind, PurePath))
        or any(_names_a_path(arg) for arg in get_args(kind))
        for kind in _unwrap(annotation)
    )


def _check_path(path: str) -> None:
    """:class:`ConfigError` unless ``path`` names a setting the API may change."""
    parts = path.split(".")
    annotation: Any = Settings
    for depth, part in enumerate(parts):
        kinds = _unwrap(annotation)
        model = next((k for k in kinds if _is_model(k)), None)
        mapping = next((k for k in kinds if get_origin(k) is dict), None)
        if part and model is not None and part in model.model_fields:
            annotation = model.model_fields[part].annotation
        elif part and mapping is not None and depth > 0:
            annotation = get_args(mapping)[1]
        else:
            raise ConfigError(
                f"unknown setting {path!r}",
                "name a setting by its dotted path, as GET /api/trading/config shows it",
            )
    if parts[0] in _FIXED_SECTIONS:
        raise ConfigError(
            f"{path!r} cannot be changed over the API",
            f"the {parts[0]} settings are the operator's: set them in the config file or "
            "environment and restart",
        )
    if (
        any(path == fixed or path.startswith(fixed + ".") for fixed in _FIXED_PATHS)
        or parts[-1].endswith(_ADDRESS_SUFFIXES)
        or _names_a_path(annotation)
    ):
        raise ConfigError(
            f"{path!r} names a file, folder or address and cannot be set over the API",
            "set it in the config file or environment and restart",
        )
    if _holds_secret(annotation):
        raise ConfigError(
            f"{path!r} is or holds a secret and cannot be set over the API",
            "set secrets in the environment or the config file",
        )


def _get(doc: Any, parts: Sequence[str]) -> Any:
    for part in parts:
        doc = doc.get(part) if isinstance(doc, dict) else None
    return doc


def _set(doc: dict[str, Any], parts: Sequence[str], value: Any) -> None:
    for part in parts[:-1]:
        child = doc.get(part)
        if not isinstance(child, dict):
            child = doc[part] = {}
        doc = child
    doc[parts[-1]] = value


def _one_line(exc: ValidationError, paths: Sequence[str]) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    named = next(
        (p for p in paths if p == where or p.startswith(f"{where}.") or where.startswith(f"{p}.")),
        where or paths[0],
    )
    got = repr(first.get("input"))
    shown = "" if isinstance(first.get("input"), dict) or len(got) > 80 else f" (got {got})"
    return f"bad value for {named}: {first['msg']}{shown}".replace("\n", " ")


class ConfigService:
    """The settings in effect over ``base`` and the audit trail in ``db`` (see the module
    docstring). Safe from any thread; updates are serialised."""

    def __init__(
        self, db: Engine, base: Settings, *, now: Callable[[], datetime] = utc_now
    ) -> None:
        self._db = db
        self._base = base
        self._now = now
        self._reader = Reader(db)
        self._lock = Lock()
        self._subscribers: list[Subscriber] = []
        self._last_id = 0
        self._effective = self._replay()

    @property
    def base(self) -> Settings:
        return self._base

    def effective(self) -> Settings:
        """The settings in effect now (built once per change, not per call)."""
        return self._effective

    def _build(self, doc: dict[str, Any]) -> Settings:
        return type(self._base).model_validate(doc)

    def _replay(self) -> Settings:
        rows = self._rows(select(ConfigChangeRow).order_by(ConfigChangeRow.id))
        if not rows:
            return self._base
        self._last_id = rows[-1].id
        doc = self._base.model_dump(mode="python")
        for row in rows:
            _set(doc, row.path.split("."), row.new.get("value"))
        try:
            return self._build(doc)
        except ValidationError:  # the base changed under the trail: keep what still holds
            return self._apply_each(self._base, rows)

    def _apply_each(self, settings: Settings, rows: Sequence[ConfigChangeRow]) -> Settings:
        """``rows`` applied one by one over ``settings``; one no longer valid is skipped
        (and logged) and the rest still apply."""
        for row in rows:
            doc = settings.model_dump(mode="python")
            _set(doc, row.path.split("."), row.new.get("value"))
            try:
                settings = self._build(doc)
            except ValidationError as exc:
                _log.warning(
                    "audited change no longer valid here: skipped",
                    change=row.id,
                    path=row.path,
                    why=_one_line(exc, [row.path]),
                )
        return settings

    def update(
        self,
        changes: Mapping[str, Any],
        actor: str,
        source: str,
        reason: str | None = None,
    ) -> list[ConfigChange]:
        """Apply ``changes`` (dotted path → JSON value) all together, audited; the
        changes made (none for values already in effect). :class:`ConfigError` names the
        first path refused or the first bad value, and nothing is changed."""
        if not changes:
            raise ConfigError("no changes given", 'send {"changes": {"section.name": value}}')
        paths = sorted(changes)
        for path in paths:
            _check_path(path)
        self.refresh()  # another process's changes first: each ``previous`` is the truth
        with self._lock:
            before = self._effective
            doc = before.model_dump(mode="python")
            for path in paths:
                _set(doc, path.split("."), changes[path])
            try:
                after = self._build(doc)
            except ValidationError as exc:
                raise ConfigError(
                    _one_line(exc, paths), "GET /api/trading/config shows the settings"
                ) from None
            old, new = before.model_dump(mode="json"), after.model_dump(mode="json")
            ts = to_utc(self._now())
            rows = [
                ConfigChangeRow(
                    ts=ts,
                    path=path,
                    previous={"value": _get(old, path.split("."))},
                    new={"value": _get(new, path.split(".")), "reason": reason},
                    actor=actor,
                    source=source,
                )
                for path in paths
                if _get(old, path.split(".")) != _get(new, path.split("."))
            ]
            if not rows:
                return []
            made = self._write(rows)
            self._effective = after
            self._last_id = max(self._last_id, *(change.id for change in made))
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(after, made)
            except Exception as exc:  # a listener's failure does not undo a committed change
                _log.error("config subscriber failed", exc_info=exc)
        return made

    def _write(self, rows: list[ConfigChangeRow]) -> list[ConfigChange]:
        try:
            with Session(self._db, expire_on_commit=False) as session, session.begin():
                session.add_all(rows)
        except SQLAlchemyError as exc:
            raise store_error(exc, self._db.url, "recording a configuration change") from exc
        return [_change(r) for r in rows]

    def _rows(self, query: Any) -> list[ConfigChangeRow]:
        with self._reader.session("reading the configuration audit") as session:
            return list(session.scalars(query))

    def refresh(self) -> list[ConfigChange]:
        """Apply the changes another process recorded since this one last looked (the CLI's
        ``config set`` beside a running server); subscribers hear of them. The changes
        taken in (none: nothing new). One indexed query when nothing is new."""
        query = select(ConfigChangeRow).order_by(ConfigChangeRow.id)
        with self._lock:
            rows = self._rows(query.where(ConfigChangeRow.id > self._last_id))
            if not rows:
                return []
            settings = self._apply_each(self._effective, rows)
            self._effective = settings
            self._last_id = rows[-1].id
            subscribers = list(self._subscribers)
        made = [_change(r) for r in rows]
        for callback in subscribers:
            try:
                callback(settings, made)
            except Exception as exc:
                _log.error("config subscriber failed", exc_info=exc)
        return made

    def changes(
        self, path_prefix: str | None = None, limit: int = 100, offset: int = 0
    ) -> Paged[ConfigChange]:
        """The audit trail, newest first; ``path_prefix`` keeps the paths that start with
        it (``risk.`` a section, ``risk.tier`` one setting)."""
        query = select(ConfigChangeRow).order_by(ConfigChangeRow.id.desc())
        if path_prefix:
            escaped = path_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(ConfigChangeRow.path.like(f"{escaped}%", escape="\\"))
        rows, total = self._reader.page(query, limit, offset, doing="reading the audit")
        return Paged([_change(r) for r in rows], total, limit, offset)

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback(settings, changes)`` after each committed update; the function
        returned unsubscribes."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe


def _change(row: ConfigChangeRow) -> ConfigChange:
    reason = row.new.get("reason")
    return ConfigChange(
        id=row.id,
        ts=to_utc(row.ts),
        path=row.path,
        previous=row.previous.get("value"),
        new=row.new.get("value"),
        actor=row.actor,
        source=row.source,
        reason=reason if isinstance(reason, str) else None,
    )
