"""The auth service the ``/api/auth`` routes call: registration with a code, passkey login,
refresh rotation, step-up, passkey management and invitations, over :class:`AuthRows`.

It knows nothing of HTTP (the routes set cookies and read headers); it answers records and
tokens, or raises :class:`AuthError`. Time comes from the injected ``now`` (the same clock
the request dependencies verify tokens with), so tests move it instead of waiting.

A login (or a registration) is a passkey assertion, so its access token carries a step-up
stamp (``step_up_at``); a token minted from a refresh cookie does not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from webauthn.helpers import bytes_to_base64url

from tradebot.adapters.sql.auth_rows import AuthRows, PasskeyRecord, UserRecord, new_user_id
from tradebot.api.auth.ceremonies import Begun, Ceremonies, RelyingParty, StandIn
from tradebot.api.auth.context import AuthContext, Principal
from tradebot.api.auth.errors import AuthError
from tradebot.api.auth.invites import Invites, IssuedCode, hash_code
from tradebot.api.auth.refresh import IssuedRefresh, RefreshTokens
from tradebot.api.auth.tokens import TokenIssuer
from tradebot.config import ApiSettings
from tradebot.ops.logging import get_logger

__all__ = ["AuthService", "SignedIn"]

_log = get_logger("api.auth")
_SIGN_IN_AGAIN = "sign in again with your passkey"


@dataclass(frozen=True, slots=True)
class SignedIn:
    """An access token for ``user``; with a refresh token (and its CSRF value) after a
    login, registration or refresh, without one after a step-up."""

    user: UserRecord
    access_token: str
    expires_in: int
    step_up_at: datetime | None
    refresh: IssuedRefresh | None = None
    csrf: str | None = None


class AuthService:
    def __init__(
        self,
        rows: AuthRows,
        api: ApiSettings,
        tokens: TokenIssuer,
        now: Callable[[], datetime],
        step_up_window: timedelta,
    ) -> None:
        self.rows = rows
        self.api = api
        self.tokens = tokens
        self.now = now
        self.step_up_window = step_up_window
        self.party = RelyingParty.of(api)
        self.ceremonies = Ceremonies(rows, self.party, timedelta(seconds=api.challenge_ttl_s), now)
        self.refresh_tokens = RefreshTokens(rows, timedelta(seconds=api.refresh_ttl_s), now)
        self.invites = Invites(rows, timedelta(seconds=api.setup_code_ttl_s), now)

    @classmethod
    def of(cls, db: Engine, api: ApiSettings, context: AuthContext) -> AuthService:
        return cls(AuthRows(db), api, context.tokens, context.now, context.step_up_window)

    # -- registration ---------------------------------------------------------------------

    def begin_registration(self, name: str, display_name: str, code: str) -> Begun:
        kind = self.invites.valid_kind(code)
        if kind is None:
            raise AuthError(
                403,
                "that code is not valid (mistyped, already used or expired)",
                "ask for a new one: `tradebot users invite` prints one",
            )
        if self.rows.user_named(name) is not None:
            raise AuthError(409, f"the name {name!r} is taken", "choose another name")
        return self.ceremonies.begin_registration(
            "register",
            user_id=new_user_id(),
            name=name,
            display_name=display_name,
            payload={"name": name, "display_name": display_name, "code_hash": hash_code(code)},
        )

    def complete_registration(
        self, ceremony_id: str, credential: dict[str, Any], passkey_name: str
    ) -> SignedIn:
        challenge, passkey = self.ceremonies.finish_registration(
            ceremony_id, "register", credential, passkey_name
        )
        payload, now = challenge.payload, self.now()
        wanted = UserRecord(
            str(challenge.user_id), str(payload["name"]), str(payload["display_name"]), now, False
        )
        outcome = self.rows.register(wanted, passkey, str(payload["code_hash"]), now)
        if outcome == "code":
            raise AuthError(403, "the code was used or expired meanwhile", "ask for a new one")
        if outcome == "name_taken":
            raise AuthError(409, f"the name {wanted.name!r} is taken", "choose another name")
        _log.info("user registered", user_id=outcome.id)
        return self._sign_in(outcome, refresh=True)

    # -- login, refresh, logout -----------------------------------------------------------

    def begin_login(self, name: str | None) -> Begun:
        """Options for a login; with a name, its passkeys are listed. An unknown or disabled
        name gets a stand-in instead (:meth:`_stand_in`), so the answer does not say who has
        an account; its ceremony then fails at complete as any wrong passkey does."""
        if not name:
            return self.ceremonies.begin_assertion("login", user_id=None)
        user = self.rows.user_named(name)
        allow: list[PasskeyRecord | StandIn] = []
        if user is not None and not user.disabled:
            allow.extend(self.rows.passkeys(user.id))
        if not allow:
            allow.append(self._stand_in(name))
        return self.ceremonies.begin_assertion(
            "login", user_id=None, allow=allow, payload={"name": name}
        )

    def complete_login(self, ceremony_id: str, credential: dict[str, Any]) -> SignedIn:
        challenge, passkey = self.ceremonies.finish_assertion(ceremony_id, "login", credential)
        user = self._active(passkey.user_id)
        asked = challenge.payload.get("name")
        if asked and asked != user.name:
            raise AuthError(401, "this passkey is not one of that user's", "use your own passkey")
        _log.info("signed in", user_id=user.id)
        return self._sign_in(user, refresh=True)

    def refresh(self, token: str) -> SignedIn:
        outcome, issued = self.refresh_tokens.rotate(token)
        if outcome.outcome == "reused":
            _log.warning("refresh token reused: family revoked", user_id=outcome.user_id)
            raise AuthError(
                401,
                "this refresh token was already used: every session of that sign-in is "
                "revoked (a stolen cookie, or two tabs racing)",
                _SIGN_IN_AGAIN,
            )
        if issued is None:
            raise AuthError(401, f"the refresh token is {outcome.outcome}", _SIGN_IN_AGAIN)
        user = self.rows.user(issued.user_id)
        if user is None or user.disabled:
            self.refresh_tokens.revoke(issued.token, "user disabled")
            raise AuthError(401, "this account is disabled", "ask the operator")
        return self._signed_in(user, None, issued)

    def logout(self, token: str | None) -> None:
        if token:
            self.refresh_tokens.revoke(token, "logout")

    def csrf_for(self, refresh_token: str) -> str:
        return self.tokens.mac("csrf", refresh_token)

    # -- step-up and the signed-in user's passkeys ----------------------------------------

    def begin_step_up(self, who: Principal) -> Begun:
        return self.ceremonies.begin_assertion(
            "step_up", user_id=who.user_id, allow=self.rows.passkeys(who.user_id)
        )

    def complete_step_up(
        self, who: Principal, ceremony_id: str, credential: dict[str, Any]
    ) -> SignedIn:
        challenge, _ = self.ceremonies.finish_assertion(ceremony_id, "step_up", credential)
        if challenge.user_id != who.user_id:
            raise AuthError(403, "this step-up ceremony was begun by someone else", "begin again")
        return self._sign_in(self._active(who.user_id), refresh=False)

    def me(self, who: Principal) -> tuple[UserRecord, list[PasskeyRecord]]:
        return self._active(who.user_id), self.rows.passkeys(who.user_id)

    def begin_add_passkey(self, who: Principal) -> Begun:
        user = self._active(who.user_id)
        return self.ceremonies.begin_registration(
            "add_passkey",
            user_id=user.id,
            name=user.name,
            display_name=user.display_name,
            exclude=self.rows.passkeys(user.id, include_revoked=True),
        )

    def complete_add_passkey(
        self, who: Principal, ceremony_id: str, credential: dict[str, Any], name: str
    ) -> PasskeyRecord:
        challenge, passkey = self.ceremonies.finish_registration(
            ceremony_id, "add_passkey", credential, name
        )
        if challenge.user_id != who.user_id:
            raise AuthError(403, "this ceremony was begun by someone else", "begin again")
        if not self.rows.add_passkey(passkey):  # the insert decides: safe against a race
            raise AuthError(409, "this passkey is registered already", "use another authenticator")
        _log.info("passkey added", user_id=who.user_id)
        return passkey

    def rename_passkey(self, who: Principal, passkey_id: str, name: str) -> PasskeyRecord:
        renamed = self.rows.rename_passkey(who.user_id, passkey_id, name)
        if renamed is None:
            raise AuthError(404, "you have no such passkey", "list yours with GET /api/auth/me")
        return renamed

    def revoke_passkey(self, who: Principal, passkey_id: str) -> PasskeyRecord:
        outcome = self.rows.revoke_passkey(who.user_id, passkey_id, self.now())
        if outcome == "missing":
            raise AuthError(404, "you have no such passkey", "list yours with GET /api/auth/me")
        if outcome == "last":
            raise AuthError(
                409, "this is your last passkey: revoking it would lock you out", "add one first"
            )
        _log.info("passkey revoked", user_id=who.user_id)
        return outcome

    def invite(self, who: Principal) -> IssuedCode:
        issued = self.invites.issue(who.user_id)
        _log.info("invitation issued", user_id=who.user_id, expires_at=issued.expires_at)
        return issued

    def _stand_in(self, name: str) -> StandIn:
        """One credential descriptor for a name with no active account, as a typical user
        has one passkey: its id an HMAC of the name under the JWT secret (the same on every
        call, unguessable without the secret), as long as the newest real passkey's id and
        with its transports, so it looks like the passkeys listed for real names."""
        length, transports = self.rows.passkey_shape() or (32, ["hybrid", "internal"])
        raw, block = b"", 0
        while len(raw) < length:
            raw += bytes.fromhex(self.tokens.mac(f"login-stand-in:{block}", name))
            block += 1
        return StandIn(bytes_to_base64url(raw[:length]), transports)

    # -- tokens ---------------------------------------------------------------------------

    def fresh_until(self, step_up_at: datetime | None) -> datetime | None:
        return None if step_up_at is None else step_up_at + self.step_up_window

    def _active(self, user_id: str) -> UserRecord:
        user = self.rows.user(user_id)
        if user is None or user.disabled:
            raise AuthError(401, "this account is disabled", "ask the operator")
        return user

    def _sign_in(self, user: UserRecord, *, refresh: bool) -> SignedIn:
        step_up_at = self.now()
        issued = self.refresh_tokens.start(user.id) if refresh else None
        return self._signed_in(user, step_up_at, issued)

    def _signed_in(
        self, user: UserRecord, step_up_at: datetime | None, issued: IssuedRefresh | None
    ) -> SignedIn:
        token = self.tokens.issue(user.id, self.now(), step_up_at=step_up_at)
        return SignedIn(
            user=user,
            access_token=token,
            expires_in=int(self.tokens.ttl.total_seconds()),
            step_up_at=step_up_at,
            refresh=issued,
            csrf=None if issued is None else self.csrf_for(issued.token),
        )
