"""The risk section picks the decision stage: the autonomous engine by default, the reference
stage when asked or when one of its own settings is given; the engine's rules and tier."""

from __future__ import annotations

from decimal import Decimal

import pytest
import yaml

from tradebot.config import load_settings, masked_dump
from tradebot.domain.errors import ConfigError
from tradebot.risk import RiskConfig, TierName


def test_the_autonomous_engine_is_the_default_with_the_seed_rules() -> None:
    risk = load_settings().risk
    assert risk.engine == "autonomous"
    assert risk.risk_config() == RiskConfig()


@pytest.mark.parametrize(
    "given",
    [{"sizing": "all_in", "max_open_positions": 1}, {"position_fraction": "0.05"}],
)
def test_a_reference_setting_keeps_meaning_the_reference_stage(given: dict[str, object]) -> None:
    assert load_settings(risk=given).risk.engine == "reference"


def test_reference_settings_contradict_the_autonomous_engine_in_one_line() -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(risk={"engine": "autonomous", "sizing": "all_in"})
    line = info.value.one_line()
    assert "sizing" in line and "engine: reference" in line and "\n" not in line


def test_tier_rules_and_a_given_position_limit_reach_the_engine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRADEBOT_RISK__RULES__GRADUAL__ENABLED", "false")
    monkeypatch.setenv("TRADEBOT_RISK__RULES__SIZING__ABSOLUTE_POSITION_CAP", "5000")
    risk = load_settings(risk={"tier": "aggressive", "max_open_positions": 3}).risk
    config = risk.risk_config()
    assert config.tier is TierName.AGGRESSIVE
    assert config.portfolio.max_open_positions == 3
    assert not config.gradual.enabled
    assert config.sizing.absolute_position_cap == Decimal(5000)
    default = load_settings().risk.risk_config()
    assert default.portfolio.max_open_positions == 10  # not the reference stage's 8


def test_an_unknown_rule_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"risk\.rules\.gradual\.tranchez"):
        load_settings(risk={"rules": {"gradual": {"tranchez": 2}}})


def test_config_show_renders_the_rules_as_plain_yaml() -> None:
    text = yaml.safe_dump(masked_dump(load_settings()))
    shown = yaml.safe_load(text)["risk"]
    assert shown["engine"] == "autonomous"
    assert shown["rules"]["tiers"]["moderate"]["max_portfolio_heat"] == "0.10"
    assert shown["rules"]["breakers"]["daily_loss_cooldown"] == "1 day, 0:00:00"
