"""The AccessTokens port on python-jose, hardened as ../shared/reference/jwt-and-jose.md asks."""

from __future__ import annotations

from typing import Any

from jose import backends, jwt
from jose.backends.cryptography_backend import CryptographyECKey
from jose.exceptions import JOSEError

from adapters.tokens.signing_keys import SigningKey
from domain.errors import InvalidAccessToken
from domain.model import AccessGrant

ALGORITHM = "ES256"
TOKEN_TYPE = "at+jwt"
MAX_TOKEN_LENGTH = 4096
ACCEPTED_TYPES = frozenset({"at+jwt", "application/at+jwt"})
# Headers that would make a verifier fetch or trust key material named by the token itself.
FORBIDDEN_HEADERS = frozenset({"jku", "jwk", "x5u", "x5c", "crit"})
# jose checks signature, iss, aud and presence; the domain checks time against its own clock.
DECODE_OPTIONS = {
    "verify_exp": False,
    "verify_iat": False,
    "verify_nbf": False,
    "require_iss": True,
    "require_aud": True,
    "require_sub": True,
    "require_jti": True,
}


class JoseAccessTokens:
    """Signs with the first key; verifies with the key its `kid` names, ES256 only."""

    def __init__(self, keys: list[SigningKey], issuer: str, audience: str) -> None:
        # python-jose picks its backend by import order; the pure-Python ecdsa one is not for us.
        if backends.ECKey is not CryptographyECKey:
            raise RuntimeError("python-jose is not using the cryptography backend")
        if not keys:
            raise ValueError("at least one signing key is required")
        self._signing = keys[0]
        self._by_kid = {key.kid: key for key in keys}
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
            raise InvalidAccessToken("access token too long")
        try:
            key = self._key_for(jwt.get_unverified_header(token))
            claims = jwt.decode(
                token,
                key.public_key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                options=DECODE_OPTIONS,
            )
        except JOSEError as exc:
            raise InvalidAccessToken("access token is not valid") from exc
        return _grant_from(claims)

    def _key_for(self, header: dict[str, Any]) -> SigningKey:
        kid = header.get("kid")
        if not isinstance(kid, str) or kid not in self._by_kid:
            raise InvalidAccessToken("unknown signing key")
        if header.get("alg") != ALGORITHM:
            raise InvalidAccessToken("wrong algorithm")
        typ = header.get("typ")
        if not isinstance(typ, str) or typ.lower() not in ACCEPTED_TYPES:
            raise InvalidAccessToken("not an access token")
        if FORBIDDEN_HEADERS.intersection(header):
            raise InvalidAccessToken("forbidden header")
        return self._by_kid[kid]


def _grant_from(claims: dict[str, Any]) -> AccessGrant:
    iat, exp, auth_time = claims.get("iat"), claims.get("exp"), claims.get("auth_time")
    sub, sid, jti, amr = claims.get("sub"), claims.get("sid"), claims.get("jti"), claims.get("amr")
    # type() rather than isinstance(): bool is an int subclass and must not pass as a time.
    if type(iat) is not int or type(exp) is not int or type(auth_time) is not int:
        raise InvalidAccessToken("time claims must be integers")
    if not (isinstance(sub, str) and isinstance(sid, str) and isinstance(jti, str)):
        raise InvalidAccessToken("identity claims must be strings")
    if not sub or not sid or not jti:
        raise InvalidAccessToken("identity claims must not be empty")
    if not isinstance(amr, list) or not all(isinstance(method, str) for method in amr):
        raise InvalidAccessToken("amr must be a list of strings")
    return AccessGrant(
        subject=sub,
        session_id=sid,
        token_id=jti,
        issued_at=iat,
        expires_at=exp,
        auth_time=auth_time,
        amr=tuple(amr),
    )
