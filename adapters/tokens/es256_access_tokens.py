"""The AccessTokens port as ES256 JWTs, hardened as decision 0001 asks (docs/decisions/0001).

Signing is python-jose's `jwt.encode`. Verification is joserfc's JWS compact path (decision
0015) with our rules around it. In front: a length cap and one strict match of the compact form
(three non-empty base64url parts: no JSON serialization, no padding). `jws.extract_compact`
then reads the header, once, and the payload, refusing any non-canonical base64url spelling.
Our rules judge that header before any cryptography, each with its own refusal reason: a `kid`
among our keys, `alg` exactly ES256, `typ` at+jwt, no key-bearing or critical header.
`jws.validate_compact` checks the header against its registry and verifies the signature with
our public key that `kid` names, under a registry that allows ES256 alone. After it, msgspec
decodes the claims once into exact types, and issuer and audience are checked here; time
(`exp`, `iat`, `auth_time`) is the domain's, against its injected clock (`Authenticate`).
"""

from __future__ import annotations

import re

import msgspec
from jose import backends, jwt
from jose.backends.cryptography_backend import CryptographyECKey
from joserfc import jws
from joserfc.errors import DecodeError, JoseError
from joserfc.jwk import ECKey, KeyParameters

from adapters.tokens.signing_keys import SigningKey
from domain.errors import AccessTokenRefusal, InvalidAccessToken
from domain.model import AccessGrant

ALGORITHM = "ES256"
TOKEN_TYPE = "at+jwt"
MAX_TOKEN_LENGTH = 4096
ACCEPTED_TYPES = frozenset({"at+jwt", "application/at+jwt"})
# Three non-empty base64url parts and nothing else: no padding, no whitespace, no JWE, no JSON.
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
# Headers that would make a verifier fetch or trust key material named by the token itself, and
# `crit` (which would also switch on RFC 7797's unencoded payload): refused even as `null`.
_FORBIDDEN_HEADERS = ("jku", "jwk", "x5u", "x5c", "crit")
# Only ES256 is ever looked up; joserfc refuses any other `alg` here too, `none` and HS* included.
_REGISTRY = jws.JWSRegistry(algorithms=[ALGORITHM])
# joserfc decodes the payload's base64url in `extract_compact`; this is its error for it.
_BAD_PAYLOAD = "Invalid payload"
_VERIFYING: KeyParameters = {"alg": ALGORITHM, "use": "sig"}


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
        # One key per kid, chosen by us: a KeySet would hand a token without `kid` its only key.
        # Each is bound to ES256 and to signatures, which joserfc enforces as well.
        self._verifiers = {
            key.kid: ECKey.import_key(key.verifying_key, {"kid": key.kid, **_VERIFYING})
            for key in keys
        }
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
        try:
            signed = jws.extract_compact(token.encode("ascii"), registry=_REGISTRY)
        # joserfc reads a header that is a JSON array or string holding "alg" as if it were an
        # object, and then trips over it (`header["b64"]`): refused here, before our rules.
        except (JoseError, RecursionError, TypeError, ValueError, KeyError) as exc:
            bad_claims = isinstance(exc, DecodeError) and exc.description == _BAD_PAYLOAD
            raise InvalidAccessToken(
                "access token is not valid",
                reason=(
                    AccessTokenRefusal.MALFORMED_CLAIMS
                    if bad_claims
                    else AccessTokenRefusal.MALFORMED
                ),
            ) from exc
        verifier = self._verifier_for(signed.protected)
        try:
            verified = jws.validate_compact(signed, verifier, registry=_REGISTRY)
        except JoseError as exc:
            raise InvalidAccessToken(
                "access token header is not valid", reason=AccessTokenRefusal.MALFORMED
            ) from exc
        if not verified:
            raise InvalidAccessToken(
                "access token signature is not valid", reason=AccessTokenRefusal.INVALID_SIGNATURE
            )
        try:
            claims = _CLAIMS_DECODER.decode(signed.payload)
        except (msgspec.DecodeError, RecursionError) as exc:
            raise InvalidAccessToken(
                "access token claims are not valid", reason=AccessTokenRefusal.MALFORMED_CLAIMS
            ) from exc
        return self._grant_from(claims)

    def _verifier_for(self, header: object) -> ECKey:
        # joserfc only asks that the header's JSON contain "alg": a list or string passes.
        if not isinstance(header, dict):
            raise InvalidAccessToken(
                "access token header is not valid", reason=AccessTokenRefusal.MALFORMED
            )
        kid, alg, typ = header.get("kid"), header.get("alg"), header.get("typ")
        if not isinstance(kid, str) or not isinstance(alg, str) or not isinstance(typ, str):
            raise InvalidAccessToken(
                "access token header is not valid", reason=AccessTokenRefusal.MALFORMED
            )
        verifier = self._verifiers.get(kid)
        if verifier is None:
            raise InvalidAccessToken("unknown signing key", reason=AccessTokenRefusal.UNKNOWN_KEY)
        if alg != ALGORITHM:
            raise InvalidAccessToken("wrong algorithm", reason=AccessTokenRefusal.WRONG_ALGORITHM)
        if typ.lower() not in ACCEPTED_TYPES:
            raise InvalidAccessToken("not an access token", reason=AccessTokenRefusal.WRONG_TYPE)
        if any(name in header for name in _FORBIDDEN_HEADERS):
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
