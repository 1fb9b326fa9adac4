"""Device tokens: what a client that logged in to an account successfully presents on later
logins, so that the account-wide cap on failed logins does not lock it out (OWASP's device
cookies). See docs/decisions/0008-login-throttling.md.

A token is `dt1.<payload>.<mac>`, both parts unpadded base64url: the payload is a random device
id (16 bytes) and the expiry (8 bytes, big-endian Unix seconds); the MAC is HMAC-SHA256 over a
context string, the account key and the payload. The account is not in the token, so a leaked
token does not tell whose it is; it is bound to the account by the MAC alone.

The HMAC keys are derived (HKDF-SHA256) from the ES256 signing keys the service already has, so
no new secret needs configuring: the first key's derivation signs, every key's verifies, and a
token outlives a key rotation until its old key is removed from SESSION_SIGNING_KEYS.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from adapters.tokens.signing_keys import SigningKey, derive_hmac_key

PREFIX = "dt1"
# 90 days: a device that logs in at least that often stays trusted; each login renews it.
DEVICE_TOKEN_TTL_S = 90 * 24 * 3600
MAX_DEVICE_TOKEN_LENGTH = 128
_DEVICE_ID_BYTES = 16
_EXPIRY_BYTES = 8
_CONTEXT = b"connect-backend device token v1\x00"
_HKDF_INFO = b"connect-backend device token key v1"


@dataclass(frozen=True, slots=True)
class TrustedDevice:
    """A valid device token's device: its id, and when the token expires."""

    device_id: str
    expires_at: int


def device_token_keys(signing_keys: Sequence[SigningKey]) -> list[bytes]:
    """One HMAC key per signing key, in the same order (the first one signs)."""
    return [_derive(key) for key in signing_keys]


def _derive(key: SigningKey) -> bytes:
    return derive_hmac_key(key, _HKDF_INFO)


class HmacDeviceTokens:
    """Issues and checks device tokens bound to an account key (an opaque string)."""

    def __init__(self, keys: Sequence[bytes], ttl_s: int = DEVICE_TOKEN_TTL_S) -> None:
        if not keys:
            raise ValueError("at least one key is required")
        self._keys = tuple(keys)
        self._ttl_s = ttl_s

    def issue(self, account: str, now: int) -> str:
        """A new token for a device that just logged in to `account`."""
        payload = secrets.token_bytes(_DEVICE_ID_BYTES) + (now + self._ttl_s).to_bytes(
            _EXPIRY_BYTES, "big"
        )
        mac = _mac(self._keys[0], account, payload)
        return f"{PREFIX}.{_encode(payload)}.{_encode(mac)}"

    def verify(self, token: str, account: str, now: int) -> TrustedDevice | None:
        """The device, if `token` is one of ours, for `account`, and not expired; else None."""
        if len(token) > MAX_DEVICE_TOKEN_LENGTH:
            return None
        prefix, _, rest = token.partition(".")
        encoded_payload, _, encoded_mac = rest.partition(".")
        if prefix != PREFIX:
            return None
        payload, mac = _decode(encoded_payload), _decode(encoded_mac)
        if payload is None or mac is None or len(payload) != _DEVICE_ID_BYTES + _EXPIRY_BYTES:
            return None
        if not any(hmac.compare_digest(mac, _mac(key, account, payload)) for key in self._keys):
            return None
        expires_at = int.from_bytes(payload[_DEVICE_ID_BYTES:], "big")
        if expires_at <= now:
            return None
        return TrustedDevice(payload[:_DEVICE_ID_BYTES].hex(), expires_at)


def _mac(key: bytes, account: str, payload: bytes) -> bytes:
    # The account is hashed first so that no choice of account text can shift the boundary
    # between account and payload.
    account_hash = hashlib.sha256(account.encode("utf-8", "surrogatepass")).digest()
    return hmac.new(key, _CONTEXT + account_hash + payload, hashlib.sha256).digest()


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _decode(part: str) -> bytes | None:
    """Canonical unpadded base64url, else None: one token has one spelling."""
    if not part or not part.isascii():
        return None
    try:
        data = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        return None
    return data if _encode(data) == part else None
