"""Access tokens, the refresh cookie and its rotation, logout, CSRF: after a real passkey
login, against the real verification (the clock is the test's, nothing is patched)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path

import httpx
import pytest

from tests.api.auth_helpers import ORIGIN, Rig, bearer, open_rig
from tradebot.api.auth.cookies import CSRF_COOKIE, CSRF_HEADER, REFRESH_COOKIE
from tradebot.api.auth.tokens import TokenIssuer
from tradebot.testing.webauthn import SoftAuthenticator


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    with open_rig(tmp_path) as opened:
        yield opened


def _signed_in(rig: Rig) -> str:
    response = rig.register("alice")
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def _me(rig: Rig, token: str) -> httpx.Response:
    return rig.client.get("/api/auth/me", headers=bearer(token))


def _cookies(response: httpx.Response) -> dict[str, dict[str, str | bool]]:
    """Each Set-Cookie of ``response`` by name: its value and its attributes."""
    found: dict[str, dict[str, str | bool]] = {}
    for header in response.headers.get_list("set-cookie"):
        jar = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            attrs: dict[str, str | bool] = {"value": morsel.value}
            attrs.update({k: v for k, v in morsel.items() if v})
            found[name] = attrs
    return found


def _refresh_with(rig: Rig, token: str | None, csrf: str | None) -> httpx.Response:
    """POST /refresh with this cookie pair (the client's own jar left out)."""
    cookie = f"{REFRESH_COOKIE}={token}; {CSRF_COOKIE}={csrf}"
    return rig.client.post("/api/auth/refresh", headers={"Cookie": cookie, CSRF_HEADER: str(csrf)})


def _b64(data: dict[str, object]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_the_refresh_cookie_is_httponly_strict_and_scoped(rig: Rig) -> None:
    response = rig.register("alice")
    cookies = _cookies(response)
    refresh, csrf = cookies[REFRESH_COOKIE], cookies[CSRF_COOKIE]
    assert refresh["httponly"] is True and str(refresh["samesite"]).lower() == "strict"
    assert refresh["path"] == "/api/auth"
    assert "secure" not in refresh  # http://localhost: a Secure cookie would never return
    assert "httponly" not in csrf and str(csrf["samesite"]).lower() == "strict"
    assert refresh["value"] not in response.text  # the refresh token never in a body


def test_cookies_are_secure_behind_an_https_origin(tmp_path: Path) -> None:
    origin = "https://trade.example"
    with open_rig(tmp_path, public_origin=origin) as rig:
        key = SoftAuthenticator(origin=origin)
        response = rig.register("alice", key=key)
        assert response.status_code == 200, response.text
        cookies = _cookies(response)
        assert cookies[REFRESH_COOKIE]["secure"] is True
        assert cookies[CSRF_COOKIE]["secure"] is True


def test_refresh_rotates_the_cookie_and_gives_a_token_without_step_up(rig: Rig) -> None:
    _signed_in(rig)
    first = rig.refresh_cookie()
    refreshed = rig.refresh()
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["fresh_until"] is None
    assert rig.refresh_cookie() not in (None, first)
    assert _me(rig, refreshed.json()["access_token"]).status_code == 200
    assert rig.refresh().status_code == 200  # the new one rotates in its turn


def test_a_reused_refresh_token_revokes_its_whole_family(rig: Rig) -> None:
    _signed_in(rig)
    stolen, stolen_csrf = rig.refresh_cookie(), rig.client.cookies.get(CSRF_COOKIE)
    assert rig.refresh().status_code == 200  # the owner rotates
    current, current_csrf = rig.refresh_cookie(), rig.client.cookies.get(CSRF_COOKIE)
    rig.client.cookies.clear()
    replay = _refresh_with(rig, stolen, stolen_csrf)
    assert replay.status_code == 401 and "already used" in replay.json()["detail"]
    owner = _refresh_with(rig, current, current_csrf)
    assert owner.status_code == 401  # the family's current token died with it


def test_another_sign_in_survives_a_family_revoked(rig: Rig) -> None:
    _signed_in(rig)
    stolen, csrf = rig.refresh_cookie(), rig.client.cookies.get(CSRF_COOKIE)
    assert rig.refresh().status_code == 200
    assert rig.login().status_code == 200  # another device: a family of its own
    other, other_csrf = rig.refresh_cookie(), rig.client.cookies.get(CSRF_COOKIE)
    rig.client.cookies.clear()
    assert _refresh_with(rig, stolen, csrf).status_code == 401
    assert _refresh_with(rig, other, other_csrf).status_code == 200


def test_refresh_without_or_with_a_wrong_csrf_header_is_forbidden(rig: Rig) -> None:
    _signed_in(rig)
    assert rig.client.post("/api/auth/refresh").status_code == 403
    wrong = rig.client.post("/api/auth/refresh", headers={CSRF_HEADER: "0" * 64})
    assert wrong.status_code == 403
    assert rig.refresh().status_code == 200  # the refusals spent nothing


def test_a_planted_csrf_pair_does_not_match_the_refresh_token(rig: Rig) -> None:
    _signed_in(rig)
    token = rig.refresh_cookie()
    rig.client.cookies.clear()
    planted = rig.client.post(
        "/api/auth/refresh",
        headers={"Cookie": f"{REFRESH_COOKIE}={token}; {CSRF_COOKIE}=abc", CSRF_HEADER: "abc"},
    )
    assert planted.status_code == 403


def test_refresh_from_a_foreign_origin_is_forbidden(rig: Rig) -> None:
    _signed_in(rig)
    assert rig.refresh(Origin="https://evil.example").status_code == 403
    assert rig.refresh(Origin=ORIGIN).status_code == 200


def test_refresh_without_a_cookie_is_401(rig: Rig) -> None:
    assert rig.client.post("/api/auth/refresh").status_code == 401


def test_an_expired_refresh_token_is_refused(rig: Rig) -> None:
    _signed_in(rig)
    rig.clock.advance(seconds=rig.settings.api.refresh_ttl_s + 1)
    expired = rig.refresh()
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]


def test_logout_revokes_the_family_and_clears_the_cookies(rig: Rig) -> None:
    _signed_in(rig)
    token, csrf = rig.refresh_cookie(), rig.client.cookies.get(CSRF_COOKIE)
    out = rig.client.post("/api/auth/logout", headers={CSRF_HEADER: str(csrf)})
    assert out.status_code == 200 and out.json() == {"signed_out": True}
    assert rig.refresh_cookie() is None
    assert rig.client.post("/api/auth/refresh").status_code == 401
    assert _refresh_with(rig, token, csrf).status_code == 401


def test_logout_needs_the_csrf_header_when_a_cookie_is_sent(rig: Rig) -> None:
    _signed_in(rig)
    assert rig.client.post("/api/auth/logout").status_code == 403
    assert rig.refresh().status_code == 200


def test_an_expired_access_token_is_401(rig: Rig) -> None:
    token = _signed_in(rig)
    assert _me(rig, token).status_code == 200
    rig.clock.advance(seconds=rig.settings.api.access_ttl_s)
    expired = _me(rig, token)
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]


