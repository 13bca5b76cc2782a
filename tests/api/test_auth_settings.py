"""The API settings that guard sign-ins: a JWT secret that is set must be strong in every
environment (unset stays allowed in development: a random one per process), CORS never
admits ``*`` (credentials are on), and forwarded headers are believed only from the
configured proxies. Each refusal is one :class:`ConfigError` line from ``load_settings``."""

from __future__ import annotations

from typing import Any

import pytest

from tradebot.cli.serve_commands import trusted_proxies
from tradebot.config import load_settings
from tradebot.domain import ConfigError


def _refusal(**api: Any) -> str:
    with pytest.raises(ConfigError) as refused:
        load_settings(api=api)
    line = refused.value.one_line()
    assert "\n" not in line and "Value error" not in line
    return line


@pytest.mark.parametrize("environment", ["development", "production"])
@pytest.mark.parametrize("secret", ["changeme", "secret", "tradebot", "short-" + "x" * 20])
def test_a_default_or_short_secret_is_refused_in_every_environment(
    environment: str, secret: str
) -> None:
    line = _refusal(environment=environment, jwt_secret=secret, host="0.0.0.0")
    assert "api.jwt_secret" in line and "TRADEBOT_API__JWT_SECRET" in line
    assert "at least 32 bytes" in line
    assert "(got" not in line and f"'{secret}'" not in line  # the value is never echoed


def test_an_unset_secret_is_allowed_in_development_only() -> None:
    assert load_settings().api.jwt_secret is None
    assert load_settings(api={"jwt_secret": ""}).api.jwt_secret is not None  # empty = unset
    assert "api.jwt_secret" in _refusal(environment="production")


def test_a_long_random_secret_is_accepted_everywhere() -> None:
    for environment in ("development", "production"):
        api = load_settings(api={"environment": environment, "jwt_secret": "r" * 40}).api
        assert api.jwt_secret is not None and api.jwt_secret.get_secret_value() == "r" * 40


@pytest.mark.parametrize("origins", [["*"], ["https://app.example", " * "]])
def test_a_wildcard_cors_origin_is_refused(origins: list[str]) -> None:
    line = _refusal(cors_origins=origins)
    assert "api.cors_origins" in line and "'*' is not allowed" in line


def test_exact_cors_origins_are_kept() -> None:
    api = load_settings(api={"cors_origins": ["https://app.example"]}).api
    assert api.cors_origins == ("https://app.example",)


def test_forwarded_headers_are_believed_only_from_the_configured_proxies() -> None:
    assert load_settings().api.trusted_proxies == ()
    assert trusted_proxies(load_settings().api) is None  # uvicorn's proxy_headers is off then
    behind = load_settings(api={"trusted_proxies": ["10.0.0.5", "10.0.0.6"]}).api
    assert trusted_proxies(behind) == "10.0.0.5,10.0.0.6"
