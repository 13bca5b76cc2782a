"""A software passkey authenticator: real WebAuthn responses without a browser or a device.

:class:`SoftAuthenticator` answers the ``PublicKeyCredentialCreationOptionsJSON`` and
``PublicKeyCredentialRequestOptionsJSON`` a relying party sends (what ``/api/auth/.../begin``
returns) with the JSON ``navigator.credentials.create()`` / ``.get()`` give through
``@simplewebauthn/browser``: ``id``, ``rawId``, ``type``, ``response`` (``clientDataJSON``,
``attestationObject`` or ``authenticatorData`` + ``signature`` + ``userHandle``),
``clientExtensionResults`` and ``authenticatorAttachment``, every binary field base64url.

Its keys are real (ES256 on P-256 by default, Ed25519 on request) and its signatures too, so
a verifier such as py_webauthn checks them for real: nothing here is a mock. Attestation is
``none`` or ``packed`` self-attestation.

The knobs make the bad cases a server must refuse: ``origin=`` (a phishing page's origin),
``rp_id=`` (a credential scoped to another site), ``user_verified=False`` (no PIN or
biometric), ``user_present=False``, and :meth:`SoftAuthenticator.clone` (a copied key whose
counter lags behind the original's: a replayed, non-increasing sign count). Use it to
rehearse a login against a running ``tradebot serve`` too.

It depends on ``cryptography`` only (CBOR is encoded here: the few types WebAuthn needs).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import secrets
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

__all__ = [
    "AuthenticatorError",
    "SoftAuthenticator",
    "SoftCredential",
    "b64url",
    "b64url_decode",
    "cbor_encode",
]

ES256 = -7
EDDSA = -8
Algorithm = Literal["ES256", "EdDSA"]
_ALG_IDS: dict[str, int] = {"ES256": ES256, "EdDSA": EDDSA}

FLAG_UP = 0x01
FLAG_UV = 0x04
FLAG_BE = 0x08
FLAG_BS = 0x10
FLAG_AT = 0x40

SOFT_AAGUID = bytes.fromhex("7472616465626f742d736f66742d6b65")  # "tradebot-soft-ke"


class AuthenticatorError(Exception):
    """What a browser would answer with a DOMException (no usable credential, excluded)."""


def b64url(data: bytes) -> str:
    """base64url without padding, as WebAuthn's JSON carries binary."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _cbor_head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for extra, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if value < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | extra]) + struct.pack(fmt, value)
    raise ValueError("integer too large for CBOR")


def cbor_encode(value: object) -> bytes:
    """Deterministic CBOR (RFC 8949) of ints, bytes, text, lists and maps: all WebAuthn
    needs for attestation objects and COSE keys."""
    if isinstance(value, bool):
        return b"\xf5" if value else b"\xf4"
    if isinstance(value, int):
        return _cbor_head(0, value) if value >= 0 else _cbor_head(1, -1 - value)
    if isinstance(value, bytes):
        return _cbor_head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode()
        return _cbor_head(3, len(raw)) + raw
    if isinstance(value, list | tuple):
        return _cbor_head(4, len(value)) + b"".join(cbor_encode(v) for v in value)
    if isinstance(value, dict):
        items = sorted((cbor_encode(k), cbor_encode(v)) for k, v in value.items())
        return _cbor_head(5, len(items)) + b"".join(k + v for k, v in items)
    raise TypeError(f"cannot encode {type(value).__name__} as CBOR")


PrivateKey = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey


@dataclass(slots=True)
class SoftCredential:
    """One passkey held by the authenticator (a discoverable credential)."""

    credential_id: bytes
    rp_id: str
    user_handle: bytes
    user_name: str
    private_key: PrivateKey
    algorithm: Algorithm
    sign_count: int = 0

    @property
    def id(self) -> str:
        return b64url(self.credential_id)

    def cose_public_key(self) -> bytes:
        public = self.private_key.public_key()
        if isinstance(public, ec.EllipticCurvePublicKey):
            numbers = public.public_numbers()
            return cbor_encode(
                {
                    1: 2,
                    3: ES256,
                    -1: 1,
                    -2: numbers.x.to_bytes(32, "big"),
                    -3: numbers.y.to_bytes(32, "big"),
                }
            )
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return cbor_encode({1: 1, 3: EDDSA, -1: 6, -2: raw})

    def public_key_der(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, data: bytes) -> bytes:
        if isinstance(self.private_key, ec.EllipticCurvePrivateKey):
            return self.private_key.sign(data, ec.ECDSA(hashes.SHA256()))
        return self.private_key.sign(data)


