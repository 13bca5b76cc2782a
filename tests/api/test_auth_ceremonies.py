"""Passkey ceremonies end to end: a software authenticator answers the real options, and
py_webauthn verifies its answers for real (nothing is patched). The bad cases are made by
the authenticator's knobs: another origin, another RP id, no user verification, a clone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.auth_helpers import ORIGIN, Rig, open_rig
from tradebot.testing.webauthn import SoftAuthenticator


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    with open_rig(tmp_path) as opened:
        yield opened


def _detail(response: object) -> str:
    return str(response.json()["detail"])  # type: ignore[attr-defined]


def test_setup_is_required_until_the_first_user_registers_with_the_code(rig: Rig) -> None:
    assert rig.client.get("/api/auth/status").json()["setup_required"] is True
    registered = rig.register("alice")
    assert registered.status_code == 200, registered.text
    body = registered.json()
    assert body["user"]["name"] == "alice" and body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    assert rig.client.get("/api/auth/status").json()["setup_required"] is False
    me = rig.client.get("/api/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and len(me.json()["passkeys"]) == 1


def test_nobody_registers_without_a_valid_code(rig: Rig) -> None:
    body = {"name": "mallory", "display_name": "M", "code": "AAAA-BBBB-CCCC-DDDD"}
    refused = rig.client.post("/api/auth/register/begin", json=body)
    assert refused.status_code == 403
    assert set(refused.json()) == {"detail", "hint"} and refused.json()["hint"]
    missing = rig.client.post("/api/auth/register/begin", json={"name": "m", "display_name": "M"})
    assert missing.status_code == 422


def test_the_setup_code_works_once_and_a_second_user_needs_an_invitation(rig: Rig) -> None:
    setup = rig.code()
    assert rig.register("alice", code=setup).status_code == 200
    again = {"name": "bob", "display_name": "Bob", "code": setup}
    assert rig.client.post("/api/auth/register/begin", json=again).status_code == 403
    invitation = rig.code()  # a user exists now: an invitation
    bob = SoftAuthenticator(origin=ORIGIN)
    assert rig.register("bob", code=invitation, key=bob).status_code == 200
    reuse = {"name": "carol", "display_name": "Carol", "code": invitation}
    assert rig.client.post("/api/auth/register/begin", json=reuse).status_code == 403


def test_a_code_is_forgiving_about_case_and_dashes(rig: Rig) -> None:
    code = rig.code().lower().replace("-", " ")
    assert rig.register("alice", code=code).status_code == 200


def test_a_name_is_taken_once(rig: Rig) -> None:
    assert rig.register("alice").status_code == 200
    body = {"name": "Alice", "display_name": "Alice 2", "code": rig.code()}
    taken = rig.client.post("/api/auth/register/begin", json=body)
    assert taken.status_code == 409 and "taken" in _detail(taken)


def test_login_with_a_name_and_discoverable(rig: Rig) -> None:
    rig.register("alice")
    named = rig.login("alice")
    assert named.status_code == 200, named.text
    assert named.json()["user"]["name"] == "alice"
    discoverable = rig.login()
    assert discoverable.status_code == 200 and discoverable.json()["user"]["name"] == "alice"
    options = rig.begin_login("alice")["options"]
    assert options["userVerification"] == "required"
    assert [c["id"] for c in options["allowCredentials"]] == [rig.key.credentials[0].id]


def _allowed(rig: Rig, name: str) -> list[dict[str, Any]]:
    allowed: list[dict[str, Any]] = rig.begin_login(name)["options"]["allowCredentials"]
    return allowed


def _shape(descriptors: list[dict[str, Any]]) -> list[tuple[object, ...]]:
    """What a descriptor shows besides its id: its keys, type, id length and transports."""
    return [
        (sorted(d), d["type"], len(d["id"]), tuple(d.get("transports", []))) for d in descriptors
    ]


def test_an_unknown_name_gets_an_answer_shaped_like_a_real_one(rig: Rig) -> None:
    rig.register("alice")
    real, unknown = _allowed(rig, "alice"), _allowed(rig, "nobody")
    assert len(real) == len(unknown) == 1
    assert _shape(unknown) == _shape(real)
    assert unknown[0]["id"] != real[0]["id"]
    assert _allowed(rig, "nobody") == unknown  # the same stand-in on every call
    assert _allowed(rig, "somebody")[0]["id"] != unknown[0]["id"]  # one per name


def test_a_disabled_name_gets_a_stand_in_and_nobody_signs_in_with_it(rig: Rig) -> None:
    rig.register("alice")
    bob_key = SoftAuthenticator(origin=ORIGIN)
    rig.register("bob", key=bob_key)
    bob = rig.rows.user_named("bob")
    assert bob is not None
    real = _allowed(rig, "bob")
    rig.rows.set_disabled(bob.id, True, rig.clock())
    stand_in = _allowed(rig, "bob")
    assert _shape(stand_in) == _shape(real) and stand_in != real
    for name, key in (("bob", bob_key), ("nobody", rig.key)):
        begun = rig.begin_login(name)
        answer = key.get({**begun["options"], "allowCredentials": []})  # any key it holds
        body = {"ceremony_id": begun["ceremony_id"], "credential": answer}
        assert rig.client.post("/api/auth/login/complete", json=body).status_code == 401


@pytest.mark.parametrize(("algorithm", "attestation"), [("EdDSA", "none"), ("ES256", "packed")])
def test_other_algorithms_and_packed_self_attestation(
    rig: Rig, algorithm: str, attestation: str
) -> None:
    key = SoftAuthenticator(origin=ORIGIN, algorithm=algorithm, attestation=attestation)  # type: ignore[arg-type]
    assert rig.register("alice", key=key).status_code == 200
    assert rig.login(key=key).status_code == 200


def test_a_completed_challenge_cannot_be_replayed(rig: Rig) -> None:
    rig.register("alice")
    begun = rig.begin_login()
    body = {"ceremony_id": begun["ceremony_id"], "credential": rig.key.get(begun["options"])}
    assert rig.client.post("/api/auth/login/complete", json=body).status_code == 200
    replayed = rig.client.post("/api/auth/login/complete", json=body)
    assert replayed.status_code == 400 and "already" in _detail(replayed)
    resigned = {"ceremony_id": begun["ceremony_id"], "credential": rig.key.get(begun["options"])}
    assert rig.client.post("/api/auth/login/complete", json=resigned).status_code == 400


def test_a_failed_attempt_spends_the_challenge_too(rig: Rig) -> None:
    rig.register("alice")
    begun = rig.begin_login()
    bad = rig.key.get(begun["options"], origin="https://evil.example")
    first = rig.client.post(
        "/api/auth/login/complete", json={"ceremony_id": begun["ceremony_id"], "credential": bad}
    )
    assert first.status_code == 401
    good = rig.key.get(begun["options"])
    second = rig.client.post(
        "/api/auth/login/complete", json={"ceremony_id": begun["ceremony_id"], "credential": good}
    )
    assert second.status_code == 400


def test_an_expired_challenge_is_refused(rig: Rig) -> None:
    rig.register("alice")
    begun = rig.begin_login()
    rig.clock.advance(seconds=rig.settings.api.challenge_ttl_s + 1)
    body = {"ceremony_id": begun["ceremony_id"], "credential": rig.key.get(begun["options"])}
    expired = rig.client.post("/api/auth/login/complete", json=body)
    assert expired.status_code == 400 and "expired" in _detail(expired)


def test_an_expired_registration_ceremony_is_refused(rig: Rig) -> None:
    begun = rig.begin_register("alice")
    rig.clock.advance(seconds=rig.settings.api.challenge_ttl_s + 1)
    body = {"ceremony_id": begun["ceremony_id"], "credential": rig.key.create(begun["options"])}
    assert rig.client.post("/api/auth/register/complete", json=body).status_code == 400
    assert rig.rows.user_count() == 0


@pytest.mark.parametrize(
    ("knobs", "says"),
    [
        ({"origin": "https://evil.example"}, "origin"),
        ({"rp_id": "evil.example"}, "RP ID"),
        ({"user_verified": False}, "verif"),
        ({"user_present": False}, "present"),
    ],
)
def test_a_bad_assertion_is_refused(rig: Rig, knobs: dict[str, object], says: str) -> None:
    rig.register("alice")
    refused = rig.login(**knobs)
    assert refused.status_code == 401
    assert says.lower() in _detail(refused).lower()
    assert rig.login().status_code == 200  # the passkey itself still works


@pytest.mark.parametrize(
    ("knobs", "says"),
    [
        ({"origin": "https://evil.example"}, "origin"),
        ({"rp_id": "evil.example"}, "RP ID"),
        ({"user_verified": False}, "verif"),
    ],
)
def test_a_bad_registration_is_refused(rig: Rig, knobs: dict[str, object], says: str) -> None:
    refused = rig.register("alice", **knobs)
    assert refused.status_code == 400
    assert says.lower() in _detail(refused).lower()
    assert rig.rows.user_count() == 0


def test_a_cloned_authenticator_is_caught_by_its_sign_count(rig: Rig) -> None:
    rig.register("alice")
    clone = rig.key.clone()
    assert rig.login().status_code == 200  # the original moves the counter to 1
    cloned = rig.login(key=clone)  # the copy signs with 1 again
    assert cloned.status_code == 401
    assert "cloned" in _detail(cloned)
    assert rig.login().status_code == 200


def test_synced_passkeys_without_a_counter_sign_in_every_time(rig: Rig) -> None:
    key = SoftAuthenticator(origin=ORIGIN, counter=False)
    rig.register("alice", key=key)
    assert rig.login(key=key).status_code == 200
    assert rig.login(key=key).status_code == 200


def test_a_passkey_of_another_user_cannot_answer_a_named_login(rig: Rig) -> None:
    rig.register("alice")
    bob = SoftAuthenticator(origin=ORIGIN)
    rig.register("bob", key=bob)
    begun = rig.begin_login("alice")
    forged = bob.get({**begun["options"], "allowCredentials": []})
    body = {"ceremony_id": begun["ceremony_id"], "credential": forged}
    assert rig.client.post("/api/auth/login/complete", json=body).status_code == 401


def test_garbage_credentials_are_refused_without_a_server_error(rig: Rig) -> None:
    rig.register("alice")
    begun = rig.begin_login()
    credential = rig.key.get(begun["options"])
    credential["response"]["authenticatorData"] = "AAAA"
    body = {"ceremony_id": begun["ceremony_id"], "credential": credential}
    assert rig.client.post("/api/auth/login/complete", json=body).status_code == 401
    begun = rig.begin_register("bob", rig.code())
    created = rig.key.create(begun["options"])
    created["response"]["attestationObject"] = "oWNmbXRkbm9uZQ"
    body = {"ceremony_id": begun["ceremony_id"], "credential": created}
    assert rig.client.post("/api/auth/register/complete", json=body).status_code == 400
