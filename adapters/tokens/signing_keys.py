"""ES256 signing keys: PEM loading, RFC 7638 `kid`s and the published JWK Set."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from jose import jwk
from jose.backends.base import Key

PEM_BEGIN = "-----BEGIN"


class SigningKeyError(ValueError):
    """A key file that cannot serve as our ES256 signing keys."""


@dataclass(frozen=True, slots=True)
class SigningKey:
    """One P-256 key pair, named by its thumbprint."""

    kid: str
    private_key: Key
    public_key: Key
    public_jwk: dict[str, str]
    # The same public key as `cryptography` holds it: what verification (joserfc) wraps.
    verifying_key: ec.EllipticCurvePublicKey


def generate_private_key_pem() -> str:
    """A new P-256 private key as unencrypted PKCS#8 PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def load_signing_keys(pem_text: str) -> list[SigningKey]:
    """Every key in a PEM bundle, in file order (the first one signs)."""
    blocks = [PEM_BEGIN + part for part in pem_text.split(PEM_BEGIN)[1:]]
    if not blocks:
        raise SigningKeyError("no PEM private key found")
    keys = [_load_one(block, position) for position, block in enumerate(blocks, start=1)]
    if len({key.kid for key in keys}) != len(keys):
        raise SigningKeyError("the same key appears twice")
    return keys


def _load_one(block: str, position: int) -> SigningKey:
    try:
        private = serialization.load_pem_private_key(block.encode("ascii"), password=None)
    except (ValueError, TypeError, UnicodeError) as exc:
        raise SigningKeyError(f"key {position} is not an unencrypted PEM private key") from exc
    if not isinstance(private, ec.EllipticCurvePrivateKey) or not isinstance(
        private.curve, ec.SECP256R1
    ):
        raise SigningKeyError(f"key {position} is not an EC P-256 key (ES256 needs one)")
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    private_key = jwk.construct(pem, "ES256")
    public_key = private_key.public_key()
    members = {name: public_key.to_dict()[name] for name in ("crv", "kty", "x", "y")}
    kid = thumbprint(members)
    return SigningKey(
        kid=kid,
        private_key=private_key,
        public_key=public_key,
        public_jwk={**members, "kid": kid, "alg": "ES256", "use": "sig"},
        verifying_key=private.public_key(),
    )


def thumbprint(members: dict[str, str]) -> str:
    """The RFC 7638 SHA-256 thumbprint of a JWK's required members, base64url without padding."""
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode("ascii")
    digest = hashlib.sha256(canonical).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def jwk_set(keys: list[SigningKey]) -> dict[str, Any]:
    """The JWK Set document that lets other services verify our tokens."""
    return {"keys": [key.public_jwk for key in keys]}


def derive_hmac_key(key: SigningKey, info: bytes) -> bytes:
    """A 32-byte HMAC key derived (HKDF-SHA256) from `key`'s private value for the purpose
    `info`: MACs the service needs take their keys from the signing keys, so no other secret
    has to be configured, and each purpose gets an unrelated key."""
    private_value = serialization.load_pem_private_key(key.private_key.to_pem(), password=None)
    if not isinstance(private_value, ec.EllipticCurvePrivateKey):
        raise SigningKeyError("HMAC keys derive from EC signing keys")
    secret = private_value.private_numbers().private_value.to_bytes(32, "big")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)