@dataclass(slots=True)
class SoftAuthenticator:
    """A platform authenticator in software. ``origin`` is the page it is used from
    (``http://localhost:8000``); ``counter`` False keeps every sign count at 0, as synced
    passkeys do; ``backup_eligible``/``backed_up`` set the BE/BS flags."""

    origin: str
    algorithm: Algorithm = "ES256"
    attestation: Literal["none", "packed"] = "none"
    counter: bool = True
    backup_eligible: bool = True
    backed_up: bool = True
    aaguid: bytes = SOFT_AAGUID
    credentials: list[SoftCredential] = field(default_factory=list)

    def clone(self) -> SoftAuthenticator:
        """A copy with the same keys and counters: after the original signs again, the copy's
        counter lags behind, as an attacker's extracted key would."""
        return copy.deepcopy(self)

    def credential(self, credential_id: str) -> SoftCredential:
        for held in self.credentials:
            if held.id == credential_id:
                return held
        raise AuthenticatorError(f"no credential {credential_id[:12]}… on this authenticator")

    # -- navigator.credentials.create() ---------------------------------------------------

    def create(
        self,
        options: Mapping[str, Any],
        *,
        origin: str | None = None,
        rp_id: str | None = None,
        user_verified: bool = True,
        user_present: bool = True,
    ) -> dict[str, Any]:
        """The RegistrationResponseJSON for ``options``; the new credential is kept."""
        scope = rp_id or _rp_id(options.get("rp", {}).get("id"), self.origin)
        algorithm = self._pick_algorithm(options.get("pubKeyCredParams", []))
        excluded = {str(c["id"]) for c in options.get("excludeCredentials", []) or []}
        if any(c.id in excluded and c.rp_id == scope for c in self.credentials):
            raise AuthenticatorError("InvalidStateError: a credential here is excluded")
        user = options["user"]
        held = SoftCredential(
            credential_id=secrets.token_bytes(32),
            rp_id=scope,
            user_handle=b64url_decode(str(user["id"])),
            user_name=str(user["name"]),
            private_key=_new_key(algorithm),
            algorithm=algorithm,
        )
        client_data = self._client_data(
            "webauthn.create", str(options["challenge"]), origin or self.origin
        )
        auth_data = self._auth_data(held, user_present, user_verified, attested=True)
        statement: dict[str, Any] = {}
        if self.attestation == "packed":
            signature = held.sign(auth_data + hashlib.sha256(client_data).digest())
            statement = {"alg": _ALG_IDS[algorithm], "sig": signature}
        attestation_object = cbor_encode(
            {"fmt": self.attestation, "attStmt": statement, "authData": auth_data}
        )
        self.credentials.append(held)
        return {
            "id": held.id,
            "rawId": held.id,
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation_object),
                "authenticatorData": b64url(auth_data),
                "transports": ["internal", "hybrid"],
                "publicKeyAlgorithm": _ALG_IDS[algorithm],
                "publicKey": b64url(held.public_key_der()),
            },
            "clientExtensionResults": {"credProps": {"rk": True}},
            "authenticatorAttachment": "platform",
        }

    # -- navigator.credentials.get() ------------------------------------------------------

    def get(
        self,
        options: Mapping[str, Any],
        *,
        origin: str | None = None,
        rp_id: str | None = None,
        user_verified: bool = True,
        user_present: bool = True,
        credential_id: str | None = None,
    ) -> dict[str, Any]:
        """The AuthenticationResponseJSON for ``options``: signed by the credential named,
        else the first allowed one held, else (discoverable login) the newest for the RP."""
        scope = _rp_id(options.get("rpId"), self.origin)
        held = self._choose(scope, options.get("allowCredentials") or [], credential_id)
        if self.counter:
            held.sign_count += 1
        client_data = self._client_data(
            "webauthn.get", str(options["challenge"]), origin or self.origin
        )
        auth_data = self._auth_data(
            held, user_present, user_verified, attested=False, rp_id=rp_id or held.rp_id
        )
        signature = held.sign(auth_data + hashlib.sha256(client_data).digest())
        return {
            "id": held.id,
            "rawId": held.id,
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                "userHandle": b64url(held.user_handle),
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

    # -- the bytes ------------------------------------------------------------------------

    def _choose(
        self, scope: str, allowed: Sequence[Mapping[str, Any]], credential_id: str | None
    ) -> SoftCredential:
        if credential_id is not None:
            return self.credential(credential_id)
        allowed_ids = [str(c["id"]) for c in allowed]
        for held in reversed(self.credentials):
            if held.rp_id == scope and (not allowed_ids or held.id in allowed_ids):
                return held
        raise AuthenticatorError("NotAllowedError: no credential here for this request")

    def _pick_algorithm(self, params: Sequence[Mapping[str, Any]]) -> Algorithm:
        offered = {int(p["alg"]) for p in params}
        if offered and _ALG_IDS[self.algorithm] not in offered:
            raise AuthenticatorError(f"NotSupportedError: {self.algorithm} is not offered")
        return self.algorithm

    @staticmethod
    def _client_data(kind: str, challenge: str, origin: str) -> bytes:
        body = {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}
        return json.dumps(body, separators=(",", ":")).encode()

    def _auth_data(
        self,
        held: SoftCredential,
        user_present: bool,
        user_verified: bool,
        *,
        attested: bool,
        rp_id: str | None = None,
    ) -> bytes:
        flags = (FLAG_UP if user_present else 0) | (FLAG_UV if user_verified else 0)
        flags |= (FLAG_BE if self.backup_eligible else 0) | (FLAG_BS if self.backed_up else 0)
        if attested:
            flags |= FLAG_AT
        head = hashlib.sha256((rp_id or held.rp_id).encode()).digest()
        head += bytes([flags]) + struct.pack(">I", held.sign_count)
        if not attested:
            return head
        key = held.cose_public_key()
        credential_id = held.credential_id
        return head + self.aaguid + struct.pack(">H", len(credential_id)) + credential_id + key


def _rp_id(given: object, origin: str) -> str:
    """The RP id the options name, else the origin's host (as a browser defaults it)."""
    if isinstance(given, str) and given:
        return given
    return urlsplit(origin).hostname or ""


def _new_key(algorithm: Algorithm) -> PrivateKey:
    if algorithm == "EdDSA":
        return ed25519.Ed25519PrivateKey.generate()
    return ec.generate_private_key(ec.SECP256R1())
