"""Audited configuration changes (seed 02, property 35): any sequence of valid updates
leaves an audit trail whose replay over the base settings is the settings in effect, and
each row's previous value is the value in effect before it. An update is all or nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count
from threading import Event
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tradebot.adapters.sql.api_models import ConfigChangeRow
from tradebot.config import Settings
from tradebot.domain.errors import ConfigError
from tradebot.service import Services
from tradebot.service.config_changes import ConfigChange, ConfigService

# Settings an operator tunes at run time, and values each accepts.
VALUES: dict[str, st.SearchStrategy[Any]] = {
    "risk.max_open_positions": st.one_of(st.none(), st.integers(1, 30)),
    "risk.tier": st.sampled_from([None, "conservative", "moderate", "aggressive"]),
    "risk.rules.gradual.enabled": st.booleans(),
    "notifications.telegram_per_hour": st.integers(0, 1000),
    "notifications.channels": st.lists(
        st.sampled_from(["log", "telegram", "email"]), unique=True, max_size=3
    ),
    "notifications.large_trade_pnl": st.decimals(0, 10_000, places=2).map(str),
    "learning.policy": st.sampled_from(["ema", "exp3", "thompson"]),
    "strategy.threshold": st.floats(0.0, 0.99),
    "broker.slippage_bps": st.decimals(0, 100, places=1).map(str),
}
UPDATES = st.lists(
    st.dictionaries(st.sampled_from(sorted(VALUES)), st.none(), min_size=1, max_size=3).flatmap(
        lambda keys: st.fixed_dictionaries({k: VALUES[k] for k in keys})
    ),
    min_size=1,
    max_size=6,
)


def _clock() -> Any:
    ticks = count()
    return lambda: datetime(2025, 1, 1, tzinfo=UTC) + timedelta(seconds=next(ticks))


def _at(settings: Settings, path: str) -> Any:
    doc: Any = settings.model_dump(mode="json")
    for part in path.split("."):
        doc = doc[part]
    return doc


def _replay(base: Settings, trail: list[ConfigChange]) -> Settings:
    doc = base.model_dump(mode="python")
    for change in sorted(trail, key=lambda c: c.id):
        *parents, leaf = change.path.split(".")
        node = doc
        for part in parents:
            node = node[part]
        node[leaf] = change.new
    return Settings.model_validate(doc)


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(updates=UPDATES)
def test_the_audit_trail_replays_to_the_settings_in_effect(
    services: Services, settings: Settings, updates: list[dict[str, Any]]
) -> None:
    config = ConfigService(services.db, settings, now=_clock())
    for update in updates:
        before = config.effective()
        made = config.update(update, "alice", "api", "property")
        after = config.effective()
        assert {c.path for c in made} == {p for p in update if _at(before, p) != _at(after, p)}
        for change in made:
            assert change.previous == _at(before, change.path)
            assert change.new == _at(after, change.path)
            assert (change.actor, change.source, change.reason) == ("alice", "api", "property")
    trail = list(config.changes(limit=500).items)
    assert _replay(settings, trail) == config.effective()
    assert ConfigService(services.db, settings).effective() == config.effective()


def test_an_update_is_all_or_nothing(services: Services, settings: Settings) -> None:
    config = ConfigService(services.db, settings)
    with pytest.raises(ConfigError) as refused:
        config.update(
            {"notifications.telegram_per_hour": 5, "risk.max_open_positions": 0}, "alice", "api"
        )
    assert "risk.max_open_positions" in refused.value.message
    assert "\n" not in refused.value.message
    assert config.effective() == settings
    with services.db.connect() as connection:
        assert connection.execute(select(func.count()).select_from(ConfigChangeRow)).scalar() == 0


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"risk.nope": 1}, "unknown setting 'risk.nope'"),
        ({"nope": 1}, "unknown setting 'nope'"),
        ({"risk.max_open_positions.x": 1}, "unknown setting 'risk.max_open_positions.x'"),
        ({"api.jwt_secret": "s" * 40}, "'api.jwt_secret' cannot be changed over the API"),
        ({"strategy.dir": "/tmp"}, "'strategy.dir' names a file, folder or address"),
        ({"live.alpaca_url": "http://x.invalid"}, "'live.alpaca_url' names a file, folder"),
        ({"broker.alpaca_api_key": "k"}, "'broker.alpaca_api_key' is or holds a secret"),
        ({"live": {}}, "'live' is or holds a secret"),
        ({"store.url": "sqlite://"}, "'store.url' cannot be changed"),
        ({"risk.tier": "reckless"}, "bad value for risk.tier"),
        (
            {"notifications.daily_summary_at": "25:00"},
            "bad value for notifications.daily_summary_at",
        ),
        ({"risk.position_fraction": "0.05"}, "bad value for risk.position_fraction"),
    ],
)
def test_a_refused_change_is_one_line_naming_its_path(
    services: Services, settings: Settings, changes: dict[str, Any], named: str
) -> None:
    config = ConfigService(services.db, settings)
    with pytest.raises(ConfigError) as refused:
        config.update(changes, "alice", "api")
    assert named in refused.value.message and "\n" not in refused.value.one_line()
    assert config.effective() == settings


def test_a_value_already_in_effect_is_no_change(services: Services, settings: Settings) -> None:
    config = ConfigService(services.db, settings)
    assert config.update({"notifications.telegram_per_hour": 10}, "alice", "api") == []
    assert config.changes().total == 0


def test_subscribers_hear_of_each_committed_update(services: Services, settings: Settings) -> None:
    config = ConfigService(services.db, settings)
    heard: list[tuple[Settings, list[str]]] = []
    stop = config.subscribe(lambda s, made: heard.append((s, [c.path for c in made])))
    config.update({"risk.tier": "aggressive"}, "alice", "api")
    with pytest.raises(ConfigError):
        config.update({"risk.tier": "reckless"}, "alice", "api")
    stop()
    config.update({"risk.tier": "moderate"}, "alice", "api")
    assert len(heard) == 1 and heard[0][1] == ["risk.tier"]
    assert heard[0][0].risk.tier is not None and heard[0][0].risk.tier.value == "aggressive"


def test_the_audit_is_filtered_by_path_prefix_newest_first(
    services: Services, settings: Settings
) -> None:
    config = ConfigService(services.db, settings, now=_clock())
    config.update({"risk.tier": "aggressive"}, "alice", "api")
    config.update({"notifications.weekly_digest": False}, "bob", "api")
    config.update({"risk.max_open_positions": 4}, "alice", "api")
    risk = config.changes("risk.")
    assert risk.total == 2 and [c.path for c in risk.items] == [
        "risk.max_open_positions",
        "risk.tier",
    ]
    assert [c.actor for c in config.changes().items] == ["alice", "bob", "alice"]


def test_a_running_server_takes_in_a_change_made_beside_it(
    services: Services, settings: Settings
) -> None:
    """``tradebot config set`` writes from its own process: the server's refresher applies
    it and its subscribers (the engine host, the notifier) hear of it; the server's next
    update records the CLI's value as the previous one."""
    heard: list[list[str]] = []
    services.config.subscribe(lambda s, made: heard.append([c.path for c in made]))
    cli = ConfigService(services.db, settings)
    cli.update({"notifications.telegram_per_hour": 7}, "root", "cli", "quieter")
    deadline = datetime.now(UTC) + timedelta(seconds=20)
    while services.config.effective().notifications.telegram_per_hour != 7:
        assert datetime.now(UTC) < deadline, "the server never took the change in"
        Event().wait(0.05)
    assert heard == [["notifications.telegram_per_hour"]]
    (made,) = services.config.update({"notifications.telegram_per_hour": 9}, "alice", "api")
    assert (made.previous, made.new) == (7, 9)
