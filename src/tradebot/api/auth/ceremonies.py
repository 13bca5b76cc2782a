"""WebAuthn ceremonies on py_webauthn: options out, responses verified, challenges kept.

Every ceremony begins with a challenge stored server-side (``api_challenges``) under a
ceremony id and ends by taking it: single use (a second completion of the same ceremony
fails, whatever happened to the first) and expiring (``api.challenge_ttl_s``). User
verification is required in every ceremony (a PIN or biometric, not just a touch). The RP
id is ``api.rp_id`` or the host of ``api.public_origin``; the only origin accepted is
``api.public_origin``.

Sign counts: the library's own count check runs before it checks the signature; here the
count is compared after the signature verified (the library is handed 0 and checks all the
rest), so "may be cloned" is only said of an assertion the passkey really signed, and the
new count is stored only if the count read is still the one stored (two assertions racing
with one count cannot both pass).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlsplit

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from tradebot.adapters.sql.auth_rows import AuthRows, ChallengeRecord, PasskeyRecord
from tradebot.api.auth.errors import AuthError
from tradebot.config import ApiSettings

__all__ = ["Begun", "Ceremonies", "Purpose", "RelyingParty", "StandIn"]

Purpose = Literal["register", "login", "step_up", "add_passkey"]
_TRANSPORTS = {t.value for t in AuthenticatorTransport}
_AGAIN = "begin the ceremony again"


@dataclass(frozen=True, slots=True)
class RelyingParty:
    """Who the passkeys are for: the RP id they are scoped to and the one origin allowed."""

    rp_id: str
    name: str
    origin: str

    @classmethod
    def of(cls, api: ApiSettings) -> RelyingParty:
        origin = api.public_origin.rstrip("/")
        return cls(api.rp_id or urlsplit(origin).hostname or "localhost", api.rp_name, origin)


@dataclass(frozen=True, slots=True)
class Begun:
    """A ceremony begun: its id (send it back with the response) and the browser's options."""

    ceremony_id: str
    options: dict[str, Any]
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Asserted:
    """A verified assertion: which passkey signed, and the counter it moved to."""

    passkey: PasskeyRecord
    sign_count: int


@dataclass(frozen=True, slots=True)
class StandIn:
    """A credential descriptor naming no real passkey: what a login for an unknown or
    disabled name lists, shaped like a real one, so the options do not tell who exists."""

    id: str
    """A credential id, base64url."""
    transports: list[str]


def _descriptors(
    passkeys: Sequence[PasskeyRecord | StandIn],
) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(
            id=base64url_to_bytes(p.id),
            transports=[AuthenticatorTransport(t) for t in p.transports if t in _TRANSPORTS],
        )
        for p in passkeys
    ]


