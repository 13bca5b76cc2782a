"""The bodies of ``/api/auth``: requests bounded in every field (the API is fuzzed), and
responses that carry no key material (a passkey is shown by id, name and dates).

Credentials arrive in the JSON ``@simplewebauthn/browser`` sends (camelCase, binary as
base64url); the models check their shape and the ceremony code checks the rest.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

__all__ = [
    "AuthStatus",
    "CeremonyOut",
    "CompleteAssertion",
    "CompleteRegistration",
    "InviteOut",
    "LoginBegin",
    "MeOut",
    "NewPasskey",
    "PasskeyOut",
    "PasskeyRename",
    "RegisterBegin",
    "SignedOut",
    "TokenOut",
    "UserOut",
]

_B64URL = r"^[A-Za-z0-9_-]*={0,2}$"
B64Url = Annotated[str, StringConstraints(pattern=_B64URL, max_length=16_384)]
ShortB64Url = Annotated[str, StringConstraints(pattern=_B64URL, min_length=1, max_length=1400)]

UserName = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$"),
    AfterValidator(str.lower),  # compared folded: `Alice` and `alice` are one name
]
Label = Annotated[str, StringConstraints(min_length=1, max_length=100)]
CeremonyId = Annotated[str, StringConstraints(pattern=r"^cer-[A-Za-z0-9_-]{1,60}$")]


class _Json(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")


class AttestationResponse(_Json):
    client_data_json: B64Url = Field(alias="clientDataJSON")
    attestation_object: B64Url = Field(alias="attestationObject")
    transports: list[Annotated[str, StringConstraints(max_length=32)]] = Field(
        default_factory=list, max_length=10
    )


class AssertionResponse(_Json):
    client_data_json: B64Url = Field(alias="clientDataJSON")
    authenticator_data: B64Url = Field(alias="authenticatorData")
    signature: B64Url
    user_handle: Annotated[str, StringConstraints(pattern=_B64URL, max_length=200)] | None = Field(
        default=None, alias="userHandle"
    )


class _Credential(_Json):
    id: ShortB64Url
    raw_id: ShortB64Url = Field(alias="rawId")
    type: Literal["public-key"] = "public-key"
    authenticator_attachment: Literal["platform", "cross-platform"] | None = Field(
        default=None, alias="authenticatorAttachment"
    )

    def as_json(self) -> dict[str, Any]:
        """The credential as py_webauthn parses it (camelCase, no nulls)."""
        return self.model_dump(by_alias=True, exclude_none=True)


class RegistrationCredential(_Credential):
    response: AttestationResponse


class AuthenticationCredential(_Credential):
    response: AssertionResponse


class RegisterBegin(BaseModel):
    name: UserName = Field(description="Sign-in name (lower case: letters, digits, . _ @ -).")
    display_name: Label
    code: Annotated[str, StringConstraints(min_length=1, max_length=64)] = Field(
        description="The setup code `tradebot serve` printed, or an invitation."
    )


class CompleteRegistration(BaseModel):
    ceremony_id: CeremonyId
    credential: RegistrationCredential
    passkey_name: Label = "passkey"


class NewPasskey(BaseModel):
    ceremony_id: CeremonyId
    credential: RegistrationCredential
    name: Label = "passkey"


class LoginBegin(BaseModel):
    name: UserName | None = Field(
        default=None, description="Leave out for a discoverable (username-less) login."
    )


class CompleteAssertion(BaseModel):
    ceremony_id: CeremonyId
    credential: AuthenticationCredential


class PasskeyRename(BaseModel):
    name: Label


class CeremonyOut(BaseModel):
    """Hand ``options`` to the browser (``startRegistration``/``startAuthentication``) and
    send its answer with ``ceremony_id`` to the matching ``/complete``."""

    ceremony_id: str
    options: dict[str, Any] = Field(
        description="PublicKeyCredentialCreationOptionsJSON or ...RequestOptionsJSON"
    )
    expires_at: datetime


class UserOut(BaseModel):
    id: str
    name: str
    display_name: str
    created_at: datetime


class TokenOut(BaseModel):
    """An access token (send it as ``Authorization: Bearer``); the refresh token travels
    in an httpOnly cookie, never in a body."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds the access token lives.")
    fresh_until: datetime | None = Field(
        description="Until when step-up actions are allowed without a new assertion."
    )
    user: UserOut


class PasskeyOut(BaseModel):
    id: str
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    backed_up: bool
    aaguid: str
    transports: list[str]


class MeOut(BaseModel):
    user: UserOut
    passkeys: list[PasskeyOut]
    fresh_until: datetime | None


class AuthStatus(BaseModel):
    setup_required: bool = Field(
        description="No user yet: register the first one with the setup code."
    )
    rp_id: str
    origin: str


class InviteOut(BaseModel):
    """A one-time code, shown this once (only its hash is kept)."""

    code: str
    kind: Literal["setup", "invite"]
    expires_at: datetime


class SignedOut(BaseModel):
    signed_out: bool = True
