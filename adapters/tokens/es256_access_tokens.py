"""The AccessTokens port as ES256 JWTs, hardened as ../shared/reference/jwt-and-jose.md asks.

Signing is python-jose's `jwt.encode`. Verification runs on every authenticated request, so it
does the JWS steps itself: one strict parse of the compact form, the header checked before any
cryptography, the signature verified by `cryptography` with the public key its `kid` names
(ECDSA P-256 with SHA-256, whatever the header claims), then the claims decoded once, by
msgspec, into exact types. jose's generic `jwt.decode` path parses the token three times with
the standard library's json and cost twice the bare ECDSA verify.
"""

from __future__ import annotations

import base64
import binascii
import re

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from jose import backends, jwt
from jose.backends.cryptography_backend import CryptographyECKey

from adapters.tokens.signing_keys import SigningKey
from domain.errors import AccessTokenRefusal, InvalidAccessToken
from domain.model import AccessGrant

ALGORITHM = "ES256"
TOKEN_TYPE = "at+jwt"
MAX_TOKEN_LENGTH = 4096
ACCEPTED_TYPES = frozenset({"at+jwt", "application/at+jwt"})
# Three non-empty base64url parts and nothing else: no padding, no whitespace, no JWE.
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_ES256 = ec.ECDSA(hashes.SHA256())
# A JWS ES256 signature is R and S, 32 big-endian bytes each (RFC 7518 §3.4).
_COORDINATE_BYTES = 32


_ABSENT = msgspec.Raw(b"")


class _Header(msgspec.Struct, frozen=True):
    alg: str
    kid: str
    typ: str
    # Headers that would make a verifier fetch or trust key material named by the token itself.
    jku: msgspec.Raw = _ABSENT
    jwk: msgspec.Raw = _ABSENT
    x5u: msgspec.Raw = _ABSENT
    x5c: msgspec.Raw = _ABSENT
    crit: msgspec.Raw = _ABSENT

    def forbidden(self) -> bool:
        """Whether any of them is present, whatever its value (even `null`)."""
        return any(
            value is not _ABSENT for value in (self.jku, self.jwk, self.x5u, self.x5c, self.crit)
        )


class _Claims(msgspec.Struct, frozen=True):
    # msgspec refuses a JSON `true` for an int field: bool must not pass as a time.
    iss: str
    aud: str | list[str]
    sub: str
    iat: int
    exp: int
    jti: str
    sid: str
    auth_time: int
    amr: list[str]


_HEADER_DECODER = msgspec.json.Decoder(_Header)
_CLAIMS_DECODER = msgspec.json.Decoder(_Claims)


