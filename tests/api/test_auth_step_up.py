"""Step-up and what it guards: adding or revoking a passkey and inviting someone need a
passkey assertion from the last ``api.step_up_s`` seconds; a stale token gets 403 until
the user proves presence again. Also: naming passkeys, the last one kept, /me."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.auth_helpers import ORIGIN, Rig, bearer, open_rig
from tradebot.api.deps import STEP_UP_REQUIRED
from tradebot.testing.webauthn import SoftAuthenticator, b64url


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    with open_rig(tmp_path) as opened:
        yield opened


def _stale_token(rig: Rig) -> str:
    """A valid access token whose step-up has lapsed (signed in a while ago)."""
    response = rig.register("alice")
    assert response.status_code == 200, response.text
    rig.clock.advance(seconds=rig.settings.api.step_up_s + 1)
    token: str = response.json()["access_token"]
    return token


def _add_passkey(rig: Rig, token: str, key: SoftAuthenticator, name: str) -> httpx.Response:
    begun = rig.client.post("/api/auth/passkeys/begin", headers=bearer(token))
    assert begun.status_code == 200, begun.text
    credential = key.create(begun.json()["options"])
    body = {"ceremony_id": begun.json()["ceremony_id"], "credential": credential, "name": name}
    return rig.client.post("/api/auth/passkeys/complete", json=body, headers=bearer(token))


def test_a_login_is_fresh_for_the_step_up_window(rig: Rig) -> None:
    token = rig.register("alice").json()["access_token"]
    assert rig.client.post("/api/auth/passkeys/begin", headers=bearer(token)).status_code == 200


def test_adding_a_passkey_without_a_fresh_assertion_is_403(rig: Rig) -> None:
    stale = _stale_token(rig)
    refused = rig.client.post("/api/auth/passkeys/begin", headers=bearer(stale))
    assert refused.status_code == 403
    assert refused.headers["X-Tradebot-Error"] == STEP_UP_REQUIRED
    assert rig.client.get("/api/auth/me", headers=bearer(stale)).status_code == 200


def test_step_up_then_adding_a_passkey_works(rig: Rig) -> None:
    stale = _stale_token(rig)
    stepped = rig.step_up(stale)
    assert stepped.status_code == 200, stepped.text
    fresh = stepped.json()["access_token"]
    assert stepped.json()["fresh_until"] is not None
    laptop = SoftAuthenticator(origin=ORIGIN)
    added = _add_passkey(rig, fresh, laptop, "laptop")
    assert added.status_code == 201, added.text
    assert added.json()["name"] == "laptop"
    assert rig.login(key=laptop).status_code == 200  # the new passkey signs in
    names = [
        p["name"] for p in rig.client.get("/api/auth/me", headers=bearer(fresh)).json()["passkeys"]
    ]
    assert names == ["passkey", "laptop"]


def test_a_refreshed_token_is_not_fresh(rig: Rig) -> None:
    rig.register("alice")
    refreshed = rig.refresh().json()["access_token"]
    assert rig.client.post("/api/auth/invites", headers=bearer(refreshed)).status_code == 403


def test_step_up_takes_only_the_users_own_passkey(rig: Rig) -> None:
    stale = _stale_token(rig)
    mallory = SoftAuthenticator(origin=ORIGIN)
    rig.register("mallory", key=mallory)
    begun = rig.client.post("/api/auth/step-up/begin", headers=bearer(stale)).json()
    forged = mallory.get({**begun["options"], "allowCredentials": []})
    body = {"ceremony_id": begun["ceremony_id"], "credential": forged}
    refused = rig.client.post("/api/auth/step-up/complete", json=body, headers=bearer(stale))
    assert refused.status_code == 401


def test_step_up_needs_a_token(rig: Rig) -> None:
    rig.register("alice")
    assert rig.client.post("/api/auth/step-up/begin").status_code == 401


def test_a_revoked_passkey_cannot_sign_in(rig: Rig) -> None:
    token = rig.register("alice").json()["access_token"]
    phone = SoftAuthenticator(origin=ORIGIN)
    assert _add_passkey(rig, token, phone, "phone").status_code == 201
    first = rig.key.credentials[0].id
    revoked = rig.client.delete(f"/api/auth/passkeys/{first}", headers=bearer(token))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    refused = rig.login()
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    assert rig.login(key=phone).status_code == 200


def test_the_last_passkey_is_never_revoked(rig: Rig) -> None:
    token = rig.register("alice").json()["access_token"]
    only = rig.key.credentials[0].id
    refused = rig.client.delete(f"/api/auth/passkeys/{only}", headers=bearer(token))
    assert refused.status_code == 409 and refused.json()["hint"]
    assert rig.login().status_code == 200


def test_revoking_needs_a_fresh_assertion(rig: Rig) -> None:
    stale = _stale_token(rig)
    only = rig.key.credentials[0].id
    assert rig.client.delete(f"/api/auth/passkeys/{only}", headers=bearer(stale)).status_code == 403


def test_renaming_a_passkey_and_someone_elses(rig: Rig) -> None:
    token = rig.register("alice").json()["access_token"]
    mine = rig.key.credentials[0].id
    renamed = rig.client.patch(
        f"/api/auth/passkeys/{mine}", json={"name": "yubikey"}, headers=bearer(token)
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "yubikey"
    bob_key = SoftAuthenticator(origin=ORIGIN)
    rig.register("bob", key=bob_key)
    theirs = bob_key.credentials[0].id
    other = rig.client.patch(
        f"/api/auth/passkeys/{theirs}", json={"name": "mine now"}, headers=bearer(token)
    )
    assert other.status_code == 404
    assert (
        rig.client.delete(f"/api/auth/passkeys/{theirs}", headers=bearer(token)).status_code == 404
    )


def test_me_shows_no_key_material(rig: Rig) -> None:
    token = rig.register("alice").json()["access_token"]
    me = rig.client.get("/api/auth/me", headers=bearer(token))
    assert me.status_code == 200
    passkey = me.json()["passkeys"][0]
    assert set(passkey) == {
        "id",
        "name",
        "created_at",
        "last_used_at",
        "revoked_at",
        "backed_up",
        "aaguid",
        "transports",
    }
    assert me.json()["fresh_until"] is not None


def test_an_invitation_is_a_step_up_action_and_registers_one_person(rig: Rig) -> None:
    stale = _stale_token(rig)
    assert rig.client.post("/api/auth/invites", headers=bearer(stale)).status_code == 403
    fresh = rig.step_up(stale).json()["access_token"]
    invited = rig.client.post("/api/auth/invites", headers=bearer(fresh))
    assert invited.status_code == 201 and invited.json()["kind"] == "invite"
    code = invited.json()["code"]
    bob = SoftAuthenticator(origin=ORIGIN)
    assert rig.register("bob", code=code, key=bob).status_code == 200
    again = {"name": "carol", "display_name": "Carol", "code": code}
    assert rig.client.post("/api/auth/register/begin", json=again).status_code == 403


def test_an_invitation_expires(rig: Rig) -> None:
    token = rig.register("alice").json()["access_token"]
    code = rig.client.post("/api/auth/invites", headers=bearer(token)).json()["code"]
    rig.clock.advance(seconds=rig.settings.api.setup_code_ttl_s + 1)
    body = {"name": "bob", "display_name": "Bob", "code": code}
    assert rig.client.post("/api/auth/register/begin", json=body).status_code == 403


def _same_credential_for(
    begun: dict[str, Any], registered: dict[str, Any], origin: str = ORIGIN
) -> dict[str, Any]:
    """The authenticator's answer ``registered`` (attestation ``none``: nothing in it is
    signed but the client data's hash) re-addressed to another ceremony's challenge: the
    same credential id and key registering a second time."""
    client_data = {
        "type": "webauthn.create",
        "challenge": begun["options"]["challenge"],
        "origin": origin,
        "crossOrigin": False,
    }
    encoded = b64url(json.dumps(client_data, separators=(",", ":")).encode())
    return {**registered, "response": {**registered["response"], "clientDataJSON": encoded}}


def test_one_credential_completing_two_add_passkey_ceremonies_is_stored_once(rig: Rig) -> None:
    """Both ceremonies begun before either completes (as two racing requests are): the
    second completion finds the credential stored and answers 409, not a server error."""
    fresh = rig.register("alice").json()["access_token"]
    begins = [rig.client.post("/api/auth/passkeys/begin", headers=bearer(fresh)) for _ in "ab"]
    first, second = (b.json() for b in begins)
    laptop = SoftAuthenticator(origin=ORIGIN)
    registered = laptop.create(first["options"])
    bodies = [
        {"ceremony_id": first["ceremony_id"], "credential": registered, "name": "laptop"},
        {
            "ceremony_id": second["ceremony_id"],
            "credential": _same_credential_for(second, registered),
            "name": "laptop again",
        },
    ]
    answers = [
        rig.client.post("/api/auth/passkeys/complete", json=b, headers=bearer(fresh))
        for b in bodies
    ]
    assert [a.status_code for a in answers] == [201, 409], answers[1].text
    assert set(answers[1].json()) == {"detail", "hint"}
    assert "registered already" in answers[1].json()["detail"]
    stored = rig.rows.passkey(laptop.credentials[0].id)
    assert stored is not None and stored.name == "laptop"


def test_storing_a_credential_id_twice_says_so_instead_of_raising(rig: Rig) -> None:
    """The row layer under the 409 above: the primary key decides, so of two completions
    racing past every check with one credential, the second is told, not a 500."""
    rig.register("alice")
    existing = rig.rows.passkey(rig.key.credentials[0].id)
    assert existing is not None
    again = dataclasses.replace(existing, name="the same credential", created_at=rig.clock())
    assert rig.rows.add_passkey(again) is False
    kept = rig.rows.passkey(existing.id)
    assert kept is not None and kept.name == existing.name