def test_a_tampered_access_token_is_401(rig: Rig) -> None:
    token = _signed_in(rig)
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "usr-someone-else"
    assert _me(rig, f"{header}.{_b64(claims)}.{signature}").status_code == 401
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    assert _me(rig, f"{header}.{payload}.{flipped}").status_code == 401


def test_an_alg_none_token_is_401(rig: Rig) -> None:
    token = _signed_in(rig)
    payload = token.split(".")[1]
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}."
    refused = _me(rig, unsigned)
    assert refused.status_code == 401 and "none" in refused.json()["detail"]


def test_a_token_signed_with_another_key_is_401(rig: Rig) -> None:
    _signed_in(rig)
    user = rig.rows.user_named("alice")
    assert user is not None
    other = TokenIssuer("another-secret-" + "z" * 40, rig.context.tokens.ttl)
    assert _me(rig, other.issue(user.id, rig.clock())).status_code == 401
    assert _me(rig, rig.context.tokens.issue(user.id, rig.clock())).status_code == 200


def test_a_disabled_users_tokens_stop_working_at_once(rig: Rig) -> None:
    token = _signed_in(rig)
    user = rig.rows.user_named("alice")
    assert user is not None
    rig.rows.set_disabled(user.id, True, rig.clock())
    assert _me(rig, token).status_code == 401
    assert rig.refresh().status_code == 401
    assert rig.login().status_code == 401
    rig.rows.set_disabled(user.id, False, rig.clock())
    assert rig.login().status_code == 200


def test_nothing_secret_reaches_the_logs(rig: Rig, capfd: pytest.CaptureFixture[str]) -> None:
    code = rig.code()
    response = rig.register("alice", code=code)
    refresh_token = rig.refresh_cookie()
    rotated = rig.refresh()
    out, err = capfd.readouterr()
    logged = out + err
    assert "user registered" in logged  # the log was captured
    for secret in (
        code,
        response.json()["access_token"],
        refresh_token,
        rotated.json()["access_token"],
        rig.refresh_cookie(),
    ):
        assert secret and secret not in logged


def test_a_sign_in_ends_refresh_ttl_after_the_login_however_often_it_rotates(rig: Rig) -> None:
    _signed_in(rig)
    ttl = rig.settings.api.refresh_ttl_s
    third = ttl // 3
    for rotation in (1, 2):
        rig.clock.advance(seconds=third)
        refreshed = rig.refresh()
        assert refreshed.status_code == 200, refreshed.text
        # the cookie lives as long as the family has left, not a whole ttl again
        assert int(_cookies(refreshed)[REFRESH_COOKIE]["max-age"]) == ttl - rotation * third
    rig.clock.advance(seconds=ttl - 2 * third)  # refresh_ttl_s after the login
    ended = rig.refresh()
    assert ended.status_code == 401 and "expired" in ended.json()["detail"]
    assert rig.login().status_code == 200  # a new login starts a new family
    assert rig.refresh().status_code == 200