class Es256AccessTokens:
    """Signs with the first key; verifies with the key its `kid` names, ES256 only."""

    def __init__(self, keys: list[SigningKey], issuer: str, audience: str) -> None:
        # python-jose picks its backend by import order; the pure-Python ecdsa one is not for us.
        if backends.ECKey is not CryptographyECKey:
            raise RuntimeError("python-jose is not using the cryptography backend")
        if not keys:
            raise ValueError("at least one signing key is required")
        self._signing = keys[0]
        self._verifiers = {key.kid: key.verifying_key for key in keys}
        self._issuer = issuer
        self._audience = audience
        self._headers = {"kid": self._signing.kid, "typ": TOKEN_TYPE}

    def issue(self, grant: AccessGrant) -> str:
        claims = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": grant.subject,
            "iat": grant.issued_at,
            "exp": grant.expires_at,
            "jti": grant.token_id,
            "sid": grant.session_id,
            "auth_time": grant.auth_time,
            "amr": list(grant.amr),
        }
        token: str = jwt.encode(
            claims, self._signing.private_key, algorithm=ALGORITHM, headers=self._headers
        )
        return token

    def decode(self, token: str) -> AccessGrant:
        if len(token) > MAX_TOKEN_LENGTH:
            raise InvalidAccessToken("access token too long", reason=AccessTokenRefusal.TOO_LONG)
        if not _COMPACT_JWS.fullmatch(token):
            raise InvalidAccessToken(
                "access token is not a compact JWS", reason=AccessTokenRefusal.MALFORMED
            )
        signing_input, _, signature = token.rpartition(".")
        header_part, _, claims_part = signing_input.partition(".")
        try:
            header = _HEADER_DECODER.decode(_base64url(header_part))
        except (msgspec.DecodeError, ValueError, RecursionError) as exc:
            raise InvalidAccessToken(
                "access token header is not valid", reason=AccessTokenRefusal.MALFORMED
            ) from exc
        verifier = self._verifier_for(header)
        try:
            raw = _base64url(signature)
            if len(raw) != 2 * _COORDINATE_BYTES:
                raise ValueError("an ES256 signature is 64 bytes")
            der = encode_dss_signature(
                int.from_bytes(raw[:_COORDINATE_BYTES], "big"),
                int.from_bytes(raw[_COORDINATE_BYTES:], "big"),
            )
            verifier.verify(der, signing_input.encode("ascii"), _ES256)
        except (ValueError, InvalidSignature) as exc:
            raise InvalidAccessToken(
                "access token signature is not valid", reason=AccessTokenRefusal.INVALID_SIGNATURE
            ) from exc
        try:
            claims = _CLAIMS_DECODER.decode(_base64url(claims_part))
        except (msgspec.DecodeError, ValueError, RecursionError) as exc:
            raise InvalidAccessToken(
                "access token claims are not valid", reason=AccessTokenRefusal.MALFORMED_CLAIMS
            ) from exc
        return self._grant_from(claims)

    def _verifier_for(self, header: _Header) -> ec.EllipticCurvePublicKey:
        verifier = self._verifiers.get(header.kid)
        if verifier is None:
            raise InvalidAccessToken("unknown signing key", reason=AccessTokenRefusal.UNKNOWN_KEY)
        if header.alg != ALGORITHM:
            raise InvalidAccessToken("wrong algorithm", reason=AccessTokenRefusal.WRONG_ALGORITHM)
        if header.typ.lower() not in ACCEPTED_TYPES:
            raise InvalidAccessToken("not an access token", reason=AccessTokenRefusal.WRONG_TYPE)
        if header.forbidden():
            raise InvalidAccessToken("forbidden header", reason=AccessTokenRefusal.FORBIDDEN_HEADER)
        return verifier

    def _grant_from(self, claims: _Claims) -> AccessGrant:
        if claims.iss != self._issuer:
            raise InvalidAccessToken("wrong issuer", reason=AccessTokenRefusal.WRONG_ISSUER)
        audiences = [claims.aud] if isinstance(claims.aud, str) else claims.aud
        if self._audience not in audiences:
            raise InvalidAccessToken("wrong audience", reason=AccessTokenRefusal.WRONG_AUDIENCE)
        if not claims.sub or not claims.sid or not claims.jti:
            raise InvalidAccessToken(
                "identity claims must not be empty", reason=AccessTokenRefusal.MALFORMED_CLAIMS
            )
        return AccessGrant(
            subject=claims.sub,
            session_id=claims.sid,
            token_id=claims.jti,
            issued_at=claims.iat,
            expires_at=claims.exp,
            auth_time=claims.auth_time,
            amr=tuple(claims.amr),
        )


def _base64url(part: str) -> bytes:
    """Decode canonical unpadded base64url; `ValueError` for anything else.

    The alphabet is pre-checked. Canonical: the last character's unused low bits are zero, so
    every byte string has exactly one spelling and one token exactly one string (RFC 4648 §3.5):
    a second spelling of our token would be a token we never issued, and would slip past
    anything that remembers tokens by their text.
    """
    try:
        decoded = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except binascii.Error as exc:
        raise ValueError("not base64url") from exc
    if base64.urlsafe_b64encode(decoded).rstrip(b"=") != part.encode("ascii"):
        raise ValueError("not canonical base64url")
    return decoded
