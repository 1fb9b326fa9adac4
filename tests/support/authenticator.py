"""A software passkey authenticator and browser, for driving WebAuthn ceremonies in tests.

It does what a browser and a platform authenticator do with Corbado's options: an ES256 key
per credential (from `cryptography`), `authenticatorData` with the RP id hash, the flags (user
present, user verified, attested data) and a sign counter, `clientDataJSON` with the challenge
and origin, attestation format `none`, and the JSON forms `navigator.credentials.create()` and
`.get()` answers have after `JSON.stringify` (base64url fields). Every knob a test needs to make
a wrong answer is a keyword: origin, RP id, UV flag, counter, a forged signature.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import struct
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import encode_cbor

ORIGIN = "http://localhost:8000"
RP_ID = "localhost"
AAGUID = bytes.fromhex("0123456789abcdef0123456789abcdef")
_UP, _UV, _AT = 0x01, 0x04, 0x40


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class SoftCredential:
    """One passkey the authenticator holds."""

    raw_id: bytes
    key: ec.EllipticCurvePrivateKey
    rp_id: str
    user_handle: bytes
    counter: int = 0


@dataclass
class SoftAuthenticator:
    """Passkeys by raw id; `counts` False makes it one that keeps no counter (always 0)."""

    origin: str = ORIGIN
    counts: bool = True
    credentials: dict[bytes, SoftCredential] = field(default_factory=dict)

    def create(
        self,
        options: dict[str, Any],
        *,
        origin: str | None = None,
        rp_id: str | None = None,
        user_verified: bool = True,
    ) -> dict[str, Any]:
        """`navigator.credentials.create({publicKey: options})`, as JSON."""
        rp = rp_id or options["rp"]["id"]
        credential = SoftCredential(
            raw_id=secrets.token_bytes(32),
            key=ec.generate_private_key(ec.SECP256R1()),
            rp_id=rp,
            user_handle=unb64url(options["user"]["id"]),
        )
        self.credentials[credential.raw_id] = credential
        numbers = credential.key.public_key().public_numbers()
        cose_key = encode_cbor(
            {
                1: 2,
                3: -7,
                -1: 1,
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )
        attested = AAGUID + struct.pack(">H", len(credential.raw_id)) + credential.raw_id + cose_key
        flags = _UP | _AT | (_UV if user_verified else 0)
        auth_data = _auth_data(rp, flags, 0) + attested
        client_data = _client_data("webauthn.create", options["challenge"], origin or self.origin)
        attestation = encode_cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": b64url(credential.raw_id),
            "rawId": b64url(credential.raw_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

    def get(
        self,
        options: dict[str, Any],
        *,
        credential: SoftCredential | None = None,
        origin: str | None = None,
        rp_id: str | None = None,
        user_verified: bool = True,
        counter: int | None = None,
        forged: bool = False,
    ) -> dict[str, Any]:
        """`navigator.credentials.get({publicKey: options})`, as JSON: with `credential`, or
        the first allowed one this authenticator holds, or (discoverable) the only one."""
        chosen = credential or self._choose(options)
        if counter is None and self.counts:
            chosen.counter += 1
        count = counter if counter is not None else chosen.counter
        flags = _UP | (_UV if user_verified else 0)
        auth_data = _auth_data(rp_id or chosen.rp_id, flags, count)
        client_data = _client_data("webauthn.get", options["challenge"], origin or self.origin)
        signed = auth_data + hashlib.sha256(client_data).digest()
        signer = ec.generate_private_key(ec.SECP256R1()) if forged else chosen.key
        signature = signer.sign(signed, ec.ECDSA(hashes.SHA256()))
        return {
            "id": b64url(chosen.raw_id),
            "rawId": b64url(chosen.raw_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                "userHandle": b64url(chosen.user_handle),
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

    def _choose(self, options: dict[str, Any]) -> SoftCredential:
        allowed = [unb64url(c["id"]) for c in options.get("allowCredentials") or []]
        if allowed:
            return next(self.credentials[raw] for raw in allowed if raw in self.credentials)
        (only,) = self.credentials.values()
        return only


def _auth_data(rp_id: str, flags: int, counter: int) -> bytes:
    return hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + struct.pack(">I", counter)


def _client_data(kind: str, challenge: str, origin: str) -> bytes:
    body = {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}
    return json.dumps(body, separators=(",", ":")).encode()
