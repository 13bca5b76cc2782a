"""``tradebot users`` as a user runs it (a fresh process on a database file), and what
``tradebot serve`` decides before it listens: the JWT secret, the exposure warning, the
setup code."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.auth_helpers import Rig, bearer, open_rig
from tests.e2e.cli import run_tradebot
from tradebot.api.server import build_app, jwt_secret, setup_code
from tradebot.cli.serve_commands import exposure_warning
from tradebot.config import load_settings
from tradebot.domain.errors import ConfigError

CODE = re.compile(r"[A-Z2-7]{4}(?:-[A-Z2-7]{4}){3}")


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    with open_rig(tmp_path) as opened:
        yield opened


def _db(rig: Rig) -> Path:
    return Path(rig.settings.store.url.removeprefix("sqlite:///"))


def test_users_invite_prints_the_setup_code_then_invitations(rig: Rig, tmp_path: Path) -> None:
    first = run_tradebot("users", "invite", db=_db(rig), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "setup code" in first.stdout
    code = CODE.search(first.stdout)
    assert code is not None
    assert rig.register("alice", code=code.group(0)).status_code == 200
    second = run_tradebot("users", "invite", db=_db(rig), cwd=tmp_path)
    assert "invitation" in second.stdout and CODE.search(second.stdout)


def test_users_list_disable_and_passkeys(rig: Rig, tmp_path: Path) -> None:
    token = rig.register("alice").json()["access_token"]
    listed = run_tradebot("users", "list", db=_db(rig), cwd=tmp_path)
    assert listed.returncode == 0 and "alice" in listed.stdout and "active" in listed.stdout
    keys = run_tradebot("users", "passkeys", "alice", db=_db(rig), cwd=tmp_path)
    assert rig.key.credentials[0].id in keys.stdout
    disabled = run_tradebot("users", "disable", "alice", db=_db(rig), cwd=tmp_path)
    assert disabled.returncode == 0, disabled.stderr
    assert rig.client.get("/api/auth/me", headers=bearer(token)).status_code == 401
    assert rig.refresh().status_code == 401


def test_users_revoke_passkey_keeps_the_last_one(rig: Rig, tmp_path: Path) -> None:
    rig.register("alice")
    only = rig.key.credentials[0].id
    refused = run_tradebot("users", "revoke-passkey", "alice", only, db=_db(rig), cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "last passkey" in refused.stderr
    unknown = run_tradebot("users", "disable", "nobody", db=_db(rig), cwd=tmp_path)
    assert unknown.returncode == 2 and "no user named" in unknown.stderr


def test_the_secret_is_the_configured_one_or_a_random_one_in_development() -> None:
    configured = load_settings(api={"jwt_secret": "k" * 40})
    assert jwt_secret(configured.api) == "k" * 40
    development = load_settings()
    assert jwt_secret(development.api) != jwt_secret(development.api)


def test_a_short_secret_outside_development_reads_as_one_line() -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(api={"environment": "production", "jwt_secret": "changeme"})
    line = refused.value.one_line()
    assert "api.jwt_secret" in line and "TRADEBOT_API__JWT_SECRET" in line
    assert "changeme" not in line and "Value error" not in line


def test_listening_beyond_loopback_without_https_warns() -> None:
    assert exposure_warning(load_settings().api) is None
    exposed = load_settings(api={"host": "0.0.0.0"})
    assert "in clear" in str(exposure_warning(exposed.api))
    behind_tls = load_settings(api={"host": "0.0.0.0", "public_origin": "https://t.example"})
    assert exposure_warning(behind_tls.api) is None


def test_build_app_gives_a_setup_code_only_while_nobody_is_registered(tmp_path: Path) -> None:
    settings = load_settings(
        store={"url": f"sqlite:///{tmp_path / 'b.db'}"},
        api={"jwt_secret": "b" * 40, "engine": "none"},
    )
    app = build_app(settings, start_engine=False)
    try:
        issued = setup_code(app)
        assert issued is not None and issued.kind == "setup"
        rows = app.state.auth_service.rows
        rows.add_user("alice", "Alice", issued.expires_at)
        assert setup_code(app) is None
    finally:
        app.state.services.close()


def test_serve_without_the_api_extra_is_one_line(tmp_path: Path) -> None:
    blocked = "import sys; sys.modules['uvicorn'] = None; from tradebot.cli import main; main()"
    env = {**os.environ, "TRADEBOT_STORE__URL": f"sqlite:///{tmp_path / 'x.db'}"}
    ran = subprocess.run(
        [sys.executable, "-c", blocked, "serve"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 2
    assert ran.stderr.count("\n") == 1 and "pip install 'tradebot[api]'" in ran.stderr
