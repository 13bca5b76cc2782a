"""Settings: precedence, validation errors as one line, secrets masked."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tradebot.config import load_settings, mask_url, masked_dump
from tradebot.domain import ConfigError


def test_yaml_file_then_environment_override_the_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "bot.yaml"
    file.write_text("risk:\n  position_fraction: 0.05\n  max_open_positions: 3\n")
    monkeypatch.setenv("TRADEBOT_RISK__MAX_OPEN_POSITIONS", "4")
    settings = load_settings(file)
    assert settings.risk.position_fraction == Decimal("0.05")
    assert settings.risk.max_open_positions == 4
    assert settings.broker.initial_cash == Decimal(100_000)


def test_an_unknown_key_is_refused_with_its_path(tmp_path: Path) -> None:
    file = tmp_path / "bot.yaml"
    file.write_text("risk:\n  position_fractoin: 0.05\n")
    with pytest.raises(ConfigError) as info:
        load_settings(file)
    line = info.value.one_line()
    assert "risk.position_fractoin" in line
    assert "\n" not in line


def test_an_out_of_range_env_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADEBOT_RISK__POSITION_FRACTION", "2")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "TRADEBOT_RISK__POSITION_FRACTION" in info.value.hint


def test_bad_yaml_and_missing_file_are_one_line_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("risk: [unclosed\n")
    for path in (bad, tmp_path / "missing.yaml"):
        with pytest.raises(ConfigError) as info:
            load_settings(path)
        assert "\n" not in info.value.one_line()


def test_secrets_and_url_passwords_are_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADEBOT_BROKER__ALPACA_API_SECRET", "s3cr3t-value")
    monkeypatch.setenv("TRADEBOT_STORE__URL", "postgresql+psycopg://bot:hunter2@db:5432/bot")
    dumped = str(masked_dump(load_settings()))
    assert "s3cr3t-value" not in dumped
    assert "hunter2" not in dumped
    assert "**********" in dumped
    assert mask_url("redis://:pw@host:6379/0") == "redis://:pw@host:6379/0" or "pw" not in mask_url(
        "redis://user:pw@host:6379/0"
    )