class Ceremonies:
    def __init__(
        self,
        rows: AuthRows,
        party: RelyingParty,
        ttl: timedelta,
        now: Callable[[], datetime],
    ) -> None:
        self._rows = rows
        self._party = party
        self._ttl = ttl
        self._now = now

    @property
    def party(self) -> RelyingParty:
        return self._party

    # -- registration ---------------------------------------------------------------------

    def begin_registration(
        self,
        purpose: Purpose,
        *,
        user_id: str,
        name: str,
        display_name: str,
        exclude: Sequence[PasskeyRecord] = (),
        payload: dict[str, Any] | None = None,
    ) -> Begun:
        options = generate_registration_options(
            rp_id=self._party.rp_id,
            rp_name=self._party.name,
            user_name=name,
            user_id=user_id.encode(),
            user_display_name=display_name,
            timeout=int(self._ttl.total_seconds() * 1000),
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.REQUIRED,
                user_verification=UserVerificationRequirement.REQUIRED,
            ),
            exclude_credentials=_descriptors(exclude),
        )
        return self._store(purpose, options_to_json(options), options.challenge, user_id, payload)

    def finish_registration(
        self, ceremony_id: str, purpose: Purpose, credential: dict[str, Any], passkey_name: str
    ) -> tuple[ChallengeRecord, PasskeyRecord]:
        """The ceremony's challenge and the passkey the response registers (not stored yet);
        400 when the ceremony is unknown, used or expired, or the response is refused."""
        challenge = self._take(ceremony_id, purpose)
        if challenge.user_id is None:
            raise AuthError(400, "this ceremony registers nobody", _AGAIN)
        try:
            verified = verify_registration_response(
                credential=credential,
                expected_challenge=base64url_to_bytes(challenge.challenge),
                expected_rp_id=self._party.rp_id,
                expected_origin=self._party.origin,
                require_user_verification=True,
            )
        except Exception as exc:  # py_webauthn raises more than its own types on odd input
            raise AuthError(400, f"passkey registration refused: {_reason(exc)}", _AGAIN) from None
        transports = credential.get("response", {}).get("transports") or []
        passkey = PasskeyRecord(
            id=bytes_to_base64url(verified.credential_id),
            user_id=challenge.user_id,
            name=passkey_name,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            transports=[str(t) for t in transports if t in _TRANSPORTS],
            aaguid=verified.aaguid,
            backed_up=verified.credential_backed_up,
            created_at=self._now(),
        )
        return challenge, passkey

    # -- assertions (login, step-up) ------------------------------------------------------

    def begin_assertion(
        self,
        purpose: Purpose,
        *,
        user_id: str | None,
        allow: Sequence[PasskeyRecord | StandIn] = (),
        payload: dict[str, Any] | None = None,
    ) -> Begun:
        options = generate_authentication_options(
            rp_id=self._party.rp_id,
            timeout=int(self._ttl.total_seconds() * 1000),
            allow_credentials=_descriptors(allow),
            user_verification=UserVerificationRequirement.REQUIRED,
        )
        return self._store(purpose, options_to_json(options), options.challenge, user_id, payload)

    def finish_assertion(
        self, ceremony_id: str, purpose: Purpose, credential: dict[str, Any]
    ) -> tuple[ChallengeRecord, PasskeyRecord]:
        """The ceremony's challenge and the passkey that signed, its counter stored; 400 for
        a ceremony unknown, used or expired, 401 for an assertion refused."""
        challenge = self._take(ceremony_id, purpose)
        passkey = self._rows.passkey(str(credential.get("id", "")))
        if passkey is None or passkey.revoked_at is not None:
            raise AuthError(
                401, "this passkey is not registered here (or was revoked)", "use another passkey"
            )
        if challenge.user_id is not None and passkey.user_id != challenge.user_id:
            raise AuthError(401, "this passkey belongs to someone else", "use your own passkey")
        handle = credential.get("response", {}).get("userHandle")
        if handle and handle != bytes_to_base64url(passkey.user_id.encode()):
            raise AuthError(401, "the passkey's user handle does not match its owner")
        try:
            verified = verify_authentication_response(
                credential=credential,
                expected_challenge=base64url_to_bytes(challenge.challenge),
                expected_rp_id=self._party.rp_id,
                expected_origin=self._party.origin,
                credential_public_key=passkey.public_key,
                credential_current_sign_count=0,  # compared below, after the signature
                require_user_verification=True,
            )
        except Exception as exc:  # py_webauthn raises more than its own types on odd input
            raise AuthError(401, f"passkey assertion refused: {_reason(exc)}", _AGAIN) from None
        count = verified.new_sign_count
        cloned = (count > 0 or passkey.sign_count > 0) and count <= passkey.sign_count
        if cloned or not self._rows.record_use(
            passkey.id, passkey.sign_count, count, verified.credential_backed_up, self._now()
        ):
            raise AuthError(
                401,
                f"the passkey's sign count did not increase ({count} after "
                f"{passkey.sign_count}): it may be cloned",
                "sign in with another passkey and revoke this one",
            )
        return challenge, passkey

    # -- challenges -----------------------------------------------------------------------

    def _store(
        self,
        purpose: Purpose,
        options_json: str,
        challenge: bytes,
        user_id: str | None,
        payload: dict[str, Any] | None,
    ) -> Begun:
        now = self._now()
        expires = now + self._ttl
        ceremony_id = self._rows.add_challenge(
            purpose, bytes_to_base64url(challenge), user_id, payload or {}, now, expires
        )
        options: dict[str, Any] = json.loads(options_json)
        return Begun(ceremony_id, options, expires)

    def _take(self, ceremony_id: str, purpose: Purpose) -> ChallengeRecord:
        taken = self._rows.take_challenge(ceremony_id, purpose, self._now())
        if taken == "missing":
            raise AuthError(400, f"no such {purpose.replace('_', ' ')} ceremony", _AGAIN)
        if taken == "used":
            raise AuthError(
                400, "this ceremony was already completed (challenges work once)", _AGAIN
            )
        if taken == "expired":
            raise AuthError(400, "this ceremony expired", _AGAIN)
        return taken


def _reason(exc: Exception) -> str:
    """The library's reason on one line (it names origins and flags, never a secret)."""
    text = str(exc).replace("\n", " ").strip() or type(exc).__name__
    return text if len(text) <= 200 else text[:200] + "…"
