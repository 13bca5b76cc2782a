"""``tradebot config set`` and ``config history``, run in process through the real command
line (``tradebot.cli.main``) on a SQLite file: changes go through the audited
``ConfigService`` as the CLI's (source ``cli``, the OS user), a bad path or value or a
secret is one line and exit code 2, and the history shows the trail newest first, as a
table or as JSON lines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli_in_process import run_main
from tradebot.cli.config_commands import parse_assignment
from tradebot.config import load_settings
from tradebot.service.config_changes import ConfigService
from tradebot.service.database import open_database


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "bot.db"
    for name in ("TRADEBOT_CONFIG", "TRADEBOT_RISK__TIER", "TRADEBOT_RISK__MAX_OPEN_POSITIONS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TRADEBOT_STORE__URL", f"sqlite:///{path}")
    monkeypatch.setenv("COLUMNS", "250")  # one table row per line
    monkeypatch.setenv("USER", "olivia")
    monkeypatch.setenv("LOGNAME", "olivia")
    return path


def _trail(db: Path) -> list[Any]:
    settings = load_settings(store={"url": f"sqlite:///{db}"})
    return list(ConfigService(open_database(settings.store.url), settings).changes().items)


def test_set_changes_settings_through_the_audit(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_main(
        capsys,
        "config",
        "set",
        "risk.max_open_positions=4",
        "risk.tier=aggressive",
        "notifications.channels=[log, email]",
        "--reason",
        "more room",
    )
    assert code == 0, err
    assert "risk.max_open_positions" in out and "aggressive" in out
    trail = _trail(db)
    assert {c.path: c.new for c in trail} == {
        "risk.max_open_positions": 4,
        "risk.tier": "aggressive",
        "notifications.channels": ["log", "email"],
    }
    assert {(c.actor, c.source, c.reason) for c in trail} == {("olivia", "cli", "more room")}
    again, out, _ = run_main(capsys, "config", "set", "risk.tier=aggressive")
    assert again == 0 and "no change" in out and len(_trail(db)) == 3


@pytest.mark.parametrize(
    ("assignment", "named"),
    [
        ("risk.nope=1", "unknown setting 'risk.nope'"),
        ("risk.max_open_positions=0", "bad value for risk.max_open_positions"),
        ("broker.alpaca_api_key=PKLIVE123", "'broker.alpaca_api_key' is or holds a secret"),
        ("store.url=sqlite://", "'store.url' cannot be changed"),
        ("risk.tier", "expected PATH=VALUE"),
        ("risk.tier=[unclosed", "cannot read the value of risk.tier"),
    ],
)
def test_a_refused_change_is_one_line_and_exit_2(
    db: Path, capsys: pytest.CaptureFixture[str], assignment: str, named: str
) -> None:
    code, out, err = run_main(capsys, "config", "set", "risk.tier=moderate", assignment)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: ") and named in err
    assert "Traceback" not in out + err and "PKLIVE123" not in out + err
    assert _trail(db) == []  # all of an update or none of it


def test_history_newest_first_filtered_and_as_json(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for assignment in ("risk.tier=aggressive", "notifications.weekly_digest=false"):
        assert run_main(capsys, "config", "set", assignment)[0] == 0
    assert run_main(capsys, "config", "set", "risk.tier=moderate", "--reason", "calmer")[0] == 0

    code, out, _ = run_main(capsys, "config", "history")
    assert code == 0
    rows = [line for line in out.splitlines() if "risk.tier" in line or "weekly" in line]
    assert ["moderate" in rows[0], "weekly_digest" in rows[1], "aggressive" in rows[2]] == [
        True
    ] * 3
    assert '"aggressive" → "moderate"' in rows[0] and "calmer" in rows[0]
    assert "olivia" in rows[0] and "cli" in rows[0]

    code, out, _ = run_main(capsys, "config", "history", "--path", "risk.", "--json")
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["new"] for r in records] == ["moderate", "aggressive"]
    assert records[0]["previous"] == "aggressive" and records[1]["previous"] is None
    assert set(records[0]) == {"id", "ts", "path", "previous", "new", "actor", "source", "reason"}
    assert records[0]["ts"] >= records[1]["ts"] and records[0]["ts"].endswith("+00:00")

    code, out, _ = run_main(capsys, "config", "history", "--limit", "1", "--json")
    assert code == 0 and len(out.splitlines()) == 1


def test_history_of_an_empty_trail_says_so(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "config", "history")
    assert code == 0 and out.strip() == "no configuration changes recorded"
    code, out, _ = run_main(capsys, "config", "history", "--json")
    assert code == 0 and out == ""


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("a.b=5", 5),
        ("a.b=0.25", 0.25),
        ("a.b=true", True),
        ("a.b=null", None),
        ("a.b=", None),
        ("a.b=moderate", "moderate"),
        ("a.b=yes", "yes"),  # YAML 1.1 booleans stay text
        ("a.b=21:30", "21:30"),  # not a sexagesimal number
        ("a.b=2025-01-31", "2025-01-31"),  # not a date object
        ("a.b=010", 10),
        ("a.b=[log, telegram]", ["log", "telegram"]),
        ('a.b=["log"]', ["log"]),
        ('a.b="5"', "5"),
        ("a.b={x: 1}", {"x": 1}),
    ],
)
def test_values_read_as_yaml_scalars_or_json(text: str, value: Any) -> None:
    assert parse_assignment(text) == ("a.b", value)
