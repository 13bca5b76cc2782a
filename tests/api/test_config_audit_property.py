"""Property 35 (seed 02): every configuration change, from the API or the command line, is
persisted with its previous value, its new value, its source, its actor and its time.

For any sequence of valid updates (a few numeric and boolean settings, values inside their
ranges, each update from ``api`` or ``cli`` by one of a few people, time moving on or
standing still between them), the ``api`` ones through the server's
:class:`ConfigService` and the ``cli`` ones through another on the same database (the CLI's
own process, as ``tradebot config set`` runs beside a server):

- the trail holds one row per effective change, in order, and nothing else: a value
  already in effect leaves no row;
- each row's ``previous`` is the value in effect just before it and ``new`` the value
  after, with the source, actor and reason given and the time of the update;
- times never go backwards along the trail;
- the server takes in the CLI's changes (``refresh``) and ends with the settings in effect;
- a fresh service on the same database (a restart) replays the trail over the base
  settings to the very settings in effect.

A temporary SQLite database, emptied before each example."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete

from tradebot.adapters.sql.api_models import ConfigChangeRow
from tradebot.config import Settings, load_settings
from tradebot.service.config_changes import ConfigChange, ConfigService
from tradebot.service.database import open_database

VALUES: dict[str, st.SearchStrategy[Any]] = {
    "notifications.telegram_per_hour": st.integers(0, 1000),
    "notifications.email_per_hour": st.integers(0, 1000),
    "notifications.retries": st.integers(0, 10),
    "notifications.weekly_digest": st.booleans(),
    "risk.max_open_positions": st.one_of(st.none(), st.integers(1, 30)),
    "risk.rules.gradual.enabled": st.booleans(),
    "learning.enabled": st.booleans(),
    "learning.learning_rate": st.sampled_from([0.01, 0.05, 0.1, 0.5, 1.0]),
    "strategy.threshold": st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.99]),
}


@dataclass(frozen=True)
class Step:
    changes: dict[str, Any]
    source: str
    actor: str
    reason: str | None
    wait: timedelta


STEPS = st.lists(
    st.builds(
        Step,
        changes=st.sets(st.sampled_from(sorted(VALUES)), min_size=1, max_size=3).flatmap(
            lambda paths: st.fixed_dictionaries({p: VALUES[p] for p in sorted(paths)})
        ),
        source=st.sampled_from(["api", "cli"]),
        actor=st.sampled_from(["alice", "bob", "root"]),
        reason=st.one_of(st.none(), st.sampled_from(["tuning", "incident 42"])),
        wait=st.sampled_from([timedelta(0), timedelta(seconds=1), timedelta(hours=3)]),
    ),
    min_size=1,
    max_size=8,
)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, 9, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Settings]]:
    path: Path = tmp_path_factory.mktemp("audit") / "audit.db"
    base = load_settings(store={"url": f"sqlite:///{path}"})
    db = open_database(base.store.url)
    try:
        yield db, base
    finally:
        db.dispose()


def _at(settings: Settings, path: str) -> Any:
    doc: Any = settings.model_dump(mode="json")
    for part in path.split("."):
        doc = doc[part]
    return doc


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=STEPS)
def test_every_change_is_on_the_trail_and_the_trail_replays_to_the_settings(
    database: tuple[Engine, Settings], steps: list[Step]
) -> None:
    db, base = database
    with db.begin() as connection:
        connection.execute(delete(ConfigChangeRow))
    clock = Clock()
    config = ConfigService(db, base, now=clock)  # the server's
    cli = ConfigService(db, base, now=clock)  # the command line's, another process
    expected: list[tuple[str, Any, Any, str, str, str | None, datetime]] = []
    for step in steps:
        clock.now += step.wait
        service = cli if step.source == "cli" else config
        service.refresh()
        before = service.effective()
        made = service.update(step.changes, step.actor, step.source, step.reason)
        after = service.effective()
        for path in sorted(step.changes):
            if _at(before, path) != _at(after, path):
                expected.append(
                    (
                        path,
                        _at(before, path),
                        _at(after, path),
                        step.actor,
                        step.source,
                        step.reason,
                        clock.now,
                    )
                )
            else:  # a value already in effect: no change, no row
                assert path not in {c.path for c in made}
        assert all(_at(after, p) == _at(before, p) for p in VALUES if p not in step.changes)

    trail: list[ConfigChange] = sorted(config.changes(limit=1000).items, key=lambda c: c.id)
    assert [(c.path, c.previous, c.new, c.actor, c.source, c.reason, c.ts) for c in trail] == (
        expected
    )
    assert all(a.ts <= b.ts for a, b in pairwise(trail))
    last: dict[str, Any] = {}
    for change in trail:  # each previous is the new of the row before it on that path
        assert change.previous == last.get(change.path, _at(base, change.path))
        last[change.path] = change.new

    config.refresh()
    restarted = ConfigService(db, base)
    assert restarted.effective() == config.effective()
    assert {p: _at(restarted.effective(), p) for p in VALUES} == {
        p: last.get(p, _at(base, p)) for p in VALUES
    }
